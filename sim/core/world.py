"""The world: one home for the state every rule reads and writes.

Actors' rows (:class:`NodeRows`, by node: labs, then hobbyists, then malicious actors, as
on the collaboration graph), each kind's own rows where it has state of its own
(``sim.core.actors.TABLES``: labs' ``LabRows``, by node), checkpoints' rows
(``sim.core.checkpoints``), the hubs' shelves (``sim.core.hubs``), the ties
(``sim.core.ties``), this month's counters (``sim.outcomes.Counts``), the stream of draws
and the month's logs. Mesa agents are views over node rows; compiled rules receive
:meth:`World.state`, one named tuple of it all. Tables grow, so whoever keeps state keeps
row indices and asks the world for arrays when it needs them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sim.core import hubs
from sim.core.actors import TABLES
from sim.core.calls import from_python
from sim.core.checkpoints import Checkpoint, CheckpointRows, Registry
from sim.core.draws import Draws, Stream
from sim.core.hubs import Hub, Shelves, new_shelves, reserve_tickets
from sim.core.kinds import NO_LIMIT
from sim.core.logs import Logs, MonthLogs
from sim.core.rules.choosing import Route
from sim.core.table import Column, Table, as_rows, blank
from sim.core.tally import MonthTally
from sim.core.ties import Adjacency, TieRows

_upload = from_python(hubs.upload)


class NodeRows(NamedTuple):
    """Every actor's state by node."""

    kind: np.ndarray = Column(np.int8)  # ActorKind
    budget: np.ndarray = Column(np.float64)  # USD a month
    skill: np.ndarray = Column(np.float64)  # in [0, 1]; labs have none (0: no rule reads it)
    activity_rate: np.ndarray = Column(np.float64)  # chance of a turn each month
    own_hardware: np.ndarray = Column(np.bool_)  # its solo runs escape compute KYC
    spent_step: np.ndarray = Column(np.int64, -1)  # the last month it acted or joined a pool
    banned_until: np.ndarray = Column(np.int64)  # enforcement: no turns before this month
    ban_step: np.ndarray = Column(np.int64, -1)
    private_safe: np.ndarray = Column(np.int64, -1)  # best safe checkpoint shared with it
    private_stripped: np.ndarray = Column(np.int64, -1)  # best stripped one
    known_finetune_oom: np.ndarray = Column(np.float64)  # unpublished techniques it knows
    known_strip_oom: np.ndarray = Column(np.float64)
    known_bypass: np.ndarray = Column(np.int64)
    # malicious actors
    severe: np.ndarray = Column(np.bool_)  # the severe tier (dangerous capability uplift)
    goal: np.ndarray = Column(np.float64)  # capability its misuse needs (OOM)
    equipped: np.ndarray = Column(np.int64, -1)  # the checkpoint it misuses
    equipped_until: np.ndarray = Column(np.int64, NO_LIMIT)  # API access revoked then
    weapon: np.ndarray = Column(np.int64, -1)  # a checkpoint a malicious contact shared


class Scratch(NamedTuple):
    """Working arrays of one turn (sized once per call of the turns)."""

    found: np.ndarray  # what a search found
    drawn: np.ndarray  # a hub sample's distinct draws
    second: np.ndarray
    pool: np.ndarray  # a pool's members, initiator first
    reach_id: np.ndarray  # what a hobbyist reaches beyond the shared offer
    reach_value: np.ndarray
    reach_cost: np.ndarray
    routes: np.ndarray  # a fine-tune's three routes (``rules.choosing.Route``)
    contacts: np.ndarray  # a pool's free contacts in the order they are invited


def new_scratch(k: int, max_members: int) -> Scratch:
    return Scratch(
        np.empty(4 * k + 8, dtype=np.int64),
        np.empty(2 * k + 2, dtype=np.int64),
        np.empty(k + 2, dtype=np.int64),
        np.empty(max_members + 1, dtype=np.int64),
        np.empty(8 * k + 16, dtype=np.int64),
        np.empty(8 * k + 16),
        np.empty(8 * k + 16),
        as_rows(blank(Route, 3)),
        np.empty(1, dtype=np.int64),  # (sized to the nodes by ``World.ready_for``)
    )


# What compiled rules receive: the world's arrays, one named tuple (``w``): the node rows,
# each kind's own rows (``w.labs``), the checkpoint rows and how many are in use, the hubs'
# shelves, the ties, the month's counters (one ``Counts`` record), the draws, the logs.
State: Any = NamedTuple(  # type: ignore[misc]
    "State",
    [
        ("nodes", NodeRows),
        *TABLES.items(),
        ("ckpts", CheckpointRows),
        ("n_ckpts", np.ndarray),
        ("shelves", Shelves),
        ("ties", TieRows),
        ("tally", np.ndarray),
        ("draws", Stream),
        ("log", Logs),
        ("scratch", Scratch),
    ],
)


class World:
    def __init__(self, registry: Registry, ties: Adjacency, rng: np.random.Generator) -> None:
        self.nodes: Table[NodeRows] = Table(NodeRows)
        self.tables = {name: Table(schema) for name, schema in TABLES.items()}
        self.checkpoints = registry
        self.shelves = new_shelves()
        self.main = Hub("main", registry, lambda: self.shelves)
        self.fringe = Hub("fringe", registry, lambda: self.shelves)
        self.ties = ties
        self.tally = MonthTally()
        self.draws = Draws(rng)
        self.logs = MonthLogs()
        self.scratch = new_scratch(1, 2)
        self.api_best = np.full(2, -1, dtype=np.int64)  # best API checkpoint: outside, inside

    def reserve(self, checkpoints: int) -> None:
        """Room for ``checkpoints`` new checkpoints, their uploads and tickets."""
        self.checkpoints.table.reserve(checkpoints)
        self.shelves = reserve_tickets(self.shelves, 6 * checkpoints + 8)

    def ready_for(self, turns: int, max_members: int) -> None:
        """Room for ``turns`` turns' checkpoints, tickets and logs (compiled rules append
        without growing anything: each turn makes at most one checkpoint, two activities
        of at most ``max_members`` and an incident), and empty logs."""
        self.reserve(turns)
        self.logs.start(turns, max_members)
        if len(self.scratch.contacts) < len(self.nodes):
            self.scratch = self.scratch._replace(contacts=np.empty(len(self.nodes), np.int64))

    def add_checkpoint(self, **fields: object) -> Checkpoint:
        """A new checkpoint from Python (``Registry.add``'s fields)."""
        self.reserve(1)
        return self.checkpoints.add(**fields)  # type: ignore[arg-type]

    def upload(self, cid: int, hub: int) -> bool:
        """Put open weights on a hub from Python (``sim.core.hubs.upload``)."""
        self.shelves = reserve_tickets(self.shelves, 6)
        registry = self.checkpoints
        return bool(_upload(registry.terms, registry.rows, self.shelves, cid, hub))

    def offer_api(self, cid: int, inside: bool) -> None:
        """A lab offers fine-tuning of closed weights ``cid``: the best such checkpoint
        inside and outside the jurisdiction is what the API routes reach."""
        best, capability = self.api_best[int(inside)], self.checkpoints.column("capability")
        if best < 0 or capability[cid] > capability[best]:
            self.api_best[int(inside)] = cid

    def state(self) -> State:
        return State(
            self.nodes.rows,
            *(table.rows for table in self.tables.values()),
            self.checkpoints.rows,
            self.checkpoints.n,
            self.shelves,
            self.ties.rows(),
            self.tally.table,
            self.draws.stream,
            self.logs.logs(),
            self.scratch,
        )

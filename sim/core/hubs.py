"""The hubs where checkpoints can be downloaded: the main hub, which moderates when
``hub_moderation`` is in force, and a fringe hub that never does and fewer users find.

Each hub has two shelves, safety-tuned and stripped weights (shelf ``2 x hub + stripped``).
A shelf is its checkpoints' ``on_hub`` / ``on_fringe`` flags plus a little bookkeeping
(:class:`Shelves`): how many entries, the most and the least capable (capability, then the
earlier id for the most capable and the later for the least; found again by a scan after a
removal), and ``tickets``: each entry's id once plus once per public derivative built on
it, so a uniform draw from them is a draw in proportion to popularity (search ranks by
downloads; removed entries are skipped). Uploads, removals and displacement are compiled
rules that Python (labs, moderation, enforcement) calls too; :class:`Hub` is the view for
Python code and users.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.core.calls import from_python
from sim.core.checkpoints import is_stripped
from sim.core.draws import uniform
from sim.core.kinds import Access

if TYPE_CHECKING:
    from sim.core.checkpoints import Checkpoint, Registry

MAIN, FRINGE = 0, 1
UNKNOWN = -2  # a shelf's best or least entry after a removal, until a scan finds it


class Shelves(NamedTuple):
    tickets: tuple  # four int64 arrays with room to grow
    n_tickets: np.ndarray  # int64[4]: tickets in use
    entries: np.ndarray  # int64[4]: checkpoints on each shelf
    best: np.ndarray  # int64[4]: the most capable entry (-1: none; UNKNOWN)
    least: np.ndarray  # int64[4]: the least capable entry


def new_shelves(capacity: int = 1024) -> Shelves:
    return Shelves(
        tuple(np.zeros(capacity, dtype=np.int64) for _ in range(4)),
        np.zeros(4, dtype=np.int64),
        np.zeros(4, dtype=np.int64),
        np.full(4, -1, dtype=np.int64),
        np.full(4, -1, dtype=np.int64),
    )


def reserve_tickets(shelves: Shelves, more: int) -> Shelves:
    """Room for ``more`` tickets on every shelf (compiled rules append); the (maybe new)
    shelves."""
    tickets = list(shelves.tickets)
    for s, array in enumerate(tickets):
        need = int(shelves.n_tickets[s]) + more
        if need > len(array):
            grown = np.zeros(max(2 * len(array), need), dtype=np.int64)
            grown[: len(array)] = array
            tickets[s] = grown
    return shelves._replace(tickets=tuple(tickets))


@njit(cache=True, inline="always")
def holds(rows, hub, cid):
    return rows.on_hub[cid] if hub == MAIN else rows.on_fringe[cid]


@njit(cache=True, inline="always")
def _key_above(rows, a, b):
    """Is ``a``'s key (capability, -id) above ``b``'s?"""
    ca, cb = rows.capability[a], rows.capability[b]
    return ca > cb or (ca == cb and a < b)


@njit(cache=True, inline="always")
def add_ticket(shelves, s, cid):
    shelves.tickets[s][shelves.n_tickets[s]] = cid
    shelves.n_tickets[s] += 1


@njit(cache=True, inline="always")
def _add_entry(rows, shelves, s, cid):
    """``cid`` joins shelf ``s``: a ticket, and the best and least kept current."""
    add_ticket(shelves, s, cid)
    shelves.entries[s] += 1
    best, least = shelves.best[s], shelves.least[s]
    if best == -1 or (best >= 0 and _key_above(rows, cid, best)):
        shelves.best[s] = cid
    if least == -1 or (least >= 0 and _key_above(rows, least, cid)):
        shelves.least[s] = cid


@njit(cache=True, inline="always")
def _make_public(ck, rows, shelves, cid):
    """First time downloadable: it becomes a node of the public forest, and each public
    parent gains a derivative (and a popularity ticket on the hubs that hold it). A parent
    that was never public is an undocumented edge: the forest starts anew."""
    if rows.public[cid]:
        return
    rows.public[cid] = True
    for pid in (rows.parent[cid], rows.parent2[cid]):
        if pid < 0 or not rows.public[pid]:
            continue
        rows.public_depth[cid] = max(rows.public_depth[cid], rows.public_depth[pid] + 1)
        rows.children[pid] += 1
        shelf = 1 if is_stripped(ck, rows, pid) else 0
        for hub in (MAIN, FRINGE):
            if holds(rows, hub, pid):
                add_ticket(shelves, 2 * hub + shelf, pid)


@njit(cache=True, inline="always")
def upload(ck, rows, shelves, cid, hub):
    """Put open weights on a hub; False if not possible (not open weights, already there,
    or the main hub took them down before). Room for three tickets per shelf is needed."""
    if rows.access[cid] != Access.OPEN or holds(rows, hub, cid):
        return False
    if hub == MAIN:
        if rows.taken_down[cid]:
            return False
        rows.on_hub[cid] = True
    else:
        rows.on_fringe[cid] = True
    _make_public(ck, rows, shelves, cid)
    _add_entry(rows, shelves, 2 * hub + (1 if is_stripped(ck, rows, cid) else 0), cid)
    return True


@njit(cache=True, inline="always")
def remove(ck, rows, shelves, cid):
    """Off the main hub for good (copies already shared stay out there, and the fringe hub
    keeps its copy)."""
    rows.taken_down[cid] = True
    if not rows.on_hub[cid]:
        return
    rows.on_hub[cid] = False
    s = 1 if is_stripped(ck, rows, cid) else 0
    shelves.entries[s] -= 1
    if shelves.best[s] == cid:
        shelves.best[s] = UNKNOWN
    if shelves.least[s] == cid:
        shelves.least[s] = UNKNOWN


@njit(cache=True, _nrt=False)
def resolve(ck, rows, n, shelves, s):
    """Find shelf ``s``'s best and least entries again after removals (a scan of the
    ``n[0]`` checkpoints)."""
    if shelves.best[s] != UNKNOWN and shelves.least[s] != UNKNOWN:
        return
    best, least = -1, -1
    hub, stripped = s // 2, s % 2 == 1
    for cid in range(n[0]):
        if not holds(rows, hub, cid) or is_stripped(ck, rows, cid) != stripped:
            continue
        if best < 0 or _key_above(rows, cid, best):
            best = cid
        if least < 0 or _key_above(rows, least, cid):
            least = cid
    shelves.best[s], shelves.least[s] = best, least


@njit(cache=True, inline="always")
def receive(ck, rows, nodes, v, cid):
    """A checkpoint shared privately (peer-to-peer or by a pool) reaches ``v``: it keeps the
    more capable of what it holds and ``cid`` (ties: what it holds)."""
    private = nodes.private_stripped if is_stripped(ck, rows, cid) else nodes.private_safe
    held = private[v]
    if held < 0 or not rows.capability[held] >= rows.capability[cid]:
        private[v] = cid


@njit(cache=True, inline="always")
def share_with_neighbours(ck, rows, nodes, ties, node, cid):
    """Peer-to-peer sharing travels along ties only."""
    for e in range(ties.start[node], ties.start[node] + ties.deg[node]):
        receive(ck, rows, nodes, ties.nbr[e], cid)


@njit(cache=True, _nrt=False)
def displace(w, m, cid, share_p2p):
    """Removed from (or rejected by) the main hub: its maker, unless banned, may re-upload it
    to the fringe hub (``reupload_prob``: after one hub removed a class of models in 2025,
    > 5,000 were re-uploaded to another), and may pass its copy on to contacts."""
    rows, creator = w.ckpts, w.ckpts.creator[cid]
    if w.nodes.banned_until[creator] > m.t:
        return
    if uniform(w.draws) < m.sharing.reupload_prob and upload(m.ckpts, rows, w.shelves, cid, FRINGE):
        w.tally[0].reuploads += 1
    if share_p2p and uniform(w.draws) < m.sharing.p2p_prob:
        share_with_neighbours(m.ckpts, rows, w.nodes, w.ties, creator, cid)


@njit(cache=True, _nrt=False)
def take_down(w, m, cid, share_p2p):
    """Removed from (or rejected by) the main hub for good; the weights may reappear on the
    fringe hub and (``share_p2p``) travel to its maker's contacts."""
    remove(m.ckpts, w.ckpts, w.shelves, cid)
    w.tally[0].takedowns += 1
    displace(w, m, cid, share_p2p)


# --- the view for Python -------------------------------------------------------------------
_resolve = from_python(resolve)


class Shelf:
    """One shelf of a hub, as Python code sees it."""

    def __init__(self, hub: Hub, stripped: bool) -> None:
        self.hub, self.stripped = hub, stripped
        self.index = 2 * hub.index + int(stripped)

    def _shelves(self) -> Shelves:
        return self.hub.registry_shelves()

    def __len__(self) -> int:
        return int(self._shelves().entries[self.index])

    def ids(self) -> np.ndarray:
        """The entries, least capable first (capability, then the later id first)."""
        rows = self.hub.registry.table
        held = rows.column("on_hub" if self.hub.index == MAIN else "on_fringe")
        stripped = rows.column("safeguard") <= self.hub.registry.terms.safeguard_max
        ids = np.flatnonzero(held & (stripped == self.stripped))
        return ids[np.lexsort((-ids, rows.column("capability")[ids]))]

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids().tolist())

    def _resolved(self) -> Shelves:
        shelves = self._shelves()
        if shelves.best[self.index] == UNKNOWN or shelves.least[self.index] == UNKNOWN:
            registry = self.hub.registry
            _resolve(registry.terms, registry.rows, registry.n, shelves, self.index)
        return shelves

    def best_id(self) -> int | None:
        best = int(self._resolved().best[self.index])
        return None if best < 0 else best

    def least_id(self) -> int | None:
        least = int(self._resolved().least[self.index])
        return None if least < 0 else least

    @property
    def tickets(self) -> np.ndarray:
        shelves = self._shelves()
        return shelves.tickets[self.index][: shelves.n_tickets[self.index]]


class Hub:
    """A public hub: a safe shelf and a stripped shelf."""

    def __init__(self, name: str, registry: Registry, shelves_of: object) -> None:
        self.name, self.index = name, MAIN if name == "main" else FRINGE
        self.registry = registry
        self._shelves_of = shelves_of  # () -> the world's current Shelves
        self.safe, self.stripped = Shelf(self, False), Shelf(self, True)

    def registry_shelves(self) -> Shelves:
        return self._shelves_of()  # type: ignore[operator]

    def __len__(self) -> int:
        return len(self.safe) + len(self.stripped)

    def shelf(self, stripped: bool) -> Shelf:
        return self.stripped if stripped else self.safe

    def best(self, stripped: bool) -> Checkpoint | None:
        cid = self.shelf(stripped).best_id()
        return None if cid is None else self.registry[cid]

    def least(self, stripped: bool) -> Checkpoint | None:
        cid = self.shelf(stripped).least_id()
        return None if cid is None else self.registry[cid]

    def holds(self, ckpt: Checkpoint) -> bool:
        return ckpt.on_hub if self.index == MAIN else ckpt.on_fringe

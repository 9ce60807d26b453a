"""What the month's turns leave for the regulator: runs, uploads and incidents, in order.

Compiled rules write a row per activity (a fine-tune, pool, upload, strip, uplift or API
abuse) and per AI-enabled incident; when the turns are over, :func:`replay` hands them, in
the order they happened, to the regulator's view (``sim.core.oversight``), which keeps
Python objects for what it may investigate. Nothing else about an activity or incident is
applied here: the rules count and change everything else where it happens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.core.kinds import ActivityKind
from sim.core.oversight import Activity, Incident
from sim.core.table import Column, Table

if TYPE_CHECKING:
    from sim.core.oversight import Oversight


class ActivityRows(NamedTuple):
    kind: np.ndarray = Column(np.int8)  # ActivityKind
    ckpt: np.ndarray = Column(np.int64, -1)  # the checkpoint made or used (-1: none)
    malicious: np.ndarray = Column(np.bool_)
    flagged: np.ndarray = Column(np.bool_)  # reported by a policy (KYC, pool monitoring, ...)
    first: np.ndarray = Column(np.int64)  # its members: ``members[first : first + n]``
    n: np.ndarray = Column(np.int64)


class IncidentRows(NamedTuple):
    node: np.ndarray = Column(np.int64)
    ckpt: np.ndarray = Column(np.int64)
    severity: np.ndarray = Column(np.float64)
    severe: np.ndarray = Column(np.bool_)
    reported: np.ndarray = Column(np.bool_)  # reaches the regulator (after a lag)


class MemberRows(NamedTuple):
    node: np.ndarray = Column(np.int64)


class Logs(NamedTuple):
    """The month's logs for compiled rules: each table's rows and its count (``n_*[0]``)."""

    acts: ActivityRows
    n_acts: np.ndarray
    members: MemberRows
    n_members: np.ndarray
    incidents: IncidentRows
    n_incidents: np.ndarray


class MonthLogs:
    """The month's logs, emptied at its start and sized for its turns."""

    def __init__(self) -> None:
        self.acts = Table(ActivityRows)
        self.members = Table(MemberRows)
        self.incidents = Table(IncidentRows)

    def start(self, turns: int, max_members: int) -> Logs:
        """Empty logs with room for ``turns`` turns (each at most a run and an upload, a
        pool of ``max_members`` and an incident)."""
        for table in (self.acts, self.members, self.incidents):
            table.count[0] = 0
        self.acts.reserve(2 * turns)
        self.members.reserve((max_members + 2) * turns)
        self.incidents.reserve(turns)
        return self.logs()

    def logs(self) -> Logs:
        return Logs(
            self.acts.rows,
            self.acts.count,
            self.members.rows,
            self.members.count,
            self.incidents.rows,
            self.incidents.count,
        )


@njit(cache=True, inline="always")
def log_activity(log, kind, members, size, ckpt, malicious, flagged):
    """An activity of ``members[:size]`` (the initiator first)."""
    acts, rows = log.acts, log.members
    a = log.n_acts[0]
    log.n_acts[0] = a + 1
    acts.kind[a] = kind
    acts.ckpt[a] = ckpt
    acts.malicious[a] = malicious
    acts.flagged[a] = flagged
    first = log.n_members[0]
    acts.first[a] = first
    acts.n[a] = size
    for j in range(size):
        rows.node[first + j] = members[j]
    log.n_members[0] = first + size


@njit(cache=True, inline="always")
def log_incident(log, node, ckpt, severity, severe, reported):
    rows = log.incidents
    i = log.n_incidents[0]
    log.n_incidents[0] = i + 1
    rows.node[i], rows.ckpt[i], rows.severity[i] = node, ckpt, severity
    rows.severe[i], rows.reported[i] = severe, reported


def replay(
    logs: MonthLogs, oversight: Oversight, incidents: list[Incident], step: int, lag: int
) -> list[tuple[int, int]]:
    """Hand the month's activities and incidents to the regulator's view, in order; returns
    the ties pools strengthened (initiator, member), for the NetworkX graph."""
    acts, members = logs.acts, logs.members.column("node")
    kinds, sizes, firsts = acts.column("kind"), acts.column("n"), acts.column("first")
    flagged, malicious, ckpts = (
        acts.column("flagged"),
        acts.column("malicious"),
        acts.column("ckpt"),
    )
    done = 0
    for a in np.flatnonzero(flagged | malicious).tolist():
        oversight.record_benign(a - done)  # alike: nothing about them matters but their number
        nodes = tuple(members[firsts[a] : firsts[a] + sizes[a]].tolist())
        cid = int(ckpts[a])
        oversight.record(
            Activity(
                ActivityKind(int(kinds[a])),
                nodes,
                bool(malicious[a]),
                None if cid < 0 else cid,
                step,
                bool(flagged[a]),
            )
        )
        done = a + 1
    oversight.record_benign(len(kinds) - done)
    pairs: list[tuple[int, int]] = []
    for a in np.flatnonzero((sizes > 1) & (kinds != ActivityKind.UPLOAD)).tolist():
        nodes = members[firsts[a] : firsts[a] + sizes[a]].tolist()
        pairs += [(nodes[0], v) for v in nodes[1:]]
    rows = logs.incidents
    for node, cid, severity, severe, reported in zip(
        *(rows.column(c).tolist() for c in ("node", "ckpt", "severity", "severe", "reported")),
        strict=True,
    ):
        incident = Incident(step, node, cid, severity, severe, None)
        if reported:
            incident.report_step = step + lag
            oversight.report(incident)
        incidents.append(incident)
    return pairs

"""What the regulator can see: this month's activities, flags raised by policies, reports.

Every fine-tuning run, pooled run, safeguard-stripping run and hub upload is an *activity* the
regulator could investigate. Policies (compute KYC, pool monitoring, API screening) raise flags
that put an activity at the front of the queue; reported incidents come first of all. Coverage
is the share of this month's activities that were investigated: with fixed capacity it falls
when activity grows (whether activity grows over a run is an outcome; see docs/validation.md).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from sim.core.kinds import ActivityKind


@dataclass(slots=True, eq=False)
class Activity:
    kind: ActivityKind
    members: tuple[int, ...]
    malicious: bool
    checkpoint: int | None  # the checkpoint id it made or used (None: none)
    step: int
    flagged: bool = False
    investigated: bool = False


@dataclass(slots=True, eq=False)
class Incident:
    """An AI-enabled misuse incident (baseline-route incidents are ordinary crime, outside
    the AI regulator's remit, and only counted)."""

    step: int
    actor: int
    checkpoint: int  # the checkpoint id used
    severity: float
    severe: bool  # the severe tier (dangerous capability uplift)
    report_step: int | None  # when it reaches the regulator (None: never reported)

    @property
    def tier(self) -> str:
        return "severe" if self.severe else "common"


BENIGN = Activity(ActivityKind.FINETUNE, (), False, None, -1)  # any unflagged benign activity


class Oversight:
    """The regulator's view of the ecosystem, shared by all regulators."""

    def __init__(self, backlog_months: int) -> None:
        self.backlog_months = backlog_months
        self.month_count = 0
        self.month_investigated = 0
        self._unflagged: list[Activity] = []
        self.flagged: deque[Activity] = deque()
        self.reports: deque[Incident] = deque()
        self.arrivals: list[int] = []  # months in which reports reached the regulator

    def new_month(self) -> None:
        self.month_count = 0  # activities recorded this month
        self.month_investigated = 0  # of which investigated
        self._unflagged = []

    def record(self, activity: Activity) -> Activity:
        self.month_count += 1
        if activity.flagged:
            self.flagged.append(activity)
        else:
            self._unflagged.append(activity)
        return activity

    def record_benign(self, count: int) -> None:
        """``count`` benign activities nobody flagged, in the order they happened: nothing
        about them matters but that an audit may pick one (so they are one shared record)."""
        self.month_count += count
        self._unflagged.extend([BENIGN] * count)

    def investigated(self, activity: Activity, step: int) -> None:
        """An investigation of ``activity`` this month (coverage counts this month's own)."""
        if activity is BENIGN or activity.step == step:
            self.month_investigated += 1
        if activity is not BENIGN:
            activity.investigated = True

    def report(self, incident: Incident) -> None:
        """An incident that will reach the regulator at ``incident.report_step``."""
        assert incident.report_step is not None
        self.reports.append(incident)
        self.arrivals.append(incident.report_step)

    def due_reports(self, step: int, limit: int) -> list[Incident]:
        """Reports that have arrived by ``step``, oldest first, at most ``limit``; reports
        older than the backlog window lapse uninvestigated."""
        while self.reports and self.reports[0].report_step < step - self.backlog_months:
            self.reports.popleft()
        out: list[Incident] = []
        while self.reports and len(out) < limit and self.reports[0].report_step <= step:
            out.append(self.reports.popleft())
        return out

    def next_flagged(self, step: int, limit: int) -> list[Activity]:
        """Flagged activities, newest first (fresh leads are worth more); flags older than
        the backlog window lapse."""
        while self.flagged and self.flagged[0].step < step - self.backlog_months:
            self.flagged.popleft()
        return [self.flagged.pop() for _ in range(min(limit, len(self.flagged)))]

    def random_audits(self, limit: int, rng: np.random.Generator) -> list[Activity]:
        """A uniform sample of this month's unflagged, uninvestigated activities."""
        k = min(limit, len(self._unflagged))
        if k == 0:
            return []
        picked = set(rng.choice(len(self._unflagged), size=k, replace=False).tolist())
        chosen = [a for i, a in enumerate(self._unflagged) if i in picked]
        self._unflagged = [a for i, a in enumerate(self._unflagged) if i not in picked]
        return chosen

    def reported_in_window(self, step: int, window: int) -> int:
        """Reports that reached the regulator in the last ``window`` months (whether or not
        there was capacity to investigate them)."""
        return sum(1 for s in self.arrivals if step - window < s <= step)

    def coverage(self) -> float:
        """Share of this month's activities investigated (1.0 when there was nothing to see)."""
        if not self.month_count:
            return 1.0
        return self.month_investigated / self.month_count

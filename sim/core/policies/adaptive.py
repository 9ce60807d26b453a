"""Adaptive regulation: when incidents reported to the regulator within ``window_months``
reach ``trigger_incidents``, the listed policies are switched on (or strengthened by
``increment``) after ``lag_months``; then the regulator waits a window before reacting
again."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.core.oversight import Oversight
    from sim.core.policies.book import PolicyBook


class AdaptivePolicy:
    """Escalation after incidents: trigger, lag, then listed policies on or stronger."""

    def __init__(self) -> None:
        self.pending: list[int] = []
        self.quiet_until = 0

    def step(self, book: PolicyBook, oversight: Oversight, t: int) -> None:
        adaptive = book["adaptive"]
        if not adaptive.active(t):
            return
        cfg = adaptive.params
        if (
            t >= self.quiet_until
            and oversight.reported_in_window(t, cfg.window_months) >= cfg.trigger_incidents
        ):
            self.pending.append(t + cfg.lag_months)
            self.quiet_until = t + cfg.lag_months + cfg.window_months
        while self.pending and self.pending[0] <= t:
            self.pending.pop(0)
            for name in cfg.policies:
                book.escalate(name, t, adaptive.strength, cfg.increment)

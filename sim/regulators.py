"""Regulators: a fixed number of investigations a month, spent where they matter most.

Reported incidents come first, then activities flagged by policies (compute KYC, pool
monitoring, API screening), then random audits of this month's other activities. An
investigation of a malicious act identifies it with ``detection_prob``; the actors are banned,
lose ties and their weights, and a stripped hub checkpoint the misuse was built on is taken
down. The adaptive policy lives
here too: when reported incidents in a window pass a trigger, policies are switched on after a lag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.oversight import Activity

if TYPE_CHECKING:
    from sim.model import EcosystemModel


class Regulator(mesa.Agent):
    model: EcosystemModel

    def __init__(self, model: EcosystemModel, capacity: int) -> None:
        super().__init__(model)
        self.capacity = capacity

    def step(self) -> None:
        model, t = self.model, self.model.steps
        oversight = model.oversight
        left = self.capacity
        for incident in oversight.due_reports(t, left):
            left -= 1
            if model.uniform() < model.cfg.regulator.detection_prob:
                model.enforce((incident.actor,), incident.checkpoint)
        for activity in oversight.next_flagged(t, left):
            left -= 1
            self.investigate(activity)
        for activity in oversight.random_audits(left, model.rng):
            left -= 1
            self.investigate(activity)

    def investigate(self, activity: Activity) -> None:
        model = self.model
        model.oversight.investigated(activity, model.steps)
        if not activity.malicious:
            return
        if model.uniform() < model.cfg.regulator.detection_prob:
            model.enforce(activity.members, activity.checkpoint)


class AdaptivePolicy:
    """Escalation after incidents: trigger, lag, then listed policies on or stronger."""

    def __init__(self) -> None:
        self.pending: list[int] = []
        self.quiet_until = 0

    def step(self, model: EcosystemModel) -> None:
        t = model.steps
        adaptive = model.policies["adaptive"]
        if not adaptive.active(t):
            return
        cfg = adaptive.params
        if (
            t >= self.quiet_until
            and model.oversight.reported_in_window(t, cfg.window_months) >= cfg.trigger_incidents
        ):
            self.pending.append(t + cfg.lag_months)
            self.quiet_until = t + cfg.lag_months + cfg.window_months
        while self.pending and self.pending[0] <= t:
            self.pending.pop(0)
            for name in cfg.policies:
                model.policies.escalate(name, t, adaptive.strength, cfg.increment)

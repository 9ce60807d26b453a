"""Regulators: a fixed number of investigations a month, spent where they matter most.

Reported incidents come first, then activities flagged by policies (compute KYC, pool
monitoring, API screening), then random audits of this month's other activities. An
investigation of a malicious act identifies it with ``detection_prob``; the actors are
banned for ``ban_months``, lose a share of their ties and their weights, and a stripped
main-hub checkpoint the misuse was built on is taken down. Regulators act after the turns,
in Python.
"""

from __future__ import annotations

from typing import Any

import mesa

from sim.core import network
from sim.core.kinds import ActorKind
from sim.core.oversight import Activity


class Regulator(mesa.Agent):
    model: Any  # EcosystemModel

    def __init__(self, model: Any, capacity: int) -> None:
        super().__init__(model)
        self.capacity = capacity

    def step(self) -> None:
        model, t = self.model, self.model.steps
        oversight, draw = model.oversight, model.world.draws.next
        left = self.capacity
        for incident in oversight.due_reports(t, left):
            left -= 1
            if draw() < model.cfg.regulator.detection_prob:
                enforce(model, (incident.actor,), incident.checkpoint)
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
        if model.world.draws.next() < model.cfg.regulator.detection_prob:
            enforce(model, activity.members, activity.checkpoint)


def enforce(model: Any, nodes: tuple[int, ...], cid: int | None) -> None:
    """An identified misuse: ban the actors; take down the stripped weights on the main hub
    it was built on (the fringe hub is out of reach)."""
    for node in nodes:
        ban(model, node)
    if cid is None:
        return
    registry = model.checkpoints
    for target in (cid, *registry[cid].parents):
        if registry[target].on_hub and registry.is_stripped(registry[target]):
            model.take_down(target)
            return


def ban(model: Any, node: int) -> None:
    """Enforcement: ban for ``ban_months``, confiscate a malicious actor's weights, cut ties."""
    t, rows = model.steps, model.world.nodes.data
    if rows["banned_until"][node] > t or rows["ban_step"][node] == t:
        return
    rows["ban_step"][node] = t
    rows["banned_until"][node] = t + model.cfg.regulator.ban_months
    if rows["kind"][node] == ActorKind.MALICIOUS:
        model.actors[node].disarm()
    network.cut_ties(model.world.ties, node, model.cfg.network.enforcement_tie_cut, model.rng)
    model.world.tally.add("detections")

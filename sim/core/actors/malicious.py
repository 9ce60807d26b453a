"""Malicious actors: get weights without safeguards (``sim.core.rules.weapons``), then misuse
them (``sim.core.rules.misuse``).

Each actor has a *tier*: common (fraud, spam, harassment) or severe (dangerous capability
uplift). Once equipped, each active month is an AI-enabled attempt; an actor with no AI route
this month tries the non-AI baseline route instead. Defenders adapt: after each incident the
actor's goal needs ``defence_adaptation_oom`` more capability. Enforcement (``disarm``)
confiscates what it holds.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from numba import njit

from sim.core.actors.base import Actor, checkpoint_column, node_column
from sim.core.calls import from_python
from sim.core.kinds import NO_LIMIT, ActorKind
from sim.core.rules.derivatives import DONE
from sim.core.rules.misuse import attempt_ai, attempt_baseline
from sim.core.rules.weapons import (
    equip,
    is_equipped,
    try_api_abuse,
    try_shared_weapon,
    try_strip,
    try_stripped_download,
)


class MaliciousActor(Actor):
    """A would-be offender (its turn: :func:`malicious_turn`)."""

    kind = ActorKind.MALICIOUS

    goal = node_column("goal", float, "capability (OOM) its misuse needs")
    equipped = checkpoint_column("equipped", "the checkpoint it misuses (None: none)")
    shared_weapon = checkpoint_column("weapon", "a checkpoint a malicious contact shared")

    @property
    def tier(self) -> str:
        return "severe" if self.model.world.nodes.data["severe"][self.node] else "common"

    @tier.setter
    def tier(self, tier: str) -> None:
        self.model.world.nodes.data["severe"][self.node] = tier == "severe"

    @property
    def is_equipped(self) -> bool:
        """Holds a checkpoint fit for its goal (API access not yet revoked)."""
        return bool(_is_equipped(self.model.world.state(), self.model.month, self.node))

    def disarm(self) -> None:
        """Enforcement confiscates what the actor holds."""
        rows = self.model.world.nodes.data
        rows["equipped"][self.node], rows["equipped_until"][self.node] = -1, NO_LIMIT
        rows["weapon"][self.node] = -1
        rows["private_stripped"][self.node] = -1


class Terms(NamedTuple):
    """What the malicious actors' rules read each month (``m.malicious``)."""

    uplift_gain: float  # OOM the severe tier's uplift fine-tune adds
    uplift_compute: float  # its compute relative to a benign fine-tune
    uplift_data_usd: float
    uplift_min_skill: float
    api_abuse_prob: float
    api_abuse_months: int
    share_prob: float  # a maker shares a new weapon with its malicious contacts
    success_prob: float
    defence_factor: float  # what defences leave of an AI-enabled attempt's success
    baseline_success: float
    severe_baseline: float
    baseline_severity: float
    common_threshold: float
    severe_threshold: float
    severe_severity: float
    severity_elasticity: float
    severity_sigma: float
    defence_adaptation: float  # OOM a goal rises after each incident
    report_prob: float  # an AI-enabled incident reaches the regulator

    @classmethod
    def of(cls, model: Any) -> Terms:
        mal = model.cfg.malicious
        return cls(
            mal.uplift_gain_oom,
            mal.uplift_compute_factor,
            mal.uplift_data_usd,
            mal.uplift_min_skill,
            mal.api_abuse_prob,
            mal.api_abuse_months,
            mal.share_prob,
            mal.success_prob,
            model.defence.success_factor(),
            mal.baseline_success_prob,
            mal.severe_baseline_factor,
            mal.baseline_severity_factor,
            mal.harm_threshold_oom,
            mal.severe_threshold_oom,
            mal.severe_severity,
            mal.severity_elasticity,
            mal.severity_sigma,
            mal.defence_adaptation_oom,
            model.cfg.regulator.report_prob,
        )


_is_equipped = from_python(is_equipped)


@njit(cache=True, _nrt=False)
def malicious_turn(w, m, node):
    """One active month: misuse what it holds, or get something, or use non-AI means."""
    w.nodes.spent_step[node] = m.t  # (no pool can recruit it now)
    w.scratch.pool[0] = node
    if is_equipped(w, m, node):
        attempt_ai(w, m, node, w.nodes.equipped[node])
        return DONE
    equip(w, node, -1, NO_LIMIT)
    if try_shared_weapon(w, m, node):
        return DONE
    got, fringe = try_stripped_download(w, m, node)
    if not got:
        got = try_strip(w, m, node, fringe) or try_api_abuse(w, m, node)
    if not got:
        attempt_baseline(w, m, node)
    return DONE

"""Misuse incidents: two tiers, an AI-enabled and a non-AI baseline route, heavy-tailed harm.

*Common* misuse (fraud, spam, harassment) needs a stripped checkpoint above
``malicious.harm_threshold_oom``; *severe* misuse (dangerous capability uplift) needs
``malicious.severe_threshold_oom`` after a domain uplift fine-tune. An actor with no AI route
this month can act through the non-AI baseline route (Kapoor et al. 2024: judge open models
against the pre-existing baseline), with lower success and severity. AI-enabled and baseline
incidents and harm are counted apart, so a policy is judged by the change in total harm.
Severity = tier scale x 10^(elasticity x (capability - tier threshold)) x a lognormal draw
of mean 1 (a heavy tail). Its normal deviate comes from two of the model's uniform draws
(Box-Muller), so the compiled turns (``sim.hobbyist_turns``) draw it from the same stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sim.checkpoints import Checkpoint
from sim.labs import Lab

if TYPE_CHECKING:
    from sim.malicious import MaliciousActor
    from sim.model import EcosystemModel

Tier = Literal["common", "severe"]


@dataclass(slots=True, eq=False)
class Incident:
    step: int
    actor: int
    checkpoint: Checkpoint | None  # None: the baseline route
    severity: float
    tier: Tier
    report_step: int | None


def tier_scale(model: EcosystemModel, tier: Tier) -> float:
    return model.cfg.malicious.severe_severity if tier == "severe" else 1.0


def tier_threshold(model: EcosystemModel, tier: Tier) -> float:
    mal = model.cfg.malicious
    return mal.severe_threshold_oom if tier == "severe" else mal.harm_threshold_oom


def heavy_tail(model: EcosystemModel) -> float:
    """A lognormal factor of mean 1: exp(sigma z - sigma^2 / 2), z a standard normal made
    from two uniform draws by the Box-Muller transform."""
    sigma = model.cfg.malicious.severity_sigma
    u1, u2 = model.uniform(), model.uniform()
    z = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
    return math.exp(sigma * z - sigma * sigma / 2)


def ai_success_odds(model: EcosystemModel, skill: Any) -> Any:
    """An AI-enabled attempt's success probability before the cap at 1, for one skill or an
    array of them; defences built from open fine-tunes cut it."""
    return model.cfg.malicious.success_prob * (0.5 + skill) * model.defence.success_factor()


def attempt_ai(model: EcosystemModel, actor: MaliciousActor, ckpt: Checkpoint) -> bool:
    """One AI-enabled attempt with ``ckpt``."""
    mal = model.cfg.malicious
    if model.uniform() >= min(1.0, ai_success_odds(model, actor.skill)):
        return False
    margin = ckpt.capability - tier_threshold(model, actor.tier)
    severity = tier_scale(model, actor.tier) * 10.0 ** (mal.severity_elasticity * margin)
    severity *= heavy_tail(model)
    reported = model.uniform() < model.cfg.regulator.report_prob
    ai_incident(model, actor, ckpt, severity, reported)
    return True


def ai_incident(
    model: EcosystemModel, actor: MaliciousActor, ckpt: Checkpoint, severity: float, reported: bool
) -> None:
    """What an AI-enabled incident changes: the tallies, the liability of the lab it descends
    from, the regulator's reports (if ``reported``) and the actor's goal (defenders adapt)."""
    model.tally.misuse_incidents += 1
    model.tally.severe_incidents += int(actor.tier == "severe")
    model.tally.harm += severity
    attribute(model, ckpt)
    report(model, Incident(model.steps, actor.node, ckpt, severity, actor.tier, None), reported)
    actor.goal += model.cfg.malicious.defence_adaptation_oom


def attempt_baseline(model: EcosystemModel, actor: MaliciousActor) -> bool:
    """One attempt through non-AI means (no checkpoint): what the actor could do anyway."""
    mal = model.cfg.malicious
    p = mal.baseline_success_prob * (0.5 + actor.skill)
    if actor.tier == "severe":
        p *= mal.severe_baseline_factor
    if model.uniform() >= min(1.0, p):
        return False
    severity = tier_scale(model, actor.tier) * mal.baseline_severity_factor * heavy_tail(model)
    baseline_incident(model, severity)
    return True


def baseline_incident(model: EcosystemModel, severity: float) -> None:
    model.tally.baseline_incidents += 1
    model.tally.baseline_harm += severity


def attribute(model: EcosystemModel, ckpt: Checkpoint) -> None:
    """Liability: the incident counts against the lab whose base release it descends from."""
    creator = model.actors[model.checkpoints[ckpt.root].creator]
    if isinstance(creator, Lab) and creator.binds("liability", model.steps):
        creator.attributed_incidents += 1


def report(model: EcosystemModel, incident: Incident, reported: bool) -> None:
    """An AI-enabled incident reaches the AI regulator if ``reported`` (drawn with
    ``report_prob``), after a lag (baseline-route incidents are ordinary crime, outside its
    remit)."""
    reg = model.cfg.regulator
    if reported:
        incident.report_step = model.steps + reg.report_lag_months
        model.oversight.report(incident)
    model.incidents.append(incident)

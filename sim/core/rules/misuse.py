"""Misuse attempts: an AI-enabled route and the non-AI baseline route, heavy-tailed harm.

*Common* misuse (fraud, spam, harassment) needs a stripped checkpoint above
``malicious.harm_threshold_oom``; *severe* misuse (dangerous capability uplift) needs
``malicious.severe_threshold_oom`` after a domain uplift fine-tune. An actor with no AI route
this month can act through the non-AI baseline route (Kapoor et al. 2024: judge open models
against the pre-existing baseline), with lower success and severity. AI-enabled and baseline
incidents and harm are counted apart, so a policy is judged by the change in total harm.
Severity = tier scale x 10^(elasticity x (capability - tier threshold)) x a lognormal draw
of mean 1 (a heavy tail) whose normal deviate comes from two uniform draws (Box-Muller).
"""

from __future__ import annotations

import math

from numba import njit

from sim.core.draws import uniform
from sim.core.logs import log_incident
from sim.core.policies.liability import attribute


@njit(cache=True, inline="always")
def heavy_tail(w, sigma):
    """A lognormal factor of mean 1: exp(sigma z - sigma^2 / 2), z a standard normal made
    from two uniform draws by the Box-Muller transform."""
    u1 = uniform(w.draws)
    u2 = uniform(w.draws)
    z = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
    return math.exp(sigma * z - sigma * sigma / 2)


@njit(cache=True, inline="always")
def success_chance(m, skill):
    """An AI-enabled attempt's success probability; defences built from open fine-tunes cut
    it."""
    mal = m.malicious
    return min(1.0, mal.success_prob * (0.5 + skill) * mal.defence_factor)


@njit(cache=True, _nrt=False)
def attempt_ai(w, m, node, cid):
    """One AI-enabled attempt with checkpoint ``cid``; an incident if it succeeds."""
    mal, severe = m.malicious, w.nodes.severe[node]
    if uniform(w.draws) >= success_chance(m, w.nodes.skill[node]):
        return False
    threshold = mal.severe_threshold if severe else mal.common_threshold
    scale = mal.severe_severity if severe else 1.0
    severity = scale * 10.0 ** (mal.severity_elasticity * (w.ckpts.capability[cid] - threshold))
    severity *= heavy_tail(w, mal.severity_sigma)
    reported = uniform(w.draws) < mal.report_prob
    tally = w.tally[0]
    tally.misuse_incidents += 1
    if severe:
        tally.severe_incidents += 1
    tally.harm += severity
    attribute(w, m.policies.liability, cid)
    log_incident(w.log, node, cid, severity, severe, reported)
    w.nodes.goal[node] += mal.defence_adaptation  # defenders adapt
    return True


@njit(cache=True, _nrt=False)
def attempt_baseline(w, m, node):
    """One attempt through non-AI means (no checkpoint): what the actor could do anyway."""
    mal, severe = m.malicious, w.nodes.severe[node]
    chance = mal.baseline_success * (0.5 + w.nodes.skill[node])
    if severe:
        chance *= mal.severe_baseline
    if uniform(w.draws) >= min(1.0, chance):
        return False
    scale = mal.severe_severity if severe else 1.0
    severity = scale * mal.baseline_severity * heavy_tail(w, mal.severity_sigma)
    w.tally[0].baseline_incidents += 1
    w.tally[0].baseline_harm += severity
    return True

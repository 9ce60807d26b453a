"""Hobbyists: benign fine-tuners who build on each other's work and invent cheaper methods.

In an active month a hobbyist makes a derivative: usually a fine-tune, sometimes a
quantisation or a merge (``quantise_share``, ``merge_share``). It looks at what it can reach
(``sim.core.search``: recent base releases of every size, popular hub checkpoints, private
shares, sometimes the fringe hub) and builds on the most valuable checkpoint it can afford:
alone, or by pooling with contacts when the most valuable one is out of reach alone, or
through a lab's fine-tuning API when that is worth more (``sim.core.rules.choosing``). Small
family members make solo fine-tuning near-universal; only the largest need pools. A share
of derivatives is meant to be uncensored (built on, or stripped into, weights without
safeguards); a share of open-weight fine-tunes builds defences; now and then a run yields a
new technique (``sim.core.rules.derivatives``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from numba import njit

from sim.core.actors.base import Actor
from sim.core.costs import multiplier
from sim.core.draws import uniform
from sim.core.kinds import ActorKind, CheckpointKind
from sim.core.policies.compute_kyc import max_solo_compute
from sim.core.rules.choosing import try_finetune, try_merge, try_quantise
from sim.core.rules.derivatives import DONE, make
from sim.core.rules.reach import reach


class Hobbyist(Actor):
    """A benign fine-tuner (its turn: :func:`hobbyist_turn`)."""

    kind = ActorKind.HOBBYIST


class Terms(NamedTuple):
    """What the hobbyists' rules read each month (``m.hobbyists``)."""

    quantise_share: float
    merge_share: float
    uncensored_prob: float
    invention_prob: float
    defensive_share: float
    finetune_gain: float  # OOM a fine-tune adds per unit of skill (x2)
    max_gain: float  # a derivative's most above its base release
    safety_erosion: float
    tamper_erosion: float
    quantisation_loss: float
    quantised_value: float  # value of a quantisation relative to a fine-tune
    merge_value: float
    api_benefit: float  # value of an API fine-tune relative to one on open weights

    @classmethod
    def of(cls, model: Any) -> Terms:
        h = model.cfg.hobbyists
        return cls(
            h.quantise_share,
            h.merge_share,
            h.uncensored_prob,
            h.invention_prob,
            h.defensive_share,
            h.finetune_gain_oom,
            h.max_derivative_gain_oom,
            h.safety_erosion,
            h.tamper_erosion,
            h.quantisation_loss_oom,
            h.quantised_value_factor,
            h.merge_value_factor,
            h.api_benefit_factor,
        )


@njit(cache=True, inline="always")
def choose_kind(w, m):
    """What to make this month: a quantisation, a merge or a fine-tune."""
    draw = uniform(w.draws)
    h = m.hobbyists
    if draw < h.quantise_share:
        return CheckpointKind.QUANTISED
    if draw < h.quantise_share + h.merge_share:
        return CheckpointKind.MERGE
    return CheckpointKind.FINETUNE


@njit(cache=True, _nrt=False)
def hobbyist_turn(w, m, node):
    """One active month: choose what to make, find what to build on, try to make it.
    Returns DONE or INVENT (a new technique for Python to draw)."""
    nodes = w.nodes
    kind = choose_kind(w, m)
    uncensored = uniform(w.draws) < m.hobbyists.uncensored_prob
    n, stripped = reach(w, m, node, uncensored)
    know_how = multiplier(m.costs, nodes, node)
    bound = max_solo_compute(m.policies.compute_kyc, nodes.budget[node], nodes.own_hardware[node])
    w.scratch.pool[0] = node
    plan = (False, CheckpointKind.FINETUNE, -1, -1, 1, 0.0)
    if kind == CheckpointKind.MERGE:
        plan = try_merge(w, m, node, n, stripped, know_how)
    if not plan[0] and kind == CheckpointKind.QUANTISED:
        plan = try_quantise(w, m, node, n, stripped, bound, know_how)
    if not plan[0]:
        plan = try_finetune(w, m, node, n, stripped, bound, know_how)
    made, kind, a, b, size, cost = plan
    if not made:
        return DONE
    return make(w, m, node, kind, a, b, size, cost, uncensored)

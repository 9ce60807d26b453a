"""Liability: an AI-enabled incident counts against the lab inside the jurisdiction whose
release the checkpoint descends from, and such a lab's openness falls exponentially with its
attributed incidents (``incident_scale`` incidents for an e-fold cut at strength 1)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from numba import njit

from sim.core.kinds import ActorKind

if TYPE_CHECKING:
    from sim.core.costs import CostTerms
    from sim.core.policies.book import PolicyBook


class Terms(NamedTuple):
    on: bool


def terms(book: PolicyBook, step: int, costs: CostTerms) -> Terms:
    return Terms(book.active("liability", step))


@njit(cache=True, inline="always")
def attribute(w, k, cid):
    """An incident with checkpoint ``cid``: the lab whose base release it descends from is
    liable if the policy binds it."""
    lab = w.ckpts.creator[w.ckpts.root[cid]]
    if k.on and w.nodes.kind[lab] == ActorKind.LAB and w.labs.inside[lab]:
        w.labs.attributed_incidents[lab] += 1


def openness(book: PolicyBook, step: int, base: float, inside: bool, attributed: int) -> float:
    """A lab's openness after liability."""
    state = book["liability"]
    if not (inside and state.active(step)):
        return base
    return base * math.exp(-state.strength * attributed / state.params.incident_scale)

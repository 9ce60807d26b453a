"""Hub moderation on the main hub (the fringe hub never moderates).

When in force, the main hub rejects stripped uploads with probability ``strength``; each
month it flags and takes down each stripped checkpoint still there with the same
probability, and benign derivatives by mistake at ``strength x false_positive_rate``. What
it removes may be displaced to the fringe hub (``sim.core.hubs.displace``). The platform,
not the regulator, moderates, so it uses no oversight capacity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.core.checkpoints import is_stripped
from sim.core.draws import uniform

if TYPE_CHECKING:
    from sim.core.checkpoints import Registry
    from sim.core.costs import CostTerms
    from sim.core.hubs import Hub
    from sim.core.policies.book import PolicyBook


class Terms(NamedTuple):
    on: bool
    strength: float
    false_positive_rate: float


def terms(book: PolicyBook, step: int, costs: CostTerms) -> Terms:
    state = book["hub_moderation"]
    return Terms(state.active(step), state.strength, state.params.false_positive_rate)


@njit(cache=True, inline="always")
def rejects_upload(w, m, cid):
    """Upload-time scanning: does the main hub reject this upload (stripped weights only)?"""
    k = m.policies.hub_moderation
    if not k.on or not is_stripped(m.ckpts, w.ckpts, cid):
        return False
    return uniform(w.draws) < k.strength


def moderate(
    book: PolicyBook,
    step: int,
    rng: np.random.Generator,
    registry: Registry,
    main: Hub,
    take_down: Callable[[int], None],
) -> None:
    """One month of moderation of the main hub: stripped checkpoints flagged at
    ``strength``, benign derivatives by mistake, every flagged one taken down."""
    state = book["hub_moderation"]
    if not state.active(step):
        return
    stripped = main.stripped.ids().tolist()
    flagged = [
        c
        for c, u in zip(stripped, rng.random(len(stripped)).tolist(), strict=True)
        if u < state.strength
    ]
    base = registry.column("parent")
    others = [c for c in main.safe.ids().tolist() if base[c] >= 0]
    false_rate = state.strength * state.params.false_positive_rate
    k = int(rng.binomial(len(others), false_rate)) if others else 0
    false_flags = [
        others[i] for i in sorted(rng.choice(len(others), size=k, replace=False).tolist())
    ]
    for cid in flagged + false_flags:
        take_down(cid)

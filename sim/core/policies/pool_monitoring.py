"""Pool monitoring: decentralised (pooled) runs, which compute KYC cannot see, are reported
with probability ``strength``; monitoring costs pools ``efficiency_loss`` of their money
(``sim.core.pooling``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from numba import njit

from sim.core.draws import uniform

if TYPE_CHECKING:
    from sim.core.costs import CostTerms
    from sim.core.policies.book import PolicyBook


class Terms(NamedTuple):
    on: bool
    strength: float
    efficiency_loss: float  # share of a pool's money lost to monitoring (0 when off)


def terms(book: PolicyBook, step: int, costs: CostTerms) -> Terms:
    state = book["pool_monitoring"]
    on = state.active(step)
    return Terms(on, state.strength, state.params.efficiency_loss if on else 0.0)


@njit(cache=True, inline="always")
def reports(w, k):
    """A pooled run happened: reported (one draw) if monitoring is in force."""
    return k.on and uniform(w.draws) < k.strength

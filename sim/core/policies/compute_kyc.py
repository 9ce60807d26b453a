"""Compute KYC as the law writes it: identity and compute, not intent.

Compute providers must report cloud runs whose training compute reaches ``threshold_flop``
(the EU's 1e23 FLOP indicative threshold by default; the FLOP of a run is its compute cost
times the FLOP a dollar buys then). Runs on an actor's own hardware and pooled
(decentralised) runs are not covered (pool monitoring reports pools). A covered run is
reported with probability ``strength`` and joins the regulator's investigation queue ahead
of random audits; nothing about a run reveals its intent, so benign and malicious runs are
reported alike. Complying costs a covered benign run ``benign_overhead`` more, so benign
fine-tuners stay below the threshold when that is cheaper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from numba import njit

from sim.core.costs import run_flop
from sim.core.draws import uniform

if TYPE_CHECKING:
    from sim.core.costs import CostTerms
    from sim.core.policies.book import PolicyBook


class Terms(NamedTuple):
    on: bool
    threshold_flop: float
    threshold_usd: float  # compute cost that reaches the threshold this month (inf: off)
    overhead: float  # 1 + benign_overhead: what a covered benign run costs
    strength: float  # chance a covered run is reported


def terms(book: PolicyBook, step: int, costs: CostTerms) -> Terms:
    state = book["compute_kyc"]
    on = state.active(step)
    flop = state.params.threshold_flop
    usd = flop / (1.0 * costs.flop_per_usd / costs.hardware) if on else float("inf")
    return Terms(on, flop, usd, 1.0 + state.params.benign_overhead, state.strength)


@njit(cache=True, inline="always")
def covers(k, c, usd, own_hardware):
    """Would a solo run of ``usd`` of compute be covered this month?"""
    return k.on and not own_hardware and run_flop(c, usd) >= k.threshold_flop


@njit(cache=True, inline="always")
def solo_cost(k, c, compute, own_hardware):
    """What a solo benign run of this compute costs its maker: a covered cloud run pays the
    compliance overhead."""
    return compute * k.overhead if covers(k, c, compute, own_hardware) else compute


@njit(cache=True, inline="always")
def max_solo_compute(k, budget, own_hardware):
    """The dearest compute a solo benign run can buy with ``budget`` (the inverse of
    :func:`solo_cost`): overhead and all, or else only runs below the threshold."""
    if not k.on or own_hardware:
        return budget
    if budget / k.overhead >= k.threshold_usd:
        return budget / k.overhead
    return min(budget, k.threshold_usd * (1 - 1e-12))


@njit(cache=True, inline="always")
def reports(w, k, c, compute, own_hardware):
    """A solo run happened: is it covered (counted) and reported (one draw if covered)?"""
    if not covers(k, c, compute, own_hardware):
        return False
    w.tally[0].kyc_covered_runs += 1
    flagged = uniform(w.draws) < k.strength
    if flagged:
        w.tally[0].kyc_flags += 1
    return flagged

"""Model 2's behaviour as *emergent* outcomes, checked over many seeds.

Nothing here is written into the model's rules: each claim compares two worlds run over the
same seeds (common random numbers) and asks whether the paired difference is significant
(one-sided Wilcoxon signed-rank test, p < 0.01). Where a claim holds only under a condition,
the condition is named in the test and explained in its docstring. Claims the model does not
produce at the defaults are findings, reported by ``run.py validate`` and docs/validation.md,
not tested into existence here.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import pytest
from scipy import stats

from sim import simulate
from sim.schema import merge
from sim.validation.claims import API_ROUTE, CHEAP, CLOSED, KYC_LOW, MUST_POOL, NO_DEFENCE

pytestmark = pytest.mark.slow

SEEDS = range(12)
# A smaller world than the defaults (same mechanisms, same horizon) keeps the suite fast.
WORLD: dict[str, Any] = {"population": {"labs": 6, "hobbyists": 1000, "malicious": 40}}
ALPHA = 0.01


def policy(name: str, **params: Any) -> dict[str, Any]:
    return {"policies": {name: {"enabled": True, **params}}}


@cache
def _summary(key: str, seed: int) -> dict[str, Any]:
    world, overrides = json.loads(key)
    return simulate(merge(world, overrides), seed=seed)[1]


def outcome(
    overrides: dict[str, Any], name: str, seeds: range = SEEDS, world: dict[str, Any] = WORLD
) -> np.ndarray:
    """``name`` of each seed's run summary in ``world`` with ``overrides`` (runs are cached
    across tests)."""
    key = json.dumps([world, overrides], sort_keys=True)
    return np.array([_summary(key, s)[name] for s in seeds], dtype=float)


def assert_greater(a: np.ndarray, b: np.ndarray, what: str) -> None:
    """Paired one-sided test that ``a`` exceeds ``b`` seed by seed."""
    diff = a - b
    assert np.any(diff), f"{what}: no difference at all"
    p = stats.wilcoxon(diff, alternative="greater").pvalue
    assert p < ALPHA, f"{what}: mean {a.mean():.1f} vs {b.mean():.1f}, p = {p:.3g}"


BASE: dict[str, Any] = {}


# --- accessibility and benign use --------------------------------------------------------
def test_cheaper_finetuning_raises_benign_value():
    assert_greater(
        outcome(CHEAP, "total_benefit"),
        outcome(BASE, "total_benefit"),
        "benefit, faster cost decline vs baseline",
    )


def test_small_family_members_keep_fine_tuning_within_reach_of_most_hobbyists():
    for seed in range(4):
        frame, _ = simulate(WORLD, seed=seed)
        assert frame["able_to_finetune"].iloc[:12].mean() > 0.8
        assert (frame["able_to_finetune_frontier"] < frame["able_to_finetune"]).mean() > 0.9


# --- oversight ----------------------------------------------------------------------------
def test_oversight_coverage_falls_as_finetuning_spreads_at_fixed_capacity():
    crowded = {"population": {"hobbyists": 3000}}
    assert_greater(
        outcome(BASE, "mean_oversight_coverage"),
        outcome(crowded, "mean_oversight_coverage"),
        "coverage, 1000 vs 3000 hobbyists at the same capacity",
    )


# --- substitution and marginal risk ------------------------------------------------------
def test_closing_every_ai_route_moves_actors_to_the_baseline_route():
    """No open weights, no leaks, every lab inside and API screening at full strength: the
    AI routes nearly close, and actors turn to non-AI means."""
    closed = merge(
        merge(CLOSED, {"labs": {"leak_prob_per_year": 0.0, "outside_jurisdiction_share": 0.0}}),
        policy("api_finetune_screening", strength=1.0),
    )
    assert_greater(
        outcome(closed, "total_baseline_incidents"),
        outcome(BASE, "total_baseline_incidents"),
        "baseline incidents, closed",
    )
    assert_greater(
        outcome(BASE, "total_misuse_incidents"),
        outcome(closed, "total_misuse_incidents"),
        "AI incidents, closed",
    )


def test_structured_access_moves_some_actors_to_the_baseline_route():
    """Actors who cannot reach weights fit for their goal turn to non-AI means. (Whether
    structured access cuts AI-enabled *harm* is not settled at these seeds: a finding that
    docs/validation.md reports, not a test.) At the default population (60 malicious
    actors), 32 seeds: in the small world the effect (about +0.7 on ~6 baseline incidents a
    run) is too small to resolve even at 64 seeds (measured, p 0.07-0.34)."""
    seeds = range(32)
    assert_greater(
        outcome(policy("structured_access"), "total_baseline_incidents", seeds, world={}),
        outcome(BASE, "total_baseline_incidents", seeds, world={}),
        "baseline incidents, structured access vs baseline (default population)",
    )


def test_outside_supply_weakens_structured_access():
    """The same policy cuts less harm when more labs are outside the jurisdiction. At the
    default population, where ``validate`` checks it (in the small world structured access
    cuts too little harm for the difference to resolve: measured n.s. at 48 seeds)."""
    seeds = range(24)
    inside, outside = (
        {"labs": {"outside_jurisdiction_share": 0.0}},
        {"labs": {"outside_jurisdiction_share": 0.6}},
    )

    def harm(overrides: dict[str, Any]) -> np.ndarray:
        return outcome(overrides, "total_harm", seeds, world={})

    cut_inside = harm(inside) - harm(merge(inside, policy("structured_access")))
    cut_outside = harm(outside) - harm(merge(outside, policy("structured_access")))
    assert_greater(cut_inside, cut_outside, "harm avoided, labs all inside vs 60% outside")


# --- targeted policies where their route binds ------------------------------------------
def test_api_screening_cuts_misuse_where_the_api_is_the_route():
    """A cut of ~4% of incidents: 48 seeds resolve it (24 do not, measured p 0.06)."""
    seeds = range(48)
    assert_greater(
        outcome(API_ROUTE, "total_misuse_incidents", seeds),
        outcome(
            merge(API_ROUTE, policy("api_finetune_screening")), "total_misuse_incidents", seeds
        ),
        "incidents, API screening off vs on, where the API is the route",
    )


def test_pool_monitoring_closes_the_gap_compute_kyc_leaves_where_actors_must_pool():
    kyc = merge(MUST_POOL, KYC_LOW)
    both = merge(kyc, policy("pool_monitoring"))
    seeds = range(24)
    assert_greater(
        outcome(kyc, "total_misuse_incidents", seeds),
        outcome(both, "total_misuse_incidents", seeds),
        "incidents, KYC alone vs KYC + pool monitoring, when actors must pool",
    )


# --- defences and compute KYC --------------------------------------------------------------
def test_defences_from_open_fine_tunes_cut_misuse():
    assert_greater(
        outcome(NO_DEFENCE, "total_misuse_incidents"),
        outcome(BASE, "total_misuse_incidents"),
        "incidents, no defences vs defences",
    )


def test_statutory_kyc_covers_nothing_and_a_low_threshold_covers_runs():
    assert outcome(policy("compute_kyc"), "total_kyc_covered_runs").sum() == 0
    assert_greater(
        outcome(KYC_LOW, "total_kyc_covered_runs"),
        outcome(BASE, "total_kyc_covered_runs"),
        "runs covered, KYC at 1e19 FLOP",
    )


# --- sanity over seeds ------------------------------------------------------------------------
def test_no_malicious_actors_never_gives_an_incident_of_either_kind():
    quiet = {"population": {"malicious": 0}}
    assert outcome(quiet, "total_misuse_incidents").sum() == 0
    assert outcome(quiet, "total_baseline_incidents").sum() == 0

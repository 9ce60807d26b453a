"""Model 2's behaviour as *emergent* outcomes, checked over many seeds.

Nothing here is written into the model's rules: each claim compares two worlds run over the
same seeds (common random numbers) and asks whether the paired difference is significant
(one-sided Wilcoxon signed-rank test, p < 0.01). Where a claim holds only under a condition,
the condition is named in the test and explained in its docstring. Claims the model does not
produce at the defaults are findings, reported by ``run.py validate`` and docs/validation.md,
not tested into existence here. The policies' claims (structured access and the baseline
route, outside supply, API screening where the API is the route, pool monitoring where actors
must pool) are ``validate``'s, at the default population and 100 seeds; they are not run a
second time here.
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
from sim.validation.claims import CHEAP, CLOSED, KYC_LOW, NO_DEFENCE

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

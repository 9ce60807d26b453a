"""The paper's claims as *emergent* outcomes, checked over many seeds.

Nothing here is written into the model's rules: each claim compares two worlds run over the
same seeds (common random numbers) and asks whether the paired difference is significant
(one-sided Wilcoxon signed-rank test, p < 0.01). Where a claim holds only under a condition,
the condition is named in the test and explained in its docstring; what the model says at
the defaults is reported in docs/ODD.md ("What the model says about the paper's claims").
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
from sim.validation.claims import API_ROUTE, CHEAP, DOWNLOADS, MUST_POOL, NO_SHARING

pytestmark = pytest.mark.slow

SEEDS = range(12)
# A smaller world than the defaults (same mechanisms, same horizon) keeps the suite fast.
WORLD: dict[str, Any] = {"population": {"labs": 6, "hobbyists": 1000, "malicious": 40}}
ALPHA = 0.01


def policy(name: str, **params: Any) -> dict[str, Any]:
    return {"policies": {name: {"enabled": True, **params}}}


@cache
def _summary(key: str, seed: int) -> dict[str, Any]:
    return simulate(merge(WORLD, json.loads(key)), seed=seed)[1]


def outcome(overrides: dict[str, Any], name: str, seeds: range = SEEDS) -> np.ndarray:
    """``name`` of each seed's run summary (runs are cached across tests)."""
    key = json.dumps(overrides, sort_keys=True)
    return np.array([_summary(key, s)[name] for s in seeds])


def assert_greater(a: np.ndarray, b: np.ndarray, what: str) -> None:
    """Paired one-sided test that ``a`` exceeds ``b`` seed by seed."""
    diff = a - b
    assert np.any(diff), f"{what}: no difference at all"
    p = stats.wilcoxon(diff, alternative="greater").pvalue
    assert p < ALPHA, f"{what}: mean {a.mean():.1f} vs {b.mean():.1f}, p = {p:.3g}"


BASE: dict[str, Any] = {}


# --- accessibility ------------------------------------------------------------------------
def test_cheaper_finetuning_raises_misuse():
    assert_greater(
        outcome(CHEAP, "total_misuse_incidents"),
        outcome(BASE, "total_misuse_incidents"),
        "incidents, faster cost decline vs baseline",
    )


def test_cheaper_finetuning_also_raises_benign_finetunes():
    assert_greater(
        outcome(CHEAP, "total_benign_finetunes"),
        outcome(BASE, "total_benign_finetunes"),
        "benign fine-tunes, faster cost decline vs baseline",
    )


def test_sharing_raises_misuse():
    """A modest effect (about 10%): stripping is cheap, so sharing mostly saves time and
    money rather than enabling actors who could not equip at all. More seeds resolve it."""
    seeds = range(24)
    assert_greater(
        outcome(BASE, "total_misuse_incidents", seeds),
        outcome(NO_SHARING, "total_misuse_incidents", seeds),
        "incidents, sharing vs no sharing",
    )


def test_sharing_raises_benign_finetunes_and_their_value():
    for name in ("total_benign_finetunes", "total_benefit"):
        assert_greater(outcome(BASE, name), outcome(NO_SHARING, name), f"{name}, sharing")


# --- oversight ----------------------------------------------------------------------------
def test_oversight_coverage_falls_as_finetuning_spreads_at_fixed_capacity():
    crowded = {"population": {"hobbyists": 3000}}
    assert_greater(
        outcome(BASE, "mean_oversight_coverage"),
        outcome(crowded, "mean_oversight_coverage"),
        "coverage, 1000 vs 3000 hobbyists at the same capacity",
    )


def test_oversight_coverage_falls_over_a_run_as_more_hobbyists_can_afford_to_finetune():
    frames = [simulate(WORLD, seed=s)[0] for s in range(4)]
    for frame in frames:
        early = frame["oversight_coverage"].iloc[:12].mean()
        late = frame["oversight_coverage"].iloc[-12:].mean()
        assert late < early
        assert frame["able_to_finetune"].iloc[-1] > frame["able_to_finetune"].iloc[0]


# --- policies at the defaults ---------------------------------------------------------------
# The default world is the one users run; these are the policies that cut incidents there.
DEFAULTS: dict[str, Any] = {"population": {"labs": 8, "hobbyists": 3000, "malicious": 60}}


def at_defaults(overrides: dict[str, Any]) -> dict[str, Any]:
    return merge(DEFAULTS, overrides)


@pytest.mark.parametrize(
    "name", ["structured_access", "tamper_resistance", "compute_kyc", "adaptive"]
)
def test_policy_cuts_misuse_at_the_defaults(name):
    assert_greater(
        outcome(at_defaults(BASE), "total_misuse_incidents"),
        outcome(at_defaults(policy(name)), "total_misuse_incidents"),
        f"incidents, baseline vs {name}",
    )


@pytest.mark.parametrize("name", ["staged_release", "liability"])
def test_policy_cuts_harm_at_the_defaults(name):
    """Staged release and liability keep the newest, most capable weights closed for longer:
    misuse shifts to older checkpoints, so harm falls more clearly than incident counts.
    Harm is noisy (a few severe incidents weigh a lot): 24 seeds."""
    seeds = range(24)
    assert_greater(
        outcome(at_defaults(BASE), "total_harm", seeds),
        outcome(at_defaults(policy(name)), "total_harm", seeds),
        f"harm, baseline vs {name}",
    )


def benefit_lost(name: str) -> float:
    base = outcome(at_defaults(BASE), "total_benefit")
    return float(np.mean(1.0 - outcome(at_defaults(policy(name)), "total_benefit") / base))


def test_restrictive_policies_cost_more_benign_value_than_targeted_ones():
    restrictive = {n: benefit_lost(n) for n in ("structured_access", "staged_release")}
    targeted = {n: benefit_lost(n) for n in ("tamper_resistance", "hub_moderation")}
    assert min(restrictive.values()) > max(targeted.values()), (restrictive, targeted)
    assert min(restrictive.values()) > 0.02, restrictive


def test_closing_both_routes_beats_tamper_resistance_alone():
    """Tamper resistance pushes actors to API abuse; adding API screening closes that route.
    A 6% effect: 24 seeds."""
    bundle = merge(policy("tamper_resistance"), policy("api_finetune_screening"))
    seeds = range(24)
    assert_greater(
        outcome(at_defaults(policy("tamper_resistance")), "total_misuse_incidents", seeds),
        outcome(at_defaults(bundle), "total_misuse_incidents", seeds),
        "incidents, tamper resistance alone vs with API screening",
    )


# --- policies that work where the route they target is the one actors use --------------------
# The same worlds as `run.py validate` (sim/validation/claims.py): DOWNLOADS raises the strip
# cost and closes the API route, so downloading a stripped derivative is the binding route;
# in MUST_POOL poor malicious actors clustered together can only equip by pooling; in
# API_ROUTE few releases are open, so the fine-tuning API is the main route.


@pytest.mark.parametrize(
    ("world", "name"),
    [
        (DOWNLOADS, "hub_moderation"),
        (MUST_POOL, "pool_monitoring"),
        (API_ROUTE, "api_finetune_screening"),
    ],
    ids=[
        "hub_moderation-when-downloads-matter",
        "pool_monitoring-when-actors-must-pool",
        "api_screening-when-the-api-is-the-route",
    ],
)
def test_targeted_policy_cuts_misuse_where_its_route_binds(world, name):
    """Effects of 10-20%: 24 seeds resolve them at the policies' default strengths."""
    seeds = range(24)
    assert_greater(
        outcome(world, "total_misuse_incidents", seeds),
        outcome(merge(world, policy(name)), "total_misuse_incidents", seeds),
        f"incidents, {name} off vs on",
    )


def test_pooling_lets_actors_evade_compute_kyc_unless_pool_monitoring_is_on():
    kyc = merge(MUST_POOL, policy("compute_kyc"))
    both = merge(kyc, policy("pool_monitoring"))
    assert_greater(
        outcome(kyc, "total_misuse_incidents"),
        outcome(both, "total_misuse_incidents"),
        "incidents, KYC alone vs KYC + pool monitoring, when actors must pool",
    )


# --- sanity over seeds ------------------------------------------------------------------------
def test_no_malicious_actors_never_gives_an_incident():
    quiet = {"population": {"malicious": 0}}
    assert outcome(quiet, "total_misuse_incidents").sum() == 0

"""The compiled turns of hobbyists (``sim.hobbyist_turns``) are the per-agent rules, exactly.

The kernel mirrors ``Hobbyist.step`` and reads the same stream of draws, so a run with it
must give the same numbers, to the last digit, as the same run with every hobbyist stepping
in Python (``compiled=False``). Each case below switches on the paths a rule takes: every
policy alone (compute KYC's compliance cost and flags, screening's refusals, moderation's
rejections and re-uploads, pool monitoring), no pooling, many merges and quantisations,
uncensored derivatives, the fringe hub, and an inventive population (the kernel stops for
every invention).
"""

from __future__ import annotations

import pytest

from sim.config import POLICY_NAMES, make_config
from sim.model import EcosystemModel

WORLD = {"population": {"labs": 5, "hobbyists": 400, "malicious": 24}, "steps": 30}
# many active malicious actors, half of them severe, rich, pooling, sharing, abusing APIs
MALICIOUS = {
    "population": {"labs": 5, "hobbyists": 300, "malicious": 80},
    "malicious": {
        "severe_share": 0.5,
        "activity_rate": 0.8,
        "share_prob": 0.5,
        "api_abuse_prob": 0.5,
        "pool_join_prob": 0.9,
    },
}
CASES = {
    "baseline": {},
    **{name: {"policies": {name: {"enabled": True}}} for name in POLICY_NAMES},
    "all_policies": {
        "network": {"kind": "stochastic_block"},
        "policies": {name: {"enabled": True} for name in POLICY_NAMES},
    },
    "no_pooling": {"sharing": {"pooling": {"enabled": False}}},
    "eager_pools": {"sharing": {"pooling": {"join_prob": 1.0, "max_members": 3}}},
    "merges_and_quantisations": {"hobbyists": {"merge_share": 0.4, "quantise_share": 0.4}},
    "uncensored_fringe": {
        "hobbyists": {"uncensored_prob": 0.6},
        "sharing": {"fringe_discovery_prob": 0.8, "reupload_prob": 1.0},
        "policies": {"hub_moderation": {"enabled": True, "strength": 0.9}},
    },
    "inventive": {"hobbyists": {"invention_prob": 0.2, "strip_technique_share": 0.5}},
    "malicious_actors": MALICIOUS,
    "malicious_with_policies": {
        **MALICIOUS,
        "policies": {name: {"enabled": True} for name in POLICY_NAMES},
    },
    "kyc_low_threshold": {
        "policies": {"compute_kyc": {"enabled": True, "threshold_flop": 1e15}},
        "costs": {"own_hardware_share": 0.3},
    },
}


def _run(overrides: dict, compiled: bool):
    model = EcosystemModel(make_config({**WORLD, **overrides}), seed=11, compiled=compiled)
    model.run()
    return model


@pytest.mark.parametrize("name", list(CASES))
def test_compiled_turns_give_the_same_run_as_python_ones(name):
    python, compiled = _run(CASES[name], False), _run(CASES[name], True)
    assert compiled.timeseries().equals(python.timeseries())
    assert compiled.summary() == python.summary()
    assert len(compiled.checkpoints) == len(python.checkpoints)
    a, b = compiled.checkpoints[len(compiled.checkpoints) - 1], python.checkpoints.items[-1]
    assert (a.capability, a.parent, a.children, a.public_depth) == (
        b.capability,
        b.parent,
        b.children,
        b.public_depth,
    )
    assert compiled.rng.random() == python.rng.random()  # the generator is where it was


def test_the_cases_reach_the_rare_paths():
    """The cases above do exercise inventions, re-uploads and pools (else they prove less)."""
    inventive = _run(CASES["inventive"], True)
    assert len(inventive.techniques.techniques) >= 5
    fringe = _run(CASES["uncensored_fringe"], True).summary()
    assert fringe["total_reuploads"] > 0 and fringe["total_takedowns"] > 0
    assert _run(CASES["eager_pools"], True).summary()["total_pooled_finetunes"] > 0
    malicious = _run(CASES["malicious_actors"], True)
    registry = malicious.checkpoints
    kinds = {registry[i].kind for i in range(len(registry))}
    assert {"stripped", "uplift", "api_abuse"} <= kinds  # strips, uplifts, API abuse
    assert malicious.weapon_held.any()  # shared weapons
    tiers = {i.tier for i in malicious.incidents}
    assert tiers == {"common", "severe"} and malicious.summary()["total_baseline_incidents"] > 0

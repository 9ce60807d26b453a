"""Pinned outputs: a change that alters any number of these runs fails here.

Speed work must leave the model's behaviour unchanged; this test is how we know. When a
change to the model is *meant* to alter results, regenerate the digests (the failure message
prints the new one) and say so in the commit.
"""

from __future__ import annotations

import hashlib

import pytest

from sim import simulate
from sim.config import POLICY_NAMES

WORLD = {"population": {"labs": 6, "hobbyists": 600, "malicious": 30}, "steps": 48}
CASES = {
    "baseline": (WORLD, "def180deffd975bc230a04c9c2126c508fa4c476c9232f5178c63d9b228934ac"),
    "all_policies": (
        {
            **WORLD,
            "network": {"kind": "stochastic_block"},
            "policies": {name: {"enabled": True} for name in POLICY_NAMES},
        },
        "5cf10e369ccf2c71ec4480cda312f662d78b7bca612fc19d28dfa22d152c8c46",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_outputs_are_pinned(name):
    overrides, expected = CASES[name]
    frame, _ = simulate(overrides, seed=7)
    digest = hashlib.sha256(frame.to_csv(index=False, float_format="%.10g").encode()).hexdigest()
    assert digest == expected, f"outputs of {name!r} changed: new digest {digest}"

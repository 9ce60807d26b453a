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
    "baseline": (WORLD, "ca1344c685e711e47780d42c94eb68e81703f96f9c587ed158d0d7175f3ec7ee"),
    "all_policies": (
        {
            **WORLD,
            "network": {"kind": "stochastic_block"},
            "policies": {name: {"enabled": True} for name in POLICY_NAMES},
        },
        "ca99796a26d0d0fd76f7113a8b7871bc3f41722ca478431687849d0f3edf8abc",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_outputs_are_pinned(name):
    overrides, expected = CASES[name]
    frame, _ = simulate(overrides, seed=7)
    digest = hashlib.sha256(frame.to_csv(index=False, float_format="%.10g").encode()).hexdigest()
    assert digest == expected, f"outputs of {name!r} changed: new digest {digest}"

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
    "baseline": (WORLD, "3a77c248a5a5d03fb450f1209b8c0d5282b799dba21a06808b00db9c41fbca23"),
    "all_policies": (
        {
            **WORLD,
            "network": {"kind": "stochastic_block"},
            "policies": {name: {"enabled": True} for name in POLICY_NAMES},
        },
        "990681b962d82bb2cc7b27dc7e3faef529a3ac382254453220292b5c5e3e003d",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_outputs_are_pinned(name):
    overrides, expected = CASES[name]
    frame, _ = simulate(overrides, seed=7)
    digest = hashlib.sha256(frame.to_csv(index=False, float_format="%.10g").encode()).hexdigest()
    assert digest == expected, f"outputs of {name!r} changed: new digest {digest}"

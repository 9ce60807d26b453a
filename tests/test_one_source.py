"""Each rule is written once: the compiled run and the same run in plain Python
(``NUMBA_DISABLE_JIT=1``, Numba's own switch for debugging) are the same code, so they give
the same outputs: integers exactly, floats to rounding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim import simulate
from sim.config import POLICY_NAMES

ROOT = Path(__file__).resolve().parent.parent
# small, but every route is taken: many active malicious actors of both tiers who pool,
# share and abuse APIs; inventions; merges and quantisations; the fringe hub; all policies
WORLD = {
    "population": {"labs": 4, "hobbyists": 120, "malicious": 30},
    "steps": 18,
    "network": {"kind": "stochastic_block"},
    "hobbyists": {"invention_prob": 0.1, "merge_share": 0.2, "quantise_share": 0.2},
    "sharing": {"fringe_discovery_prob": 0.5},
    "malicious": {
        "severe_share": 0.5,
        "activity_rate": 0.8,
        "share_prob": 0.5,
        "api_abuse_prob": 0.5,
        "pool_join_prob": 0.9,
    },
    "labs": {"api_finetune_share": 1.0},
    "policies": {name: {"enabled": True} for name in POLICY_NAMES},
}
PLAIN = """
import json, sys
from sim import simulate
frame, summary = simulate(json.loads(sys.argv[1]), seed=5)
print(json.dumps({"frame": frame.to_dict(orient="list"), "summary": summary}))
"""


def test_a_run_in_plain_python_gives_the_compiled_run():
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PLAIN, json.dumps(WORLD)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=True,
    )
    plain = json.loads(done.stdout)
    frame, summary = simulate(WORLD, seed=5)
    python = pd.DataFrame(plain["frame"])[frame.columns]
    assert frame["misuse_incidents"].sum() > 0 and frame["benign_finetunes"].sum() > 0
    for column in frame.columns:
        compiled, other = frame[column].to_numpy(), python[column].to_numpy()
        if compiled.dtype.kind == "f":
            np.testing.assert_allclose(other, compiled, rtol=1e-9, equal_nan=True, err_msg=column)
        else:
            assert other.tolist() == compiled.tolist(), column
    for key, value in summary.items():
        if isinstance(value, float):
            assert plain["summary"][key] == np.float64(value) or abs(
                plain["summary"][key] - value
            ) <= 1e-9 * abs(value), key
        else:
            assert plain["summary"][key] == value, key

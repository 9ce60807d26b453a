"""The model as Mesa users drive it: keyword overrides with dotted keys, a horizon at which
``running`` becomes False, and ``mesa.batch_run`` sweeping it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim import EcosystemModel, simulate
from sim.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"population.labs": 2, "population.hobbyists": 60, "population.malicious": 6}


def test_running_becomes_false_at_the_configured_horizon():
    model = EcosystemModel(**SMALL, steps=5, seed=1)
    while model.running:
        model.step()
    assert model.steps == 5
    assert len(model.timeseries()) == 5


def test_dotted_keyword_overrides_reach_the_config():
    model = EcosystemModel(**SMALL, **{"policies.hub_moderation.enabled": True}, seed=1)
    assert model.cfg.population.malicious == 6
    assert model.cfg.policies.hub_moderation.enabled
    with pytest.raises(ConfigError, match=r"population\.nope"):
        EcosystemModel(**{"population.nope": 1})


def test_the_seed_argument_a_fresh_seed_and_the_configs_own():
    assert EcosystemModel(**SMALL).seed == 42  # no seed at all: the config's
    assert EcosystemModel(**SMALL, seed=7).seed == 7
    fresh = {EcosystemModel(**SMALL, seed=None).seed for _ in range(3)}
    assert len(fresh) == 3  # seed=None: a fresh seed each time, recorded


BATCH = """
import json, mesa
from sim import EcosystemModel
small = {"population.labs": 2, "population.hobbyists": 60, "steps": 6}
swept = mesa.batch_run(
    EcosystemModel, parameters={**small, "population.malicious": [0, 6]}, rng=[1, 2],
    max_steps=1000, number_processes=1, display_progress=False,
)
repeated = mesa.batch_run(
    EcosystemModel, parameters=small, iterations=2, max_steps=1000, number_processes=1,
    display_progress=False,
)
print(json.dumps({"swept": swept, "repeated": repeated}, default=float))
"""


def test_mesa_batch_run_sweeps_dotted_keys_and_stops_at_the_horizon():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # batch_run forces the spawn start method: its own process
        [sys.executable, "-W", "ignore", "-c", BATCH],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=True,
    )
    out = json.loads(done.stdout.splitlines()[-1])
    swept = out["swept"]
    assert len(swept) == 4 and {row["Step"] for row in swept} == {6}  # not 1,000 months
    for row in swept:
        frame, _ = simulate(
            {
                "population": {
                    "labs": 2,
                    "hobbyists": 60,
                    "malicious": row["population.malicious"],
                },
                "steps": 6,
            },
            seed=row["seed"],
        )
        last = frame.iloc[-1]
        for column in ("cumulative_incidents", "cumulative_benign_finetunes", "hub_checkpoints"):
            assert row[column] == last[column], column
    assert {row["seed"] for row in swept} == {1, 2}
    repeated = out["repeated"]
    assert len({row["seed"] for row in repeated}) == 2  # seed=None: runs differ, each recorded

"""``calibrate``: ABC-SMC (pyabc) fits parameters to dated targets, reproducibly, resumably.

A synthetic-truth test (targets made by the model itself at known parameter values: the
posterior must cover them), the outputs through the command line, identical posteriors with
1 or 2 workers and on Dask, a calibration killed mid-generation and resumed, the spec's
errors, and ``--posterior`` for the other verbs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import simulate
from sim.calibration.spec import load_calibration_spec
from sim.config import make_config
from sim.errors import UserError
from sim.experiments.posterior import Posterior
from sim.experiments.runs import run_arms

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TINY = {"steps": 3, "population": {"labs": 8, "hobbyists": 120, "malicious": 6}}
TRUE_FINETUNE_USD = 80.0


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )  # fmt: skip


def observed_finetune_cost() -> float:
    """The target made by the model at the true value: mean over 16 seeds."""
    config = {**TINY, "costs": {"finetune_cost_usd": TRUE_FINETUNE_USD}}
    costs = [simulate(config, seed=s)[0]["finetune_cost"].iloc[0] for s in range(16)]
    return float(np.mean(costs))


def write_spec(folder: Path, population: int = 40, generations: int = 4, **algo: object) -> Path:
    spec = {
        "description": "synthetic truth: costs.finetune_cost_usd = 80",
        "base": str(BASELINE),
        "overrides": TINY,
        "seed": 5,
        "parameters": {
            "costs.finetune_cost_usd": {"bounds": [10, 1000], "dist": "logunif"},
            "hobbyists.activity_rate": [0.05, 0.3],
        },
        "targets": {
            "finetune_cost": {
                "output": {"column": "finetune_cost", "date": "2024-02"},
                "observed": observed_finetune_cost(),
                "log": True,
                "tolerance": 0.05,
                "source": {"author": "the model itself", "year": 2026, "id": "synthetic"},
            }
        },
        "algorithm": {
            "population": population,
            "generations": generations,
            "min_tolerance": 0.0,
            "seeds_per_particle": 2,
            "predictive_draws": 8,
            **algo,
        },
    }
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("calibration")
    spec = write_spec(folder)
    out = folder / "out"
    done = cli("calibrate", str(spec), "--out", str(out), "--workers", "1")
    assert done.returncode == 0, done.stderr
    return spec, out


# --- the fit -------------------------------------------------------------------------------
def test_the_posterior_covers_the_true_parameter_and_narrows_the_prior(fitted):
    _, out = fitted
    params = pd.read_csv(out / "parameters.csv").set_index("parameter")
    tune = params.loc["costs.finetune_cost_usd"]
    assert tune.posterior_low <= TRUE_FINETUNE_USD <= tune.posterior_high
    assert tune.width_ratio < 0.5  # the target constrains it
    # the activity rate does not enter the first month's fine-tune cost: prior-like
    assert params.loc["hobbyists.activity_rate"].width_ratio > 0.6


def test_calibrate_writes_every_output(fitted):
    _, out = fitted
    for name in ("calibration.db", "spec.json", "posterior.csv", "posterior.png",
                 "predictive.csv", "predictive.png", "report.md", "calibrated.yaml",
                 "generations.csv", "parameters.csv", "targets.csv"):  # fmt: skip
        assert (out / name).is_file(), name
    posterior = pd.read_csv(out / "posterior.csv")
    assert {"weight", "costs.finetune_cost_usd", "hobbyists.activity_rate"} <= set(posterior)
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert len(posterior) == 40
    assert (posterior["costs.finetune_cost_usd"].between(10, 1000)).all()
    generations = pd.read_csv(out / "generations.csv")
    assert list(generations["t"]) == [0, 1, 2, 3]
    assert (np.diff(generations["epsilon"]) <= 0).all()  # the tolerance falls
    predictive = pd.read_csv(out / "predictive.csv")
    assert sorted(predictive["kind"].unique()) == ["posterior", "prior"]
    report = (out / "report.md").read_text()
    assert "costs.finetune_cost_usd" in report and "the model itself 2026 (synthetic)" in report
    assert "| **hit** |" in report or "| **miss** |" in report


def test_the_calibrated_scenario_runs(fitted, tmp_path):
    _, out = fitted
    scenario = yaml.safe_load((out / "calibrated.yaml").read_text())
    median = pd.read_csv(out / "parameters.csv").set_index("parameter").posterior_median
    assert scenario["costs"]["finetune_cost_usd"] == pytest.approx(
        median["costs.finetune_cost_usd"], rel=1e-5
    )
    assert "steps" not in scenario  # the fit's horizon is not the scenario's
    done = cli("run", str(out / "calibrated.yaml"), "--steps", "2", "--replications", "1",
               "--out", str(tmp_path), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr


# --- reproducibility --------------------------------------------------------------------------
def test_same_spec_and_seed_give_the_same_posterior_with_one_or_two_workers(fitted, tmp_path):
    spec, out = fitted
    again = cli("calibrate", str(spec), "--out", str(tmp_path / "a"), "--workers", "1", "--quiet")
    two = cli("calibrate", str(spec), "--out", str(tmp_path / "b"), "--workers", "2", "--quiet")
    assert again.returncode == 0 and two.returncode == 0, again.stderr + two.stderr
    reference = (out / "posterior.csv").read_text()
    assert (tmp_path / "a" / "posterior.csv").read_text() == reference
    assert (tmp_path / "b" / "posterior.csv").read_text() == reference


@pytest.mark.slow
def test_dask_gives_the_same_posterior(fitted, tmp_path):
    spec, out = fitted
    done = cli("calibrate", str(spec), "--out", str(tmp_path / "d"), "--executor", "dask",
               "--workers", "2", "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "d" / "posterior.csv").read_text() == (out / "posterior.csv").read_text()


@pytest.mark.slow
def test_a_calibration_killed_mid_generation_resumes_to_the_same_posterior(fitted, tmp_path):
    """A real SIGKILL while generation 3 runs; --resume continues from the last complete
    generation and ends with the posterior an uninterrupted run gives."""
    spec, out = fitted
    folder = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "calibrate", str(spec), "--out", str(folder),
         "--workers", "2"],
        stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )  # fmt: skip
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "generation 2 of" in line:
            time.sleep(0.3)  # into generation 3
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    assert not (folder / "posterior.csv").exists()
    done = cli("calibrate", str(spec), "--out", str(folder), "--resume", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "generation 3 of" in done.stderr and "generation 1 of" not in done.stderr
    assert (folder / "posterior.csv").read_text() == (out / "posterior.csv").read_text()


def test_progress_shows_generation_tolerance_acceptance_and_eta(fitted, tmp_path):
    spec, _ = fitted
    done = cli("calibrate", str(spec), "--out", str(tmp_path / "p"), "--workers", "1",
               "--set", "algorithm.generations=2")  # fmt: skip
    assert done.returncode == 0, done.stderr
    first = [line for line in done.stderr.splitlines() if "generation 1 of at most 2" in line]
    assert first and "tolerance" in first[0] and "accepted (" in first[0]
    assert "ETA" in first[0]


# --- the spec's errors -----------------------------------------------------------------------
def _spec_text(**changes: object) -> dict:
    data = yaml.safe_load((ROOT / "scenarios" / "calibration" / "evidence.yaml").read_text())
    data["base"] = str(BASELINE)
    for dotted, value in changes.items():
        node = data
        parts = dotted.split("__")
        for part in parts[:-1]:
            node = node[part]
        if value is None:
            del node[parts[-1]]
        else:
            node[parts[-1]] = value
    return data


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"parameters__costs.nope": [1, 2]}, "parameters.costs.nope: expected a numeric"),
        ({"targets__incident_growth__observed": "lots"}, "targets.incident_growth.observed: "
         "expected a number"),
        ({"targets__incident_growth__tolerance": 0}, "tolerance: expected a number > 0"),
        ({"targets__incident_growth__source": None}, "targets.incident_growth.source: missing"),
        ({"targets__strip_cost_early_2024__output": {"column": "nope", "date": "2024-02"}},
         "output.column: unknown column 'nope'"),
        ({"targets__strip_cost_early_2024__output": {"column": "strip_cost", "date": "2030-01"}},
         "2030-01 is outside the simulated months"),
        ({"targets__quantised_leaf_share__output": {"summary": "leafiness"}},
         "output.summary: unknown summary value"),
        ({"algorithm__population": 1}, "algorithm.population: expected an integer >= 2"),
        ({"algorithm__quantile": 1.5}, "algorithm.quantile: expected a number in (0, 1)"),
        ({"algorithm__speed": 3}, "algorithm.speed: unknown key"),
        ({"overrides__steps": "many"}, "overrides.steps: expected an integer"),
        ({"targets__stripped_hub_share__source__year": 20}, "source.year: expected a year"),
    ],
)  # fmt: skip
def test_a_wrong_spec_names_the_key(tmp_path, changes, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_spec_text(**changes), sort_keys=False))
    with pytest.raises(UserError) as err:
        load_calibration_spec(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_a_wrong_spec_on_the_command_line_exits_2_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_spec_text(algorithm__population=0), sort_keys=False))
    out = tmp_path / "out"
    done = cli("calibrate", str(path), "--out", str(out))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "algorithm.population" in done.stderr
    assert not out.exists()


def test_resume_refuses_a_different_spec(fitted, tmp_path):
    spec, out = fitted
    done = cli("calibrate", str(spec), "--out", str(out), "--resume", "--seed", "9")
    assert done.returncode == 2 and "differs from the one this calibration started" in done.stderr
    done = cli("calibrate", str(spec), "--out", str(out))
    assert done.returncode == 2 and "already holds files" in done.stderr


def test_the_shipped_spec_is_valid():
    spec = load_calibration_spec(ROOT / "scenarios" / "calibration" / "evidence.yaml")
    assert len(spec.parameters) >= 6 and len(spec.targets) >= 6
    assert all(t.source.author and t.source.year for t in spec.targets)


# --- running over the posterior --------------------------------------------------------------
def _posterior_file(tmp_path: Path) -> Path:
    frame = pd.DataFrame({
        "generation": 3, "particle": [0, 1, 2], "weight": [0.2, 0.3, 0.5],
        "costs.strip_cost_usd": [50.0, 150.0, 400.0], "hobbyists.activity_rate": [0.05, 0.1, 0.2],
    })  # fmt: skip
    path = tmp_path / "posterior.csv"
    frame.to_csv(path, index=False)
    return path


def test_each_replication_draws_its_parameters_from_its_seed(tmp_path):
    posterior = Posterior.load(_posterior_file(tmp_path))
    assert posterior.draw(123) == posterior.draw(123)
    draws = [posterior.draw(s)["costs.strip_cost_usd"] for s in range(3000)]
    share = {v: draws.count(v) / len(draws) for v in (50.0, 150.0, 400.0)}
    assert share[400.0] == pytest.approx(0.5, abs=0.04)
    assert share[50.0] == pytest.approx(0.2, abs=0.04)


def test_every_arm_runs_a_replication_at_the_same_draw_unless_it_sets_the_key(tmp_path):
    posterior = Posterior.load(_posterior_file(tmp_path))
    base = make_config(TINY)
    own = make_config({**TINY, "costs": {"strip_cost_usd": 999.0}})
    runs = run_arms({"base": base, "own": own}, [1, 2, 3], workers=1, posterior=posterior)
    for r in range(3):
        a, b = runs["base"][r].summary["posterior_draw"], runs["own"][r].summary["posterior_draw"]
        assert a["hobbyists.activity_rate"] == b["hobbyists.activity_rate"]
        assert "costs.strip_cost_usd" in a and "costs.strip_cost_usd" not in b


def test_run_over_a_posterior_records_the_draws(tmp_path):
    path = _posterior_file(tmp_path)
    done = cli("run", str(BASELINE), "--steps", "2", "--replications", "3", "--set",
               "population.hobbyists=120", "--workers", "1", "--posterior", str(path),
               "--out", str(tmp_path / "r"), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    (summary,) = (tmp_path / "r").glob("*/*/summary.json")
    data = json.loads(summary.read_text())
    assert data["posterior"] == str(path)
    assert all("posterior_draw" in r for r in data["replications"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a,b\n1,2\n", "expected a 'weight' column"),
        ("weight,costs.nope\n1,2\n", "column 'costs.nope': expected a numeric scenario key"),
        ("weight,costs.strip_cost_usd\n-1,2\n", "weight: expected non-negative numbers"),
    ],
)
def test_a_wrong_posterior_file_exits_2(tmp_path, content, expected):
    path = tmp_path / "p.csv"
    path.write_text(content)
    done = cli("validate", "--posterior", str(path), "--out", str(tmp_path / "v"))
    assert done.returncode == 2 and expected in done.stderr
    assert not (tmp_path / "v").exists()

"""The command line, end to end through subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import COLUMNS
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
# Fast: a small world over a short horizon.
FAST = ["--steps", "6", "--set", "population.hobbyists=150", "--set", "population.malicious=8"]


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=300,
        check=False,
    )


def only_folder(root: Path) -> Path:
    (folder,) = [p for p in root.glob("*/*") if p.is_dir()]
    return folder


# --- run ------------------------------------------------------------------------------------
def test_run_writes_config_timeseries_summary_and_plots(tmp_path):
    out = tmp_path / "out"
    done = cli("run", SCENARIOS / "baseline.yaml", *FAST, "--replications", "2", "--out", out)
    assert done.returncode == 0, done.stderr
    folder = only_folder(out)
    assert folder.parent.name == "baseline"
    assert f"results: {folder}" in done.stdout
    assert "total_misuse_incidents" in done.stdout

    assert sorted(p.name for p in folder.iterdir()) == [
        "config.yaml",
        "outcomes.png",
        "summary.json",
        "timeseries.csv",
    ]
    series = pd.read_csv(folder / "timeseries.csv")
    assert list(series.columns) == ["replication", "seed", *COLUMNS]
    assert sorted(series["replication"].unique()) == [0, 1]
    assert len(series) == 2 * 6

    summary = json.loads((folder / "summary.json").read_text())
    assert [r["seed"] for r in summary["replications"]] == sorted(
        series["seed"].unique(), key=list(series["seed"]).index
    )
    agg = summary["aggregate"]["total_misuse_incidents"]
    assert set(agg) == {"mean", "ci_low", "ci_high", "n"} and agg["n"] == 2
    assert (folder / "outcomes.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_resolved_config_reproduces_the_run(tmp_path):
    first = cli(SCENARIOS / "tamper_resistance.yaml", *FAST, "--out", tmp_path / "a")
    assert first.returncode == 0, first.stderr
    folder = only_folder(tmp_path / "a")
    resolved = yaml.safe_load((folder / "config.yaml").read_text())
    assert resolved["policies"]["tamper_resistance"]["enabled"] is True
    assert resolved["steps"] == 6
    assert load_scenario(folder / "config.yaml") == load_scenario(
        SCENARIOS / "tamper_resistance.yaml", FAST[3::2], {"steps": 6}
    )
    again = cli("run", folder / "config.yaml", "--out", tmp_path / "b")
    assert again.returncode == 0, again.stderr
    a = pd.read_csv(folder / "timeseries.csv")
    b = pd.read_csv(only_folder(tmp_path / "b") / "timeseries.csv")
    pd.testing.assert_frame_equal(a, b)


def test_results_do_not_depend_on_the_number_of_workers(tmp_path):
    args = [SCENARIOS / "baseline.yaml", *FAST, "--replications", "3"]
    assert cli(*args, "--workers", "1", "--out", tmp_path / "one").returncode == 0
    assert cli(*args, "--workers", "2", "--out", tmp_path / "two").returncode == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(only_folder(tmp_path / "one") / "timeseries.csv"),
        pd.read_csv(only_folder(tmp_path / "two") / "timeseries.csv"),
    )


def test_seed_flag_changes_the_run_and_is_recorded(tmp_path):
    assert cli(SCENARIOS / "baseline.yaml", *FAST, "--seed", "5", "--out", tmp_path).returncode == 0
    folder = only_folder(tmp_path)
    assert yaml.safe_load((folder / "config.yaml").read_text())["seed"] == 5


def test_existing_results_are_never_overwritten(tmp_path):
    for _ in range(2):
        done = cli(SCENARIOS / "baseline.yaml", *FAST, "--quiet", "--out", tmp_path)
        assert done.returncode == 0, done.stderr
    folders = sorted(p.name for p in (tmp_path / "baseline").iterdir())
    assert len(folders) == 2
    assert not any(name.startswith(".") for name in folders)


def test_quiet_prints_only_the_results_folder(tmp_path):
    done = cli(SCENARIOS / "baseline.yaml", *FAST, "--quiet", "--out", tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip().splitlines() == [f"results: {only_folder(tmp_path)}"]
    assert done.stderr == ""  # no progress bar when not on a terminal


def test_short_form_is_the_run_verb(tmp_path):
    done = cli(SCENARIOS / "baseline.yaml", *FAST, "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    assert only_folder(tmp_path).parent.name == "baseline"


# --- compare --------------------------------------------------------------------------------
def test_compare_reports_means_cis_and_paired_differences(tmp_path):
    done = cli(
        "compare",
        SCENARIOS / "baseline.yaml",
        SCENARIOS / "structured_access.yaml",
        *FAST,
        "--replications",
        "3",
        "--out",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "structured_access" in done.stdout and "diff" in done.stdout
    folder = only_folder(tmp_path)
    assert folder.parent.name == "compare"
    table = pd.read_csv(folder / "comparison.csv")
    assert set(table["scenario"]) == {"baseline", "structured_access"}
    assert {
        "outcome",
        "mean",
        "ci_low",
        "ci_high",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
    } <= set(table.columns)
    assert table.loc[table["scenario"] == "baseline", "diff_mean"].isna().all()
    assert (folder / "comparison.png").exists()
    assert sorted(p.name for p in (folder / "configs").iterdir()) == [
        "baseline.yaml",
        "structured_access.yaml",
    ]
    summary = json.loads((folder / "summary.json").read_text())
    assert len(summary["seeds"]) == 3


def test_compare_uses_common_random_numbers(tmp_path):
    """The same scenario twice gives zero paired differences: the seeds are shared."""
    done = cli(
        "compare",
        SCENARIOS / "baseline.yaml",
        SCENARIOS / "baseline.yaml",
        *FAST,
        "--replications",
        "2",
        "--out",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(only_folder(tmp_path) / "comparison.csv")
    second = table[table["scenario"] == "baseline-2"]
    assert (second["diff_mean"].dropna() == 0).all()


# --- help -----------------------------------------------------------------------------------
@pytest.mark.parametrize("verb", [[], ["run"], ["compare"]])
def test_every_verb_has_help_with_examples(verb):
    done = cli(*verb, "--help")
    assert done.returncode == 0
    assert "examples:" in done.stdout
    assert "python run.py" in done.stdout

"""Scenario discovery (PRIM) on a finished sensitivity batch: the known answer, the command line
end to end, and user errors that write nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_sensitivity import cli, write_spec

from sim import make_config
from sim.batch.discovery import discover
from sim.batch.spec import Parameter, Spec
from sim.batch.storage import BatchFolder

A, B, C = "malicious.api_abuse_prob", "malicious.success_prob", "sharing.hub_upload_prob"
OUTCOME = "total_misuse_incidents"


def synthetic_batch(folder: Path, n: int = 600, missing: int = 0) -> Path:
    """A finished batch, as storage.py writes it, whose samples fail exactly when
    A > 0.6 and B < 0.3 (the outcome is 110 there and 10 elsewhere)."""
    spec = Spec(
        name="synthetic",
        base_path="base.yaml",
        base=make_config({}),
        parameters=tuple(Parameter(key, 0.0, 1.0) for key in (A, B, C)),
        method="lhs",
        samples=n,
        replications=1,
        outcomes=(OUTCOME, "total_harm"),
        seed=0,
    )
    rng = np.random.default_rng(3)
    design = pd.DataFrame(rng.random((n, 3)), columns=[A, B, C])
    design.index.name = "sample"
    BatchFolder(folder).create(spec, design)
    fails = (design[A] > 0.6) & (design[B] < 0.3)
    samples = design.assign(**{OUTCOME: np.where(fails, 110.0, 10.0), "total_harm": 1.0})
    samples.iloc[:missing, samples.columns.get_loc(OUTCOME)] = np.nan  # failed runs
    samples.to_parquet(folder / "samples.parquet")
    return folder


def test_prim_recovers_the_box_where_the_bundle_fails(tmp_path, capsys):
    batch = synthetic_batch(tmp_path / "batch", missing=5)
    rng_before = np.random.get_state()[1].copy()

    folder, text = discover(batch, OUTCOME, 50.0)

    assert capsys.readouterr().out == ""  # the library prints nothing; the CLI prints text
    assert (np.random.get_state()[1] == rng_before).all()  # NumPy's global RNG untouched
    assert folder.parent == batch / "discovery"
    for name in ("boxes.csv", "trajectory.csv", "trajectory.png", "boxes.png", "report.md"):
        assert (folder / name).exists(), name
    boxes = pd.read_csv(folder / "boxes.csv")
    assert boxes["box"].unique().tolist() == [1]  # one box explains every failure
    limits = boxes.set_index("parameter")
    assert sorted(limits.index) == [A, B]  # C plays no part and is left free
    assert limits.loc[A, "low"] == pytest.approx(0.6, abs=0.05) and limits.loc[A, "high"] == 1.0
    assert limits.loc[B, "low"] == 0.0 and limits.loc[B, "high"] == pytest.approx(0.3, abs=0.05)
    assert (boxes["coverage"] > 0.8).all() and (boxes["density"] > 0.8).all()
    trajectory = pd.read_csv(folder / "trajectory.csv")
    assert trajectory["selected"].sum() == 1
    assert "5 dropped" in text and "box 1:" in text and "coverage = share" in text
    report = (folder / "report.md").read_text()
    assert "not probabilities of the world" in report and "density" in report


def test_discover_from_the_command_line_never_overwrites_and_repeats_exactly(tmp_path):
    spec = write_spec(tmp_path, "lhs")  # a tiny world: 24 months, 120 hobbyists
    batch = tmp_path / "batch"
    done = cli(
        "sensitivity", spec, "--out", batch, "--set", "samples=50", "--set", "replications=1",
        "--workers", "2", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    threshold = pd.read_parquet(batch / "samples.parquet")[OUTCOME].median()

    runs = [cli("discover", batch, "--threshold", threshold) for _ in range(2)]

    folders = []
    for run in runs:
        assert run.returncode == 0, run.stderr
        last = run.stdout.strip().splitlines()[-1]
        assert "coverage" in run.stdout and last.startswith("results: ")
        folders.append(Path(last.removeprefix("results: ")))
    assert folders[0] != folders[1] and all(f.parent == batch / "discovery" for f in folders)
    for f in folders:
        assert (f / "report.md").exists() and (f / "boxes.csv").exists()
    assert (folders[0] / "boxes.csv").read_bytes() == (folders[1] / "boxes.csv").read_bytes()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["{tmp}/empty", "--threshold", "50"], "{tmp}/empty: not a sensitivity batch"),
        (["{tmp}/batch", "--threshold", "50", "--outcome", "total_benefit"], "'total_benefit'"),
        (["{tmp}/batch", "--threshold", "500"], "expected a lower threshold"),
    ],
    ids=["not-a-batch", "unknown-outcome", "nothing-fails"],
)
def test_user_errors_exit_2_with_one_line_and_write_nothing(tmp_path, args, expected):
    synthetic_batch(tmp_path / "batch", n=100)
    (tmp_path / "empty").mkdir()
    args = [a.format(tmp=tmp_path) for a in args]

    done = cli("discover", *args, "--out", tmp_path / "out")

    assert done.returncode == 2
    assert expected.format(tmp=tmp_path) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and done.stdout == ""
    assert not (tmp_path / "out").exists() and not (tmp_path / "batch" / "discovery").exists()

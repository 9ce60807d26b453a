"""Sensitivity batches: SALib end to end, determinism across executors, resume, failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.batch import runner as batch_runner
from sim.batch import work
from sim.batch.analysis import AnalysisError
from sim.batch.spec import load_spec
from sim.experiments.seeding import derive_seed
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
TINY_BASE = """name: tiny
steps: 24
population: {labs: 3, hobbyists: 120, malicious: 8}
"""


def write_spec(
    folder: Path,
    method: str = "sobol",
    samples: int = 8,
    replications: int = 2,
    extra: str = "",
    steps: int = 24,
) -> Path:
    (folder / "base.yaml").write_text(TINY_BASE.replace("steps: 24", f"steps: {steps}"))
    spec = folder / f"{method}.yaml"
    spec.write_text(f"""base: base.yaml
method: {method}
samples: {samples}
replications: {replications}
seed: 5
parameters:
  costs.strip_cost_usd: [50, 800]
  sharing.hub_upload_prob: [0.05, 0.6]
  population.malicious: [2, 20]
outcomes: [total_misuse_incidents, total_benefit]
{extra}""")
    return spec


def cli(*args: str | Path, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
        check=False,
        **kwargs,
    )


def results_of(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "results.parquet").drop(columns=["elapsed_s"])


# --- end to end -------------------------------------------------------------------------------
def test_sobol_batch_end_to_end(tmp_path):
    spec = write_spec(tmp_path, "sobol", samples=8)
    out = tmp_path / "batch"
    done = cli("sensitivity", spec, "--out", out, "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "runs to do" in done.stdout and "about" in done.stdout  # count and time estimate
    for name in (
        "batch.json",
        "design.parquet",
        "results.parquet",
        "samples.parquet",
        "indices.csv",
        "convergence.csv",
        "indices.png",
        "report.md",
    ):
        assert (out / name).exists(), name
    design = pd.read_parquet(out / "design.parquet")
    assert len(design) == 8 * (3 + 2)
    assert design["population.malicious"].dtype.kind == "i"  # integer keys stay integers
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == len(design) * 2 and (results["status"] == "ok").all()
    indices = pd.read_csv(out / "indices.csv")
    assert list(indices.columns) == ["outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(indices) == 2 * 3
    report = (out / "report.md").read_text()
    assert "Most influential parameters" in report and "costs.strip_cost_usd" in report


def test_morris_batch_end_to_end(tmp_path):
    spec = write_spec(tmp_path, "morris", samples=4, replications=1)
    out = tmp_path / "batch"
    done = cli("sensitivity", spec, "--out", out, "--workers", "1", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"results: {out}"
    indices = pd.read_csv(out / "indices.csv")
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(indices.columns)
    assert (out / "indices.png").exists()


def test_lhs_sweep_end_to_end(tmp_path):
    spec = write_spec(tmp_path, "lhs", samples=50, replications=1)
    done = cli("sensitivity", spec, "--out", tmp_path / "b", "--workers", "2")
    assert done.returncode == 0, done.stderr
    indices = pd.read_csv(tmp_path / "b" / "indices.csv")
    assert list(indices.columns) == ["outcome", "parameter", "S1", "S1_conf"]


# --- determinism ------------------------------------------------------------------------------
def test_results_are_identical_with_one_two_workers_and_dask(tmp_path):
    spec = write_spec(tmp_path, "sobol", samples=4)
    outs = {}
    for label, args in {
        "one": ["--workers", "1"],
        "two": ["--workers", "2"],
        "dask": ["--executor", "dask", "--workers", "2"],
    }.items():
        outs[label] = tmp_path / label
        done = cli("sensitivity", spec, "--out", outs[label], *args, "--quiet")
        assert done.returncode == 0, (label, done.stderr)
    for label in ("two", "dask"):
        pd.testing.assert_frame_equal(results_of(outs["one"]), results_of(outs[label]))
        assert (outs["one"] / "indices.csv").read_bytes() == (
            outs[label] / "indices.csv"
        ).read_bytes()


# --- resume -----------------------------------------------------------------------------------
def _wait_for_runs(folder: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while (
        len(list((folder / "runs").glob("*.parquet"))) < n if (folder / "runs").exists() else True
    ):
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.1)


def _start(spec: Path, out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "sensitivity",
            str(spec),
            "--out",
            str(out),
            "--quiet",
            *args,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_a_killed_batch_resumed_ends_with_exactly_the_uninterrupted_results(tmp_path):
    spec = write_spec(tmp_path, "sobol", samples=8, replications=2, steps=48)
    reference = tmp_path / "reference"
    assert cli("sensitivity", spec, "--out", reference, "--quiet").returncode == 0

    out = tmp_path / "killed"
    proc = _start(spec, out, "--workers", "1")
    _wait_for_runs(out, 10, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(list((out / "runs").glob("*.parquet")))
    assert 10 <= partial < 80 and not (out / "results.parquet").exists()

    done = cli("sensitivity", spec, "--out", out, "--resume", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert f"{80 - partial:,} runs to do" in done.stdout
    pd.testing.assert_frame_equal(results_of(reference), results_of(out))
    assert (reference / "indices.csv").read_bytes() == (out / "indices.csv").read_bytes()


def test_resuming_under_a_changed_spec_is_refused(tmp_path):
    spec = write_spec(tmp_path, "sobol", samples=4, replications=1)
    out = tmp_path / "b"
    assert cli("sensitivity", spec, "--out", out, "--quiet").returncode == 0
    done = cli("sensitivity", spec, "--out", out, "--resume", "--set", "seed=6")
    assert done.returncode == 2
    assert "spec has changed" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_new_batch_never_overwrites_an_existing_one(tmp_path):
    spec = write_spec(tmp_path, "sobol", samples=4, replications=1)
    out = tmp_path / "b"
    assert cli("sensitivity", spec, "--out", out, "--quiet").returncode == 0
    done = cli("sensitivity", spec, "--out", out)
    assert done.returncode == 2 and "already holds a batch" in done.stderr


# --- killed workers ---------------------------------------------------------------------------
def _descendants(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    kids = [int(p) for p in out]
    return kids + [g for k in kids for g in _descendants(k)]


def _python_cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_a_killed_worker_does_not_lose_the_batch(tmp_path, executor):
    spec = write_spec(tmp_path, "sobol", samples=8, replications=2, steps=48)
    reference = tmp_path / "reference"
    assert cli("sensitivity", spec, "--out", reference, "--quiet").returncode == 0

    out = tmp_path / "killed"
    proc = _start(spec, out, "--workers", "2", "--executor", executor)
    _wait_for_runs(out, 6, proc)
    # Forked pool workers share the parent's command line; Dask's run under nannies.
    workers = [
        p
        for p in _descendants(proc.pid)
        if "python" in _python_cmd(p) and "resource_tracker" not in _python_cmd(p)
    ]
    assert workers, "no worker process found"
    os.kill(workers[-1], signal.SIGKILL)
    _stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    pd.testing.assert_frame_equal(results_of(reference), results_of(out))


# --- failures and the NaN guard -----------------------------------------------------------
def test_a_failing_run_is_recorded_and_the_batch_goes_on_until_the_nan_guard(tmp_path, monkeypatch):
    spec = load_spec(write_spec(tmp_path, "sobol", samples=4, replications=1))
    real = work.simulate

    doomed = derive_seed(spec.seed, 3, 0)  # sample 3, replication 0

    def flaky(config, seed):
        if seed == doomed:
            raise RuntimeError("simulated model fault")
        return real(config, seed)

    monkeypatch.setattr(work, "simulate", flaky)
    out = tmp_path / "b"
    with pytest.raises(AnalysisError, match=r"total_misuse_incidents: .* have no value"):
        batch_runner.run_batch(
            spec, out, resume=False, executor="local", workers=1, scheduler=None, quiet=True
        )
    results = pd.read_parquet(out / "results.parquet")
    failed = results[results["status"] == "failed"]
    assert failed[["sample", "replication"]].values.tolist() == [[3, 0]]
    assert len(results) == 4 * 5  # every other run was made
    assert failed["error"].str.contains("simulated model fault").all()
    assert not (out / "indices.csv").exists()


def test_nan_outcomes_stop_the_analysis_with_a_clear_error(tmp_path):
    """first_incident_step is missing when a run has no incident: never silently zero."""
    spec = (
        write_spec(tmp_path, "sobol", samples=4, replications=1, extra="")
        .read_text()
        .replace(
            "outcomes: [total_misuse_incidents, total_benefit]", "outcomes: [first_incident_step]"
        )
    )
    (tmp_path / "nan.yaml").write_text(
        spec.replace("population.malicious: [2, 20]", "population.malicious: [0, 1]")
    )
    done = cli("sensitivity", tmp_path / "nan.yaml", "--out", tmp_path / "b", "--quiet")
    assert done.returncode == 2
    assert "first_incident_step" in done.stderr and "SALib would silently" in done.stderr


# --- spec validation ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("method: sobol", "method: fast"), "method: expected one of sobol, morris, lhs"),
        (("samples: 8", "samples: 10"), "samples: expected a power of 2"),
        (
            ("costs.strip_cost_usd: [50, 800]", "costs.strip_cost: [50, 800]"),
            "parameters.costs.strip_cost: expected a numeric scenario key",
        ),
        (("costs.strip_cost_usd: [50, 800]", "costs.strip_cost_usd: [800, 50]"), "low < high"),
        (
            ("sharing.hub_upload_prob: [0.05, 0.6]", "sharing.hub_upload_prob: [0.05, 1.6]"),
            "is not valid",
        ),
        (
            ("outcomes: [total_misuse_incidents, total_benefit]", "outcomes: [incidents]"),
            "unknown outcome 'incidents'",
        ),
        (("base: base.yaml", "base: nowhere.yaml"), "base: no such scenario file"),
        (("seed: 5", "seed: 5\nbogus: 1"), "bogus: unknown key"),
    ],
)
def test_bad_specs_are_user_errors_naming_the_key(tmp_path, change, expected):
    spec = write_spec(tmp_path, "sobol")
    spec.write_text(spec.read_text().replace(*change))
    with pytest.raises(ScenarioError, match=expected.replace("[", r"\[")):
        load_spec(spec)


def test_spec_errors_through_the_cli_write_nothing(tmp_path):
    spec = write_spec(tmp_path, "sobol", samples=8)
    done = cli("sensitivity", spec, "--set", "samples=6", "--out", tmp_path / "b")
    assert done.returncode == 2 and "power of 2" in done.stderr
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    "path", sorted((ROOT / "scenarios" / "sensitivity").glob("*.yaml")), ids=lambda p: p.stem
)
def test_shipped_specs_are_valid(path):
    spec = load_spec(path)
    assert spec.parameters and spec.outcomes


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --executor dask"),
        (["--resume"], "--resume needs --out"),
        (["--workers", "0"], "--workers: expected an integer >= 1"),
        (["--executor", "spark"], "invalid choice: 'spark'"),
    ],
)
def test_bad_sensitivity_flags_are_user_errors(tmp_path, args, expected):
    spec = write_spec(tmp_path, "sobol")
    done = cli("sensitivity", spec, *args)
    assert done.returncode == 2 and expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1

"""The benchmark harness works (not its timings: those live in benchmarks/, as ratios)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = (
    "ratio_vs_mesa_10k",
    "build_10k_s",
    "scaling_exponent",
    "run_100k_s",
    "peak_rss_100k_mib",
    "parallel_efficiency_2",
    "dask_vs_pool",
)


def test_quick_benchmark_writes_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    for key in KEYS:
        assert isinstance(results[key], float) and results[key] == results[key], key  # not NaN
        assert key in done.stdout
    assert results["quick"] is True
    assert set(results["sizes"]) == {"200", "400"}

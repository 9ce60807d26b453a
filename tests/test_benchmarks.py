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
    "app_step_s",
    "app_tick_s",
    "app_first_bands_s",
    "app_ensemble_s",
    "dask_vs_pool",
)


def test_quick_benchmark_writes_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--quick", "--huge", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    for key in (*KEYS, "build_1m_s", "run_1m_s", "peak_rss_1m_mib"):  # --huge adds three
        assert isinstance(results[key], float) and results[key] == results[key], key  # not NaN
        assert key in done.stdout
    assert results["quick"] is True
    assert set(results["sizes"]) == {"200", "400", "800"}  # 800: ours alone, for the exponent
    assert "mesa_boltzmann" not in results["sizes"]["800"]


# --- the equivalence check (benchmarks/equivalence.py) ------------------------------------
FAKE_SIM = {  # a stand-in "reference" whose runs give shifted outcomes
    "__init__.py": "",
    "scenario.py": "def load_scenario(path):\n    return {}\n",
    "config.py": "def with_overrides(config, overrides):\n    return config\n",
    "api.py": (
        "def simulate(config, seed):\n"
        "    return None, {'total_misuse_incidents': 1000 + seed % 7, 'steps': 12}\n"
    ),
}


def _equivalence(before: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.equivalence", "--before", str(before), "--seeds", "4",
         "--scenarios", "baseline", "--steps", "6", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_equivalence_check_passes_the_same_code_and_flags_a_different_model(tmp_path):
    same = _equivalence(ROOT, tmp_path / "same")
    assert same.returncode == 0, same.stderr
    assert "**0 of " in (tmp_path / "same" / "equivalence.md").read_text()

    fake = tmp_path / "fake"
    (fake / "sim").mkdir(parents=True)
    for name, text in FAKE_SIM.items():
        (fake / "sim" / name).write_text(text)
    different = _equivalence(fake, tmp_path / "different")
    assert different.returncode == 1, different.stderr
    table = (tmp_path / "different" / "equivalence.csv").read_text()
    assert "total_misuse_incidents" in table and "True" in table


def test_two_sample_difference_sees_a_shift_and_not_noise():
    import numpy as np

    from sim.experiments.stats import two_sample_difference

    rng = np.random.default_rng(3)
    x, y = rng.normal(10, 1, 40), rng.normal(10, 1, 40)
    same = two_sample_difference(x, y)
    assert same["ci_low"] < same["diff"] < same["ci_high"] and same["p_welch"] > 0.01
    shifted = two_sample_difference(x, y + 3)
    assert shifted["p_welch"] < 1e-6 and shifted["p_ks"] < 1e-6
    assert shifted["ci_low"] > 2 and shifted["ci_high"] < 4
    constant = two_sample_difference([5, 5, 5], [5, 5, 5])
    assert constant["diff"] == 0 and constant["p_welch"] == 1.0

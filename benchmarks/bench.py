"""Speed benchmarks, as ratios against references measured in the same run.

    python -m benchmarks.bench            # the full suite (make bench), a few minutes
    python -m benchmarks.bench --quick    # a tiny version that checks the harness works

Prints a table and writes ``benchmarks/results/latest.json``. Machines here are noisy, so the
targets are ratios or generous absolutes, each figure a median of several repeats after a
warm-up.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import EcosystemModel  # noqa: E402
from sim.api import simulate  # noqa: E402
from sim.config import make_config  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    actors: tuple[int, ...]
    scaling_actors: tuple[int, ...]  # ours alone, too for the scaling exponent
    steps: int
    repeats: int
    big_actors: int
    big_steps: int
    batch_runs: int
    batch_actors: int
    batch_steps: int


FULL = Sizes((1_000, 10_000, 32_000), (100_000,), 60, 3, 100_000, 120, 12, 3_000, 60)
QUICK = Sizes((200, 400), (800,), 6, 2, 2_000, 6, 4, 200, 6)


def population(actors: int) -> dict[str, Any]:
    """The baseline's proportions at any size: 2% malicious, one lab per ~400 actors."""
    labs = max(2, actors // 400)
    malicious = max(1, actors // 50)
    return {"labs": labs, "hobbyists": actors - labs - malicious, "malicious": malicious}


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_run(build: Callable[[], Any], run: Callable[[Any], Any], repeats: int) -> float:
    """Median time of ``run`` on a freshly built model (the build is not timed)."""
    run(build())  # warm-up
    times = []
    for _ in range(repeats):
        model = build()
        start = time.perf_counter()
        run(model)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _rates(
    actors: int, steps: int, build: Callable[[], Any], run: Callable[[Any], Any], repeats: int
) -> dict[str, float]:
    build_s = median_time(build, repeats)
    run_s = median_run(build, run, repeats)
    return {"build_s": build_s, "run_s": run_s, "agent_steps_per_s": actors * steps / run_s}


# --- our model and Mesa's Boltzmann wealth model ------------------------------------------
def ours(actors: int, steps: int, repeats: int) -> dict[str, float]:
    config = make_config({"population": population(actors), "steps": steps})
    return _rates(actors, steps, lambda: EcosystemModel(config, seed=1), lambda m: m.run(), repeats)


def boltzmann(actors: int, steps: int, repeats: int) -> dict[str, float]:
    """Mesa's own example, at one agent per cell as in the example's defaults."""
    from mesa.examples.basic.boltzmann_wealth_model.model import (
        BoltzmannScenario,
        BoltzmannWealth,
    )

    side = math.ceil(math.sqrt(actors))

    def build() -> Any:
        return BoltzmannWealth(BoltzmannScenario(n=actors, width=side, height=side, rng=1))

    def run(model: Any) -> None:
        for _ in range(steps):
            model.step()

    return _rates(actors, steps, build, run, repeats)


def ours_once(actors: int, steps: int) -> dict[str, float]:
    """One build and one run (the kernels are warm by now): for sizes too big to repeat."""
    config = make_config({"population": population(actors), "steps": steps})
    start = time.perf_counter()
    model = EcosystemModel(config, seed=1)
    built = time.perf_counter()
    model.run()
    run_s = time.perf_counter() - built
    return {"build_s": built - start, "run_s": run_s, "agent_steps_per_s": actors * steps / run_s}


# --- the app: one tick of the page at the default population -------------------------------
def app_step(repeats: int) -> dict[str, float]:
    """Median seconds of the single-run view's step (a month of the baseline at its default
    population, as Play advances it) and of the whole tick the server does for it: the step,
    the headline and the four Plotly figures serialised as the page sends them."""
    from sim.app import figures
    from sim.app.session import AppSession
    from sim.app.settings import Settings

    session = AppSession(Settings().base_config())
    steps, ticks = [], []
    for i in range(repeats + 12):  # a year in first: the figures have something to draw
        start = time.perf_counter()
        session.step()
        stepped = time.perf_counter()
        shown = [
            figures.run_figure(session.timeseries(), session.config.steps),
            figures.network_figure(session),
            figures.lineage_figure(session),
        ]
        session.headline()
        for figure in shown:
            figure.to_json()
        if i >= 12:
            steps.append(stepped - start)
            ticks.append(time.perf_counter() - start)
    return {"app_step_s": statistics.median(steps), "app_tick_s": statistics.median(ticks)}


def app_first_bands(repeats: int, query: str = "") -> dict[str, float]:
    """Seconds from a change of settings to the ensemble view's first bands (the first
    replication done in both arms, baseline and a bundle, at the default population), on
    the app's process pool once it is warm; and to the whole default ensemble (20 x 2)."""
    from sim.app import ensemble
    from sim.app.settings import Settings

    settings = Settings.from_query(f"policies.structured_access.enabled=true&{query}")
    list(ensemble.run_ensemble(settings.arms(), settings.seeds()[:2], lambda: False))  # warm
    first, whole = [], []
    for k in range(repeats):
        changed = settings.with_run(seed=100 + k)
        start = time.perf_counter()
        seen = None
        for state in ensemble.run_ensemble(changed.arms(), changed.seeds(), lambda: False):
            if seen is None and state.complete():
                seen = time.perf_counter() - start
        first.append(seen or math.nan)
        whole.append(time.perf_counter() - start)
    return {
        "app_first_bands_s": statistics.median(first),
        "app_ensemble_s": statistics.median(whole),
    }


def scaling_exponent(actors: tuple[int, ...], run_s: list[float]) -> float:
    """Slope of log(run time) on log(actors): 1.0 is linear."""
    return float(np.polyfit(np.log(actors), np.log(run_s), 1)[0])


# --- a very large run, in a child process so its peak memory is its own ---------------------
BIG_RUN = """
import resource, sys, time
sys.path.insert(0, {root!r})
from sim.api import simulate
start = time.perf_counter()
simulate({overrides!r}, seed=1)
wall = time.perf_counter() - start
print(wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


HUGE_RUN = """
import resource, sys, time
sys.path.insert(0, {root!r})
from sim.config import make_config
from sim import EcosystemModel
start = time.perf_counter()
model = EcosystemModel(make_config({overrides!r}), seed=1)
built = time.perf_counter()
model.run()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(built - start, time.perf_counter() - built, rss)
"""
HUGE_ACTORS, HUGE_STEPS = 1_000_000, 120


def huge_run(actors: int = HUGE_ACTORS, steps: int = HUGE_STEPS) -> dict[str, float]:
    """Build and run one very large model in a child process (``--huge``)."""
    code = HUGE_RUN.format(
        root=str(ROOT), overrides={"population": population(actors), "steps": steps}
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return {
        "build_1m_s": float(out[0]),
        "run_1m_s": float(out[1]),
        "peak_rss_1m_mib": float(out[2]) / 1024,
    }


def big_run(actors: int, steps: int) -> dict[str, float]:
    code = BIG_RUN.format(
        root=str(ROOT), overrides={"population": population(actors), "steps": steps}
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return {"wall_s": float(out[0]), "peak_rss_mib": float(out[1]) / 1024}


# --- batch throughput -----------------------------------------------------------------------
def _job(seed: int, overrides: dict[str, Any]) -> float:
    simulate(overrides, seed=seed)
    return 1.0


def batch_rates(sizes: Sizes, repeats: int) -> dict[str, float]:
    overrides = {"population": population(sizes.batch_actors), "steps": sizes.batch_steps}
    seeds = list(range(sizes.batch_runs))

    def serial() -> None:
        for s in seeds:
            _job(s, overrides)

    def pool() -> None:
        with ProcessPoolExecutor(2) as ex:
            list(ex.map(_job, seeds, [overrides] * len(seeds)))

    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):

        def dask() -> None:
            futures = client.map(_job, seeds, [overrides] * len(seeds), pure=False)
            client.gather(futures)

        dask_s = median_time(dask, repeats)
    one_s, two_s = median_time(serial, repeats), median_time(pool, repeats)
    n = len(seeds)
    return {"runs_per_s_1": n / one_s, "runs_per_s_2": n / two_s, "runs_per_s_dask_2": n / dask_s}


# --- the report -------------------------------------------------------------------------------
def measure(sizes: Sizes) -> dict[str, Any]:
    rows = {}
    for n in sizes.actors:
        rows[n] = {
            "ours": ours(n, sizes.steps, sizes.repeats),
            "mesa_boltzmann": boltzmann(n, sizes.steps, sizes.repeats),
        }
        print(
            f"  {n:>7,} actors: ours {rows[n]['ours']['agent_steps_per_s']:,.0f} "
            f"agent-steps/s, Mesa Boltzmann "
            f"{rows[n]['mesa_boltzmann']['agent_steps_per_s']:,.0f}",
            file=sys.stderr,
        )
    for n in sizes.scaling_actors:
        rows[n] = {"ours": ours_once(n, sizes.steps)}
        rate = rows[n]["ours"]["agent_steps_per_s"]
        print(f"  {n:>7,} actors: ours {rate:,.0f} agent-steps/s", file=sys.stderr)
    scaled = sizes.actors + sizes.scaling_actors
    exponent = scaling_exponent(scaled, [rows[n]["ours"]["run_s"] for n in scaled])
    big = big_run(sizes.big_actors, sizes.big_steps)
    batch = batch_rates(sizes, sizes.repeats)
    ref = 10_000 if 10_000 in rows else sizes.actors[-1]
    return {
        "ratio_vs_mesa_10k": rows[ref]["ours"]["agent_steps_per_s"]
        / rows[ref]["mesa_boltzmann"]["agent_steps_per_s"],
        "build_10k_s": rows[ref]["ours"]["build_s"],
        "scaling_exponent": exponent,
        "run_100k_s": big["wall_s"],
        "peak_rss_100k_mib": big["peak_rss_mib"],
        "parallel_efficiency_2": batch["runs_per_s_2"] / (2 * batch["runs_per_s_1"]),
        "dask_vs_pool": batch["runs_per_s_dask_2"] / batch["runs_per_s_2"],
        "batch_runs_per_min_serial": 60 * batch["runs_per_s_1"],
        "batch_runs_per_min_pool_2": 60 * batch["runs_per_s_2"],
        "batch_runs_per_min_dask_2": 60 * batch["runs_per_s_dask_2"],
        **app_step(3 if sizes is QUICK else 10),
        **(
            app_first_bands(1, "reps=4&steps=12&population.hobbyists=300")
            if sizes is QUICK
            else app_first_bands(3)
        ),
        "sizes": {n: rows[n] for n in scaled},
        "batch": batch,
        "settings": sizes.__dict__,
        "machine": {
            "python": platform.python_version(),
            "cpus": len(_cpus()),
            "platform": platform.platform(),
        },
    }


def _cpus() -> set[int]:
    import os

    return os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else {0}


TARGETS = [  # key, comparison, target, meaning (issue 13's targets, and our own)
    ("ratio_vs_mesa_10k", ">=", 8.0, "agent-steps/s vs Mesa's Boltzmann model, 10k actors"),
    ("build_10k_s", "<", 1.0, "seconds to build 10k actors"),
    ("scaling_exponent", "<=", 1.05, "run time ~ actors^k, 1k to 100k"),
    ("run_100k_s", "<", 10.0, "seconds for 100k actors x 120 months (build included)"),
    ("peak_rss_100k_mib", "<", 2048.0, "MiB peak memory of that run"),
    ("parallel_efficiency_2", ">=", 0.85, "runs/s with 2 workers / (2 x 1 worker)"),
    ("dask_vs_pool", ">=", 0.9, "Dask LocalCluster (2) vs local pool (2) runs/s"),
    ("app_step_s", "<", 0.3, "seconds per app step (a month) at the default population"),
    ("app_first_bands_s", "<", 5.0, "seconds from a change to the app's first bands (2 arms)"),
]
REPORTED = [  # figures without a target
    ("app_tick_s", "seconds per app tick: the step, the page's four figures as JSON"),
    ("app_ensemble_s", "seconds for the app's default ensemble (20 seeds x 2 arms)"),
    ("batch_runs_per_min_serial", "batch throughput, runs a minute in one process"),
    ("batch_runs_per_min_pool_2", "batch throughput, runs a minute on a 2-process pool"),
    ("batch_runs_per_min_dask_2", "batch throughput, runs a minute on Dask (2 workers)"),
]
HUGE_TARGETS = [  # only with --huge
    ("build_1m_s", "<", 10.0, "seconds to build 1M actors"),
    ("run_1m_s", "<", 600.0, "seconds for 1M actors x 120 months"),
    ("peak_rss_1m_mib", "<", 8192.0, "MiB peak memory of that run"),
]


def table(results: dict[str, Any], quick: bool) -> str:
    ops = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b}
    lines = [f"{'measure':<24} {'value':>10}  target    {'':4}  meaning"]
    for key, op, target, meaning in TARGETS + HUGE_TARGETS:
        if key not in results:
            continue
        value = results[key]
        verdict = "-" if quick else ("PASS" if ops[op](value, target) else "MISS")
        lines.append(f"{key:<24} {value:>10.3f}  {op} {target:<6g} {verdict:<4}  {meaning}")
    for key, meaning in REPORTED:
        if key in results:
            lines.append(f"{key:<24} {results[key]:>10.3f}  {'':13}  {meaning}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench", description="Speed benchmarks (see docs/performance.md)."
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness")
    parser.add_argument(
        "--huge",
        action="store_true",
        help=f"also build and run {HUGE_ACTORS:,} actors x {HUGE_STEPS} months (long)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "latest.json",
        help="where to write the JSON",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    print(f"benchmarking ({'quick' if args.quick else 'full'}) ...", file=sys.stderr)
    results = measure(sizes)
    if args.huge:
        results |= huge_run(20_000, 6) if args.quick else huge_run()
    results["quick"] = args.quick
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(table(results, args.quick))
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The app's ensembles: every arm's replications on a process pool, as results arrive.

One pool serves every browser session of a server (at most as many processes as cores);
each session submits its own runs and cancels the ones still queued when its settings change
or its tab closes. Runs are submitted replication by replication, both arms of a
replication together, so the paired table can start with the first replications done.
Results are the same numbers the command line gives for the same configuration and seed
(``sim.api.simulate``), and the table is ``compare``'s (``comparison_table``).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.api import simulate
from sim.config import Config
from sim.experiments.comparison import comparison_table
from sim.experiments.executors import default_workers
from sim.experiments.runs import Runs

# The paired table: the outcomes a workshop asks about first.
TABLE_OUTCOMES = (
    "total_misuse_incidents",
    "total_severe_incidents",
    "total_harm_incl_baseline",
    "total_benign_finetunes",
    "total_benefit",
    "mean_oversight_coverage",
)
BAND = (0.05, 0.95)  # a 90% band across replications

_pool: cf.ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def watch_parent(parent: int) -> None:
    """A pool worker's initializer: leave when the server is gone (it may be stopped with
    SIGTERM, which runs no clean-up that would stop the pool)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def warm_up() -> int:
    """A worker's first job: load the model and its compiled kernels before a user waits."""
    simulate({"steps": 1, "population": {"labs": 2, "hobbyists": 20, "malicious": 2}}, seed=0)
    return os.getpid()


def pool() -> cf.ProcessPoolExecutor:
    """The server's pool, started (and warmed) on first use. ``spawn``: the server runs
    threads, which ``fork`` would copy in an unknown state."""
    global _pool
    with _pool_lock:
        if _pool is None:
            workers = max(1, default_workers())
            _pool = cf.ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=watch_parent,
                initargs=(os.getpid(),),
            )
            for _ in range(workers):
                _pool.submit(warm_up)
        return _pool


@dataclass
class Ensemble:
    """What has come back so far: ``results[arm][replication] = (time series, summary)``."""

    arms: dict[str, Config]
    seeds: list[int]
    results: dict[str, dict[int, tuple[pd.DataFrame, dict[str, Any]]]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.arms) * len(self.seeds)

    @property
    def done(self) -> int:
        return sum(len(r) for r in self.results.values())

    @property
    def finished(self) -> bool:
        return self.done == self.total

    def complete(self) -> list[int]:
        """Replications finished in every arm (what paired statistics can use)."""
        return [r for r in range(len(self.seeds))
                if all(r in self.results.get(a, {}) for a in self.arms)]  # fmt: skip

    def runs(self) -> Runs:
        """The complete replications, as every verb holds results."""
        reps = self.complete()
        return Runs.of(
            {arm: [self.results[arm][r] for r in reps] for arm in self.arms},
            [self.seeds[r] for r in reps],
        )

    def copy(self) -> Ensemble:
        return Ensemble(self.arms, self.seeds, {a: dict(r) for a, r in self.results.items()})


class EnsembleRun:
    """One session's ensemble on the shared pool: submitted when first iterated, and
    stoppable from any thread (a settings change, the tab closing) even while nobody is
    iterating it: :meth:`cancel` drops every run still queued."""

    def __init__(self, arms: dict[str, Config], seeds: list[int]) -> None:
        self.state = Ensemble(arms, seeds, {a: {} for a in arms})
        self.futures: dict[cf.Future, tuple[str, int]] = {}
        self.lock = threading.Lock()
        self.stopped = False

    def cancel(self, why: str = "stopped") -> None:
        with self.lock:
            if self.stopped:
                return
            self.stopped = True
            cancelled = sum(f.cancel() for f in self.futures)
        if self.futures and not self.state.finished:
            # the server's log (Solara sends a session's sys.stderr to its page)
            print(f"finetune-hazards app: ensemble {why}: {self.state.done} of "
                  f"{self.state.total} runs done, {cancelled} queued runs cancelled",
                  file=sys.__stderr__, flush=True)  # fmt: skip

    def snapshots(self, stop: Callable[[], bool], every_s: float = 0.3) -> Iterator[Ensemble]:
        """Submit every (arm, replication), replication by replication; yield a snapshot as
        results arrive (at most every ``every_s``, and when all are in). ``stop()`` ends it."""
        state, executor = self.state, pool()
        with self.lock:
            if self.stopped:
                return
            self.futures = {
                executor.submit(simulate, state.arms[arm], seed): (arm, r)
                for r, seed in enumerate(state.seeds)
                for arm in state.arms
            }
        pending = set(self.futures)
        last = 0.0
        try:
            while pending:
                if stop() or self.stopped:
                    return
                done, pending = cf.wait(pending, timeout=0.1, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    if future.cancelled():
                        continue
                    arm, r = self.futures[future]
                    state.results[arm][r] = future.result()
                now = time.monotonic()
                if done and (now - last >= every_s or not pending):
                    last = now
                    yield state.copy()
        finally:
            self.cancel()


def run_ensemble(
    arms: dict[str, Config],
    seeds: list[int],
    stop: Callable[[], bool],
    every_s: float = 0.3,
) -> Iterator[Ensemble]:
    """Every arm's replications on the pool, a snapshot at a time (see :class:`EnsembleRun`)."""
    yield from EnsembleRun(arms, seeds).snapshots(stop, every_s)


def bands(state: Ensemble, column: str) -> dict[str, pd.DataFrame]:
    """Per arm, per month: the median and the 90% band across the replications so far."""
    out = {}
    for arm, results in state.results.items():
        if not results:
            continue
        frames = [results[r][0] for r in sorted(results)]
        values = np.vstack([values_of(f, column) for f in frames])
        with np.errstate(all="ignore"):
            low, mid, high = np.nanquantile(values, [BAND[0], 0.5, BAND[1]], axis=0)
        out[arm] = pd.DataFrame(
            {"date": frames[0]["date"].to_numpy(), "median": mid, "low": low, "high": high,
             "n": len(frames)}
        )  # fmt: skip
    return out


def values_of(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column of one run (``cumulative:x``: the running total of x over the run)."""
    if column.startswith("cumulative:"):
        return np.cumsum(frame[column.removeprefix("cumulative:")].to_numpy(dtype=float))
    return frame[column].to_numpy(dtype=float)


def paired_table(state: Ensemble) -> pd.DataFrame:
    """``compare``'s table over the complete replications: mean and 95% CI per arm, and the
    bundle's paired difference from the base."""
    return comparison_table(state.runs(), TABLE_OUTCOMES)


def tidy_csv(state: Ensemble) -> str:
    """Every run's time series, one row per arm, replication and month."""
    frames = []
    for arm in state.arms:
        for r in sorted(state.results.get(arm, {})):
            frame = state.results[arm][r][0]
            frames.append(frame.assign(arm=arm, replication=r, seed=state.seeds[r]))
    if not frames:
        return ""
    table = pd.concat(frames, ignore_index=True)
    first = ["arm", "replication", "seed"]
    return table[first + [c for c in table.columns if c not in first]].to_csv(index=False)

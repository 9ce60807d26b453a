"""Run many replications, in parallel on the local cores when there are several.

Each job is (config, seed); results come back in job order whatever order they finish in,
so the output does not depend on the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import pandas as pd
from tqdm import tqdm

from sim.api import simulate
from sim.config import Config

Result = tuple[pd.DataFrame, dict[str, Any]]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def run_jobs(
    jobs: Sequence[tuple[Config, int]],
    workers: int | None = None,
    progress: bool = False,
    desc: str = "runs",
) -> list[Result]:
    """Run every (config, seed) job; ``workers`` processes (1 = in this process)."""
    workers = min(workers or default_workers(), len(jobs)) or 1
    bar = tqdm(total=len(jobs), desc=desc, unit="run", disable=not progress, leave=False)
    results: list[Result | None] = [None] * len(jobs)
    try:
        if workers == 1:
            for i, (config, seed) in enumerate(jobs):
                results[i] = simulate(config, seed=seed)
                bar.update()
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = {
                    pool.submit(simulate, config, seed): i for i, (config, seed) in enumerate(jobs)
                }
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    bar.update()
    finally:
        bar.close()
    return [r for r in results if r is not None]

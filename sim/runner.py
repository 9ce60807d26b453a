"""Run many replications for ``run`` and ``compare``, on the local cores when there are several.

Each job is (config, seed); results come back in job order whatever order they finish in,
so the output does not depend on the number of workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from tqdm import tqdm

from sim.api import simulate
from sim.config import Config
from sim.executors import default_workers, execute

Result = tuple[pd.DataFrame, dict[str, Any]]


def run_jobs(
    jobs: Sequence[tuple[Config, int]],
    workers: int | None = None,
    progress: bool = False,
    desc: str = "runs",
) -> list[Result]:
    """Run every (config, seed) job; ``workers`` processes (1 = in this process)."""
    results: list[Result | None] = [None] * len(jobs)
    with tqdm(total=len(jobs), desc=desc, unit="run", disable=not progress, leave=False) as bar:

        def done(i: int, result: Result) -> None:
            results[i] = result
            bar.update()

        execute(simulate, list(jobs), done, workers=workers or default_workers())
    return [r for r in results if r is not None]

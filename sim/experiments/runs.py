"""Many runs of the model: labelled arms of (seed, time series, summary), over common seeds.

Every verb that runs the model more than once (``run``, ``compare``, ``validate``,
``frontier``, the app's export) holds its results as one :class:`Runs` and gets them from
:func:`run_arms`. An *arm* is one configuration (a scenario, a validation world, a policy
bundle); every arm runs on the same seeds, so arms can be compared seed by seed (common
random numbers). Runs come back in (arm, seed) order whatever order they finish in, so the
results never depend on the executor or the number of workers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from sim.api import simulate
from sim.config import Config
from sim.experiments.executors import default_workers, execute
from sim.experiments.posterior import Posterior
from sim.outcomes import COLUMNS

RUN_KEYS = ("replication", "seed")  # what identifies a run within an arm, in table order


@dataclass(frozen=True)
class Execution:
    """Where a verb writes its results folder and how its runs execute."""

    out: Path = Path("results")
    workers: int | None = None  # local processes; None = all cores; 1 = in this process
    progress: bool = False  # a progress bar on the terminal
    posterior: Posterior | None = None  # each replication at its own draw (--posterior)


@dataclass(frozen=True)
class Run:
    """One replication: its seed, its time series (one row per month) and its summary."""

    seed: int
    timeseries: pd.DataFrame
    summary: dict[str, Any]


@dataclass(frozen=True)
class Runs:
    """Labelled arms of runs; ``arms[label][r]`` is replication ``r``, on ``seeds[r]``."""

    arms: dict[str, tuple[Run, ...]]
    seeds: tuple[int, ...]

    @classmethod
    def of(
        cls,
        arms: Mapping[str, Sequence[tuple[pd.DataFrame, dict[str, Any]]]],
        seeds: Sequence[int] | None = None,
    ) -> Runs:
        """Runs from (time series, summary) pairs per arm, e.g. results computed elsewhere;
        ``seeds`` default to 0, 1, 2..."""
        n = len(next(iter(arms.values()))) if arms else 0
        seeds = tuple(range(n)) if seeds is None else tuple(int(s) for s in seeds)
        return cls(
            {
                label: tuple(
                    Run(seed, frame, summary)
                    for seed, (frame, summary) in zip(seeds, results, strict=True)
                )
                for label, results in arms.items()
            },
            seeds,
        )

    @classmethod
    def single(cls, label: str, seed: int, timeseries: pd.DataFrame, summary: dict) -> Runs:
        """One arm of one run (e.g. the app's interactive run)."""
        return cls({label: (Run(seed, timeseries, summary),)}, (seed,))

    # --- access ---------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        return list(self.arms)

    def __getitem__(self, label: str) -> tuple[Run, ...]:
        return self.arms[label]

    def __iter__(self) -> Iterator[str]:
        return iter(self.arms)

    def __len__(self) -> int:
        return len(self.arms)

    def __contains__(self, label: object) -> bool:
        return label in self.arms

    def select(self, labels: Sequence[str]) -> Runs:
        """The same runs, keeping only (and ordered as) ``labels``."""
        return Runs({label: self.arms[label] for label in labels}, self.seeds)

    def summaries(self, label: str) -> list[dict[str, Any]]:
        return [run.summary for run in self.arms[label]]

    def frames(self, label: str) -> list[pd.DataFrame]:
        return [run.timeseries for run in self.arms[label]]

    def values(self, label: str, key: str) -> list[Any]:
        """One summary value per replication (None where a run has none)."""
        return [run.summary[key] for run in self.arms[label]]

    # --- tables ---------------------------------------------------------------------------
    def table(self, label_column: str = "arm") -> pd.DataFrame:
        """Tidy: one row per (arm, replication) with every scalar summary value."""
        return pd.DataFrame(
            [
                {label_column: label, "replication": rep, "seed": run.seed}
                | {k: v for k, v in run.summary.items() if not isinstance(v, (list, dict))}
                for label, runs in self.arms.items()
                for rep, run in enumerate(runs)
            ]
        )

    def timeseries(self, label: str | None = None) -> pd.DataFrame:
        """The stacked time series of one arm (the only one if ``label`` is None):
        ``replication``, ``seed``, then the outcome columns, one row per month and run."""
        if label is None:
            (label,) = self.arms
        frames = [
            run.timeseries.assign(replication=rep, seed=run.seed)
            for rep, run in enumerate(self.arms[label])
        ]
        stacked = pd.concat(frames, ignore_index=True)
        return stacked[[*RUN_KEYS, *COLUMNS]]


def run_arms(
    arms: Mapping[str, Config],
    seeds: Sequence[int],
    *,
    workers: int | None = None,
    progress: bool = False,
    desc: str = "runs",
    posterior: Posterior | None = None,
    base: Config | None = None,
) -> Runs:
    """Run every arm's configuration on every seed; ``workers`` processes (1 = in this one).

    Args:
        arms: label -> configuration, in the order the results should keep.
        seeds: the common seeds (one replication each).
        workers: processes for a local pool; default all cores; 1 runs in this process.
        progress: show a progress bar (on a terminal).
        desc: the progress bar's label.
        posterior: run each replication at its own draw from this posterior (the same
            draw in every arm; ``sim.experiments.posterior``); its summary records the
            values drawn under ``posterior_draw``.
        base: the configuration an arm is compared with to see which posterior keys it
            set itself (default: the first arm).
    """
    labels = list(arms)
    calls = [(arms[label], seed) for label in labels for seed in seeds]
    drawn: list[dict[str, Any]] = [{}] * len(calls)
    if posterior is not None:
        reference = base if base is not None else arms[labels[0]]
        applied = [posterior.apply(config, seed, reference) for config, seed in calls]
        calls = [(config, seed) for (config, _), (_, seed) in zip(applied, calls, strict=True)]
        drawn = [values for _, values in applied]
    results: list[tuple[pd.DataFrame, dict[str, Any]] | None] = [None] * len(calls)
    with tqdm(total=len(calls), desc=desc, unit="run", disable=not progress, leave=False) as bar:

        def done(i: int, result: tuple[pd.DataFrame, dict[str, Any]]) -> None:
            results[i] = result
            bar.update()

        execute(simulate, calls, done, workers=workers or default_workers())
    n = len(seeds)
    out: dict[str, tuple[Run, ...]] = {}
    for a, label in enumerate(labels):
        runs = []
        for r, seed in enumerate(seeds):
            result = results[a * n + r]
            assert result is not None, "an executor returned without every result"
            summary = result[1]
            if posterior is not None:
                summary = {**summary, "posterior_draw": drawn[a * n + r]}
            runs.append(Run(int(seed), result[0], summary))
        out[label] = tuple(runs)
    return Runs(out, tuple(int(s) for s in seeds))

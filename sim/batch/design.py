"""The experimental design: SALib samples of the parameters, and a seed for every run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.batch.spec import Spec
from sim.experiments.seeding import derive_seed

SAMPLING_KEY = 2**31  # spawn key of the sampling stream, apart from every run's (sample, rep)


def design(spec: Spec) -> pd.DataFrame:
    """One row per sample (index ``sample``), one column per parameter."""
    problem = spec.problem()
    seed = derive_seed(spec.seed, SAMPLING_KEY) % 2**32  # SALib takes 32-bit seeds
    if spec.method == "sobol":
        x = sobol_sample.sample(problem, spec.samples, calc_second_order=False, seed=seed)
    elif spec.method == "morris":
        x = morris_sample.sample(problem, spec.samples, num_levels=4, seed=seed)
    else:
        x = latin.sample(problem, spec.samples, seed=seed)
    frame = pd.DataFrame(x, columns=problem["names"])
    for p in spec.parameters:
        if p.integer:
            frame[p.key] = frame[p.key].round().astype(np.int64)
    frame.index.name = "sample"
    return frame


@dataclass(frozen=True)
class Task:
    sample: int
    replication: int
    seed: int
    overrides: dict[str, Any]

    @property
    def name(self) -> str:
        return f"s{self.sample:06d}-r{self.replication:03d}"


def tasks(spec: Spec, frame: pd.DataFrame) -> list[Task]:
    out = []
    for sample, row in zip(frame.index.tolist(), frame.to_dict("records"), strict=True):
        overrides = {
            k: (int(v) if isinstance(v, (np.integer, int)) else float(v)) for k, v in row.items()
        }
        for rep in range(spec.replications):
            out.append(Task(sample, rep, derive_seed(spec.seed, sample, rep), overrides))
    return out

"""Sensitivity indices with SALib's estimators (never re-implemented here), seeded.

Sobol: first-order and total indices with bootstrap confidence intervals; Morris: mu*, its
confidence interval, sigma; LHS sweep: first-order indices by RBD-FAST (which works on any
sample, such as a Latin hypercube). A missing or
NaN outcome stops the analysis: SALib would silently return zeros or NaN for it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import rbd_fast as rbd_fast_analyze
from SALib.analyze import sobol as sobol_analyze

from sim.batch.design import SAMPLING_KEY
from sim.batch.spec import Spec
from sim.errors import UserError
from sim.experiments.seeding import derive_seed

MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "lhs": "S1"}


class AnalysisError(UserError):
    """The results cannot be analysed as asked (e.g. an outcome with missing values)."""


def analyse(spec: Spec, samples: pd.DataFrame, fraction: float = 1.0) -> pd.DataFrame:
    """Indices for every outcome and parameter, using the first ``fraction`` of the design."""
    problem = spec.problem()
    rows = _rows_used(spec, len(samples), fraction)
    x = samples[problem["names"]].to_numpy(dtype=float)[:rows]
    seed = derive_seed(spec.seed, SAMPLING_KEY + 1) % 2**32  # SALib takes 32-bit seeds
    out = []
    for outcome in spec.outcomes:
        y = samples[outcome].to_numpy(dtype=float)[:rows]
        missing = int(np.isnan(y).sum())
        if missing:
            raise AnalysisError(
                f"outcome {outcome}: {missing} of {len(y)} samples have no value (failed runs, "
                "or a statistic that can be missing such as first_incident_step); SALib would "
                "silently return zeros, so the analysis stops. Drop the outcome or fix the runs."
            )
        for index_row in _indices(spec, problem, x, y, seed):
            out.append({"outcome": outcome, **index_row})
    return pd.DataFrame(out)


def _rows_used(spec: Spec, total: int, fraction: float) -> int:
    d = len(spec.parameters)
    block = {"sobol": d + 2, "morris": d + 1, "lhs": 1}[spec.method]
    base = total // block
    return max(2, int(base * fraction)) * block


def _indices(spec: Spec, problem: dict, x: np.ndarray, y: np.ndarray, seed: int) -> list[dict]:
    names = problem["names"]
    if spec.method == "sobol":
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        return [
            {
                "parameter": n,
                "S1": si["S1"][i],
                "S1_conf": si["S1_conf"][i],
                "ST": si["ST"][i],
                "ST_conf": si["ST_conf"][i],
            }
            for i, n in enumerate(names)
        ]
    if spec.method == "morris":
        si = morris_analyze.analyze(problem, x, y, num_levels=4, seed=seed)
        return [
            {
                "parameter": n,
                "mu": si["mu"][i],
                "mu_star": si["mu_star"][i],
                "mu_star_conf": si["mu_star_conf"][i],
                "sigma": si["sigma"][i],
            }
            for i, n in enumerate(names)
        ]
    si = rbd_fast_analyze.analyze(problem, x, y, seed=seed)
    return [
        {"parameter": n, "S1": si["S1"][i], "S1_conf": si["S1_conf"][i]}
        for i, n in enumerate(names)
    ]


def convergence(spec: Spec, samples: pd.DataFrame, full: pd.DataFrame) -> pd.DataFrame:
    """The main index at half the sample against the full sample."""
    key = MAIN_INDEX[spec.method]
    half = analyse(spec, samples, fraction=0.5)
    merged = full[["outcome", "parameter", key]].merge(
        half[["outcome", "parameter", key]],
        on=["outcome", "parameter"],
        suffixes=("_full", "_half"),
    )
    merged["abs_change"] = (merged[f"{key}_full"] - merged[f"{key}_half"]).abs()
    return merged

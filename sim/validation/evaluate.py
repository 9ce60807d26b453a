"""Judge each claim from the runs: effect size, confidence interval, test and verdict.

A directional claim PASSes when the paired difference has the expected sign and the one-sided
Wilcoxon signed-rank test is significant after Holm's correction across the table's claims
(so checking twenty claims does not make a lucky PASS likely). "Zero" claims PASS only when
every run is exactly zero.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.stats import holm, paired_test
from sim.validation.claims import Claim, Term

Runs = dict[str, list[tuple[pd.DataFrame, dict[str, Any]]]]  # world -> one result per seed

WILCOXON = "Wilcoxon signed-rank, one-sided, paired by seed"
EXACT_ZERO = "every run = 0"


def side_values(terms: tuple[Term, ...], runs: Runs) -> np.ndarray:
    """The side's value for each seed: the weighted sum of its terms."""
    seeds = len(runs[terms[0][1]])
    values = np.zeros(seeds)
    for weight, world, measure in terms:
        values += weight * np.array([measure(frame, summary) for frame, summary in runs[world]])
    return values


def evaluate(claims: list[Claim], runs: Runs, alpha: float) -> pd.DataFrame:
    """One row per claim, in the order given."""
    rows: list[dict[str, Any]] = []
    for claim in claims:
        row: dict[str, Any] = {
            "id": claim.id,
            "claim": claim.statement,
            "source": claim.source,
            "condition": claim.condition,
            "comparison": claim.comparison(),
            "outcome": claim.outcome,
            "expect": claim.expect,
        }
        treatment = side_values(claim.treatment, runs)
        if claim.expect == "zero":
            row.update(_zero(treatment))
        else:
            reference = side_values(claim.reference, runs)
            row.update(paired_test(reference, treatment, claim.expect))
            if len(claim.reference) > 1:  # a difference of effects: no meaningful base level
                row["relative"] = None
            row["test"] = WILCOXON
        rows.append(row)
    table = pd.DataFrame(rows)
    directional = table["expect"] != "zero"
    table["p_holm"] = np.nan
    table.loc[directional, "p_holm"] = holm(table.loc[directional, "p"].tolist(), alpha)
    verdicts = [_verdict(row, alpha) for row in table.to_dict("records")]
    table["verdict"] = [v for v, _ in verdicts]
    table["note"] = [n for _, n in verdicts]
    return table


def _zero(values: np.ndarray) -> dict[str, Any]:
    return {
        "n": len(values),
        "reference_mean": 0.0,
        "treatment_mean": float(values.mean()) if len(values) else None,
        "diff_mean": float(values.mean()) if len(values) else None,
        "diff_ci_low": float(values.min()) if len(values) else None,
        "diff_ci_high": float(values.max()) if len(values) else None,
        "relative": None,
        "d_z": None,
        "p": math.nan,
        "test": EXACT_ZERO,
    }


def _verdict(row: dict[str, Any], alpha: float) -> tuple[str, str]:
    if row["expect"] == "zero":
        worst = row["diff_ci_high"]
        ok = row["n"] > 0 and worst == 0
        return ("PASS", "") if ok else ("FAIL", f"largest run: {worst:g}")
    diff = row["diff_mean"]
    if diff is None or (isinstance(diff, float) and math.isnan(diff)) or diff == 0:
        return "FAIL", "no difference at all"
    right_way = (diff > 0) == (row["expect"] == "increase")
    if not right_way:
        return "FAIL", "moved the other way"
    if row["p_holm"] < alpha:
        return "PASS", ""
    return "FAIL", f"right direction, not significant (Holm p = {row['p_holm']:.2g})"

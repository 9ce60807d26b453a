"""Judge each claim from the runs: effect size, confidence interval, test and verdict.

A directional claim PASSes when the paired difference has the expected sign, the one-sided
Wilcoxon signed-rank test is significant after Holm's correction across the table's claims
(so checking twenty claims does not make a lucky PASS likely), and the 95% CI of the mean
change excludes zero (so a PASS never shows an interval that allows no effect). "Zero"
claims PASS only when every run is exactly zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.runs import Runs
from sim.experiments.stats import holm, paired_test
from sim.validation.claims import Claim, Term

WILCOXON = "Wilcoxon signed-rank, 1-sided, paired"
EXACT_ZERO = "every run = 0"


def side_values(terms: tuple[Term, ...], runs: Runs) -> np.ndarray:
    """The side's value for each seed: the weighted sum of its terms."""
    values = np.zeros(len(runs.seeds))
    for weight, world, measure in terms:
        values += weight * np.array([measure(run.timeseries, run.summary) for run in runs[world]])
    return values


def evaluate(
    claims: list[Claim],
    runs: Runs,
    alpha: float,
    identical: Callable[[str, str], bool] = lambda a, b: False,
) -> pd.DataFrame:
    """One row per claim, in the order given.

    ``identical(a, b)`` says whether two worlds have the same configuration (e.g. the base
    scenario already enables the policy a claim switches on): such a claim cannot be
    checked, and is marked N/A rather than counted as a FAIL or in Holm's family.
    """
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
        if _same_world(claim, identical):
            row.update(_zero(treatment))
            row.update({"test": "-", "reference_mean": None, "diff_ci_low": None})
            row.update({"diff_mean": None, "diff_ci_high": None, "not_applicable": True})
        elif claim.expect == "zero":
            row.update(_zero(treatment))
        else:
            reference = side_values(claim.reference, runs)
            row.update(paired_test(reference, treatment, claim.expect))
            if len(claim.reference) > 1:  # a difference of effects: no meaningful base level
                row["relative"] = None
            row["test"] = WILCOXON
        rows.append(row)
    table = pd.DataFrame(rows)
    if "not_applicable" not in table:
        table["not_applicable"] = False
    table["not_applicable"] = table["not_applicable"].fillna(False).astype(bool)
    directional = (table["expect"] != "zero") & ~table["not_applicable"]
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


def _same_world(claim: Claim, identical: Callable[[str, str], bool]) -> bool:
    if claim.expect == "zero" or len(claim.reference) != 1 or len(claim.treatment) != 1:
        return False
    (_, ref, ref_measure), (_, treat, treat_measure) = claim.reference[0], claim.treatment[0]
    return ref != treat and ref_measure.__name__ == treat_measure.__name__ and identical(ref, treat)


def _verdict(row: dict[str, Any], alpha: float) -> tuple[str, str]:
    if row["not_applicable"]:
        return "N/A", "both worlds are the same configuration (the base already sets this)"
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
    low, high = row["diff_ci_low"], row["diff_ci_high"]
    excludes_zero = low is not None and not pd.isna(low) and (low > 0 or high < 0)
    if row["p_holm"] < alpha and excludes_zero:
        return "PASS", ""
    if row["p_holm"] < alpha:
        return "FAIL", "ranks significant, but the 95% CI of the mean change includes 0"
    return "FAIL", f"right direction, not significant (Holm p = {row['p_holm']:.2g})"

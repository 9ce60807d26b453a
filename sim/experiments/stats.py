"""Means with 95% confidence intervals, for independent and for paired replications."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats


def mean_ci(values: Sequence[float], level: float = 0.95) -> dict[str, float | int | None]:
    """Mean and Student-t confidence interval; the interval is None for fewer than 2 values.

    Missing values (None/NaN) are dropped and counted out of ``n``.
    """
    x = np.array([v for v in values if v is not None], dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(x.mean())
    if n < 2:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": n}
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def paired_difference(
    a: Sequence[float], b: Sequence[float], level: float = 0.95
) -> dict[str, float | int | None]:
    """Mean of ``b - a`` over pairs (same seed) with its confidence interval."""
    pairs = [
        (x, y)
        for x, y in zip(a, b, strict=True)
        if x is not None and y is not None and not (math.isnan(x) or math.isnan(y))
    ]
    return mean_ci([y - x for x, y in pairs], level)


def paired_test(
    reference: Sequence[float], treatment: Sequence[float], expect: str, level: float = 0.95
) -> dict[str, float | int | None]:
    """Does ``treatment`` move the outcome in the ``expect``-ed direction ('increase' or
    'decrease') against ``reference``, pair by pair (same seed)?

    Returns the mean paired difference (treatment - reference) with its Student-t interval,
    the relative change against the reference mean, the standardised effect d_z (mean
    difference / its standard deviation) and the one-sided Wilcoxon signed-rank p-value.
    Wilcoxon needs no normality, and runs with heavy-tailed outcomes (harm) are common here.
    Identical pairs carry no evidence: when every difference is zero, p = 1.
    """
    if expect not in ("increase", "decrease"):
        raise ValueError(f"expect must be 'increase' or 'decrease', not {expect!r}")
    a = np.asarray(reference, dtype=float)
    b = np.asarray(treatment, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    diff = b - a
    ci = mean_ci(diff.tolist(), level)
    ref_mean = float(a.mean()) if len(a) else None
    relative = ci["mean"] / ref_mean if ci["mean"] is not None and ref_mean else None
    sd = float(diff.std(ddof=1)) if len(diff) > 1 else 0.0
    d_z = ci["mean"] / sd if ci["mean"] is not None and sd > 0 else None
    if len(diff) == 0 or not np.any(diff):
        p = 1.0
    else:
        alternative = "greater" if expect == "increase" else "less"
        p = float(stats.wilcoxon(diff, alternative=alternative).pvalue)
    return {
        "n": len(diff),
        "reference_mean": ref_mean,
        "treatment_mean": float(b.mean()) if len(b) else None,
        "diff_mean": ci["mean"],
        "diff_ci_low": ci["ci_low"],
        "diff_ci_high": ci["ci_high"],
        "relative": relative,
        "d_z": d_z,
        "p": p,
    }


def holm(pvalues: Sequence[float], alpha: float = 0.05) -> list[float]:
    """Holm-adjusted p-values (family-wise error rate at ``alpha`` across a set of claims)."""
    from statsmodels.stats.multitest import multipletests

    if len(pvalues) == 0:
        return []
    return [float(p) for p in multipletests(list(pvalues), alpha=alpha, method="holm")[1]]


def two_sample_difference(
    before: Sequence[float], after: Sequence[float], level: float = 0.95
) -> dict[str, float | int]:
    """Did a distribution change between two independent samples (no pairing by seed)?

    The mean difference ``after - before`` with its Welch confidence interval, Welch's t-test
    (means) and the two-sample Kolmogorov-Smirnov test (whole distributions). NaNs are
    dropped; when both samples are one constant, there is nothing to test (p = 1).
    """
    x = np.asarray(before, dtype=float)
    y = np.asarray(after, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    out: dict[str, float | int] = {
        "n_before": len(x),
        "n_after": len(y),
        "mean_before": float(x.mean()) if len(x) else math.nan,
        "mean_after": float(y.mean()) if len(y) else math.nan,
    }
    if len(x) < 2 or len(y) < 2 or np.ptp(np.r_[x, y]) == 0:
        same = 0.0 if len(x) and len(y) else math.nan
        return out | {"diff": same, "ci_low": same, "ci_high": same, "p_welch": 1.0, "p_ks": 1.0}
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    diff, se = float(y.mean() - x.mean()), math.sqrt(vx + vy)
    if se > 0:
        dof = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
        half = float(stats.t.ppf(0.5 + level / 2, dof) * se)
        p_welch = float(stats.ttest_ind(y, x, equal_var=False).pvalue)
    else:  # each sample constant, at different values
        half, p_welch = 0.0, 0.0
    return out | {
        "diff": diff,
        "ci_low": diff - half,
        "ci_high": diff + half,
        "p_welch": p_welch,
        "p_ks": float(stats.ks_2samp(y, x).pvalue),
    }

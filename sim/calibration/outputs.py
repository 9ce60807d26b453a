"""What a calibration writes once pyabc is done: the posterior, the posterior predictive
check, the report and a runnable scenario at the posterior medians.

posterior.csv    the last generation's weighted particles, in the keys' own units
posterior.png    each parameter's posterior beside its prior, and pairwise densities
predictive.csv   runs at draws from the prior and from the posterior: each target's output
predictive.png   each target's observed value against the 90% intervals of those runs
generations.csv  tolerance, evaluations, acceptance rate and ESS per generation
report.md        per parameter: prior and posterior median and 90% interval, width ratio;
                 per target: hit or miss
calibrated.yaml  a scenario extending the base at the posterior medians
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyabc.weighted_statistics import effective_sample_size

from sim.calibration.smc import configure
from sim.calibration.spec import CalibrationSpec, Target
from sim.experiments.executors import execute
from sim.experiments.folders import write_yaml
from sim.experiments.plots import new_figure
from sim.experiments.seeding import derive_seed
from sim.parameter_ranges import Parameter
from sim.schema import merge, unflatten

PREDICTIVE_STREAM = 7  # the seeding key of the predictive runs (distinct from pyabc's t+1)
LEVEL = 0.90
RUN_CONTROL = ("steps", "replications", "seed")  # overrides that shape the fit, not the model


# --- the posterior -------------------------------------------------------------------------
def posterior_frame(spec: CalibrationSpec, history: Any) -> pd.DataFrame:
    """The last generation: ``generation``, ``particle``, ``weight``, then each parameter in
    its key's units (the values pyabc holds are on the prior's scale, log10 for logunif)."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    out = pd.DataFrame(
        {"generation": history.max_t, "particle": np.arange(len(frame)), "weight": weights}
    )
    for p in spec.parameters:
        out[p.key] = [p.natural(v) for v in frame[p.key].to_numpy()]
    return out


def generation_table(history: Any) -> pd.DataFrame:
    """Per generation: tolerance, evaluations, accepted particles, acceptance rate and the
    effective sample size of the weights (how many equally weighted particles they are
    worth)."""
    populations = history.get_all_populations()
    table = populations[populations.t >= 0].copy()
    table["acceptance_rate"] = table.particles / table.samples
    ess = []
    for t in table.t:
        _, weights = history.get_distribution(m=0, t=int(t))
        ess.append(float(effective_sample_size(weights)))
    table["ess"] = ess
    return table.reset_index(drop=True)


def on_scale(p: Parameter, values: Any) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return np.log10(x) if p.dist == "logunif" else x


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> list:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) - 0.5 * w
    cum /= w.sum()
    return [float(np.interp(q, cum, v)) for q in qs]


def parameter_table(spec: CalibrationSpec, posterior: pd.DataFrame) -> pd.DataFrame:
    """Prior and posterior median and 90% interval per parameter, and how much narrower the
    posterior's interval is (on the prior's scale): near 1, the data say little about it."""
    tail = (1 - LEVEL) / 2
    rows = []
    weights = posterior["weight"].to_numpy()
    for p in spec.parameters:
        low, high = p.scale_bounds
        prior_q = [low + q * (high - low) for q in (tail, 0.5, 1 - tail)]
        post_q = weighted_quantiles(on_scale(p, posterior[p.key]), weights, (tail, 0.5, 1 - tail))
        ratio = (post_q[2] - post_q[0]) / (prior_q[2] - prior_q[0])
        rows.append(
            {
                "parameter": p.key,
                "prior": f"{'log-uniform' if p.dist == 'logunif' else 'uniform'} "
                f"[{p.low:g}, {p.high:g}]",
                "prior_median": _natural(p, prior_q[1]),
                "prior_low": _natural(p, prior_q[0]),
                "prior_high": _natural(p, prior_q[2]),
                "posterior_median": _natural(p, post_q[1]),
                "posterior_low": _natural(p, post_q[0]),
                "posterior_high": _natural(p, post_q[2]),
                "width_ratio": ratio,
                "reading": "constrained"
                if ratio < 0.5
                else "partly constrained"
                if ratio < 0.8
                else "prior-like",
            }
        )
    return pd.DataFrame(rows)


def _natural(p: Parameter, x: float) -> float:
    return float(10.0**x) if p.dist == "logunif" else float(x)


# --- the posterior predictive check ----------------------------------------------------------
def predictive_run(spec: CalibrationSpec, values: dict[str, float], seed: int) -> dict[str, float]:
    """One run at ``values`` (on the prior's scale): each target's output."""
    from sim.calibration.smc import measure

    return measure(spec.targets, configure(spec.base, spec.parameters, values), [seed])


def predictive(
    spec: CalibrationSpec, posterior: pd.DataFrame, executor: str, workers: int,
    scheduler: str | None,
) -> pd.DataFrame:  # fmt: skip
    """``predictive_draws`` runs from the prior and as many from the posterior (particles
    drawn by weight), one seed each, all seeded from the spec's seed."""
    n = spec.algorithm.predictive_draws
    rng = np.random.default_rng(derive_seed(spec.seed, PREDICTIVE_STREAM))
    weights = posterior["weight"].to_numpy()
    picks = rng.choice(len(posterior), size=n, p=weights / weights.sum())
    draws: list[tuple[str, int, dict[str, float]]] = []
    for i in range(n):
        prior_values = {}
        for p in spec.parameters:
            low, high = p.scale_bounds
            prior_values[p.key] = float(rng.uniform(low, high))
        draws.append(("prior", i, prior_values))
    for i, row in enumerate(picks):
        values = {p.key: float(on_scale(p, posterior[p.key].iloc[row])) for p in spec.parameters}
        draws.append(("posterior", i, values))
    seeds = [derive_seed(spec.seed, PREDICTIVE_STREAM, k) for k in range(len(draws))]
    calls = [(spec, values, seed) for (_, _, values), seed in zip(draws, seeds, strict=True)]
    results: list[dict[str, float] | None] = [None] * len(calls)

    def done(i: int, result: dict[str, float]) -> None:
        results[i] = result

    execute(predictive_run, calls, done, executor=executor, workers=workers, scheduler=scheduler)
    rows = []
    for (kind, i, values), seed, result in zip(draws, seeds, results, strict=True):
        assert result is not None
        natural = {p.key: p.natural(values[p.key]) for p in spec.parameters}
        rows.append({"kind": kind, "draw": i, "seed": seed, **natural, **result})
    return pd.DataFrame(rows)


def target_table(spec: CalibrationSpec, runs: pd.DataFrame) -> pd.DataFrame:
    """Per target: the observed value, the prior and posterior predictive median and 90%
    interval, the posterior median's error in tolerances, and hit (within one tolerance)."""
    tail = (1 - LEVEL) / 2
    rows = []
    for t in spec.targets:
        row: dict[str, Any] = {
            "target": t.name,
            "output": t.output.describe(),
            "observed": t.observed,
            "tolerance": f"{t.tolerance:g}{' (log10)' if t.log else ''}",
            "source": t.source.cite(),
        }
        for kind in ("prior", "posterior"):
            x = runs.loc[runs["kind"] == kind, t.name].to_numpy(dtype=float)
            x = x[~np.isnan(x)]
            q = np.quantile(x, [tail, 0.5, 1 - tail]) if len(x) else [math.nan] * 3
            row[f"{kind}_low"], row[f"{kind}_median"], row[f"{kind}_high"] = map(float, q)
        median = row["posterior_median"]
        error = t.error(median) if not math.isnan(median) else math.nan
        row["error_tolerances"] = error
        row["verdict"] = "hit" if math.isfinite(error) and abs(error) <= 1 else "miss"
        rows.append(row)
    return pd.DataFrame(rows)


# --- figures -------------------------------------------------------------------------------
def plot_posterior(spec: CalibrationSpec, posterior: pd.DataFrame, path: Path) -> None:
    """Corner plot on the priors' scales: marginals (posterior histogram, flat prior) on the
    diagonal, weighted pairwise densities below it."""
    params = spec.parameters
    k = len(params)
    fig = new_figure(figsize=(2.6 * k + 1, 2.6 * k + 0.5), layout="constrained")
    axes = np.atleast_2d(fig.subplots(k, k, squeeze=False))
    weights = posterior["weight"].to_numpy()
    scaled = {p.key: on_scale(p, posterior[p.key]) for p in params}
    for i, pi in enumerate(params):
        for j, pj in enumerate(params):
            ax = axes[i, j]
            if j > i:
                ax.set_axis_off()
                continue
            xlow, xhigh = pj.scale_bounds
            if i == j:
                ax.hist(scaled[pi.key], bins=20, range=(xlow, xhigh), weights=weights,
                        density=True, color="tab:blue", alpha=0.7, label="posterior")  # fmt: skip
                ax.hlines(1 / (xhigh - xlow), xlow, xhigh, color="tab:gray", lw=2, ls="--",
                          label="prior")  # fmt: skip
                ax.set_yticks([])
                if i == 0:
                    ax.legend(fontsize=7, loc="upper right")
            else:
                ylow, yhigh = pi.scale_bounds
                ax.hist2d(scaled[pj.key], scaled[pi.key], bins=18, weights=weights,
                          range=[[xlow, xhigh], [ylow, yhigh]], cmap="Blues")  # fmt: skip
                ax.set_ylim(ylow, yhigh)
            ax.set_xlim(xlow, xhigh)
            if i == k - 1:
                ax.set_xlabel(_label(pj), fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(_label(pi), fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(f"Calibration {spec.name}: posterior (blue) against prior (grey)")
    fig.savefig(path, dpi=90, format="png")


def _label(p: Parameter) -> str:
    return f"log10 {p.key}" if p.dist == "logunif" else p.key


def plot_predictive(spec: CalibrationSpec, table: pd.DataFrame, path: Path) -> None:
    """Per target: observed value (red, with its tolerance band) against the prior's and the
    posterior's predictive median and 90% interval."""
    n = len(spec.targets)
    fig = new_figure(figsize=(9, 1.3 * n + 1.2), layout="constrained")
    axes = fig.subplots(n, 1, squeeze=False)[:, 0]
    for ax, t, (_, row) in zip(axes, spec.targets, table.iterrows(), strict=True):
        for y, kind, color in ((1, "prior", "tab:gray"), (0, "posterior", "tab:blue")):
            lo, mid, hi = row[f"{kind}_low"], row[f"{kind}_median"], row[f"{kind}_high"]
            if not math.isnan(mid):
                ax.plot([lo, hi], [y, y], color=color, lw=4, alpha=0.6)
                ax.plot([mid], [y], "o", color=color)
        obs = t.observed
        band = _band(t)
        ax.axvspan(band[0], band[1], color="tab:red", alpha=0.12)
        ax.axvline(obs, color="tab:red", lw=2)
        if t.log:
            ax.set_xscale("log")
        ax.set_yticks([0, 1], ["posterior", "prior"], fontsize=8)
        ax.set_ylim(-0.6, 1.6)
        ax.set_title(f"{t.name}: {t.output.describe()} ({row['verdict']})", fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
    fig.suptitle("Posterior predictive check: observed (red, ± one tolerance) vs 90% intervals")
    fig.savefig(path, dpi=90, format="png")


def _band(t: Target) -> tuple[float, float]:
    if t.log:
        return t.observed / 10**t.tolerance, t.observed * 10**t.tolerance
    return t.observed - t.tolerance, t.observed + t.tolerance


# --- the calibrated scenario ---------------------------------------------------------------
def calibrated_scenario(
    spec: CalibrationSpec, spec_path: Path, params: pd.DataFrame, folder: Path
) -> dict[str, Any]:
    """A scenario that extends the base, with the spec's model overrides and every fitted
    parameter at its posterior median (``steps`` and other run controls are left to the
    base: the calibration's horizon is the sources', not the user's)."""
    base = (spec_path.parent / spec.base_path).resolve()
    medians = {}
    for p, value in zip(spec.parameters, params["posterior_median"], strict=True):
        medians[p.key] = round(value) if p.integer else float(f"{value:.6g}")
    return {
        "name": f"{spec.name}_calibrated",
        "description": f"The base scenario at the posterior medians of calibration "
        f"{spec.name} ({folder.name}); see its report.md for the intervals.",
        "extends": os.path.relpath(base, folder),
        **merge(
            {k: v for k, v in spec.overrides.items() if k not in RUN_CONTROL}, unflatten(medians)
        ),
    }


def write_calibrated(path: Path, scenario: dict[str, Any]) -> None:
    write_yaml(path, scenario)

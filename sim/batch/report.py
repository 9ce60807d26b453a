"""Plots and a short Markdown report of a sensitivity batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.analysis import MAIN_INDEX
from sim.batch.spec import Spec
from sim.experiments.plots import new_figure


def plot_indices(spec: Spec, indices: pd.DataFrame, path: Path) -> None:
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig = new_figure(figsize=(6 * len(outcomes), 4.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(outcomes)))
    for ax, outcome in zip(axes, outcomes, strict=True):
        rows = indices[indices["outcome"] == outcome]
        y = np.arange(len(rows))
        if spec.method == "morris":
            ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_conf"], fmt="o")
            for _, r in rows.iterrows():
                ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=7)
            ax.set_xlabel("mu* (mean absolute elementary effect)")
            ax.set_ylabel("sigma (interactions, non-linearity)")
        else:
            names = ("S1", "ST") if spec.method == "sobol" else ("S1",)
            width = 0.8 / len(names)
            for k, name in enumerate(names):
                ax.barh(
                    y - 0.4 + width * (k + 0.5),
                    rows[name],
                    width,
                    xerr=rows[f"{name}_conf"],
                    label=name,
                    capsize=3,
                )
            ax.set_yticks(y, rows["parameter"].tolist(), fontsize=7)
            ax.invert_yaxis()
            ax.legend(fontsize=8)
            ax.set_xlabel("index (whiskers: 95% confidence interval)")
        ax.set_title(outcome, fontsize=10)
    fig.suptitle(f"{spec.name}: {spec.method} sensitivity indices")
    fig.savefig(path, dpi=100)


def write_report(
    spec: Spec, indices: pd.DataFrame, convergence: pd.DataFrame, results: pd.DataFrame, path: Path
) -> None:
    key = MAIN_INDEX[spec.method]
    failed = int((results["status"] != "ok").sum())
    lines = [
        f"# Sensitivity analysis: {spec.name}",
        "",
        f"Method **{spec.method}**, {spec.samples} base samples, {spec.replications} "
        f"replication(s) per sample, {len(results)} runs ({failed} failed), base scenario "
        f"`{spec.base_path}`, root seed {spec.seed}. Indices are computed on the mean of each "
        "outcome over a sample's replications. Results are conditional on the base scenario's "
        "assumptions and on the ranges below.",
        "",
        "| parameter | low | high | distribution |",
        "|---|---|---|---|",
        *[f"| `{p.key}` | {p.low:g} | {p.high:g} | {p.dist} |" for p in spec.parameters],
        "",
        f"## Most influential parameters (ranked by {key})",
        "",
    ]
    for outcome, rows in indices.groupby("outcome", sort=False):
        ranked = rows.sort_values(key, ascending=False)
        top = ", ".join(
            f"`{r.parameter}` ({getattr(r, key):.3g})" for r in ranked.head(3).itertuples()
        )
        lines.append(f"- **{outcome}**: {top}")
    worst = convergence["abs_change"].max() if len(convergence) else float("nan")
    lines += [
        "",
        "## Convergence",
        "",
        f"Largest change of {key} between half and full sample: {worst:.3g} "
        "(see `convergence.csv`). Large changes mean the sample is too small to rank "
        "parameters reliably: increase `samples`.",
        "",
    ]
    path.write_text("\n".join(lines))

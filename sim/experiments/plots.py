"""PNG plots for results folders (matplotlib, no display needed).

The one place that sets matplotlib's backend (Agg: files, no display), before anything could
import pyplot. Every figure in the project is a plain ``matplotlib.figure.Figure`` from
:func:`new_figure`, which needs no global pyplot state and so is safe in threads (the app)
and worker processes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

# (column, title, log axis)
MAIN_OUTCOMES: tuple[tuple[str, str, bool], ...] = (
    ("misuse_incidents", "AI-enabled misuse incidents per month", False),
    ("baseline_incidents", "Baseline-route (non-AI) incidents per month", False),
    ("total_harm", "Total harm per month (AI + baseline)", False),
    ("malicious_equipped", "Malicious actors equipped", False),
    ("finetune_cost", "Fine-tune cost of best open checkpoint (USD)", True),
    ("strip_cost", "Strip cost of best open base release (USD)", True),
    ("benign_finetunes", "Benign fine-tunes per month", False),
    ("stripped_on_hub", "Stripped checkpoints on the hub", False),
    ("oversight_coverage", "Oversight coverage", False),
    ("able_to_finetune_frontier", "Share able to fine-tune the open frontier", False),
    ("fringe_checkpoints", "Checkpoints on the fringe hub", False),
    ("defence_level", "Defence level (from open fine-tunes)", False),
)


def new_figure(**kwargs: Any) -> Figure:
    """A figure not registered with pyplot (nothing to close, no global state)."""
    return Figure(**kwargs)


def plot_timeseries(frame: pd.DataFrame, path: Path, title: str) -> None:
    """Mean over replications with the 5-95% range across replications as a band."""
    fig = new_figure(figsize=(14, 13), layout="constrained")
    axes = fig.subplots(4, 3)
    grouped = frame.groupby("step")
    for ax, (col, label, log) in zip(axes.flat, MAIN_OUTCOMES, strict=True):
        mean = grouped[col].mean()
        ax.plot(mean.index, mean.values, color="tab:blue", lw=1.5, label="mean")
        if frame["replication"].nunique() > 1:
            low, high = grouped[col].quantile(0.05), grouped[col].quantile(0.95)
            ax.fill_between(
                mean.index,
                low.values,
                high.values,
                alpha=0.25,
                color="tab:blue",
                label="5-95% of replications",
            )
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("month")
        if log and (mean > 0).any():
            ax.set_yscale("log")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{title} ({frame['replication'].nunique()} replications)")
    fig.savefig(path, dpi=100)


def plot_comparison(table: pd.DataFrame, outcomes: list[str], path: Path) -> None:
    """One panel per outcome: each scenario's mean with its 95% confidence interval."""
    ncols = 3
    nrows = int(np.ceil(len(outcomes) / ncols))
    fig = new_figure(figsize=(14, 3.6 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols))
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        rows = table[table["outcome"] == outcome]
        y = np.arange(len(rows))
        means = rows["mean"].astype(float).to_numpy()
        low = means - rows["ci_low"].astype(float).fillna(rows["mean"]).to_numpy()
        high = rows["ci_high"].astype(float).fillna(rows["mean"]).to_numpy() - means
        ax.barh(y, means, xerr=[low, high], color="tab:blue", alpha=0.7, capsize=3)
        ax.set_yticks(y, rows["scenario"].tolist(), fontsize=8)
        ax.invert_yaxis()
        ax.set_title(outcome, fontsize=10)
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.set_visible(False)
    fig.suptitle("Scenario comparison: mean and 95% CI over common seeds")
    fig.savefig(path, dpi=100)

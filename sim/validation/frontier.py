"""The policy frontier: every bundle of up to K policies against the base, over common seeds.

For each bundle: incidents avoided and benign fine-tunes lost against the base scenario,
paired by seed, with 95% CIs (harm avoided and benign value lost too). A bundle is
Pareto-optimal when no other bundle avoids at least as many incidents while losing at most
as many benign fine-tunes, and is strictly better on one of the two (compared on means; the
CIs show how sure that ranking is).
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.config import Config, with_overrides
from sim.runner import Result, run_jobs
from sim.stats import mean_ci, paired_difference
from sim.validation.claims import policy

BASE_LABEL = "(none)"


def bundles(policies: list[str], max_size: int) -> list[tuple[str, ...]]:
    """The empty bundle (the base), then every bundle of 1..max_size policies."""
    out: list[tuple[str, ...]] = [()]
    for size in range(1, max_size + 1):
        out += list(combinations(policies, size))
    return out


def label(bundle: tuple[str, ...]) -> str:
    return " + ".join(bundle) if bundle else BASE_LABEL


def run_frontier(
    base: Config,
    seeds: list[int],
    policies: list[str],
    max_size: int,
    workers: int | None,
    progress: bool,
) -> tuple[pd.DataFrame, dict[str, list[Result]]]:
    every = bundles(policies, max_size)
    configs = [with_overrides(base, policy(*bundle)) for bundle in every]
    jobs = [(config, seed) for config in configs for seed in seeds]
    results = run_jobs(jobs, workers, progress, "frontier")
    n = len(seeds)
    runs = {label(b): results[i * n : (i + 1) * n] for i, b in enumerate(every)}
    return frontier_table(every, runs), runs


def frontier_table(every: list[tuple[str, ...]], runs: dict[str, list[Result]]) -> pd.DataFrame:
    def values(name: str, outcome: str) -> list[float]:
        return [summary[outcome] for _, summary in runs[name]]

    rows: list[dict[str, Any]] = []
    for bundle in every:
        name = label(bundle)
        row: dict[str, Any] = {"bundle": name, "size": len(bundle)}
        for outcome, gain in (
            ("total_misuse_incidents", "incidents_avoided"),
            ("total_benign_finetunes", "benign_finetunes_lost"),
            ("total_harm", "harm_avoided"),
            ("total_benefit", "benefit_lost"),
        ):
            base = values(BASE_LABEL, outcome)
            stat = mean_ci(values(name, outcome))
            # avoided/lost = base - bundle, i.e. the paired difference bundle -> base
            diff = paired_difference(values(name, outcome), base)
            row[outcome] = stat["mean"]
            row[gain] = diff["mean"]
            row[f"{gain}_ci_low"] = diff["ci_low"]
            row[f"{gain}_ci_high"] = diff["ci_high"]
            mean_base = float(np.mean(base))
            row[f"{gain}_pct"] = 100 * diff["mean"] / mean_base if mean_base else None
        rows.append(row)
    table = pd.DataFrame(rows)
    table["pareto"] = pareto(
        table["incidents_avoided"].to_numpy(float), table["benign_finetunes_lost"].to_numpy(float)
    )
    return table


def pareto(gain: np.ndarray, loss: np.ndarray) -> np.ndarray:
    """True where no other point has gain >= and loss <= with one strict."""
    keep = np.ones(len(gain), dtype=bool)
    for i in range(len(gain)):
        better_or_equal = (gain >= gain[i]) & (loss <= loss[i])
        strictly = (gain > gain[i]) | (loss < loss[i])
        keep[i] = not np.any(better_or_equal & strictly)
    return keep


def plot_frontier(table: pd.DataFrame, path: Path, title: str) -> None:
    fig = Figure(figsize=(10, 6.5), layout="constrained")
    ax = fig.subplots()
    for size, rows in table.groupby("size"):
        x, y = rows["benign_finetunes_lost"], rows["incidents_avoided"]
        xerr = [x - rows["benign_finetunes_lost_ci_low"], rows["benign_finetunes_lost_ci_high"] - x]
        yerr = [y - rows["incidents_avoided_ci_low"], rows["incidents_avoided_ci_high"] - y]
        name = "base scenario" if size == 0 else f"{size} polic{'y' if size == 1 else 'ies'}"
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", ms=4, alpha=0.55, lw=0.6, label=name)
    front = table[table["pareto"]].sort_values("benign_finetunes_lost")
    ax.plot(
        front["benign_finetunes_lost"],
        front["incidents_avoided"],
        "k-",
        lw=1,
        drawstyle="steps-post",
    )
    ax.scatter(
        front["benign_finetunes_lost"],
        front["incidents_avoided"],
        s=90,
        facecolors="none",
        edgecolors="k",
        zorder=4,
        label="Pareto-optimal",
    )
    for row in front.itertuples():
        ax.annotate(
            row.bundle,
            (row.benign_finetunes_lost, row.incidents_avoided),
            fontsize=7,
            xytext=(4, -10),
            textcoords="offset points",
        )
    ax.axhline(0, color="grey", lw=0.6)
    ax.axvline(0, color="grey", lw=0.6)
    ax.set_xlabel("benign fine-tunes lost vs the base scenario (mean over seeds, 95% CI)")
    ax.set_ylabel("misuse incidents avoided vs the base scenario (mean, 95% CI)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=100)


def frontier_markdown(table: pd.DataFrame, base: Config, seeds: int, policies: list[str]) -> str:
    def ci(row: dict[str, Any], key: str) -> str:
        low, high = row[f"{key}_ci_low"], row[f"{key}_ci_high"]
        bounds = "" if pd.isna(low) else f" [{low:,.1f}, {high:,.1f}]"
        return f"{row[key]:,.1f}{bounds}"

    def pct(value: Any) -> str:
        return "-" if value is None or pd.isna(value) else f"{value:+.0f}%"

    ordered = table[table["size"] > 0].sort_values(
        ["pareto", "incidents_avoided"], ascending=[False, False]
    )
    lines = [
        f"# Policy frontier: {base.name}",
        "",
        f"{len(table) - 1} bundles of up to {int(table['size'].max())} of: "
        f"{', '.join(policies)}; {seeds} common seeds each, {base.steps} months. "
        "Avoided / lost = base scenario minus bundle, paired by seed, mean [95% CI]. "
        "Pareto-optimal: no other bundle avoids as many incidents for as few lost benign "
        "fine-tunes (on means: overlapping CIs mean the ranking is not settled).",
        "",
        "Results are conditional on the model's assumptions; they are not forecasts.",
        "",
        "![frontier](frontier.png)",
        "",
        "| Pareto | bundle | incidents avoided | % | benign fine-tunes lost | % | harm avoided "
        "| benefit lost |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in ordered.to_dict("records"):
        lines.append(
            f"| {'**yes**' if row['pareto'] else ''} | {row['bundle']} | "
            f"{ci(row, 'incidents_avoided')} | {pct(row['incidents_avoided_pct'])} | "
            f"{ci(row, 'benign_finetunes_lost')} | {pct(row['benign_finetunes_lost_pct'])} | "
            f"{pct(row['harm_avoided_pct'])} | {pct(row['benefit_lost_pct'])} |"
        )
    return "\n".join(lines) + "\n"

"""The validation report: plots and a Markdown page a reader can check claim by claim."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import Config
from sim.experiments.plots import new_figure
from sim.experiments.runs import Run
from sim.validation.calibration import fixed_capability_cost, source_fixed_capability_factor

PASS_COLOUR, FAIL_COLOUR = "#1b7837", "#b2182b"


def plot_claims(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Forest plot: each directional claim's mean paired change, relative to the reference
    mean, with its 95% CI; colour = verdict. Claims without a reference level (a difference
    of effects, or a zero reference mean) are in the tables only."""
    panels = {k: t[(t["expect"] != "zero") & t["relative"].notna()] for k, t in tables.items()}
    heights = [max(len(t), 1) for t in panels.values()]
    fig = new_figure(figsize=(9, 0.32 * sum(heights) + 2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, height_ratios=heights))
    for ax, (title, rows) in zip(axes, panels.items(), strict=True):
        y = np.arange(len(rows))
        ref = rows["reference_mean"].abs().to_numpy(float)
        rel = rows["relative"].to_numpy(float) * 100
        low = rows["diff_ci_low"].to_numpy(float) / ref * 100
        high = rows["diff_ci_high"].to_numpy(float) / ref * 100
        colours = [PASS_COLOUR if v == "PASS" else FAIL_COLOUR for v in rows["verdict"]]
        ax.hlines(y, low, high, colors=colours)
        ax.scatter(rel, y, c=colours, zorder=3)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, rows["id"].tolist(), fontsize=7)
        ax.invert_yaxis()
        ax.set_title(f"{title} (green PASS, red FAIL)", fontsize=10)
        ax.set_xlabel("change vs reference, % of the reference mean (95% CI)")
    fig.savefig(path, dpi=100)


def _band(ax: Any, frames: list[pd.DataFrame], column: str, label: str, colour: str) -> None:
    table = np.vstack([f[column].to_numpy(float) for f in frames])
    months = frames[0]["step"].to_numpy()
    ax.fill_between(
        months,
        np.nanpercentile(table, 10, axis=0),
        np.nanpercentile(table, 90, axis=0),
        color=colour,
        alpha=0.2,
    )
    ax.plot(months, np.nanmedian(table, axis=0), color=colour, label=label)


def plot_trends(runs: Sequence[Run], path: Path) -> None:
    """Baseline coverage against the spread of fine-tuning (median, 10-90% band)."""
    frames = [run.timeseries for run in runs]
    fig = new_figure(figsize=(10, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    _band(left, frames, "oversight_coverage", "oversight coverage", "C0")
    left.set_ylabel("share of activity the regulator can examine")
    _band(right, frames, "benign_finetunes", "benign fine-tunes / month", "C2")
    _band(right, frames, "pooled_finetunes", "pooled fine-tunes / month", "C1")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.set_xlabel("month")
    fig.suptitle("Baseline: oversight coverage as fine-tuning spreads (median, 10-90% of seeds)")
    fig.savefig(path, dpi=100)


def plot_calibration(config: Config, runs: Sequence[Run], path: Path) -> None:
    frames = [run.timeseries for run in runs]
    fig = new_figure(figsize=(14, 4), layout="constrained")
    cost_ax, hub_ax, first_ax = fig.subplots(1, 3)
    _band(cost_ax, frames, "finetune_cost", "model: best open checkpoint", "C0")
    _band(cost_ax, frames, "strip_cost", "model: strip the best open base", "C3")
    fixed = [f.assign(fixed=fixed_capability_cost(config, f)) for f in frames]
    _band(cost_ax, fixed, "fixed", "model: fixed capability", "C2")
    months = frames[0]["step"].to_numpy(float)
    start = config.costs.finetune_cost_usd
    for pass_through, style in ((1.0, ":"), (0.5, "--")):
        factor = source_fixed_capability_factor(config, pass_through)
        cost_ax.plot(
            months,
            start * factor ** (months / 12),
            "k" + style,
            lw=1,
            label=f"sources, fixed capability (algorithms^{pass_through:g})",
        )
    cost_ax.scatter([1], [200], marker="*", s=120, color="C3", zorder=4, label="< $200 strip")
    cost_ax.set_yscale("log")
    cost_ax.set_xlabel("month")
    cost_ax.set_ylabel("USD")
    cost_ax.legend(fontsize=7)
    cost_ax.set_title("fine-tuning cost curves", fontsize=10)
    _band(hub_ax, frames, "hub_checkpoints", "checkpoints on the hub", "C4")
    _band(hub_ax, frames, "stripped_on_hub", "stripped, on the hub", "C3")
    hub_ax.set_xlabel("month")
    hub_ax.legend(fontsize=8)
    hub_ax.set_title("derivatives on the public hub", fontsize=10)
    firsts = [
        r.summary["first_incident_step"]
        for r in runs
        if r.summary["first_incident_step"] is not None
    ]
    first_ax.hist(firsts, bins=range(0, len(months) + 2, max(1, len(months) // 30)), color="C3")
    first_ax.set_xlabel("month of the first misuse incident")
    first_ax.set_ylabel("runs")
    first_ax.set_title(f"first incident ({len(firsts)} of {len(runs)} runs had one)", fontsize=10)
    fig.suptitle("Calibration: the baseline against the sourced figures (median, 10-90%)")
    fig.savefig(path, dpi=100)


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def claims_markdown(table: pd.DataFrame) -> list[str]:
    lines = [
        "| verdict | claim | condition | comparison | outcome | reference | treatment | "
        "change [95% CI] | relative | d_z | test | p | p (Holm) | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        if r["expect"] == "zero":
            change = f"max {_num(r['diff_ci_high'])}"
        else:
            change = f"{_num(r['diff_mean'])} [{_num(r['diff_ci_low'])}, {_num(r['diff_ci_high'])}]"
        relative = (
            "-"
            if r["relative"] is None or pd.isna(r["relative"])
            else (f"{r['relative'] * 100:+.0f}%")
        )
        lines.append(
            f"| **{r['verdict']}** | {r['claim']} | {r['condition']} | {r['comparison']} | "
            f"{r['outcome']} | {_num(r['reference_mean'])} | {_num(r['treatment_mean'])} | "
            f"{change} | {relative} | {_num(r['d_z'], 2)} | {r['test']} | {_num(r['p'], 2)} | "
            f"{_num(r['p_holm'], 2)} | {r['note']} |"
        )
    return lines


def write_report(
    path: Path,
    base: Config,
    settings: dict[str, Any],
    primary: pd.DataFrame,
    supplementary: pd.DataFrame,
    calibration: pd.DataFrame,
) -> None:
    passed = int((primary["verdict"] == "PASS").sum())
    na = int((primary["verdict"] == "N/A").sum())
    na_text = f", {na} N/A" if na else ""
    enabled = [name for name in settings["base_policies"]]
    lines = [
        f"# Validation report: {base.name}",
        "",
        f"{settings['replications']} seeds per world (common random numbers: every world runs "
        f"on the same seeds), {base.steps} months, root seed {settings['root_seed']}, "
        f"{settings['worlds']} worlds, {settings['runs']} runs. Family-wise alpha "
        f"{settings['alpha']:g} (Holm). How to read this page: docs/validation.md.",
        "",
        "Results are conditional on the model's assumptions (docs/parameters.md marks the "
        "guesses); they are not forecasts.",
        "",
    ]
    if settings["warning"]:
        lines += [f"**Warning:** {settings['warning']}.", ""]
    if settings.get("posterior"):
        lines += [
            f"**Over a posterior:** each seed ran at its own parameter draw from "
            f"`{settings['posterior']}` (the same draw in every world), so the intervals include "
            "parameter uncertainty.",
            "",
        ]
    if enabled:
        lines += [
            f"**Note:** the base scenario already enables {', '.join(enabled)}: every world "
            "below includes it, so 'baseline' means this scenario, not a world without policy.",
            "",
        ]
    lines += [
        f"## The paper's claims and the policies' (ODD §1.1, §3.3.11): {passed} of "
        f"{len(primary)} PASS{na_text}",
        "",
        "A directional claim PASSes when the mean paired change has the expected sign, the "
        "one-sided Wilcoxon signed-rank test is significant after Holm's correction and the "
        "95% CI of the change excludes zero. N/A: both worlds are the same configuration. "
        "'change' is treatment minus reference, per seed, averaged; 'relative' divides it by "
        "the reference mean; d_z is the mean change over its standard deviation.",
        "",
        *claims_markdown(primary),
        "",
        "![claims](claims.png)",
        "",
        "![coverage](coverage.png)",
        "",
        "## Supplementary measurements",
        "",
        "Harm and benign value per policy, and the targeted policies in worlds where their "
        "route is the one actors use. Same statistics; Holm's correction runs within this "
        "table.",
        "",
        *claims_markdown(supplementary),
        "",
        "## Stylised-fact calibration (baseline)",
        "",
        "*anchored*: a source fixed the parameter and the row checks the output still shows "
        "it; *emergent*: the dynamics produce it. Medians over seeds.",
        "",
        "| kind | quantity | model | source | citation | agreement | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in calibration.to_dict("records"):
        lines.append(
            f"| {r['kind']} | {r['quantity']} | {r['model']} | {r['source']} | {r['citation']} "
            f"| **{r['agreement']}** | {r['note']} |"
        )
    lines += [
        "",
        "![calibration](calibration.png)",
        "",
        "## Files",
        "",
        "`claims.csv`, `supplementary.csv`, `calibration.csv` (the tables above), `runs.csv` "
        "(every run's summary, by world and seed), `config.yaml` (the base scenario, "
        "resolved), `worlds.yaml` (each world's overrides on it).",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")

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

import numpy as np
import pandas as pd

from sim.config import POLICY_NAMES, Config, with_overrides
from sim.errors import UserError
from sim.experiments.folders import finalise, run_folder, write_config, write_yaml
from sim.experiments.plots import new_figure
from sim.experiments.posterior import Posterior
from sim.experiments.runs import Execution, Runs, run_arms
from sim.experiments.stats import mean_ci, paired_difference
from sim.validation.claims import policy

BASE_LABEL = "(none)"
DEFAULT_MAX_SIZE = 3
LOSSES = (
    ("benign_finetunes_lost", "pareto", "benign fine-tunes lost"),
    ("benefit_lost", "pareto_benefit", "benign value lost (API fine-tunes are worth less)"),
)


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
    posterior: Posterior | None = None,
) -> tuple[pd.DataFrame, Runs]:
    every = bundles(policies, max_size)
    arms = {label(bundle): with_overrides(base, policy(*bundle)) for bundle in every}
    runs = run_arms(
        arms,
        seeds,
        workers=workers,
        progress=progress,
        desc="frontier",
        posterior=posterior,
        base=base,
    )
    return frontier_table(every, runs), runs


def choose_policies(names: str | None, max_size: int | None) -> tuple[list[str], int]:
    """The policies to combine (comma-separated names; None = all) and the largest bundle
    (None = 3, or fewer if fewer policies). Raises UserError naming the flag."""
    policies = list(POLICY_NAMES)
    if names is not None:
        policies = [p.strip() for p in names.split(",") if p.strip()]
        unknown = [p for p in policies if p not in POLICY_NAMES]
        if unknown or not policies or len(set(policies)) != len(policies):
            raise UserError(
                f"run.py frontier: --policies: expected distinct names from "
                f"{', '.join(POLICY_NAMES)}, got {names!r}"
            )
    size = min(DEFAULT_MAX_SIZE, len(policies)) if max_size is None else max_size
    if not 1 <= size <= len(policies):
        raise UserError(
            f"run.py frontier: --max-size: expected an integer in [1, {len(policies)}], got {size}"
        )
    return policies, size


def frontier(
    base: Config, seeds: list[int], policies: list[str], max_size: int, execution: Execution
) -> tuple[Path, pd.DataFrame]:
    """Run every bundle and write ``<out>/frontier/<run-id>/``; return the folder and table."""
    with run_folder(execution.out, "frontier") as tmp:
        table, runs = run_frontier(
            base,
            seeds,
            policies,
            max_size,
            execution.workers,
            execution.progress,
            execution.posterior,
        )
        posterior = execution.posterior.path if execution.posterior is not None else None
        write_frontier(tmp, table, runs, base, seeds, policies, max_size, posterior)
    return finalise(tmp), table


def pareto_lines(table: pd.DataFrame) -> list[str]:
    """The terminal's view: the Pareto-optimal bundles by each measure of loss."""
    lines = []
    for flag, loss, name in (
        ("pareto", "benign_finetunes_lost", "benign fine-tunes lost"),
        ("pareto_benefit", "benefit_lost", "benign value lost"),
    ):
        front = table[table[flag] & (table["size"] > 0)].sort_values("incidents_avoided")
        lines.append(f"Pareto-optimal bundles by {name} (means: incidents avoided, {name}):")
        for row in front.to_dict("records"):
            lines.append(
                f"  {row['bundle']:<58} {_pct(row['incidents_avoided_pct'])}  "
                f"{_pct(row[f'{loss}_pct'])}"
            )
    return lines


def _pct(value: Any) -> str:
    return "    -" if value is None or value != value else f"{value:+5.0f}%"


def frontier_table(every: list[tuple[str, ...]], runs: Runs) -> pd.DataFrame:
    def values(name: str, outcome: str) -> list[float]:
        return runs.values(name, outcome)

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
        row["same_as"] = same_as(bundle, runs)
        rows.append(row)
    table = pd.DataFrame(rows)
    gain = table["incidents_avoided"].to_numpy(float)
    distinct = (table["same_as"] == "").to_numpy()
    for loss, flag, _ in LOSSES:
        table[flag] = pareto(gain, table[loss].to_numpy(float)) & distinct
    return table


OUTCOMES = ("total_misuse_incidents", "total_benign_finetunes", "total_harm", "total_benefit")


def same_as(bundle: tuple[str, ...], runs: Runs) -> str:
    """The smallest sub-bundle whose runs came out identical, seed by seed ("" if none).

    Common seeds make this exact: an added policy that changed nothing (e.g. tamper
    resistance once structured access keeps every new checkpoint closed) had nothing to act
    on. Such a bundle ties with its sub-bundle and is not marked Pareto-optimal itself.
    """

    def key(name: str) -> list[tuple[Any, ...]]:
        return [tuple(run.summary[o] for o in OUTCOMES) for run in runs[name]]

    mine = key(label(bundle))
    for size in range(len(bundle)):
        for sub in combinations(bundle, size):
            if label(sub) in runs and key(label(sub)) == mine:
                return label(sub)
    return ""


def pareto(gain: np.ndarray, loss: np.ndarray) -> np.ndarray:
    """True where no other point has gain >= and loss <= with one strict."""
    keep = np.ones(len(gain), dtype=bool)
    for i in range(len(gain)):
        better_or_equal = (gain >= gain[i]) & (loss <= loss[i])
        strictly = (gain > gain[i]) | (loss < loss[i])
        keep[i] = not np.any(better_or_equal & strictly)
    return keep


def plot_frontier(table: pd.DataFrame, path: Path, title: str) -> None:
    """Incidents avoided against each measure of what legitimate users lose, with the
    Pareto-optimal bundles of that measure circled and labelled."""
    fig = new_figure(figsize=(16, 7), layout="constrained")
    for ax, (loss, flag, name) in zip(fig.subplots(1, 2), LOSSES, strict=True):
        for size, rows in table.groupby("size"):
            x, y = rows[loss], rows["incidents_avoided"]
            xerr = [x - rows[f"{loss}_ci_low"], rows[f"{loss}_ci_high"] - x]
            yerr = [y - rows["incidents_avoided_ci_low"], rows["incidents_avoided_ci_high"] - y]
            label = "base scenario" if size == 0 else f"{size} polic{'y' if size == 1 else 'ies'}"
            ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", ms=4, alpha=0.55, lw=0.6, label=label)
        front = table[table[flag]].sort_values(loss)
        ax.plot(front[loss], front["incidents_avoided"], "k-", lw=1, drawstyle="steps-post")
        ax.scatter(
            front[loss],
            front["incidents_avoided"],
            s=90,
            facecolors="none",
            edgecolors="k",
            zorder=4,
            label="Pareto-optimal",
        )
        for k, row in enumerate(front.to_dict("records")):
            ax.annotate(  # staggered: Pareto bundles often sit close together
                row["bundle"],
                (row[loss], row["incidents_avoided"]),
                fontsize=7,
                xytext=(6, -10 - 9 * (k % 4)),
                textcoords="offset points",
            )
        ax.axhline(0, color="grey", lw=0.6)
        ax.axvline(0, color="grey", lw=0.6)
        ax.set_xlabel(f"{name} vs the base scenario (mean over seeds, 95% CI)")
        ax.set_ylabel("misuse incidents avoided vs the base scenario (mean, 95% CI)")
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.savefig(path, dpi=100)


def frontier_markdown(table: pd.DataFrame, base: Config, seeds: int, policies: list[str]) -> str:
    def ci(row: dict[str, Any], key: str) -> str:
        low, high = row[f"{key}_ci_low"], row[f"{key}_ci_high"]
        bounds = "" if pd.isna(low) else f" [{low:,.1f}, {high:,.1f}]"
        return f"{row[key]:,.1f}{bounds}"

    def pct(value: Any) -> str:
        return "-" if value is None or pd.isna(value) else f"{value:+.0f}%"

    ordered = table[table["size"] > 0].sort_values(
        ["pareto", "pareto_benefit", "incidents_avoided"], ascending=[False, False, False]
    )
    enabled = [n for n in POLICY_NAMES if getattr(base.policies, n).enabled]
    already = (
        [
            f"**Note:** the base scenario already enables {', '.join(enabled)}; bundles that "
            "include them show no change from it (see 'same as').",
            "",
        ]
        if enabled
        else []
    )
    lines = [
        f"# Policy frontier: {base.name}",
        "",
        f"{len(table) - 1} bundles of up to {int(table['size'].max())} of: "
        f"{', '.join(policies)}; {seeds} common seeds each, {base.steps} months. "
        "Avoided / lost = base scenario minus bundle, paired by seed, mean [95% CI]. "
        "Pareto-optimal: no other bundle avoids as many incidents for as few lost benign "
        "fine-tunes (on means: overlapping CIs mean the ranking is not settled). A second "
        "frontier uses benign *value* lost: an API fine-tune counts as a fine-tune but is "
        "worth less than one on open weights, so restrictive policies can raise the count "
        "while cutting the value. 'same as' names a smaller bundle whose runs were identical "
        "seed by seed: the extra policies had nothing left to act on.",
        "",
        "Results are conditional on the model's assumptions; they are not forecasts.",
        "",
        *already,
        "![frontier](frontier.png)",
        "",
        "| Pareto (fine-tunes) | Pareto (value) | bundle | incidents avoided | % | "
        "benign fine-tunes lost | % | harm avoided, % | benefit lost, % | same as |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in ordered.to_dict("records"):
        lines.append(
            f"| {'**yes**' if row['pareto'] else ''} | "
            f"{'**yes**' if row['pareto_benefit'] else ''} | {row['bundle']} | "
            f"{ci(row, 'incidents_avoided')} | {pct(row['incidents_avoided_pct'])} | "
            f"{ci(row, 'benign_finetunes_lost')} | {pct(row['benign_finetunes_lost_pct'])} | "
            f"{pct(row['harm_avoided_pct'])} | {pct(row['benefit_lost_pct'])} | "
            f"{row['same_as']} |"
        )
    return "\n".join(lines) + "\n"


def write_frontier(
    folder: Path,
    table: pd.DataFrame,
    runs: Runs,
    base: Config,
    seeds: list[int],
    policies: list[str],
    max_size: int,
    posterior: str | None = None,
) -> None:
    """The table, plot, report and every run, as files a reader can re-analyse."""
    table.to_csv(folder / "frontier.csv", index=False)
    title = (
        f"{base.name}: policy bundles of up to {max_size} ({len(seeds)} seeds, {base.steps} months)"
    )
    plot_frontier(table, folder / "frontier.png", title)
    report = frontier_markdown(table, base, len(seeds), policies)
    if posterior is not None:
        title_end = report.index("\n") + 1
        report = (
            report[:title_end]
            + f"\n**Over a posterior:** each seed ran at its own parameter draw from "
            f"`{posterior}` (the same draw for every bundle).\n" + report[title_end:]
        )
    (folder / "report.md").write_text(report)
    write_config(folder / "config.yaml", base)
    settings: dict[str, Any] = {"policies": policies, "max_size": max_size, "root_seed": base.seed}
    if posterior is not None:
        settings["posterior"] = posterior
    write_yaml(folder / "settings.yaml", {**settings, "seeds": seeds})
    runs.table("bundle").to_csv(folder / "runs.csv", index=False)

"""``compare``: scenarios over common seeds, each outcome's mean and 95% CI and the paired
difference from the first scenario. Written to ``<out>/compare/<run-id>/``.

Files: ``comparison.csv`` (one row per outcome and scenario), ``comparison.png``,
``summary.json`` (every run's summary and the seeds) and ``configs/<scenario>.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.config import Config
from sim.experiments.folders import finalise, run_folder, write_config, write_json
from sim.experiments.headline import HEADLINE, ci_text, fmt, number
from sim.experiments.plots import plot_comparison
from sim.experiments.runs import Execution, Runs, run_arms
from sim.experiments.seeding import replication_seeds
from sim.experiments.stats import mean_ci, paired_difference


def labels_for(configs: Sequence[Config]) -> list[str]:
    """Each scenario's name, made unique with ``-2``, ``-3``... when names repeat."""
    labels: list[str] = []
    for config in configs:
        label, n = config.name, 1
        while label in labels:
            n += 1
            label = f"{config.name}-{n}"
        labels.append(label)
    return labels


def compare_scenarios(
    configs: Sequence[Config],
    sources: Sequence[str | Path],
    root_seed: int,
    replications: int,
    execution: Execution,
) -> tuple[Path, pd.DataFrame]:
    """Run every scenario on the same ``replications`` seeds and write the comparison."""
    labels = labels_for(configs)
    seeds = replication_seeds(root_seed, replications)
    arms = dict(zip(labels, configs, strict=True))
    with run_folder(execution.out, "compare") as tmp:
        runs = run_arms(
            arms,
            seeds,
            workers=execution.workers,
            progress=execution.progress,
            desc="compare",
            posterior=execution.posterior,
        )
        table = comparison_table(runs)
        table.to_csv(tmp / "comparison.csv", index=False)
        plot_comparison(table, list(HEADLINE), tmp / "comparison.png")
        (tmp / "configs").mkdir()
        for label, config in arms.items():
            write_config(tmp / "configs" / f"{label}.yaml", config)
        write_json(
            tmp / "summary.json",
            {
                "scenarios": {
                    label: str(path) for label, path in zip(labels, sources, strict=True)
                },
                "root_seed": root_seed,
                **(
                    {"posterior": execution.posterior.path}
                    if execution.posterior is not None
                    else {}
                ),
                "seeds": seeds,
                "replications": {label: runs.summaries(label) for label in runs},
            },
        )
    return finalise(tmp), table


def comparison_table(runs: Runs, outcomes: Sequence[str] = HEADLINE) -> pd.DataFrame:
    """Long table: outcome, scenario, mean and CI, paired difference from the first arm."""
    first = runs.labels[0]
    rows = []
    for outcome in outcomes:
        reference = runs.values(first, outcome)
        for label in runs:
            values = runs.values(label, outcome)
            stat = mean_ci(values)
            diff = paired_difference(reference, values) if label != first else {}
            rows.append(
                {
                    "outcome": outcome,
                    "scenario": label,
                    "mean": stat["mean"],
                    "ci_low": stat["ci_low"],
                    "ci_high": stat["ci_high"],
                    "n": stat["n"],
                    "diff_mean": diff.get("mean"),
                    "diff_ci_low": diff.get("ci_low"),
                    "diff_ci_high": diff.get("ci_high"),
                }
            )
    return pd.DataFrame(rows)


def comparison_text(table: pd.DataFrame, replications: int) -> str:
    """The terminal's view of :func:`comparison_table`."""
    width = max(len(s) for s in table["scenario"]) + 2
    lines = [
        f"mean [95% CI] over {replications} common seeds; diff = paired difference "
        "from the first scenario"
    ]
    for outcome, rows in table.groupby("outcome", sort=False):
        lines.append(str(outcome))
        for row in rows.to_dict("records"):
            stat = {k: number(row[k]) for k in ("mean", "ci_low", "ci_high")}
            text = (
                f"  {row['scenario']:<{width}}{fmt(stat['mean']):>12}  "
                f"{ci_text({**stat, 'n': int(row['n'])}, replications)}"
            )
            if number(row["diff_mean"]) is not None:
                diff = {k: number(row[f"diff_{k}"]) for k in ("mean", "ci_low", "ci_high")}
                text += f"   diff {fmt(diff['mean'])} {ci_text({**diff, 'n': 0})}"
            lines.append(text)
    return "\n".join(lines)

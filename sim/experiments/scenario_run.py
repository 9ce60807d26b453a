"""``run``: one scenario's replications, written to ``<out>/<name>/<run-id>/``.

Files: ``config.yaml`` (resolved), ``timeseries.csv`` (``replication``, ``seed``, outcomes),
``summary.json`` (each replication's summary and the mean with 95% CI of each value) and
``outcomes.png``.
"""

from __future__ import annotations

from pathlib import Path

from sim.config import Config
from sim.experiments.folders import finalise, run_folder, write_config, write_json
from sim.experiments.headline import HEADLINE, ci_text, fmt
from sim.experiments.plots import plot_timeseries
from sim.experiments.posterior import Posterior
from sim.experiments.runs import Execution, Runs, run_arms
from sim.experiments.seeding import replication_seeds
from sim.experiments.stats import mean_ci


def run_scenario(config: Config, execution: Execution) -> tuple[Path, Runs]:
    """Run ``config.replications`` replications and write the results folder."""
    seeds = replication_seeds(config.seed, config.replications)
    with run_folder(execution.out, config.name) as tmp:
        runs = run_arms(
            {config.name: config},
            seeds,
            workers=execution.workers,
            progress=execution.progress,
            desc=config.name,
            posterior=execution.posterior,
        )
        write_run(tmp, config, runs, execution.posterior)
    return finalise(tmp), runs


def write_run(folder: Path, config: Config, runs: Runs, posterior: Posterior | None = None) -> None:
    table = runs.timeseries(config.name)
    table.to_csv(folder / "timeseries.csv", index=False)
    write_config(folder / "config.yaml", config)
    summaries = [
        {"replication": rep, **run.summary, "seed": run.seed}
        for rep, run in enumerate(runs[config.name])
    ]
    numeric = [k for k, v in summaries[0].items() if isinstance(v, (int, float)) or v is None]
    aggregate = {
        k: mean_ci([s[k] for s in summaries]) for k in numeric if k not in ("replication", "seed")
    }
    write_json(
        folder / "summary.json",
        {
            "scenario": config.name,
            "description": config.description,
            "root_seed": config.seed,
            **({"posterior": posterior.path} if posterior is not None else {}),
            "replications": summaries,
            "aggregate": aggregate,
        },
    )
    plot_timeseries(table, folder / "outcomes.png", config.name)


def summary_text(config: Config, runs: Runs) -> str:
    """The terminal's table: each headline value's mean and 95% CI over replications."""
    summaries = runs.summaries(config.name)
    n = len(summaries)
    head = f"{config.name}: {n} replication{'s' if n != 1 else ''} x {config.steps} months"
    lines = [head, f"{'outcome':<26} {'mean':>12}  95% CI"]
    for key in HEADLINE:
        stat = mean_ci([summary[key] for summary in summaries])
        lines.append(f"{key:<26} {fmt(stat['mean']):>12}  {ci_text(stat, n)}")
    return "\n".join(lines)

"""Run the validation suite: every world over common seeds, then judge and report.

The worlds are the arms of one :class:`~sim.experiments.runs.Runs`, run on common seeds by
the same function as ``run`` and ``compare`` (so the outputs do not depend on the number of
workers). Written to ``<out>/validation/<run-id>/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from sim.config import POLICY_NAMES, Config, ConfigError, with_overrides
from sim.errors import UserError
from sim.experiments.folders import finalise, run_folder, write_config
from sim.experiments.posterior import Posterior
from sim.experiments.runs import Execution, Runs, run_arms
from sim.validation.calibration import calibrate
from sim.validation.claims import WORLDS, primary_claims, supplementary_claims, worlds_needed
from sim.validation.evaluate import evaluate
from sim.validation.report import plot_calibration, plot_claims, plot_trends, write_report


@dataclass
class Validation:
    base: Config
    seeds: list[int]
    alpha: float
    runs: Runs
    primary: pd.DataFrame
    supplementary: pd.DataFrame
    calibration: pd.DataFrame
    posterior: str | None = None  # the posterior.csv each replication drew from


def enabled_policies(config: Config) -> list[str]:
    return [name for name in POLICY_NAMES if getattr(config.policies, name).enabled]


def world_configs(base: Config) -> dict[str, Config]:
    """Each world's configuration (raises ConfigError, naming the key, if the base scenario
    makes one invalid)."""
    worlds = worlds_needed(primary_claims(base.steps) + supplementary_claims())
    return {world: with_overrides(base, WORLDS[world]) for world in worlds}


def validate(
    base: Config,
    configs: dict[str, Config],
    seeds: list[int],
    alpha: float,
    workers: int | None,
    progress: bool,
    posterior: Posterior | None = None,
) -> Validation:
    primary, supplementary = primary_claims(base.steps), supplementary_claims()
    runs = run_arms(
        configs,
        seeds,
        workers=workers,
        progress=progress,
        desc="validate",
        posterior=posterior,
        base=base,
    )

    def identical(a: str, b: str) -> bool:
        return configs[a] == configs[b]

    return Validation(
        base=base,
        seeds=seeds,
        alpha=alpha,
        runs=runs,
        primary=evaluate(primary, runs, alpha, identical),
        supplementary=evaluate(supplementary, runs, alpha, identical),
        calibration=calibrate(base, runs["baseline"]),
        posterior=posterior.path if posterior is not None else None,
    )


def run_validation(
    base: Config, seeds: list[int], alpha: float, execution: Execution, source: str = "base"
) -> tuple[Path, Validation]:
    """Run the suite and write ``<out>/validation/<run-id>/``; return the folder and result.

    Raises UserError (nothing written) when ``base`` (read from ``source``) makes one of
    the validation worlds invalid."""
    try:
        configs = world_configs(base)
    except ConfigError as err:
        raise UserError(
            f"run.py validate: {source}: a validation world is invalid with this scenario: {err}"
        ) from None
    with run_folder(execution.out, "validation") as tmp:
        result = validate(
            base, configs, seeds, alpha, execution.workers, execution.progress, execution.posterior
        )
        write_validation(tmp, result, base.seed)
    return finalise(tmp), result


def write_validation(folder: Path, result: Validation, root_seed: int) -> None:
    """Everything the report shows, as files a reader can re-analyse."""
    result.primary.to_csv(folder / "claims.csv", index=False)
    result.supplementary.to_csv(folder / "supplementary.csv", index=False)
    result.calibration.to_csv(folder / "calibration.csv", index=False)
    result.runs.table("world").to_csv(folder / "runs.csv", index=False)
    write_config(folder / "config.yaml", result.base)
    worlds = {world: WORLDS[world] for world in result.runs}
    (folder / "worlds.yaml").write_text(yaml.safe_dump(worlds, sort_keys=False), "utf-8")
    plot_claims(
        {"claims": result.primary, "supplementary": result.supplementary},
        folder / "claims.png",
    )
    plot_trends(result.runs["baseline"], folder / "coverage.png")
    plot_calibration(result.base, result.runs["baseline"], folder / "calibration.png")
    settings = {
        "replications": len(result.seeds),
        "root_seed": root_seed,
        "alpha": result.alpha,
        "worlds": len(result.runs),
        "runs": len(result.runs) * len(result.seeds),
        "base_policies": enabled_policies(result.base),
        "warning": seeds_warning(result),
        "posterior": result.posterior,
    }
    write_report(
        folder / "report.md",
        result.base,
        settings,
        result.primary,
        result.supplementary,
        result.calibration,
    )


def seeds_warning(result: Validation) -> str | None:
    """With n seeds the smallest one-sided Wilcoxon p-value is 2^-n; after Holm's correction
    over m claims nothing can PASS unless 2^-n < alpha / m. Say so rather than let a reader
    take the FAILs for evidence."""
    n = len(result.seeds)
    blind = [
        name
        for name, table in (("claims", result.primary), ("supplementary", result.supplementary))
        if 0.5**n >= result.alpha / max(1, int((table["expect"] != "zero").sum()))
    ]
    if not blind:
        return None
    return (
        f"with {n} seeds no directional claim in the {' and '.join(blind)} table can PASS "
        f"(the smallest possible p-value, 2^-{n}, is not below alpha over the number of "
        "claims, as Holm's correction needs): these FAILs are not evidence; use more "
        "--replications (the default is sized for an answer)"
    )


def verdict_lines(result: Validation) -> list[str]:
    """The terminal's view: how many claims PASS, then one line per primary claim."""
    passed = int((result.primary["verdict"] == "PASS").sum())
    na = int((result.primary["verdict"] == "N/A").sum())
    lines = [
        f"{passed} of {len(result.primary)} claims PASS{f', {na} N/A' if na else ''} "
        f"({len(result.seeds)} seeds, {result.base.steps} months, Holm alpha {result.alpha:g})"
    ]
    for r in result.primary.to_dict("records"):
        rel = r["relative"]
        effect = "" if rel is None or pd.isna(rel) else f" ({rel * 100:+.0f}%)"
        note = f"  [{r['note']}]" if r["note"] else ""
        lines.append(f"{r['verdict']:<4}  {r['claim']}{effect}{note}")
    return lines

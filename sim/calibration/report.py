"""``report.md`` of a calibration: what the data constrain, what stays prior-like, and which
targets the model meets."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.calibration.spec import CalibrationSpec


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.3g}" if abs(x) < 1e5 else f"{x:,.3e}"


def write_report(
    spec: CalibrationSpec,
    spec_path: Path,
    params: pd.DataFrame,
    targets: pd.DataFrame,
    generations: pd.DataFrame,
    path: Path,
) -> None:
    algo = spec.algorithm
    last = generations.iloc[-1]
    hits = int((targets["verdict"] == "hit").sum())
    lines = [
        f"# Calibration report: {spec.name}",
        "",
        spec.description.strip(),
        "",
        f"Spec `{spec_path}`; base scenario `{spec.base_path}` ({spec.base.steps} months from "
        f"{spec.base.start_date}); seed {spec.seed}. ABC-SMC (pyabc): {algo.population} "
        f"particles per generation, {algo.seeds_per_particle} run(s) per particle, tolerance "
        f"lowered to the {algo.quantile:g} quantile of the last distances; stops after "
        f"{algo.generations} generations, at tolerance {algo.min_tolerance:g}, or below "
        f"{algo.min_acceptance_rate:.0%} acceptance. The distance is the root mean square of "
        "the targets' errors, each in units of its tolerance (log10 units where the target is "
        "on a log scale).",
        "",
        f"**{len(generations)} generations, final tolerance {last.epsilon:.3g}, "
        f"{int(generations.samples.sum()):,} model evaluations. {hits} of {len(targets)} "
        "targets hit** (posterior predictive median within one tolerance of the observed "
        "value).",
        "",
        "> The posterior is conditional on the model's structure and on the priors' ranges: "
        "it says which parameter values make *this model* reproduce the figures, not what the "
        "world's values are. A target the model misses is a finding about the model.",
        "",
        "## Parameters",
        "",
        "Median and 90% interval of the prior and of the posterior (the last generation's "
        "weighted particles). *Width ratio*: the posterior's 90% interval over the prior's, on "
        "the prior's scale (log10 for log-uniform priors): below 0.5 the data constrain the "
        "parameter; near 1 it stays prior-like.",
        "",
        "| parameter | prior | prior median [90%] | posterior median [90%] | width ratio "
        "| reading |",
        "|---|---|---|---|---|---|",
    ]
    for _, r in params.iterrows():
        lines.append(
            f"| `{r.parameter}` | {r.prior} | {_num(r.prior_median)} [{_num(r.prior_low)}, "
            f"{_num(r.prior_high)}] | {_num(r.posterior_median)} [{_num(r.posterior_low)}, "
            f"{_num(r.posterior_high)}] | {r.width_ratio:.2f} | {r.reading} |"
        )
    lines += [
        "",
        "![posterior](posterior.png)",
        "",
        "## Targets",
        "",
        "Each target's observed value against the model's outputs from runs at parameter "
        "draws from the prior and from the posterior (median and 90% interval, one run per "
        "draw). *Error*: the posterior predictive median's distance from the observed value, "
        "in tolerances (signed). **hit**: within one tolerance.",
        "",
        "| target | output | observed | tolerance | source | prior predictive | "
        "posterior predictive | error | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in targets.iterrows():
        lines.append(
            f"| {r.target} | {r.output} | {_num(r.observed)} | {r.tolerance} | {r.source} | "
            f"{_num(r.prior_median)} [{_num(r.prior_low)}, {_num(r.prior_high)}] | "
            f"{_num(r.posterior_median)} [{_num(r.posterior_low)}, {_num(r.posterior_high)}] | "
            f"{r.error_tolerances:+.2f} | **{r.verdict}** |"
        )
    lines += [
        "",
        "![predictive](predictive.png)",
        "",
        "## Generations",
        "",
        "*ESS*: the effective sample size of the generation's weights, how many equally "
        "weighted particles they are worth.",
        "",
        "| generation | tolerance | evaluations | accepted | acceptance | ESS |",
        "|---|---|---|---|---|---|",
    ]
    for _, g in generations.iterrows():
        lines.append(
            f"| {int(g.t) + 1} | {g.epsilon:.3g} | {int(g.samples):,} | {int(g.particles)} | "
            f"{g.acceptance_rate:.1%} | {g.ess:.0f} |"
        )
    final_ess = float(generations["ess"].iloc[-1])
    if final_ess < 0.25 * algo.population:
        lines += [
            "",
            f"**Note:** the posterior's weights are worth {final_ess:.0f} equally weighted "
            f"particles of {algo.population}: its intervals rest on few particles. A larger "
            "`algorithm.population` (or fewer parameters) gives a steadier posterior.",
        ]
    lines += [
        "",
        "## Using the posterior",
        "",
        "- `calibrated.yaml`: a scenario at the posterior medians, extending the base: "
        "`python run.py run calibrated.yaml`.",
        "- Every replication at its own draw from the posterior, so intervals include "
        "parameter uncertainty: `python run.py run SCENARIO.yaml --posterior posterior.csv` "
        "(also `compare`, `validate`, `frontier`).",
        "",
        "## Files",
        "",
        "`posterior.csv` (weighted particles, in the keys' units), `parameters.csv`, "
        "`targets.csv`, `predictive.csv` (every predictive run), `generations.csv`, "
        "`calibration.db` (pyabc's history; `--resume` continues from it), `spec.json`.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")

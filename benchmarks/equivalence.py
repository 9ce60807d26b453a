"""Is a faster core the same model? Every summary outcome's distribution, before and after.

    git worktree add /tmp/reference <reference-commit>
    python -m benchmarks.equivalence --before /tmp/reference
    python -m benchmarks.equivalence --before /tmp/reference --runs-before old.parquet  # reuse

Speed work that batches decisions changes which random number each decision uses, so runs
are not identical seed by seed; what must not change is the *distribution* of outcomes. For
the baseline and four policy scenarios, 30 seeds are run with the reference code
(``--before``: a checkout, run in subprocesses with it first on the path) and with this
checkout. For every numeric summary outcome and scenario the report gives both means, the
difference with its 95% CI (Welch), Welch's t-test and a two-sample Kolmogorov-Smirnov test,
each Holm-corrected across *all* (scenario, outcome) pairs. A pair *differs* when either
corrected p-value is below 0.01. With identical distributions about 1 in 20 differences
falls outside its own 95% CI: judge by the corrected tests, not by the intervals.

Writes ``equivalence.md`` and ``equivalence.csv`` to ``--out`` (default
``benchmarks/results``, where the report is committed); exits 1 if any pair differs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.experiments.seeding import replication_seeds  # noqa: E402
from sim.experiments.stats import holm, two_sample_difference  # noqa: E402

SCENARIOS = (
    "baseline",
    "structured_access",
    "hub_moderation",
    "tamper_resistance",
    "api_finetune_screening",
)
SEEDS = 30
ALPHA = 0.01
ROOT_SEED = 42  # the baseline's root seed: the command line's replication seeds
# Run inside the checkout under test (PYTHONPATH puts it first): every scenario x seed, the
# numeric summary as one JSON line each. Scenario files come from *this* checkout, so both
# sides run the same scenario definitions.
RUNNER = """
import json, sys
from pathlib import Path
from sim.api import simulate
from sim.scenario import load_scenario
names, seeds, overrides = {names!r}, {seeds!r}, {overrides!r}
for name in names:
    config = load_scenario(Path({scenarios!r}) / f"{{name}}.yaml")
    if overrides:
        from sim.config import with_overrides
        config = with_overrides(config, overrides)
    for seed in seeds:
        _, summary = simulate(config, seed=seed)
        row = {{k: v for k, v in summary.items() if isinstance(v, (int, float)) or v is None}}
        print(json.dumps({{"scenario": name, **row, "seed": seed}}), flush=True)
"""


def run_checkout(
    checkout: Path, names: list[str], n_seeds: int, overrides: dict, workers: int = 2
) -> pd.DataFrame:
    """Every scenario x seed with the code in ``checkout``, in ``workers`` processes."""
    seeds = replication_seeds(ROOT_SEED, n_seeds)
    chunks = [c for c in (seeds[i::workers] for i in range(workers)) if c]
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    script = [
        RUNNER.format(names=names, seeds=c, overrides=overrides, scenarios=str(ROOT / "scenarios"))
        for c in chunks
    ]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", s], stdout=subprocess.PIPE, text=True, env=env, cwd=checkout
        )
        for s in script
    ]
    rows: list[dict] = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"the runs in {checkout} failed (exit {proc.returncode})")
        rows += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return pd.DataFrame(rows).sort_values(["scenario", "seed"]).reset_index(drop=True)


def compare(before: pd.DataFrame, after: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per (scenario, outcome): both means, the difference, the two tests, Holm."""
    skip = {"scenario", "seed", "steps"}
    outcomes = [
        c
        for c in before.columns
        if c in after.columns and c not in skip and pd.api.types.is_numeric_dtype(before[c])
    ]
    rows = []
    for scenario in names:
        b, a = before[before["scenario"] == scenario], after[after["scenario"] == scenario]
        for outcome in outcomes:
            result = two_sample_difference(b[outcome].astype(float), a[outcome].astype(float))
            rows.append({"scenario": scenario, "outcome": outcome, **result})
    table = pd.DataFrame(rows)
    table["p_welch_holm"] = holm(table["p_welch"].tolist())
    table["p_ks_holm"] = holm(table["p_ks"].tolist())
    table["differs"] = (table["p_welch_holm"] < ALPHA) | (table["p_ks_holm"] < ALPHA)
    return table


def _num(v: float) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.4g}"


def report(table: pd.DataFrame, before: str, n_seeds: int, names: list[str]) -> str:
    differ = int(table["differs"].sum())
    lines = [
        "# Equivalence of the fast core with the reference model",
        "",
        f"Reference: `{before}`; after: this checkout. {n_seeds} seeds per scenario (the "
        f"command line's replication seeds of root {ROOT_SEED}), scenarios "
        f"{', '.join(names)}; {len(table)} (scenario, outcome) pairs. Welch's t-test and a "
        "two-sample Kolmogorov-Smirnov test per pair, each Holm-corrected across all pairs; a "
        f"pair *differs* when either corrected p-value is below {ALPHA}. Generated by "
        "`python -m benchmarks.equivalence`.",
        "",
        f"**{differ} of {len(table)} pairs differ.**",
        "",
        "| scenario | outcome | before | after | difference [95% CI] | p Welch (Holm) "
        "| p KS (Holm) | differs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        ci = f"{_num(r['diff'])} [{_num(r['ci_low'])}, {_num(r['ci_high'])}]"
        flag = "**yes**" if r["differs"] else "no"
        lines.append(
            f"| {r['scenario']} | {r['outcome']} | {_num(r['mean_before'])} | "
            f"{_num(r['mean_after'])} | {ci} | {_num(r['p_welch_holm'])} | "
            f"{_num(r['p_ks_holm'])} | {flag} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.equivalence")
    parser.add_argument("--before", type=Path, required=True, help="checkout of the reference")
    parser.add_argument("--runs-before", type=Path, help="reuse these reference runs (parquet)")
    parser.add_argument("--seeds", type=int, default=SEEDS)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated")
    parser.add_argument("--steps", type=int, help="shorter runs (a check of the harness)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    names = args.scenarios.split(",")
    overrides = {} if args.steps is None else {"steps": args.steps}
    start = time.perf_counter()
    if args.runs_before and args.runs_before.exists():
        before = pd.read_parquet(args.runs_before)
    else:
        before = run_checkout(args.before, names, args.seeds, overrides)
        if args.runs_before:
            before.to_parquet(args.runs_before)
    after = run_checkout(ROOT, names, args.seeds, overrides)
    table = compare(before, after, names)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "equivalence.csv", index=False)
    (args.out / "equivalence.md").write_text(report(table, str(args.before), args.seeds, names))
    print(
        f"{int(table['differs'].sum())} of {len(table)} pairs differ "
        f"({time.perf_counter() - start:.0f} s); written {args.out / 'equivalence.md'}"
    )
    return 1 if table["differs"].any() else 0


if __name__ == "__main__":
    sys.exit(main())

"""Is a restructured core the same model, seed by seed? Every output of every run, before and
after.

    git worktree add /tmp/reference <reference-commit>
    python -m benchmarks.identity --before DIR   # DIR: a checkout (git worktree add DIR <commit>)

A restructuring that keeps the order of random draws must give the same runs. Where it only
changes float rounding (NumPy's vectorised ``power`` and scalar ``**`` differ in the last
bits on this CPU), every integer output must still be identical and every float within
``--rtol`` (1e-9) relative. The baseline and four policy scenarios are run for ``--seeds``
seeds (10), at each scenario's own population and horizon, with the reference code
(``--before``: a checkout, run in a subprocess with it first on the path) and with this
checkout; then every column of every time series and every numeric summary value is
compared. ``--cases dev`` adds small worlds that reach the rare paths (every policy, many
malicious actors, inventions, merges, the fringe hub).

Writes ``identity.md`` to ``--out`` (default ``benchmarks/results``); exits 1 if an integer
differs or a float is off by more than ``--rtol``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.equivalence import SCENARIOS  # noqa: E402  (the baseline, four policies)
from sim.config import POLICY_NAMES  # noqa: E402

SMALL = {"population": {"labs": 5, "hobbyists": 400, "malicious": 24}, "steps": 30}
MALICIOUS = {
    "population": {"labs": 5, "hobbyists": 300, "malicious": 80},
    "steps": 30,
    "malicious": {
        "severe_share": 0.5,
        "activity_rate": 0.8,
        "share_prob": 0.5,
        "api_abuse_prob": 0.5,
        "pool_join_prob": 0.9,
    },
}
DEV = {
    "small": SMALL,
    **{f"small_{p}": {**SMALL, "policies": {p: {"enabled": True}}} for p in POLICY_NAMES},
    "all_policies_block": {
        **SMALL,
        "network": {"kind": "stochastic_block"},
        "policies": {p: {"enabled": True} for p in POLICY_NAMES},
    },
    "watts_strogatz": {**SMALL, "network": {"kind": "watts_strogatz"}},
    "erdos_renyi": {**SMALL, "network": {"kind": "erdos_renyi"}},
    "no_pooling": {**SMALL, "sharing": {"pooling": {"enabled": False}}},
    "eager_pools": {**SMALL, "sharing": {"pooling": {"join_prob": 1.0, "max_members": 3}}},
    "merges": {**SMALL, "hobbyists": {"merge_share": 0.4, "quantise_share": 0.4}},
    "uncensored_fringe": {
        **SMALL,
        "hobbyists": {"uncensored_prob": 0.6},
        "sharing": {"fringe_discovery_prob": 0.8, "reupload_prob": 1.0},
        "policies": {"hub_moderation": {"enabled": True, "strength": 0.9}},
    },
    "inventive": {**SMALL, "hobbyists": {"invention_prob": 0.2, "strip_technique_share": 0.5}},
    "malicious": MALICIOUS,
    "malicious_policies": {**MALICIOUS, "policies": {p: {"enabled": True} for p in POLICY_NAMES}},
    "kyc_low": {
        **SMALL,
        "policies": {"compute_kyc": {"enabled": True, "threshold_flop": 1e15}},
        "costs": {"own_hardware_share": 0.3},
    },
    "leaky_closed": {
        **SMALL,
        "labs": {"openness": 0.2, "leak_prob_per_year": 0.5, "api_finetune_share": 1.0},
        "malicious": {"api_abuse_prob": 0.6},
    },
}
# Run inside the checkout under test (PYTHONPATH puts it first): every case x seed; pickled.
RUNNER = """
import pickle, sys
from pathlib import Path
from sim.api import simulate
from sim.scenario import load_scenario
cases, seeds, scenarios, out = pickle.load(open(sys.argv[1], "rb"))
results = {}
for name, spec in cases.items():
    config = load_scenario(Path(scenarios) / f"{spec}.yaml") if isinstance(spec, str) else spec
    for seed in seeds:
        results[(name, seed)] = simulate(config, seed=seed)
pickle.dump(results, open(out, "wb"))
"""


def run_side(root: Path, cases: dict, seeds: list[int]) -> dict:
    """Every case x seed with the code at ``root``: {(case, seed): (frame, summary)}."""
    with tempfile.TemporaryDirectory() as tmp:
        spec, out = Path(tmp) / "spec.pkl", Path(tmp) / "out.pkl"
        spec.write_bytes(pickle.dumps((cases, seeds, str(ROOT / "scenarios"), str(out))))
        env = {**os.environ, "PYTHONPATH": str(root)}
        subprocess.run([sys.executable, "-c", RUNNER, str(spec)], cwd=root, env=env, check=True)
        return pickle.loads(out.read_bytes())


def compare(before: dict, after: dict, rtol: float) -> tuple[pd.DataFrame, list[str]]:
    """Per column: values compared, how many differ at all, the largest relative float
    difference; and the problems (an integer or string that differs, a float beyond
    ``rtol``, a different shape)."""
    rows: dict[str, dict] = {}
    problems: list[str] = []
    for key in before:
        (fb, sb), (fa, sa) = before[key], after[key]
        if list(fb.columns) != list(fa.columns) or len(fb) != len(fa):
            problems.append(f"{key}: the time series has a different shape")
            continue
        series = {c: (fb[c].to_numpy(), fa[c].to_numpy()) for c in fb.columns}
        numeric = {
            f"summary.{k}": (np.array([v]), np.array([sa.get(k)]))
            for k, v in sb.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
        for name, (b, a) in {**series, **numeric}.items():
            row = rows.setdefault(name, {"values": 0, "differ": 0, "max_rel": 0.0})
            row["values"] += len(b)
            if b.dtype.kind == "f" or a.dtype.kind == "f":
                b, a = b.astype(float), a.astype(float)
                same = (b == a) | (np.isnan(b) & np.isnan(a))
                rel = np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
                rel = np.where(same, 0.0, rel)
                row["differ"] += int((~same).sum())
                row["max_rel"] = max(row["max_rel"], float(np.nanmax(rel, initial=0.0)))
                if row["max_rel"] > rtol or np.isnan(rel).any():
                    problems.append(f"{key} {name}: float off by {row['max_rel']:.2e}")
            else:
                differ = int((b != a).sum())
                row["differ"] += differ
                if differ:
                    problems.append(f"{key} {name}: {differ} integer values differ")
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table, problems


def _commit(checkout: Path) -> str:
    """The commit a checkout stands at (its short hash; "+ changes" if its tree differs)."""
    git = ["git", "-C", str(checkout)]
    try:
        sha = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "sim"], capture_output=True,
                               text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return f"{sha} + changes" if dirty else sha


def report(table: pd.DataFrame, problems: list[str], args: argparse.Namespace, secs: float) -> str:
    cases = f"{len(SCENARIOS)} scenarios" + (" and the dev worlds" if args.cases == "dev" else "")
    lines = [
        "# Identity check: the restructured core against the reference, seed by seed",
        "",
        f"`python -m benchmarks.identity --before <a checkout of {_commit(args.before)}>"
        f"{' --cases dev' if args.cases == 'dev' else ''}`, run at {_commit(ROOT)}: "
        f"{cases} x {args.seeds} seeds, every time-series column and every numeric summary "
        f"value ({secs:.0f} s).",
        "",
        f"**{'IDENTICAL within tolerance' if not problems else 'DIFFERENT'}**: integers must "
        f"match exactly, floats within {args.rtol:g} relative.",
        "",
        "| output | values | differ | largest relative difference |",
        "|---|---:|---:|---:|",
    ]
    for name, row in table.iterrows():
        if row["differ"] or not name.startswith("summary."):
            lines.append(
                f"| `{name}` | {int(row['values'])} | {int(row['differ'])} | {row['max_rel']:.1e} |"
            )
    untouched = [n for n, r in table.iterrows() if n.startswith("summary.") and not r["differ"]]
    lines += ["", f"Summary values identical in every run: {len(untouched)}."]
    if problems:
        lines += ["", "## Problems", "", *[f"- {p}" for p in problems[:50]]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="reference checkout")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--rtol", type=float, default=1e-9)
    parser.add_argument("--cases", choices=("scenarios", "dev"), default="scenarios")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument(
        "--cache", type=Path, help="keep the reference runs in this file (reused if it exists)"
    )
    args = parser.parse_args(argv)
    cases: dict = {name: name for name in SCENARIOS}
    if args.cases == "dev":
        cases.update(DEV)
    seeds = list(range(1, args.seeds + 1))
    start = time.time()
    if args.cache is not None and args.cache.exists():
        before = pickle.loads(args.cache.read_bytes())
    else:
        before = run_side(args.before.resolve(), cases, seeds)
        if args.cache is not None:
            args.cache.write_bytes(pickle.dumps(before))
    after = run_side(ROOT, cases, seeds)
    table, problems = compare(before, after, args.rtol)
    text = report(table, problems, args, time.time() - start)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "identity.md").write_text(text)
    print(text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""The command line: ``run`` a scenario, ``compare`` scenarios over common seeds.

Exit status: 0 success; 2 user error (one line on stderr, nothing written); 1 internal fault.
The model core never prints or touches files; this module and ``sim.results`` do the I/O.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.batch.analysis import AnalysisError
from sim.results import OutputError, finalise, run_folder, write_config, write_json
from sim.scenario import ScenarioError, load_scenario

if TYPE_CHECKING:  # the heavy modules load only once a run starts (fast user errors)
    import pandas as pd

    from sim.config import Config
    from sim.runner import Result

VERBS = ("run", "compare", "app", "sensitivity", "validate", "frontier", "discover")
COMPARE_DEFAULT_REPLICATIONS = 10
VALIDATE_DEFAULT_REPLICATIONS = 30
FRONTIER_DEFAULT_REPLICATIONS = 10
FRONTIER_DEFAULT_MAX_SIZE = 3
BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
HEADLINE = (
    "total_misuse_incidents",
    "total_harm",
    "first_incident_step",
    "total_benign_finetunes",
    "total_benefit",
    "total_pooled_finetunes",
    "total_detections",
    "total_takedowns",
    "mean_oversight_coverage",
    "final_finetune_cost",
    "final_strip_cost",
    "final_stripped_on_hub",
)

RUN_EXAMPLES = """examples:
  python run.py scenarios/baseline.yaml
  python run.py run scenarios/tamper_resistance.yaml --replications 20 --seed 7
  python run.py run scenarios/baseline.yaml --steps 60 --set population.malicious=120 \\
      --set policies.compute_kyc.enabled=true --out /tmp/results
"""
SENS_EXAMPLES = """examples:
  python run.py sensitivity scenarios/sensitivity/costs_sobol.yaml
  python run.py sensitivity scenarios/sensitivity/policies_morris.yaml --workers 2
  python run.py sensitivity SPEC.yaml --out results/my-batch        # then, if interrupted:
  python run.py sensitivity SPEC.yaml --out results/my-batch --resume
  python run.py sensitivity SPEC.yaml --executor dask --workers 8
  python run.py sensitivity SPEC.yaml --executor dask --scheduler tcp://HOST:8786
"""
VALIDATE_EXAMPLES = """examples:
  python run.py validate                                   # the full suite (about 10 minutes)
  python run.py validate --replications 8 --steps 60       # a quick look
  python run.py validate scenarios/assumptions_high.yaml   # the claims in another world
"""
FRONTIER_EXAMPLES = """examples:
  python run.py frontier                                   # every bundle of up to 3 policies
  python run.py frontier --max-size 2 --replications 6     # a quick look
  python run.py frontier --policies structured_access,tamper_resistance,compute_kyc
"""
DISCOVER_EXAMPLES = """examples:
  python run.py sensitivity scenarios/sensitivity/bundle_targeted_lhs.yaml --out results/lhs
  python run.py discover results/lhs --threshold 300
  python run.py discover results/lhs --outcome total_harm --threshold 400 --max-boxes 2
"""
COMPARE_EXAMPLES = """examples:
  python run.py compare scenarios/baseline.yaml scenarios/tamper_resistance.yaml
  python run.py compare scenarios/baseline.yaml scenarios/bundle_*.yaml --replications 30
"""


class UserError(Exception):
    """A wrong flag or argument: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="run.py",
        description="finetune-hazards: simulate misuse and oversight as fine-tuning "
        "downloadable models gets cheaper and easier to share.",
        epilog="Run 'python run.py VERB --help' for a verb's options.\n\n" + RUN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    run = verbs.add_parser(
        "run",
        help="run one scenario (also: python run.py SCENARIO.yaml)",
        description="Run a scenario's replications and write results/<name>/<run-id>/.",
        epilog=RUN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    _common(run, replications_help="replications (default: the scenario's)")
    compare = verbs.add_parser(
        "compare",
        help="compare scenarios over common seeds",
        description="Run each scenario over the same seeds (common random numbers) and "
        "report each outcome's mean, 95%% CI and the paired difference from the first.",
        epilog=COMPARE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    _common(
        compare,
        replications_help=f"replications per scenario (default {COMPARE_DEFAULT_REPLICATIONS})",
    )
    app = verbs.add_parser(
        "app",
        help="start the interactive app (Solara) in a browser",
        description="Start the interactive app; open the printed address in a browser.",
        epilog="examples:\n  python run.py app\n  python run.py app --port 9000\n"
        "  python run.py app --host 0.0.0.0   # reachable from other machines",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    app.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    app.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    sens = verbs.add_parser(
        "sensitivity",
        help="sensitivity analysis (SALib) over parameters and seeds",
        description="Sample the spec's parameters with SALib, run every sample over several "
        "seeds (resumable), and write per-run results (Parquet), indices with confidence "
        "intervals, plots and a report.",
        epilog=SENS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sens.add_argument("spec", type=Path, help="spec YAML file (scenarios/sensitivity/)")
    sens.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local process pool (default) or Dask",
    )
    sens.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="connect to a running Dask scheduler, e.g. tcp://10.0.0.5:8786",
    )
    sens.add_argument("--workers", type=int, help="processes (default: all cores; 1 = in-process)")
    sens.add_argument(
        "--resume",
        action="store_true",
        help="finish the batch in --out, skipping runs already done",
    )
    sens.add_argument(
        "--out", type=Path, help="the batch folder (default results/sensitivity/<spec>/<run-id>/)"
    )
    sens.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a spec key, e.g. --set samples=64 (repeatable)",
    )
    sens.add_argument("--quiet", action="store_true", help="print only the batch folder")
    validate = _experiment(
        verbs,
        "validate",
        help="check the paper's claims as emergent outcomes; calibration report",
        description="Run the validation experiments over common seeds and write "
        "<out>/validation/<run-id>/report.md: a PASS/FAIL table for each claim (effect size, "
        "95%% CI, test) and the stylised-fact calibration against the sourced figures.",
        epilog=VALIDATE_EXAMPLES,
        replications_help="seeds per experiment (default 30)",
    )
    validate.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="family-wise significance level, Holm-corrected across claims (default 0.05)",
    )
    frontier = _experiment(
        verbs,
        "frontier",
        help="policy frontier: every bundle of up to K policies over common seeds",
        description="Run the base scenario with every bundle of up to --max-size policies "
        "over common seeds; plot incidents avoided against benign fine-tunes lost with 95%% "
        "CIs, mark the Pareto-optimal bundles, and write frontier.csv.",
        epilog=FRONTIER_EXAMPLES,
        replications_help="seeds per bundle (default 10)",
    )
    frontier.add_argument(
        "--max-size",
        type=int,
        help="largest bundle (default 3, or the number of --policies if fewer)",
        dest="max_size",
    )
    frontier.add_argument(
        "--policies",
        help="comma-separated policies to combine (default: all nine)",
    )
    discover = verbs.add_parser(
        "discover",
        help="scenario discovery (PRIM) on a finished sensitivity batch",
        description="Find the parameter region where an outcome's mean over seeds exceeds a "
        "threshold (e.g. where a policy bundle fails to keep incidents down), with PRIM from "
        "the EMA Workbench; boxes are reported with coverage and density.",
        epilog=DISCOVER_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    discover.add_argument("batch", type=Path, help="a finished sensitivity batch folder")
    discover.add_argument(
        "--threshold", type=float, required=True, help="a sample fails when outcome > threshold"
    )
    discover.add_argument(
        "--outcome",
        default="total_misuse_incidents",
        help="outcome to threshold (default total_misuse_incidents)",
    )
    discover.add_argument(
        "--peel-alpha", type=float, default=0.05, dest="peel_alpha", help="peeling step (0.05)"
    )
    discover.add_argument(
        "--mass-min", type=float, default=0.05, dest="mass_min", help="smallest box mass (0.05)"
    )
    discover.add_argument(
        "--min-coverage",
        type=float,
        default=0.5,
        dest="min_coverage",
        help="the box reported is the densest point of the peeling trajectory still covering "
        "this share of the failures not in earlier boxes (default 0.5)",
    )
    discover.add_argument(
        "--max-boxes", type=int, default=3, dest="max_boxes", help="boxes to find (default 3)"
    )
    discover.add_argument(
        "--out",
        type=Path,
        help="results root: writes OUT/discovery/<run-id>/ (default: inside the batch)",
    )
    discover.add_argument("--quiet", action="store_true", help="print only the output folder")
    return parser


def _experiment(
    verbs: Any, name: str, help: str, description: str, epilog: str, replications_help: str
) -> argparse.ArgumentParser:
    """A verb that runs experiments on an optional base scenario (validate, frontier)."""
    parser = verbs.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "scenario", type=Path, nargs="?", default=BASELINE, help="base scenario (default: baseline)"
    )
    _common(parser, replications_help=replications_help)
    return parser


def _common(p: argparse.ArgumentParser, replications_help: str) -> None:
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p.add_argument("--steps", type=int, help="months to simulate (default: the scenario's)")
    p.add_argument("--replications", type=int, help=replications_help)
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. --set costs.strip_cost_usd=400 (repeatable)",
    )
    p.add_argument("--out", type=Path, default=Path("results"), help="results root folder")
    p.add_argument("--workers", type=int, help="parallel processes (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="print only the results folder")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and not args_list[0].startswith("-") and args_list[0] not in VERBS:
        args_list.insert(0, "run")  # short form: python run.py SCENARIO.yaml
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
        if args.verb is None:
            raise UserError(
                "run.py: expected a verb (" + ", ".join(VERBS) + ") or a scenario file; see --help"
            )
        if args.verb == "app":
            return app_verb(args)
        if args.verb == "sensitivity":
            return sensitivity_verb(args)
        if args.verb == "discover":
            return discover_verb(args)
        if args.workers is not None and args.workers < 1:
            raise UserError(f"run.py {args.verb}: --workers: expected an integer >= 1")
        verb = {
            "run": run_verb,
            "compare": compare_verb,
            "validate": validate_verb,
            "frontier": frontier_verb,
        }[args.verb]
        return verb(args)
    except SystemExit as done:  # --help
        return int(done.code or 0)
    except (UserError, ScenarioError, OutputError, AnalysisError) as err:
        print(" ".join(str(err).split()), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("run.py: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # an internal fault: say so, with the traceback for a bug report
        traceback.print_exc()
        print(f"run.py: internal error: {err!r}", file=sys.stderr)
        return 1


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    return {
        k: getattr(args, k)
        for k in ("seed", "steps", "replications")
        if getattr(args, k) is not None
    }


def _progress(args: argparse.Namespace, runs: int) -> bool:
    return not args.quiet and runs > 1 and sys.stderr.isatty()


# --- run ------------------------------------------------------------------------------------
def run_verb(args: argparse.Namespace) -> int:
    from sim.runner import run_jobs
    from sim.seeding import replication_seeds

    config = load_scenario(args.scenario, args.set, _flags(args))
    seeds = replication_seeds(config.seed, config.replications)
    with run_folder(args.out, config.name) as tmp:
        results = run_jobs(
            [(config, s) for s in seeds], args.workers, _progress(args, len(seeds)), config.name
        )
        write_run(tmp, config, seeds, results)
    folder = finalise(tmp)
    if not args.quiet:
        print(format_summary(config, results))
    print(f"results: {folder}")
    return 0


def write_run(folder: Path, config: Config, seeds: list[int], results: list[Result]) -> None:
    import pandas as pd

    from sim.plots import plot_timeseries
    from sim.stats import mean_ci

    frames = []
    for rep, (seed, (frame, _)) in enumerate(zip(seeds, results, strict=True)):
        frames.append(frame.assign(replication=rep, seed=seed))
    table = pd.concat(frames, ignore_index=True)
    table = table[
        ["replication", "seed", *[c for c in table.columns if c not in ("replication", "seed")]]
    ]
    table.to_csv(folder / "timeseries.csv", index=False)
    write_config(folder / "config.yaml", config)
    summaries = [
        {"replication": rep, **summary, "seed": seed}
        for rep, (seed, (_, summary)) in enumerate(zip(seeds, results, strict=True))
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
            "replications": summaries,
            "aggregate": aggregate,
        },
    )
    plot_timeseries(table, folder / "outcomes.png", config.name)


def format_summary(config: Config, results: list[Result]) -> str:
    from sim.stats import mean_ci

    n = len(results)
    head = f"{config.name}: {n} replication{'s' if n != 1 else ''} x {config.steps} months"
    lines = [head, f"{'outcome':<26} {'mean':>12}  95% CI"]
    for key in HEADLINE:
        stat = mean_ci([summary[key] for _, summary in results])
        lines.append(f"{key:<26} {_fmt(stat['mean']):>12}  {_ci(stat, n)}")
    return "\n".join(lines)


def _fmt(x: float | int | None) -> str:
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _ci(stat: dict[str, Any], expected: int = 0) -> str:
    """``[low, high]``, noting how many runs it rests on when some had no value."""
    note = f"  (n={stat['n']})" if 0 < stat["n"] < expected else ""
    if stat["ci_low"] is None:
        return "-" + note
    return f"[{_fmt(stat['ci_low'])}, {_fmt(stat['ci_high'])}]{note}"


# --- sensitivity ----------------------------------------------------------------------------
def sensitivity_verb(args: argparse.Namespace) -> int:
    from sim.batch.runner import run_batch
    from sim.batch.spec import load_spec
    from sim.executors import default_workers
    from sim.results import new_run_id

    if args.workers is not None and args.workers < 1:
        raise UserError("run.py sensitivity: --workers: expected an integer >= 1")
    if args.scheduler and args.executor != "dask":
        raise UserError("run.py sensitivity: --scheduler needs --executor dask")
    if args.resume and args.out is None:
        raise UserError("run.py sensitivity: --resume needs --out naming the batch folder")
    spec = load_spec(args.spec, args.set)
    folder = args.out or Path("results") / "sensitivity" / spec.name / new_run_id()
    workers = args.workers or default_workers()
    summary = run_batch(
        spec,
        folder,
        resume=args.resume,
        executor=args.executor,
        workers=workers,
        scheduler=args.scheduler,
        quiet=args.quiet,
    )
    if not args.quiet:
        print(
            f"{summary['runs']:,} runs ({summary['failed']} failed); indices, plots and "
            f"report.md written"
        )
    print(f"results: {folder}")
    return 0


# --- validate -------------------------------------------------------------------------------
def _experiment_setup(
    args: argparse.Namespace, default_replications: int
) -> tuple[Config, list[int]]:
    """The base scenario and the common seeds of a validate/frontier run."""
    from sim.config import with_overrides
    from sim.seeding import replication_seeds

    flags = _flags(args)
    config = load_scenario(args.scenario, args.set, flags)
    replications = args.replications if args.replications is not None else default_replications
    # config.yaml then records the seeds actually run, not the scenario's own count
    config = with_overrides(config, {"replications": replications})
    return config, replication_seeds(config.seed, replications)


def validate_verb(args: argparse.Namespace) -> int:
    from sim.config import ConfigError
    from sim.validation.suite import (
        seeds_warning,
        validate,
        verdict_lines,
        world_configs,
        write_validation,
    )

    if not 0 < args.alpha < 1:
        raise UserError(f"run.py validate: --alpha: expected a number in (0, 1), got {args.alpha}")
    config, seeds = _experiment_setup(args, VALIDATE_DEFAULT_REPLICATIONS)
    if len(seeds) < 2:
        raise UserError("run.py validate: --replications: expected an integer >= 2 (paired tests)")
    try:
        configs = world_configs(config)
    except ConfigError as err:
        raise UserError(
            f"run.py validate: {args.scenario}: a validation world is invalid with this "
            f"scenario: {err}"
        ) from None
    with run_folder(args.out, "validation") as tmp:
        result = validate(config, configs, seeds, args.alpha, args.workers, _progress(args, 2))
        write_validation(tmp, result, config.seed)
    folder = finalise(tmp)
    warning = seeds_warning(result)
    if warning:
        print(f"run.py validate: warning: {warning}", file=sys.stderr)
    if not args.quiet:
        passed = int((result.primary["verdict"] == "PASS").sum())
        na = int((result.primary["verdict"] == "N/A").sum())
        print(
            f"{passed} of {len(result.primary)} claims PASS"
            f"{f', {na} N/A' if na else ''} ({len(seeds)} seeds, "
            f"{config.steps} months, Holm alpha {args.alpha:g})"
        )
        print("\n".join(verdict_lines(result)))
        print(f"report: {folder / 'report.md'}")
    print(f"results: {folder}")
    return 0


# --- frontier -------------------------------------------------------------------------------
def frontier_verb(args: argparse.Namespace) -> int:
    from sim.config import POLICY_NAMES
    from sim.validation.frontier import bundles, run_frontier, write_frontier

    policies = list(POLICY_NAMES)
    if args.policies is not None:
        policies = [p.strip() for p in args.policies.split(",") if p.strip()]
        unknown = [p for p in policies if p not in POLICY_NAMES]
        if unknown or not policies or len(set(policies)) != len(policies):
            raise UserError(
                f"run.py frontier: --policies: expected distinct names from "
                f"{', '.join(POLICY_NAMES)}, got {args.policies!r}"
            )
    if args.max_size is None:
        args.max_size = min(FRONTIER_DEFAULT_MAX_SIZE, len(policies))
    if not 1 <= args.max_size <= len(policies):
        raise UserError(
            f"run.py frontier: --max-size: expected an integer in [1, {len(policies)}], "
            f"got {args.max_size}"
        )
    config, seeds = _experiment_setup(args, FRONTIER_DEFAULT_REPLICATIONS)
    if len(seeds) < 2:
        raise UserError("run.py frontier: --replications: expected an integer >= 2 (CIs)")
    count = len(bundles(policies, args.max_size))
    with run_folder(args.out, "frontier") as tmp:
        if not args.quiet:
            print(
                f"{count - 1} bundles + the base scenario x {len(seeds)} seeds = "
                f"{count * len(seeds):,} runs",
                file=sys.stderr,
            )
        table, runs = run_frontier(
            config, seeds, policies, args.max_size, args.workers, _progress(args, 2)
        )
        write_frontier(tmp, table, runs, config, seeds, policies, args.max_size)
    folder = finalise(tmp)
    if not args.quiet:
        for flag, loss, name in (
            ("pareto", "benign_finetunes_lost", "benign fine-tunes lost"),
            ("pareto_benefit", "benefit_lost", "benign value lost"),
        ):
            front = table[table[flag] & (table["size"] > 0)].sort_values("incidents_avoided")
            print(f"Pareto-optimal bundles by {name} (means: incidents avoided, {name}):")
            for row in front.to_dict("records"):
                print(
                    f"  {row['bundle']:<58} {_pct(row['incidents_avoided_pct'])}  "
                    f"{_pct(row[f'{loss}_pct'])}"
                )
        print(f"report: {folder / 'report.md'}")
    print(f"results: {folder}")
    return 0


def _pct(value: Any) -> str:
    return "    -" if _num(value) is None else f"{value:+5.0f}%"


# --- discover -------------------------------------------------------------------------------
def discover_verb(args: argparse.Namespace) -> int:
    from sim.batch.discovery import discover

    if args.max_boxes < 1:
        raise UserError("run.py discover: --max-boxes: expected an integer >= 1")
    for flag, value in (
        ("--peel-alpha", args.peel_alpha),
        ("--mass-min", args.mass_min),
        ("--min-coverage", args.min_coverage),
    ):
        if not 0 < value < 1:
            raise UserError(f"run.py discover: {flag}: expected a number in (0, 1), got {value}")
    folder, text = discover(
        args.batch,
        args.outcome,
        args.threshold,
        out=args.out,
        peel_alpha=args.peel_alpha,
        mass_min=args.mass_min,
        min_coverage=args.min_coverage,
        max_boxes=args.max_boxes,
    )
    if not args.quiet:
        print(text)
    print(f"results: {folder}")
    return 0


# --- app ------------------------------------------------------------------------------------
def app_verb(args: argparse.Namespace) -> int:
    """Replace this process with the Solara server (Ctrl-C stops it)."""
    import os

    if not 0 < args.port < 65536:
        raise UserError(f"run.py app: --port: expected an integer in [1, 65535], got {args.port}")
    cache = Path(sys.prefix) / "share" / "solara" / "cdn" / ".packages"
    if not cache.exists() and "SOLARA_ASSETS_PROXY_CACHE_DIR" not in os.environ:
        raise UserError(
            "run.py app: Solara's front-end assets are not installed (the page would stay "
            "blank offline): run 'make setup' first"
        )
    page = Path(__file__).resolve().parent / "app" / "page.py"
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    print(f"finetune-hazards app: http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(page),
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--no-open",
        "--production",
    ]
    os.execve(sys.executable, command, env)
    return 1  # not reached


# --- compare --------------------------------------------------------------------------------
def compare_verb(args: argparse.Namespace) -> int:
    from sim.plots import plot_comparison
    from sim.runner import run_jobs
    from sim.seeding import replication_seeds

    # --replications is validated by the schema, like every other value.
    configs = [load_scenario(path, args.set, _flags(args)) for path in args.scenarios]
    labels = _labels(configs)
    replications = (
        args.replications if args.replications is not None else COMPARE_DEFAULT_REPLICATIONS
    )
    root = args.seed if args.seed is not None else configs[0].seed
    seeds = replication_seeds(root, replications)
    jobs = [(config, s) for config in configs for s in seeds]
    with run_folder(args.out, "compare") as tmp:
        results = run_jobs(jobs, args.workers, _progress(args, len(jobs)), "compare")
        by_scenario = {
            label: [summary for _, summary in results[i * len(seeds) : (i + 1) * len(seeds)]]
            for i, label in enumerate(labels)
        }
        table = comparison_table(by_scenario)
        table.to_csv(tmp / "comparison.csv", index=False)
        plot_comparison(table, list(HEADLINE), tmp / "comparison.png")
        (tmp / "configs").mkdir()
        for label, config in zip(labels, configs, strict=True):
            write_config(tmp / "configs" / f"{label}.yaml", config)
        write_json(
            tmp / "summary.json",
            {
                "scenarios": {
                    label: str(path) for label, path in zip(labels, args.scenarios, strict=True)
                },
                "root_seed": root,
                "seeds": seeds,
                "replications": by_scenario,
            },
        )
    folder = finalise(tmp)
    if not args.quiet:
        print(format_comparison(table, replications))
    print(f"results: {folder}")
    return 0


def _labels(configs: list[Config]) -> list[str]:
    labels: list[str] = []
    for config in configs:
        label, n = config.name, 1
        while label in labels:
            n += 1
            label = f"{config.name}-{n}"
        labels.append(label)
    return labels


def comparison_table(by_scenario: dict[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """Long table: outcome, scenario, mean and CI, paired difference from the first scenario."""
    import pandas as pd

    from sim.stats import mean_ci, paired_difference

    first = next(iter(by_scenario))
    rows = []
    for outcome in HEADLINE:
        reference = [s[outcome] for s in by_scenario[first]]
        for label, summaries in by_scenario.items():
            values = [s[outcome] for s in summaries]
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


def format_comparison(table: pd.DataFrame, replications: int) -> str:
    import pandas as pd

    width = max(len(s) for s in table["scenario"]) + 2
    lines = [
        f"mean [95% CI] over {replications} common seeds; diff = paired difference "
        "from the first scenario"
    ]
    for outcome, rows in table.groupby("outcome", sort=False):
        lines.append(str(outcome))
        for row in rows.itertuples():
            stat = {"mean": row.mean, "ci_low": row.ci_low, "ci_high": row.ci_high, "n": row.n}
            text = (
                f"  {row.scenario:<{width}}{_fmt(_num(row.mean)):>12}  "
                f"{_ci(_clean(stat), replications)}"
            )
            if not pd.isna(row.diff_mean):
                diff = {
                    "mean": row.diff_mean,
                    "ci_low": row.diff_ci_low,
                    "ci_high": row.diff_ci_high,
                    "n": 0,
                }
                text += f"   diff {_fmt(_num(row.diff_mean))} {_ci(_clean(diff))}"
            lines.append(text)
    return "\n".join(lines)


def _num(x: Any) -> float | None:
    return None if x is None or x != x else float(x)  # None or NaN


def _clean(stat: dict[str, Any]) -> dict[str, Any]:
    return {k: (_num(v) if k != "n" else int(v)) for k, v in stat.items()}

"""The command line: parse the arguments, then hand each verb to the layer that does it.

Exit status: 0 success; 2 user error (one line on stderr, nothing written); 1 internal fault.
Nothing heavy is imported here: each verb imports what it needs when it runs, so ``--help``
and user errors answer at once (a test checks that ``import sim.cli`` loads no pandas, SciPy,
SALib, matplotlib, Dask, EMA Workbench or Solara). The layers: docs/architecture.md.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import UserError
from sim.scenario import load_scenario

if TYPE_CHECKING:
    from sim.config import Config
    from sim.experiments.runs import Execution

VERBS = ("run", "compare", "app", "sensitivity", "calibrate", "validate", "frontier", "discover")
COMPARE_DEFAULT_REPLICATIONS = 10
VALIDATE_DEFAULT_REPLICATIONS = 100
FRONTIER_DEFAULT_REPLICATIONS = 10
BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"

EXAMPLES = {
    "run": """
  python run.py scenarios/baseline.yaml
  python run.py run scenarios/tamper_resistance.yaml --replications 20 --seed 7
  python run.py run scenarios/baseline.yaml --steps 60 --set population.malicious=120 \\
      --set policies.compute_kyc.enabled=true --out /tmp/results""",
    "compare": """
  python run.py compare scenarios/baseline.yaml scenarios/tamper_resistance.yaml
  python run.py compare scenarios/baseline.yaml scenarios/bundle_*.yaml --replications 30""",
    "app": """
  python run.py app
  python run.py app --port 9000
  python run.py app --host 0.0.0.0   # reachable from other machines""",
    "sensitivity": """
  python run.py sensitivity scenarios/sensitivity/costs_sobol.yaml
  python run.py sensitivity scenarios/sensitivity/policies_morris.yaml --workers 2
  python run.py sensitivity SPEC.yaml --out results/my-batch        # then, if interrupted:
  python run.py sensitivity SPEC.yaml --out results/my-batch --resume
  python run.py sensitivity SPEC.yaml --executor dask --workers 8
  python run.py sensitivity SPEC.yaml --executor dask --scheduler tcp://HOST:8786""",
    "calibrate": """
  python run.py calibrate scenarios/calibration/evidence.yaml
  python run.py calibrate SPEC.yaml --out results/my-fit --workers 2   # then, if interrupted:
  python run.py calibrate SPEC.yaml --out results/my-fit --resume
  python run.py calibrate SPEC.yaml --executor dask --scheduler tcp://HOST:8786
  python run.py run scenarios/baseline.yaml --posterior results/my-fit/posterior.csv""",
    "validate": """
  python run.py validate                                   # the full suite (about 9 minutes)
  python run.py validate --replications 8 --steps 60       # a quick look
  python run.py validate scenarios/assumptions_high.yaml   # the claims in another world""",
    "frontier": """
  python run.py frontier                                   # every bundle of up to 3 policies
  python run.py frontier --max-size 2 --replications 6     # a quick look
  python run.py frontier --policies structured_access,tamper_resistance,compute_kyc""",
    "discover": """
  python run.py sensitivity scenarios/sensitivity/bundle_targeted_lhs.yaml --out results/lhs
  python run.py discover results/lhs --threshold 350
  python run.py discover results/lhs --outcome total_harm --threshold 400 --max-boxes 2""",
}
# verb: (one-line help, description)
ABOUT = {
    "run": ("run one scenario (also: python run.py SCENARIO.yaml)",
            "Run a scenario's replications and write results/<name>/<run-id>/."),
    "compare": ("compare scenarios over common seeds",
                "Run each scenario over the same seeds (common random numbers) and report each "
                "outcome's mean, 95%% CI and the paired difference from the first."),
    "app": ("start the interactive app (Solara) in a browser",
            "Start the interactive app; open the printed address in a browser."),
    "sensitivity": ("sensitivity analysis (SALib) over parameters and seeds",
                    "Sample the spec's parameters with SALib, run every sample over several "
                    "seeds (resumable), and write per-run results (Parquet), indices with "
                    "confidence intervals, plots and a report."),
    "calibrate": ("fit uncertain parameters to dated sources (ABC-SMC, pyabc)",
                  "Fit the spec's parameters to its targets (dated figures from the sources) "
                  "with ABC-SMC (pyabc); resumable. Writes the weighted posterior, a posterior "
                  "predictive check, report.md and calibrated.yaml to the calibration folder."),
    "validate": ("check the paper's claims as emergent outcomes; calibration report",
                 "Run the validation experiments over common seeds and write "
                 "<out>/validation/<run-id>/report.md: a PASS/FAIL table for each claim (effect "
                 "size, 95%% CI, test) and the stylised-fact calibration against the sources."),
    "frontier": ("policy frontier: every bundle of up to K policies over common seeds",
                 "Run the base scenario with every bundle of up to --max-size policies over "
                 "common seeds; plot incidents avoided against benign fine-tunes lost with 95%% "
                 "CIs, mark the Pareto-optimal bundles, and write frontier.csv."),
    "discover": ("scenario discovery (PRIM) on a finished sensitivity batch",
                 "Find the parameter region where an outcome's mean over seeds exceeds a "
                 "threshold (e.g. where a policy bundle fails to keep incidents down), with PRIM "
                 "from the EMA Workbench; boxes are reported with coverage and density."),
}  # fmt: skip


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message}")


def _ranged(kind: type, low: float, high: float | None = None, open_: bool = False) -> Any:
    """An argparse ``type`` that also checks the range (argparse names the flag)."""
    name = "an integer" if kind is int else "a number"
    if high is None:
        expected = f"{name} >= {low:g}"
    else:
        expected = f"{name} in ({low:g}, {high:g})" if open_ else f"{name} in [{low:g}, {high:g}]"

    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        inside = low < value < high if open_ else low <= value and (high is None or value <= high)
        if not inside:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
        return value

    return convert


FRACTION = _ranged(float, 0, 1, open_=True)
POSITIVE = _ranged(int, 1)


def arg(*names: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """One argument of a verb, as ``add_argument`` takes it."""
    return names, options


def _common(replications: str) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """The options of every verb that runs scenarios."""
    return [
        arg("--seed", type=int, help="root seed (default: the scenario's)"),
        arg("--steps", type=int, help="months to simulate (default: the scenario's)"),
        arg("--replications", type=int, help=replications),
        arg("--set", action="append", default=[], metavar="KEY=VALUE",
            help="override a scenario key, e.g. --set costs.strip_cost_usd=400 (repeatable)"),
        arg("--out", type=Path, default=Path("results"), help="results root folder"),
        arg("--workers", type=POSITIVE, help="parallel processes (default: all cores)"),
        arg("--posterior", type=Path, metavar="FILE",
            help="a calibrate posterior.csv: each replication runs at its own draw from it"),
        arg("--quiet", action="store_true", help="print only the results folder"),
    ]  # fmt: skip


BASE = arg("scenario", type=Path, nargs="?", default=BASELINE,
           help="base scenario (default: baseline)")  # fmt: skip
ARGUMENTS = {
    "run": [
        arg("scenario", type=Path, help="scenario YAML file"),
        *_common("replications (default: the scenario's)"),
    ],
    "compare": [
        arg("scenarios", type=Path, nargs="+", help="scenario YAML files"),
        *_common(f"replications per scenario (default {COMPARE_DEFAULT_REPLICATIONS})"),
    ],
    "app": [
        arg("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"),
        arg("--port", type=_ranged(int, 1, 65535), default=8765, help="port (default 8765)"),
    ],
    "sensitivity": [
        arg("spec", type=Path, help="spec YAML file (scenarios/sensitivity/)"),
        arg("--executor", choices=("local", "dask"), default="local",
            help="local process pool (default) or Dask"),
        arg("--scheduler", metavar="ADDRESS",
            help="connect to a running Dask scheduler, e.g. tcp://10.0.0.5:8786"),
        arg("--workers", type=POSITIVE, help="processes (default: all cores; 1 = in-process)"),
        arg("--resume", action="store_true",
            help="finish the batch in --out, skipping runs already done"),
        arg("--out", type=Path,
            help="the batch folder (default results/sensitivity/<spec>/<run-id>/)"),
        arg("--set", action="append", default=[], metavar="KEY=VALUE",
            help="override a spec key, e.g. --set samples=64 (repeatable)"),
        arg("--quiet", action="store_true", help="print only the batch folder"),
    ],
    "calibrate": [
        arg("spec", type=Path, help="calibration spec YAML file (scenarios/calibration/)"),
        arg("--out", type=Path,
            help="the calibration folder (default results/calibration/<spec>/<run-id>/)"),
        arg("--resume", action="store_true",
            help="continue the calibration in --out from its last complete generation"),
        arg("--executor", choices=("local", "dask"), default="local",
            help="local process pool (default) or Dask"),
        arg("--scheduler", metavar="ADDRESS",
            help="connect to a running Dask scheduler, e.g. tcp://10.0.0.5:8786"),
        arg("--workers", type=POSITIVE, help="processes (default: all cores; 1 = in-process)"),
        arg("--seed", type=_ranged(int, 0), help="root seed (default: the spec's)"),
        arg("--set", action="append", default=[], metavar="KEY=VALUE",
            help="override a spec key, e.g. --set algorithm.population=50 (repeatable)"),
        arg("--quiet", action="store_true", help="print only the calibration folder"),
    ],
    "validate": [
        BASE,
        *_common(f"seeds per experiment (default {VALIDATE_DEFAULT_REPLICATIONS})"),
        arg("--alpha", type=FRACTION, default=0.05,
            help="family-wise significance level, Holm-corrected across claims (default 0.05)"),
    ],
    "frontier": [
        BASE,
        *_common(f"seeds per bundle (default {FRONTIER_DEFAULT_REPLICATIONS})"),
        arg("--max-size", type=int, dest="max_size",
            help="largest bundle (default 3, or the number of --policies if fewer)"),
        arg("--policies", help="comma-separated policies to combine (default: all nine)"),
    ],
    "discover": [
        arg("batch", type=Path, help="a finished sensitivity batch folder"),
        arg("--threshold", type=float, required=True,
            help="a sample fails when outcome > threshold"),
        arg("--outcome", default="total_misuse_incidents",
            help="outcome to threshold (default total_misuse_incidents)"),
        arg("--peel-alpha", type=FRACTION, default=0.05, help="peeling step (0.05)"),
        arg("--mass-min", type=FRACTION, default=0.05, help="smallest box mass (0.05)"),
        arg("--min-coverage", type=FRACTION, default=0.5,
            help="the box reported is the densest point of the peeling trajectory still "
            "covering this share of the failures not in earlier boxes (default 0.5)"),
        arg("--max-boxes", type=POSITIVE, default=3, help="boxes to find (default 3)"),
        arg("--out", type=Path,
            help="results root: writes OUT/discovery/<run-id>/ (default: inside the batch)"),
        arg("--quiet", action="store_true", help="print only the output folder"),
    ],
}  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="run.py",
        description="finetune-hazards: simulate misuse and oversight as fine-tuning "
        "downloadable models gets cheaper and easier to share.",
        epilog="Run 'python run.py VERB --help' for a verb's options.\n\nexamples:"
        + EXAMPLES["run"],
        formatter_class=raw,
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in VERBS:
        help_text, description = ABOUT[verb]
        epilog = "examples:" + EXAMPLES[verb]
        sub = verbs.add_parser(verb, help=help_text, description=description, epilog=epilog,
                               formatter_class=raw)  # fmt: skip
        for names, options in ARGUMENTS[verb]:
            sub.add_argument(*names, **options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and not args_list[0].startswith("-") and args_list[0] not in VERBS:
        args_list.insert(0, "run")  # short form: python run.py SCENARIO.yaml
    try:
        args = build_parser().parse_args(args_list)
        if args.verb is None:
            raise UserError(
                "run.py: expected a verb (" + ", ".join(VERBS) + ") or a scenario file; see --help"
            )
        return VERB_FUNCTIONS[args.verb](args)
    except SystemExit as done:  # --help
        return int(done.code or 0)
    except UserError as err:
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
    return {k: getattr(args, k) for k in ("seed", "steps", "replications")
            if getattr(args, k) is not None}  # fmt: skip


def _execution(args: argparse.Namespace, runs: int) -> Execution:
    """Where to write and how to run; a progress bar on a terminal when there are several."""
    from sim.experiments.runs import Execution

    progress = not args.quiet and runs > 1 and sys.stderr.isatty()
    posterior = None
    if args.posterior is not None:
        from sim.experiments.posterior import Posterior

        posterior = Posterior.load(args.posterior)
    return Execution(args.out, args.workers, progress, posterior)


def _report(args: argparse.Namespace, folder: Path, lines: Sequence[str] = ()) -> int:
    if not args.quiet:
        print("\n".join(lines))
    print(f"results: {folder}")
    return 0


def run_verb(args: argparse.Namespace) -> int:
    from sim.experiments.scenario_run import run_scenario, summary_text

    config = load_scenario(args.scenario, args.set, _flags(args))
    folder, runs = run_scenario(config, _execution(args, config.replications))
    return _report(args, folder, [summary_text(config, runs)])


def compare_verb(args: argparse.Namespace) -> int:
    from sim.experiments.comparison import compare_scenarios, comparison_text

    # --replications is validated by the schema, like every other value.
    configs = [load_scenario(path, args.set, _flags(args)) for path in args.scenarios]
    reps = args.replications if args.replications is not None else COMPARE_DEFAULT_REPLICATIONS
    root = args.seed if args.seed is not None else configs[0].seed
    execution = _execution(args, len(configs) * reps)
    folder, table = compare_scenarios(configs, args.scenarios, root, reps, execution)
    return _report(args, folder, [comparison_text(table, reps)])


def sensitivity_verb(args: argparse.Namespace) -> int:
    from sim.batch.runner import run_batch
    from sim.batch.spec import load_spec
    from sim.experiments.executors import default_workers
    from sim.experiments.folders import new_run_id

    if args.scheduler and args.executor != "dask":
        raise UserError("run.py sensitivity: --scheduler needs --executor dask")
    if args.resume and args.out is None:
        raise UserError("run.py sensitivity: --resume needs --out naming the batch folder")
    spec = load_spec(args.spec, args.set)
    folder = args.out or Path("results") / "sensitivity" / spec.name / new_run_id()
    workers = args.workers or default_workers()
    summary = run_batch(spec, folder, resume=args.resume, executor=args.executor,
                        workers=workers, scheduler=args.scheduler, quiet=args.quiet)  # fmt: skip
    done = f"{summary['runs']:,} runs ({summary['failed']} failed); indices, plots and report.md"
    return _report(args, folder, [f"{done} written"])


def calibrate_verb(args: argparse.Namespace) -> int:
    from sim.calibration.spec import load_calibration_spec
    from sim.experiments.executors import default_workers
    from sim.experiments.folders import new_run_id

    if args.scheduler and args.executor != "dask":
        raise UserError("run.py calibrate: --scheduler needs --executor dask")
    if args.resume and args.out is None:
        raise UserError("run.py calibrate: --resume needs --out naming the calibration folder")
    sets = [*args.set, *([f"seed={args.seed}"] if args.seed is not None else [])]
    spec = load_calibration_spec(args.spec, sets)
    folder = args.out or Path("results") / "calibration" / spec.name / new_run_id()
    workers = args.workers or default_workers()
    from sim.calibration.folder import CalibrationFolder

    # the folder's mistakes answer before pyabc and the model load
    if args.resume:
        CalibrationFolder(folder).check_resume(spec)
    else:
        CalibrationFolder(folder).check_new()
    from sim.calibration.runner import run_calibration

    try:
        done = run_calibration(spec, args.spec, folder, resume=args.resume,
                               executor=args.executor, workers=workers,
                               scheduler=args.scheduler, quiet=args.quiet)  # fmt: skip
    except KeyboardInterrupt:
        print(f"run.py calibrate: interrupted; continue with: python run.py calibrate "
              f"{args.spec} --out {folder} --resume", file=sys.stderr)  # fmt: skip
        return 130
    lines = [
        f"{done['generations']} generation(s), final tolerance {done['tolerance']:.3g}; "
        f"{done['hits']} of {done['targets']} targets hit",
        f"report: {folder / 'report.md'}",
    ]
    return _report(args, folder, lines)


def _experiment_setup(args: argparse.Namespace, replications: int) -> tuple[Config, list[int]]:
    """The base scenario and the common seeds of a validate/frontier run."""
    from sim.config import with_overrides
    from sim.experiments.seeding import replication_seeds

    config = load_scenario(args.scenario, args.set, _flags(args))
    n = args.replications if args.replications is not None else replications
    if n < 2:
        why = "paired tests" if args.verb == "validate" else "CIs"
        raise UserError(f"run.py {args.verb}: --replications: expected an integer >= 2 ({why})")
    # config.yaml then records the seeds actually run, not the scenario's own count
    config = with_overrides(config, {"replications": n})
    return config, replication_seeds(config.seed, n)


def validate_verb(args: argparse.Namespace) -> int:
    from sim.validation.suite import run_validation, seeds_warning, verdict_lines

    config, seeds = _experiment_setup(args, VALIDATE_DEFAULT_REPLICATIONS)
    execution = _execution(args, 2)
    folder, result = run_validation(config, seeds, args.alpha, execution, str(args.scenario))
    warning = seeds_warning(result)
    if warning:
        print(f"run.py validate: warning: {warning}", file=sys.stderr)
    return _report(args, folder, [*verdict_lines(result), f"report: {folder / 'report.md'}"])


def frontier_verb(args: argparse.Namespace) -> int:
    from sim.validation.frontier import bundles, choose_policies, frontier, pareto_lines

    policies, max_size = choose_policies(args.policies, args.max_size)
    config, seeds = _experiment_setup(args, FRONTIER_DEFAULT_REPLICATIONS)
    if not args.quiet:
        runs = len(bundles(policies, max_size)) * len(seeds)
        print(f"{runs // len(seeds) - 1} bundles + the base scenario x {len(seeds)} seeds = "
              f"{runs:,} runs", file=sys.stderr)  # fmt: skip
    folder, table = frontier(config, seeds, policies, max_size, _execution(args, 2))
    return _report(args, folder, [*pareto_lines(table), f"report: {folder / 'report.md'}"])


def discover_verb(args: argparse.Namespace) -> int:
    from sim.batch.discovery import discover

    options = {k: getattr(args, k) for k in ("peel_alpha", "mass_min", "min_coverage", "max_boxes")}
    folder, text = discover(args.batch, args.outcome, args.threshold, out=args.out, **options)
    return _report(args, folder, [text])


def app_verb(args: argparse.Namespace) -> int:
    from sim.app.server import serve

    return serve(args.host, args.port)


VERB_FUNCTIONS = {
    "run": run_verb,
    "compare": compare_verb,
    "app": app_verb,
    "sensitivity": sensitivity_verb,
    "calibrate": calibrate_verb,
    "validate": validate_verb,
    "frontier": frontier_verb,
    "discover": discover_verb,
}

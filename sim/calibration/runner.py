"""``calibrate`` end to end: the folder, ABC-SMC on an executor, then the outputs."""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sim.calibration import outputs
from sim.calibration.folder import CalibrationFolder
from sim.calibration.report import write_report
from sim.calibration.sampler import die_with_parent
from sim.calibration.smc import Generation, run_smc
from sim.calibration.spec import CalibrationSpec
from sim.experiments.executors import dask_client
from sim.experiments.folders import write_atomic


@contextmanager
def evaluation_executor(
    kind: str, workers: int, scheduler: str | None
) -> Iterator[Executor | None]:
    """Where particles are evaluated: this process (local, 1 worker), a local process pool,
    or a Dask cluster (a local one, or the scheduler at ``scheduler``)."""
    if kind == "dask":
        with dask_client(workers, scheduler) as client:
            try:
                yield client.get_executor(pure=False)
            finally:
                # evaluations still running when a generation completes are discarded; the
                # nanny's warning that it had to stop their workers is noise here
                logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
    elif workers > 1:
        with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent) as pool:
            yield pool
    else:
        yield None


class Progress:
    """One line per generation (tolerance, acceptance, ESS, time, ETA); a bar of accepted
    particles within the generation on a terminal."""

    def __init__(self, spec: CalibrationSpec, quiet: bool) -> None:
        self.spec, self.quiet = spec, quiet
        self.generations: list[Generation] = []
        self.bar: tqdm | None = None
        self.terminal = sys.stderr.isatty() and not quiet

    def evaluations(self, evaluations: int, accepted: int) -> None:
        if not self.terminal:
            return
        if self.bar is None:
            self.bar = tqdm(total=self.spec.algorithm.population, unit="particle", leave=False)
        self.bar.n = accepted
        self.bar.set_postfix(runs=evaluations, refresh=True)

    def generation(self, g: Generation) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.generations.append(g)
        if self.quiet:
            return
        algo = self.spec.algorithm
        print(
            f"calibrate {self.spec.name}: generation {g.t + 1} of at most {algo.generations}: "
            f"tolerance {g.tolerance:.3g} (target {algo.min_tolerance:g}), "
            f"{g.accepted}/{g.evaluations} accepted ({g.acceptance_rate:.1%}), "
            f"ESS {g.ess:.0f}, {g.seconds:.0f} s; {self.eta(g)}",
            file=sys.stderr,
            flush=True,
        )

    def eta(self, g: Generation) -> str:
        """Generations left (at most the cap; fewer if the tolerance keeps falling at its
        recent rate), each as long as the last two on average."""
        algo = self.spec.algorithm
        left = algo.generations - (g.t + 1)
        if len(self.generations) >= 2 and g.tolerance > algo.min_tolerance > 0:
            ratio = g.tolerance / self.generations[-2].tolerance
            if 0 < ratio < 1:
                needed = math.log(algo.min_tolerance / g.tolerance) / math.log(ratio)
                left = min(left, max(0, math.ceil(needed)))
        elif g.tolerance <= algo.min_tolerance and algo.min_tolerance > 0:
            left = 0
        if left <= 0:
            return "last generation"
        recent = [x.seconds for x in self.generations[-2:]]
        seconds = left * sum(recent) / len(recent)  # later generations tend to take longer
        when = f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"
        return f"about {left} more generation(s), ETA ~{when}"


def run_calibration(
    spec: CalibrationSpec,
    spec_path: Path,
    folder: Path,
    *,
    resume: bool,
    executor: str,
    workers: int,
    scheduler: str | None,
    quiet: bool = False,
) -> dict[str, Any]:
    """Fit (or finish fitting) ``spec`` in ``folder`` and write every output there."""
    cal = CalibrationFolder(folder)
    if resume:
        cal.check_resume(spec)
    else:
        cal.create(spec)
    progress = Progress(spec, quiet)
    with evaluation_executor(executor, workers, scheduler) as pool:
        history = run_smc(
            spec,
            folder,
            resume=resume,
            executor=pool,
            workers=workers,
            on_generation=progress.generation,
            on_evaluations=progress.evaluations,
        )
    if history.max_t < 0:
        raise RuntimeError("pyabc finished without a generation")
    posterior = outputs.posterior_frame(spec, history)
    params = outputs.parameter_table(spec, posterior)
    if not quiet:
        n = spec.algorithm.predictive_draws
        print(
            f"calibrate {spec.name}: predictive check ({2 * n} runs)", file=sys.stderr, flush=True
        )
    runs = outputs.predictive(spec, posterior, executor, workers, scheduler)
    targets = outputs.target_table(spec, runs)
    generations = outputs.generation_table(history)
    write = write_atomic
    csv = {"index": False, "float_format": "%.10g"}
    write(folder / "posterior.csv", lambda p: posterior.to_csv(p, **csv))
    write(folder / "predictive.csv", lambda p: runs.to_csv(p, **csv))
    write(folder / "parameters.csv", lambda p: params.to_csv(p, **csv))
    write(folder / "targets.csv", lambda p: targets.to_csv(p, **csv))
    write(folder / "generations.csv", lambda p: generations.to_csv(p, **csv))
    write(folder / "posterior.png", lambda p: outputs.plot_posterior(spec, posterior, p))
    write(folder / "predictive.png", lambda p: outputs.plot_predictive(spec, targets, p))
    scenario = outputs.calibrated_scenario(spec, spec_path, params, folder)
    write(folder / "calibrated.yaml", lambda p: outputs.write_calibrated(p, scenario))
    write(folder / "report.md", lambda p: write_report(spec, spec_path, params, targets,
                                                      generations, p))  # fmt: skip
    return {
        "generations": int(history.max_t + 1),
        "tolerance": float(generations["epsilon"].iloc[-1]),
        "hits": int((targets["verdict"] == "hit").sum()),
        "targets": len(targets),
        "params": params,
        "target_table": targets,
    }

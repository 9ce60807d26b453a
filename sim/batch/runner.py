"""Run a sensitivity batch end to end: design, runs (resumable), compaction, analysis, report."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

from tqdm import tqdm

from sim.batch.analysis import analyse, convergence
from sim.batch.design import design, tasks
from sim.batch.report import plot_indices, write_report
from sim.batch.spec import Spec
from sim.batch.storage import BatchFolder
from sim.batch.work import run_task
from sim.experiments.executors import execute

LOG_EVERY_S = 10.0


def estimate_seconds_per_run(spec: Spec) -> float:
    """Time a short run of the base scenario and scale it to the full horizon (after a
    one-month run, which loads the compiled kernels: a worker pays that once, not per run)."""
    from sim.api import simulate
    from sim.config import with_overrides

    months = min(6, spec.base.steps)
    simulate(with_overrides(spec.base, {"steps": 1}), seed=0)
    start = time.perf_counter()
    simulate(with_overrides(spec.base, {"steps": months}), seed=0)
    return (time.perf_counter() - start) * spec.base.steps / months


def describe(spec: Spec, runs: int, workers: int, per_run: float) -> str:
    minutes = runs * per_run / max(workers, 1) / 60
    when = f"{minutes:.1f} min" if minutes >= 1 else f"{minutes * 60:.0f} s"
    return (
        f"sensitivity {spec.name}: {spec.method}, {runs:,} runs to do "
        f"({spec.replications} replication(s) per sample); about {when} on {workers} "
        f"worker(s)"
    )


class Progress:
    """A bar with done/failed counts and ETA on a terminal; a log line every 10 s otherwise."""

    def __init__(self, total: int, on_terminal: bool, quiet: bool) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.quiet, self.start, self.last = quiet, time.monotonic(), time.monotonic()
        self.bar = tqdm(total=total, unit="run", disable=quiet or not on_terminal, leave=False)
        self.log = not quiet and not on_terminal

    def update(self, ok: bool) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        self.bar.update()
        self.bar.set_postfix(failed=self.failed, refresh=False)
        now = time.monotonic()
        if self.log and (now - self.last >= LOG_EVERY_S or self.done == self.total):
            rate = self.done / max(now - self.start, 1e-9)
            eta = (self.total - self.done) / rate if rate else math.inf
            print(
                f"sensitivity: {self.done}/{self.total} runs done, {self.failed} failed, "
                f"ETA {eta:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            self.last = now

    def close(self) -> None:
        self.bar.close()


def run_batch(
    spec: Spec,
    folder: Path,
    *,
    resume: bool,
    executor: str,
    workers: int,
    scheduler: str | None,
    quiet: bool = False,
) -> dict[str, int]:
    batch = BatchFolder(folder)
    if resume:
        batch.check_resume(spec)
        frame = batch.design()
    else:
        frame = design(spec)
    todo_all = tasks(spec, frame)
    done = batch.finished() if resume else set()
    todo = [t for t in todo_all if t.name not in done]
    if not quiet:
        print(describe(spec, len(todo), workers, estimate_seconds_per_run(spec)), flush=True)
    if not resume:
        batch.create(spec, frame)

    progress = Progress(len(todo), sys.stderr.isatty(), quiet)

    def on_result(i: int, result: dict) -> None:
        batch.write_run(todo[i], result)
        progress.update(result["status"] == "ok")

    calls = [(spec.base, t.overrides, t.seed, spec.outcomes) for t in todo]
    try:
        execute(run_task, calls, on_result, executor=executor, workers=workers, scheduler=scheduler)
    finally:
        progress.close()

    results, samples = batch.compact(spec.outcomes)
    indices = analyse(spec, samples)
    indices.to_csv(folder / "indices.csv", index=False, float_format="%.10g")
    conv = convergence(spec, samples, indices)
    conv.to_csv(folder / "convergence.csv", index=False, float_format="%.10g")
    plot_indices(spec, indices, folder / "indices.png")
    write_report(spec, indices, conv, results, folder / "report.md")
    return {
        "runs": len(results),
        "failed": int((results["status"] != "ok").sum()),
        "new": len(todo),
    }

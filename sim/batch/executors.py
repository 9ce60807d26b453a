"""Where runs execute: in this process, a local process pool, or a Dask cluster.

Each executor calls ``on_result(task, result)`` in this process as runs finish, in any order;
results never depend on the order because each run's seed depends only on its position. A
local worker that dies takes down the pool: it is rebuilt and the unfinished runs resubmitted.
On Dask, the scheduler reschedules the tasks of a lost worker (and retries them).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.batch.design import Task
from sim.batch.work import run_task

OnResult = Callable[[Task, dict[str, Any]], None]
MAX_REBUILDS = 5


def run_in_process(tasks: Sequence[Task], args: tuple[Any, ...], on_result: OnResult) -> None:
    for task in tasks:
        on_result(task, run_task(args[0], task.overrides, task.seed, args[1]))


def run_local_pool(
    tasks: Sequence[Task], args: tuple[Any, ...], on_result: OnResult, workers: int
) -> None:
    pending, rebuilds = list(tasks), 0
    while pending:
        lost: list[Task] = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {
                pool.submit(run_task, args[0], t.overrides, t.seed, args[1]): t for t in pending
            }
            for future in as_completed(futures):
                task = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    lost.append(task)
                    continue
                on_result(task, result)
        if lost:
            rebuilds += 1
            if rebuilds > MAX_REBUILDS:
                raise RuntimeError(f"local workers kept dying; {len(lost)} runs unfinished")
            print(
                f"sensitivity: a worker process died; rebuilding the pool and resubmitting "
                f"{len(lost)} runs",
                file=sys.stderr,
                flush=True,
            )
        pending = sorted(lost, key=lambda t: (t.sample, t.replication))


def run_dask(
    tasks: Sequence[Task],
    args: tuple[Any, ...],
    on_result: OnResult,
    workers: int,
    scheduler: str | None,
) -> None:
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler, timeout="30s")
    try:
        base, outcomes = client.scatter(args[0], broadcast=True), args[1]
        futures = {
            client.submit(
                run_task,
                base,
                t.overrides,
                t.seed,
                outcomes,
                retries=3,
                key=f"run-{t.name}-{t.seed}",
                pure=False,
            ): t
            for t in tasks
        }
        for future in dask_completed(list(futures)):
            on_result(futures[future], future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

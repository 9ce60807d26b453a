"""Where runs execute: in this process, a local process pool, or a Dask cluster.

One interface for every batch layer: a picklable function, a list of argument tuples, and
``on_result(index, result)`` called in this process as calls finish, in any order. Results
never depend on that order (each run's seed depends only on its position). A local worker
that dies takes down the pool: it is rebuilt and the unfinished calls resubmitted. On Dask,
the scheduler reschedules a lost worker's tasks and retries them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

OnResult = Callable[[int, Any], None]
MAX_REBUILDS = 5


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def run_in_process(fn: Callable[..., Any], calls: Sequence[tuple], on_result: OnResult) -> None:
    for i, args in enumerate(calls):
        on_result(i, fn(*args))


def run_local_pool(
    fn: Callable[..., Any], calls: Sequence[tuple], on_result: OnResult, workers: int
) -> None:
    pending, rebuilds = list(range(len(calls))), 0
    while pending:
        lost: list[int] = []
        with ProcessPoolExecutor(max_workers=min(workers, len(pending))) as pool:
            futures = {pool.submit(fn, *calls[i]): i for i in pending}
            for future in as_completed(futures):
                try:
                    result = future.result()
                except BrokenProcessPool:
                    lost.append(futures[future])
                    continue
                on_result(futures[future], result)
        if lost:
            rebuilds += 1
            if rebuilds > MAX_REBUILDS:
                raise RuntimeError(f"local workers kept dying; {len(lost)} runs unfinished")
            print(
                f"a worker process died; rebuilding the pool and resubmitting {len(lost)} runs",
                file=sys.stderr,
                flush=True,
            )
        pending = sorted(lost)


def run_dask(
    fn: Callable[..., Any],
    calls: Sequence[tuple],
    on_result: OnResult,
    workers: int,
    scheduler: str | None,
) -> None:
    from dask.distributed import as_completed as dask_completed

    with dask_client(workers, scheduler) as client:
        futures = {
            client.submit(fn, *args, retries=3, pure=False): i for i, args in enumerate(calls)
        }
        for future in dask_completed(list(futures)):
            on_result(futures[future], future.result())


@contextmanager
def dask_client(workers: int, scheduler: str | None) -> Iterator[Any]:
    """A Dask client: of a local cluster of ``workers`` single-threaded processes, or of the
    running scheduler at ``scheduler``; closed (with the local cluster) on leaving."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler, timeout="30s")
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def execute(
    fn: Callable[..., Any],
    calls: Sequence[tuple],
    on_result: OnResult,
    *,
    executor: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
) -> None:
    """Run ``fn(*args)`` for every tuple in ``calls`` with the chosen executor."""
    if not calls:
        return
    if executor == "dask":
        run_dask(fn, calls, on_result, workers, scheduler)
    elif workers <= 1 or len(calls) == 1:
        run_in_process(fn, calls, on_result)
    else:
        run_local_pool(fn, calls, on_result, workers)

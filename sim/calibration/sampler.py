"""A pyabc sampler whose results do not depend on the number of workers or the executor.

pyabc's own parallel samplers reseed every worker from the operating system's entropy, so a
calibration would differ from run to run. Here every evaluation has a fixed index ``i``
within generation ``t`` and runs with numpy's global generator (which pyabc draws priors and
perturbations from, and the model draws its run seeds from) seeded from
``SeedSequence(root, spawn_key=(t + 1, i))``, the project's seeding scheme
(``sim.experiments.seeding``). Evaluations run in chunks on any ``concurrent.futures``
executor (a local process pool or a Dask client's executor) and the first ``n`` accepted *by
index* are kept, the rule pyabc's dynamic scheduling uses too, which is unbiased. So a
generation is a pure function of (root, t): the same with 1 worker, 2, or a Dask cluster,
and after a calibration is killed and resumed. Surplus evaluations are discarded.

Only the sampling is ours; the ABC-SMC algorithm (tolerances, weights, perturbation
kernels) is pyabc's.
"""

from __future__ import annotations

import ctypes
import os
import random
import signal
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

import cloudpickle
import numpy as np
import pyabc

_CACHE: dict[int, Callable[[], Any]] = {}  # a worker's unpickled simulate_one, by generation


def evaluation_seed(root: int, t: int, index: int) -> int:
    """The global generator's seed for evaluation ``index`` of generation ``t`` (pyabc's
    calibration sample, before generation 0, is t = -1)."""
    state = np.random.SeedSequence(root, spawn_key=(t + 1, index)).generate_state(1, np.uint32)
    return int(state[0])


def die_with_parent() -> None:
    """A pool worker's initializer (Linux): the kernel ends the worker when its parent
    dies, so a calibration killed mid-generation leaves no worker running on."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:  # not Linux: nothing to do
        return
    if os.getppid() == 1:  # the parent died before prctl
        os._exit(1)


def evaluate_chunk(simulate: bytes, key: int, root: int, t: int, first: int, count: int) -> list:
    """Evaluations ``first`` .. ``first + count - 1`` of generation ``t`` (pyabc particles)."""
    sim = _CACHE.get(key)
    if sim is None:
        _CACHE.clear()
        sim = _CACHE[key] = cloudpickle.loads(simulate)
    out = []
    for index in range(first, first + count):
        seed = evaluation_seed(root, t, index)
        np.random.seed(seed)
        random.seed(seed)
        out.append(sim())
    return out


class SeededSampler(pyabc.sampler.Sampler):
    """Evaluations seeded by (root, generation, index), on ``executor`` (None: in this
    process), ``chunk`` evaluations per task, up to ``in_flight`` tasks queued."""

    def __init__(
        self,
        root: int,
        executor: Executor | None = None,
        workers: int = 1,
        chunk: int = 2,
        on_evaluations: Callable[[int, int], None] | None = None,
    ) -> None:
        super().__init__()
        self.root, self.executor, self.chunk = root, executor, chunk
        self.in_flight = 3 * max(workers, 1)
        self.on_evaluations = on_evaluations  # (evaluations, accepted) as they come in
        self._key = 0

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        self._key += 1
        blob = cloudpickle.dumps(simulate_one)
        sample = self._create_empty_sample()
        evaluations = accepted = 0
        for particles in self._chunks(blob, t):
            for particle in particles:
                if accepted >= n or evaluations >= max_eval:
                    break
                evaluations += 1
                accepted += int(particle.accepted)
                sample.append(particle)
            if self.on_evaluations is not None:
                self.on_evaluations(evaluations, accepted)
            if accepted >= n or evaluations >= max_eval:
                break
        self.nr_evaluations_ = evaluations
        if sample.n_accepted < n:
            sample.ok = False
        return sample

    def _chunks(self, blob: bytes, t: int) -> Any:
        """Each chunk's particles, in index order, evaluated ahead on the executor."""
        first = 0
        if self.executor is None:
            while True:
                yield evaluate_chunk(blob, self._key, self.root, t, first, self.chunk)
                first += self.chunk
        queue: list[Future] = []
        try:
            while True:
                while len(queue) < self.in_flight:
                    args = (blob, self._key, self.root, t, first, self.chunk)
                    queue.append(self.executor.submit(evaluate_chunk, *args))
                    first += self.chunk
                yield queue.pop(0).result()
        finally:
            for future in queue:
                future.cancel()

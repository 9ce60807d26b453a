"""ABC-SMC with pyabc: the prior, the particle model, the distance, and the run itself.

A *particle* is one set of the spec's parameters. Its model runs the base scenario with them
``seeds_per_particle`` times (run seeds drawn from numpy's global generator, which the
sampler seeds per evaluation: ``sim.calibration.sampler``) and returns each target's output,
averaged over those runs. The distance between a particle's outputs and the observed
figures is the root mean square of the targets' errors, each in units of its tolerance (in
log10 units for targets on a log scale): a distance of 1 means "one tolerance off on
average". pyabc (ABC-SMC, Del Moral et al. 2012; Beaumont et al. 2009) accepts particles
below a tolerance that it lowers each generation to a quantile of the last distances.
Priors are uniform on the parameter's scale (log10 for ``logunif``); pyabc's perturbation
kernel works on that scale too.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyabc
from pyabc.weighted_statistics import effective_sample_size

from sim.api import simulate
from sim.calibration.sampler import SeededSampler
from sim.calibration.spec import CalibrationSpec, Target
from sim.config import Config, with_overrides
from sim.parameter_ranges import Parameter
from sim.schema import unflatten

MISSING_ERROR = 100.0  # a target with no value (e.g. growth from zero) counts this far off
logging.getLogger("ABC").setLevel(logging.WARNING)  # our own progress lines instead


def configure(base: Config, parameters: tuple[Parameter, ...], values: dict[str, float]) -> Config:
    """The base scenario with parameters set from values on their prior scale."""
    natural = {p.key: p.natural(float(values[p.key])) for p in parameters}
    return with_overrides(base, unflatten(natural))


def measure(targets: tuple[Target, ...], config: Config, seeds: list[int]) -> dict[str, float]:
    """Each target's output, averaged over runs on ``seeds`` (NaN if no run has a value)."""
    values: dict[str, list[float]] = {t.name: [] for t in targets}
    for seed in seeds:
        frame, summary = simulate(config, seed=seed)
        for t in targets:
            values[t.name].append(t.output.measure(config.start_date, frame, summary))
    out = {}
    for name, xs in values.items():
        finite = [x for x in xs if not math.isnan(x)]
        out[name] = float(np.mean(finite)) if finite else math.nan
    return out


@dataclass(frozen=True)
class ParticleModel:
    """pyabc's model: a particle's parameters in, its targets' outputs out."""

    base: Config
    parameters: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    seeds: int

    def __call__(self, values: dict[str, float]) -> dict[str, float]:
        seeds = [int(s) for s in np.random.randint(0, 2**62, size=self.seeds, dtype=np.int64)]
        return measure(self.targets, configure(self.base, self.parameters, values), seeds)


@dataclass(frozen=True)
class Distance:
    """Root mean square of the targets' errors, in tolerances."""

    targets: tuple[Target, ...]

    def errors(self, simulated: dict[str, float]) -> list[float]:
        out = []
        for t in self.targets:
            error = t.error(simulated[t.name])  # NaN (no value) or -inf (log of <= 0)
            out.append(error if math.isfinite(error) else MISSING_ERROR)
        return out

    def __call__(self, simulated: dict[str, float], observed: dict[str, float]) -> float:
        errors = self.errors(simulated)
        return float(math.sqrt(sum(e * e for e in errors) / len(errors)))


def prior(parameters: tuple[Parameter, ...]) -> pyabc.Distribution:
    rvs = {}
    for p in parameters:
        low, high = p.scale_bounds
        rvs[p.key] = pyabc.RV("uniform", low, high - low)
    return pyabc.Distribution(**rvs)


def transition(kernel: str) -> pyabc.transition.Transition:
    """pyabc's perturbation kernel: a multivariate normal with one covariance fitted to the
    whole population (``global``, pyabc's default), or with each particle's covariance
    fitted to its nearest quarter of the population (``local``: Filippi et al. 2013), which
    follows curved or narrow posteriors more closely."""
    if kernel == "local":
        return pyabc.transition.LocalTransition(k_fraction=0.25)
    return pyabc.transition.MultivariateNormalTransition()


@dataclass
class Generation:
    """What one finished generation reports."""

    t: int
    tolerance: float
    evaluations: int
    accepted: int
    ess: float
    seconds: float

    @property
    def acceptance_rate(self) -> float:
        return self.accepted / self.evaluations if self.evaluations else math.nan


class _ABCSMC(pyabc.ABCSMC):
    """pyabc's ABC-SMC, telling us when each generation is done (pyabc has no callback)."""

    def __init__(self, *args: Any, on_generation: Callable[[Generation], None], **kw: Any):
        super().__init__(*args, **kw)
        self.on_generation = on_generation

    def run_generation(self, t: int) -> dict:
        start = time.perf_counter()
        tolerance = float(self.eps(t))
        result = super().run_generation(t=t)
        if result["successful"]:
            _, weights = self.history.get_distribution(m=0, t=t)
            populations = self.history.get_all_populations()
            row = populations[populations.t == t].iloc[0]
            self.on_generation(
                Generation(
                    t,
                    tolerance,
                    int(row.samples),
                    int(row.particles),
                    float(effective_sample_size(weights)),
                    time.perf_counter() - start,
                )
            )
        return result


def database_url(folder: Path) -> str:
    return "sqlite:///" + str((folder / "calibration.db").resolve())


def run_smc(
    spec: CalibrationSpec,
    folder: Path,
    *,
    resume: bool,
    executor: Any,
    workers: int,
    on_generation: Callable[[Generation], None],
    on_evaluations: Callable[[int, int], None] | None = None,
) -> pyabc.History:
    """Run (or continue) the calibration in ``folder``'s database up to the spec's number of
    generations, its final tolerance, or its least acceptance rate, whichever comes first."""
    algo = spec.algorithm
    np.random.seed(spec.seed % 2**32)  # pyabc's own draws in this process (none expected)
    sampler = SeededSampler(spec.seed, executor, workers, on_evaluations=on_evaluations)
    model = ParticleModel(spec.base, spec.parameters, spec.targets, algo.seeds_per_particle)
    abc = _ABCSMC(
        model,
        prior(spec.parameters),
        Distance(spec.targets),
        population_size=algo.population,
        sampler=sampler,
        eps=pyabc.QuantileEpsilon(alpha=algo.quantile),
        transitions=transition(algo.kernel),
        on_generation=on_generation,
    )
    url = database_url(folder)
    if resume:
        history = abc.load(url, 1)
        done = history.max_t + 1
    else:
        observed = {t.name: t.observed for t in spec.targets}
        abc.new(url, observed, meta_info={"digest": spec.digest()})
        done = 0
    left = algo.generations - done
    if left > 0 and not _finished(abc.history, spec):
        abc.run(
            minimum_epsilon=algo.min_tolerance,
            max_nr_populations=left,
            min_acceptance_rate=algo.min_acceptance_rate,
        )
    return abc.history


def _finished(history: pyabc.History, spec: CalibrationSpec) -> bool:
    """A resumed calibration whose last generation already met the final tolerance."""
    if history.max_t < 0:
        return False
    populations = history.get_all_populations()
    last = populations[populations.t == history.max_t].iloc[0]
    return float(last.epsilon) <= spec.algorithm.min_tolerance

"""Calibration specs (``scenarios/calibration/*.yaml``), validated like scenarios.

A spec names a base scenario (with optional overrides), the parameters to fit with their
priors (uniform or log-uniform bounds, as in sensitivity specs), the *targets* (a model output,
the observed value, a tolerance and the source) and the algorithm's settings. Every mistake is
one :class:`ScenarioError` naming the file, the key path and the line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import calendar
from sim.calibration.targets import Output, parse_output
from sim.config import Config, with_overrides
from sim.parameter_ranges import Parameter, parse_parameters
from sim.scenario import ScenarioError, parse_sets, read_mapping, spec_base
from sim.schema import ConfigError, merge, to_dict

SPEC_KEYS = ("description", "base", "overrides", "seed", "parameters", "targets", "algorithm")
TARGET_KEYS = ("output", "observed", "tolerance", "log", "source", "note")
SOURCE_KEYS = ("author", "year", "id")
ALGORITHM_KEYS = (
    "population",
    "generations",
    "min_tolerance",
    "seeds_per_particle",
    "quantile",
    "min_acceptance_rate",
    "predictive_draws",
    "kernel",
)
KERNELS = ("global", "local")


@dataclass(frozen=True)
class Source:
    author: str
    year: int
    id: str

    def cite(self) -> str:
        return f"{self.author} {self.year} ({self.id})" if self.id else f"{self.author} {self.year}"


@dataclass(frozen=True)
class Target:
    """A dated figure the model should reproduce: ``output`` of a run (mean over the seeds of
    a particle) against ``observed``, in units of ``tolerance`` (log10 units if ``log``)."""

    name: str
    output: Output
    observed: float
    tolerance: float
    log: bool
    source: Source
    note: str = ""

    def scaled(self, value: float) -> float:
        """A value on the scale distances are measured in (log10 if ``log``)."""
        if not self.log:
            return value
        return math.log10(value) if value > 0 else -math.inf

    def error(self, value: float) -> float:
        """Signed distance of a simulated value from the observed one, in tolerances."""
        return (self.scaled(value) - self.scaled(self.observed)) / self.tolerance


@dataclass(frozen=True)
class Algorithm:
    population: int = 100  # particles per generation
    generations: int = 8  # at most
    min_tolerance: float = 0.5  # stop once the ABC tolerance (RMS error, in tolerances) is here
    seeds_per_particle: int = 1  # replications averaged per particle
    quantile: float = 0.5  # next tolerance = this weighted quantile of the last distances
    min_acceptance_rate: float = 0.01  # stop when a generation would accept fewer
    predictive_draws: int = 50  # posterior predictive runs
    kernel: str = "global"  # perturbation: one covariance ("global") or each particle's neighbours'


@dataclass(frozen=True)
class CalibrationSpec:
    name: str
    description: str
    base_path: str
    base: Config  # the base scenario with the spec's overrides applied
    parameters: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    algorithm: Algorithm
    seed: int
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # as written

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "base_path": self.base_path,
            "base": to_dict(self.base),
            "parameters": [dataclasses.asdict(p) for p in self.parameters],
            "targets": [dataclasses.asdict(t) for t in self.targets],
            "algorithm": dataclasses.asdict(self.algorithm),
            "seed": self.seed,
        }

    def digest(self) -> str:
        """What a resumed calibration must share with the one it continues."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def load_calibration_spec(path: str | Path, sets: Iterable[str] = ()) -> CalibrationSpec:
    path = Path(path)
    source = read_mapping(path)
    data = merge(source.data, parse_sets(sets))
    label = str(path)

    def fail(key: str, message: str) -> ScenarioError:
        line = None
        parts = key.split(".")
        while parts and line is None:
            line = source.lines.get(".".join(parts).split("[")[0])
            parts.pop()
        return ScenarioError(label, key, message, line)

    for key in data:
        if key not in SPEC_KEYS:
            raise fail(key, f"unknown key; known keys: {', '.join(SPEC_KEYS)}")
    for key in ("base", "parameters", "targets"):
        if key not in data:
            raise ScenarioError(label, key, "missing (required)")
    base_rel, base = spec_base(path, data, fail)
    overrides = data.get("overrides", {})
    if not isinstance(overrides, Mapping):
        raise fail("overrides", "expected a mapping of scenario keys to values")
    try:
        base = with_overrides(base, overrides)
    except ConfigError as err:
        raise fail(f"overrides.{err.path}", err.message) from None
    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail("description", "expected text")
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise fail("seed", f"expected an integer >= 0, got {seed!r}")
    parameters = parse_parameters(data["parameters"], base, fail)
    targets = _targets(data["targets"], base, fail)
    algorithm = _algorithm(data.get("algorithm", {}), fail)
    return CalibrationSpec(
        name=path.stem,
        description=description,
        base_path=base_rel,
        base=base,
        parameters=parameters,
        targets=targets,
        algorithm=algorithm,
        seed=seed,
        overrides=dict(overrides),
    )


def _targets(raw: Any, base: Config, fail: Any) -> tuple[Target, ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise fail("targets", "expected a mapping of target names to {output, observed, ...}")
    out = []
    for name, spec in raw.items():
        where = f"targets.{name}"
        if not isinstance(spec, Mapping):
            raise fail(where, "expected a mapping with output, observed, tolerance, source")
        for key in spec:
            if key not in TARGET_KEYS:
                raise fail(f"{where}.{key}", f"unknown key; known keys: {', '.join(TARGET_KEYS)}")
        for key in ("output", "observed", "tolerance", "source"):
            if key not in spec:
                raise fail(f"{where}.{key}", "missing (required)")
        output = parse_output(spec["output"], f"{where}.output", fail)
        _covered(output, base, f"{where}.output", fail)
        observed = _number(spec["observed"], f"{where}.observed", fail)
        tolerance = _number(spec["tolerance"], f"{where}.tolerance", fail)
        if tolerance <= 0:
            raise fail(f"{where}.tolerance", f"expected a number > 0, got {tolerance!r}")
        log = spec.get("log", False)
        if not isinstance(log, bool):
            raise fail(f"{where}.log", f"expected true or false, got {log!r}")
        if log and observed <= 0:
            raise fail(f"{where}.observed", "expected a number > 0 (the target is on a log scale)")
        note = spec.get("note", "")
        if not isinstance(note, str):
            raise fail(f"{where}.note", "expected text")
        out.append(
            Target(
                str(name),
                output,
                observed,
                tolerance,
                log,
                _source(spec["source"], where, fail),
                note,
            )
        )
    return tuple(out)


def _source(raw: Any, where: str, fail: Any) -> Source:
    if not isinstance(raw, Mapping):
        raise fail(f"{where}.source", "expected {author, year, id}")
    for key in raw:
        if key not in SOURCE_KEYS:
            raise fail(
                f"{where}.source.{key}", f"unknown key; known keys: {', '.join(SOURCE_KEYS)}"
            )
    author, year, ident = raw.get("author"), raw.get("year"), raw.get("id", "")
    if not isinstance(author, str) or not author.strip():
        raise fail(
            f"{where}.source.author", f"expected the authors or organisation, got {author!r}"
        )
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
        raise fail(f"{where}.source.year", f"expected a year such as 2024, got {year!r}")
    if not isinstance(ident, str):
        raise fail(f"{where}.source.id", f"expected text such as 'arXiv 2407.01376', got {ident!r}")
    return Source(author.strip(), year, ident.strip())


def _covered(output: Output, base: Config, where: str, fail: Any) -> None:
    """A dated output must fall inside the simulated months (row t is month t, t >= 1)."""
    for date in output.dates():
        step = calendar.step_of(base.start_date, date)
        if not 1 <= step <= base.steps:
            first = calendar.date_of(base.start_date, 1)
            last = calendar.date_of(base.start_date, base.steps)
            raise fail(where, f"{date} is outside the simulated months ({first} to {last})")


def _number(value: Any, key: str, fail: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise fail(key, f"expected a number, got {value!r}")
    return float(value)


def _algorithm(raw: Any, fail: Any) -> Algorithm:
    if not isinstance(raw, Mapping):
        raise fail("algorithm", "expected a mapping of settings")
    for key in raw:
        if key not in ALGORITHM_KEYS:
            raise fail(f"algorithm.{key}", f"unknown key; known keys: {', '.join(ALGORITHM_KEYS)}")
    defaults = Algorithm()
    values: dict[str, Any] = {}
    ints = {"population": 2, "generations": 1, "seeds_per_particle": 1, "predictive_draws": 2}
    for key, low in ints.items():
        value = raw.get(key, getattr(defaults, key))
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise fail(f"algorithm.{key}", f"expected an integer >= {low}, got {value!r}")
        values[key] = value
    value = raw.get("min_tolerance", defaults.min_tolerance)
    values["min_tolerance"] = _number(value, "algorithm.min_tolerance", fail)
    if values["min_tolerance"] < 0:
        raise fail("algorithm.min_tolerance", f"expected a number >= 0, got {value!r}")
    for key in ("quantile", "min_acceptance_rate"):
        value = _number(raw.get(key, getattr(defaults, key)), f"algorithm.{key}", fail)
        if not 0 < value < 1:
            raise fail(f"algorithm.{key}", f"expected a number in (0, 1), got {value!r}")
        values[key] = value
    kernel = raw.get("kernel", defaults.kernel)
    if kernel not in KERNELS:
        raise fail("algorithm.kernel", f"expected one of {', '.join(KERNELS)}, got {kernel!r}")
    values["kernel"] = kernel
    return Algorithm(**values)

"""Sensitivity-analysis specs (``scenarios/sensitivity/*.yaml``), validated like scenarios.

A spec names a base scenario, the parameters to vary (dotted scenario keys with bounds), the
SALib method, the sample size, the replications per sample, the outcomes (per-run summary
statistics) and a root seed. Every mistake is a :class:`ScenarioError` naming the file, the
key path and the line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sim.config import Config
from sim.outcomes import summary_keys
from sim.parameter_ranges import Parameter, parse_parameters
from sim.scenario import ScenarioError, parse_sets, read_mapping, spec_base
from sim.schema import merge, to_dict

Method = Literal["sobol", "morris", "lhs"]
METHODS = ("sobol", "morris", "lhs")
SPEC_KEYS = ("base", "parameters", "method", "samples", "replications", "outcomes", "seed")


@dataclass(frozen=True)
class Spec:
    name: str
    base_path: str
    base: Config
    parameters: tuple[Parameter, ...]
    method: Method
    samples: int
    replications: int
    outcomes: tuple[str, ...]
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """The resolved spec (base scenario fully resolved), as stored in batch.json."""
        return {
            "name": self.name,
            "base_path": self.base_path,
            "base": to_dict(self.base),
            "parameters": [dataclasses.asdict(p) for p in self.parameters],
            "method": self.method,
            "samples": self.samples,
            "replications": self.replications,
            "outcomes": list(self.outcomes),
            "seed": self.seed,
        }

    def digest(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def problem(self) -> dict[str, Any]:
        """SALib's problem dict: the whole interface between sampling and analysis."""
        return {
            "num_vars": len(self.parameters),
            "names": [p.key for p in self.parameters],
            "bounds": [[p.low, p.high] for p in self.parameters],
            "dists": [p.dist for p in self.parameters],
        }


def load_spec(path: str | Path, sets: Iterable[str] = ()) -> Spec:
    path = Path(path)
    source = read_mapping(path)
    data = merge(source.data, parse_sets(sets))
    label = str(path)

    def fail(key: str, message: str) -> ScenarioError:
        return ScenarioError(label, key, message, source.lines.get(key.split("[")[0]))

    for key in data:
        if key not in SPEC_KEYS:
            raise fail(key, f"unknown key; known keys: {', '.join(SPEC_KEYS)}")
    for key in ("base", "parameters", "method", "samples", "outcomes"):
        if key not in data:
            raise ScenarioError(label, key, "missing (required)")
    base_rel, base = spec_base(path, data, fail)
    method = data["method"]
    if method not in METHODS:
        raise fail("method", f"expected one of {', '.join(METHODS)}, got {method!r}")
    samples = _int(data["samples"], fail, "samples", 2)
    if method == "sobol" and samples & (samples - 1):
        raise fail(
            "samples",
            "expected a power of 2 for sobol (SALib's Sobol' sampling is "
            f"balanced only for N = 2^m), got {samples}",
        )
    if method == "lhs" and samples < 50:
        raise fail(
            "samples", f"expected at least 50 for lhs (RBD-FAST indices need them), got {samples}"
        )
    replications = _int(data.get("replications", 1), fail, "replications", 1)
    seed = _int(data.get("seed", 0), fail, "seed", 0)
    parameters = parse_parameters(data["parameters"], base, fail)
    outcomes = data["outcomes"]
    known = summary_keys()
    if isinstance(outcomes, str) or not isinstance(outcomes, list) or not outcomes:
        raise fail("outcomes", "expected a non-empty list of summary statistics")
    for i, name in enumerate(outcomes):
        if name not in known:
            raise fail(f"outcomes[{i}]", f"unknown outcome {name!r}; known: {', '.join(known)}")
    budget = (
        samples
        * (
            2 * len(parameters) + 2
            if method == "sobol"
            else len(parameters) + 1
            if method == "morris"
            else 1
        )
        * replications
    )
    if budget > 10_000_000:
        raise fail("samples", f"expected at most 10,000,000 runs in all, got {budget:,}")
    return Spec(
        path.stem, base_rel, base, parameters, method, samples, replications, tuple(outcomes), seed
    )


def _int(value: Any, fail: Any, key: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise fail(key, f"expected an integer >= {low}, got {value!r}")
    return value

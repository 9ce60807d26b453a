"""Uncertain parameters in spec files: a dotted numeric scenario key with a range.

Sensitivity specs (``sim.batch.spec``) and calibration specs (``sim.calibration.spec``) name
the parameters they vary the same way: ``key: [low, high]`` (uniform) or
``key: {bounds: [low, high], dist: logunif}`` (uniform in log10, for quantities whose
plausible values span orders of magnitude). Both ends must be valid values of the key.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.config import Config, with_overrides
from sim.errors import UserError
from sim.schema import ConfigError, unflatten

DISTS = ("unif", "logunif")
Fail = Callable[[str, str], UserError]  # (key path, message) -> the error to raise


@dataclass(frozen=True)
class Parameter:
    key: str
    low: float
    high: float
    dist: str = "unif"
    integer: bool = False

    def natural(self, value: float) -> float | int:
        """A value sampled on the parameter's own scale (log10 for logunif) in the key's
        units; integers are rounded."""
        x = 10.0**value if self.dist == "logunif" else value
        return round(x) if self.integer else x

    @property
    def scale_bounds(self) -> tuple[float, float]:
        """The bounds on the scale the prior is uniform on."""
        if self.dist == "logunif":
            return math.log10(self.low), math.log10(self.high)
        return self.low, self.high


def field_type(dotted: str) -> Any:
    """The declared type of a dotted Config key, or None if there is no such key."""
    cls: Any = Config
    tp: Any = None
    for part in dotted.split("."):
        if not dataclasses.is_dataclass(cls):
            return None
        hints = typing.get_type_hints(cls)
        if part not in hints:
            return None
        tp = cls = hints[part]
    return tp


def parse_parameters(raw: Any, base: Config, fail: Fail) -> tuple[Parameter, ...]:
    """The ``parameters`` mapping of a spec, checked against the base scenario."""
    if not isinstance(raw, Mapping) or not raw:
        raise fail("parameters", "expected a mapping of dotted scenario keys to [low, high]")
    out = []
    for key, value in raw.items():
        where = f"parameters.{key}"
        tp = field_type(str(key))
        if tp not in (int, float):
            raise fail(where, "expected a numeric scenario key such as costs.strip_cost_usd")
        dist = "unif"
        if isinstance(value, Mapping):
            extra = set(value) - {"bounds", "dist"}
            if extra:
                raise fail(where, f"unknown key {sorted(extra)[0]!r}; expected bounds, dist")
            dist = value.get("dist", "unif")
            value = value.get("bounds")
            if dist not in DISTS:
                raise fail(where, f"dist: expected one of {', '.join(DISTS)}, got {dist!r}")
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                for v in value
            )
        )
        if not ok or not value[0] < value[1]:
            raise fail(where, f"expected [low, high] with low < high, got {value!r}")
        if dist == "logunif" and value[0] <= 0:
            raise fail(where, "logunif bounds must be positive")
        for bound in value:  # both ends must be valid values of the key
            try:
                with_overrides(base, unflatten({key: int(bound) if tp is int else bound}))
            except ConfigError as err:
                raise fail(where, f"bound {bound!r} is not valid: {err.message}") from None
        out.append(Parameter(str(key), float(value[0]), float(value[1]), dist, tp is int))
    return tuple(out)

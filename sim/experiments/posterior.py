"""Running over a calibration's posterior: each replication at its own parameter draw.

``--posterior FILE`` (a ``posterior.csv`` written by ``calibrate``: a ``weight`` column and
one column per dotted scenario key, in the key's units) makes every replication draw one
particle, with probability its weight, and run with those values. The draw is seeded from
the replication's seed alone, so it is reproducible, and every arm of a comparison (a
scenario, a validation world, a policy bundle) runs replication r at the *same* parameters:
paired differences stay paired. An arm that sets a posterior key to a value of its own (a
validation world that changes that very parameter, a scenario that fixes it) keeps its
value: only keys where the arm agrees with the base configuration are drawn. The spread of
the results then includes parameter uncertainty as well as the randomness of the runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.config import Config, ConfigError, to_dict, with_overrides
from sim.errors import UserError
from sim.experiments.seeding import derive_seed
from sim.parameter_ranges import field_type
from sim.schema import unflatten

POSTERIOR_STREAM = 11  # seeding key of the draws (other streams use other keys)
NOT_PARAMETERS = ("generation", "particle", "weight")


@dataclass(frozen=True)
class Posterior:
    path: str
    keys: tuple[str, ...]
    values: np.ndarray  # particles x keys, in the keys' units
    weights: np.ndarray  # normalised

    @classmethod
    def load(cls, path: str | Path) -> Posterior:
        """Read and check a ``posterior.csv``; every mistake is one line naming the file."""
        import pandas as pd

        label = str(path)
        p = Path(path)
        if not p.is_file():
            raise UserError(f"{label}: no such posterior file (expected a calibrate posterior.csv)")
        try:
            frame = pd.read_csv(p)
        except (ValueError, OSError, UnicodeDecodeError) as err:
            raise UserError(f"{label}: cannot read as CSV ({err})") from None
        if "weight" not in frame.columns:
            raise UserError(f"{label}: expected a 'weight' column (a calibrate posterior.csv)")
        keys = tuple(c for c in frame.columns if c not in NOT_PARAMETERS)
        if not keys or len(frame) == 0:
            raise UserError(f"{label}: expected at least one particle and one parameter column")
        for key in keys:
            if field_type(key) not in (int, float):
                raise UserError(f"{label}: column {key!r}: expected a numeric scenario key")
        values = frame[list(keys)].to_numpy(dtype=float, na_value=math.nan)
        weights = frame["weight"].to_numpy(dtype=float, na_value=math.nan)
        if not np.isfinite(values).all():
            raise UserError(f"{label}: expected a number in every parameter column")
        if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
            raise UserError(f"{label}: weight: expected non-negative numbers, not all zero")
        return cls(label, keys, values, weights / weights.sum())

    def draw(self, seed: int) -> dict[str, float | int]:
        """The parameters of the replication run on ``seed``."""
        rng = np.random.default_rng(derive_seed(seed, POSTERIOR_STREAM))
        row = int(rng.choice(len(self.weights), p=self.weights))
        out: dict[str, float | int] = {}
        for key, value in zip(self.keys, self.values[row], strict=True):
            out[key] = round(value) if field_type(key) is int else float(value)
        return out

    def apply(self, config: Config, seed: int, base: Config) -> tuple[Config, dict[str, Any]]:
        """``config`` with this replication's draw on every key where it agrees with
        ``base``; and the values drawn (what the run used)."""
        drawn = self.draw(seed)
        mine, theirs = to_dict(config), to_dict(base)
        used = {k: v for k, v in drawn.items() if _get(mine, k) == _get(theirs, k)}
        try:
            return with_overrides(config, unflatten(used)), used
        except ConfigError as err:
            raise UserError(f"{self.path}: {err.path}: {err.message}") from None


def _get(tree: dict[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        node = node[part]
    return node

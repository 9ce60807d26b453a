"""The plain Python API: ``simulate(config, seed) -> (timeseries, summary)``.

A function rather than a class so that SALib, EMA Workbench or a notebook can call the model
like any other callable: parameters in, named outcomes out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.config import Config, make_config
from sim.model import EcosystemModel


def simulate(
    config: Config | Mapping[str, Any] | None = None, seed: int | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Run one replication.

    Args:
        config: a validated :class:`Config`, or a nested mapping of overrides on the defaults,
            e.g. ``{"population": {"malicious": 0}, "steps": 24}``.
        seed: the run's seed; ``config.seed`` when omitted.

    Returns:
        The per-step outcomes (one row per month; columns in docs/ODD.md §3.3.12) and
        the run summary.

    Raises:
        ConfigError: a key or value in ``config`` is invalid (the message names the key path).
    """
    model = EcosystemModel(make_config(config), seed=seed)
    model.run()
    frame = model.timeseries()
    summary = model.summary()
    summary["seed"] = model.cfg.seed if seed is None else seed
    return frame, summary

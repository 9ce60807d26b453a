"""The plain Python API: ``simulate(config, seed) -> (timeseries, summary)``.

A function rather than a class so that SALib, EMA Workbench or a notebook can call the model
like any other callable: parameters in, named outcomes out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.config import Config, make_config
from sim.core import costs
from sim.core.calls import from_python
from sim.core.model import EcosystemModel


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
    cfg = make_config(config)
    model = EcosystemModel(cfg, seed=cfg.seed if seed is None else seed)
    model.run()
    frame = model.timeseries()
    summary = model.summary()
    summary["seed"] = model.cfg.seed if seed is None else seed
    return frame, summary


def finetune_cost(
    config: Config, capability: float, step: float, finetune_oom: float = 0.0
) -> float:
    """USD of a benign fine-tune of a checkpoint of ``capability`` (OOM vs the step-0 open
    frontier) at month ``step``, for an actor whose techniques cut ``finetune_oom`` OOM: the
    model's own cost curve (``sim.core.costs``), for stylised facts and notebooks."""
    terms = costs.terms(config.costs, step)
    return float(from_python(costs.finetune_cost)(terms, capability, finetune_oom))


def warm_up() -> None:
    """Compile the model's rules now (Numba caches them on disk, per version of the core's
    sources), so that the first run, the app and every worker start at once: a small run
    with every policy in force, and the few compiled functions Python calls directly."""
    from sim.config import POLICY_NAMES

    config = make_config(
        {
            "population": {"labs": 3, "hobbyists": 60, "malicious": 12},
            "steps": 3,
            "malicious": {"activity_rate": 0.9, "api_abuse_prob": 0.5},
            "policies": {name: {"enabled": True} for name in POLICY_NAMES},
        }
    )
    model = EcosystemModel(config, seed=0)
    model.run()
    model.timeseries()
    for actor in model.malicious:
        actor.is_equipped  # noqa: B018 (compiles the view's rule)
    finetune_cost(config, 0.0, 1.0)

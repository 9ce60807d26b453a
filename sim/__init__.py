"""finetune-hazards: an agent-based model of increasingly accessible fine-tuning.

Exports are loaded lazily, so that the command line can report a user error before it
imports the model's heavy dependencies (Mesa, pandas, SciPy).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "COLUMNS": "sim.outcomes",
    "Config": "sim.config",
    "ConfigError": "sim.config",
    "EcosystemModel": "sim.core.model",
    "make_config": "sim.config",
    "simulate": "sim.api",
}
__all__ = ["COLUMNS", "Config", "ConfigError", "EcosystemModel", "make_config", "simulate"]

if TYPE_CHECKING:
    from sim.api import simulate
    from sim.config import Config, ConfigError, make_config
    from sim.core.model import EcosystemModel
    from sim.outcomes import COLUMNS


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)

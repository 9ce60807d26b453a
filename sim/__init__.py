"""finetune-hazards: an agent-based model of increasingly accessible fine-tuning."""

from sim.api import simulate
from sim.config import Config, ConfigError, make_config
from sim.model import EcosystemModel
from sim.outcomes import COLUMNS

__all__ = ["COLUMNS", "Config", "ConfigError", "EcosystemModel", "make_config", "simulate"]

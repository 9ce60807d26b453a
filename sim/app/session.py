"""One interactive run: the chosen scenario, the control values, the model and its layout.

Plain Python with no Solara in it, so tests drive it directly. The app's run uses the seed
the command line gives replication 0 of the same configuration, so an exported config run
with ``python run.py exported.yaml`` reproduces the interactive run exactly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import yaml

from sim.app.controls import ALL_CONTROLS
from sim.config import Config
from sim.experiments.runs import Runs
from sim.experiments.seeding import derive_seed
from sim.model import EcosystemModel
from sim.outcomes import COLUMNS
from sim.scenario import load_scenario
from sim.schema import build, merge, to_dict, unflatten

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
MAX_DRAWN_NODES = 600


def scenario_names(folder: Path = SCENARIO_DIR) -> list[str]:
    """Scenario files the app offers (the top level of ``scenarios/``), baseline first."""
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    return sorted(names, key=lambda n: n != "baseline")


def get_key(config: Config, dotted: str) -> Any:
    value: Any = config
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


@dataclass
class Layout:
    """Node positions computed once per graph (so nodes do not jump) for a sample of nodes."""

    nodes: np.ndarray
    positions: np.ndarray
    total: int


class AppSession:
    def __init__(self, scenario: str = "baseline", folder: Path = SCENARIO_DIR) -> None:
        self.folder = folder
        # The app's Play thread steps while the page reads: every change and every consistent
        # read holds this lock.
        self.lock = threading.RLock()
        self.load(scenario)

    # --- configuration ------------------------------------------------------------------
    def load(self, scenario: str) -> None:
        """Pick a scenario file: its values become the controls' values, and the run restarts."""
        with self.lock:
            self.scenario = scenario
            self.base = load_scenario(self.folder / f"{scenario}.yaml")
            self.values = {c.key: get_key(self.base, c.key) for c in ALL_CONTROLS}
            self.reset()

    def set(self, key: str, value: Any) -> None:
        """Change a control; it takes effect at the next :meth:`reset`."""
        self.values[key] = value

    def pending(self) -> dict[str, Any]:
        """Controls whose shown value differs from the running model's configuration."""
        return {k: v for k, v in self.values.items() if get_key(self.config, k) != v}

    def reset(self) -> None:
        """Rebuild the model from the scenario and the current control values."""
        with self.lock:
            self.config = build(Config, merge(to_dict(self.base), unflatten(self.values)))
            self.values = {c.key: get_key(self.config, c.key) for c in ALL_CONTROLS}
            self.seed = derive_seed(self.config.seed, 0)
            self.model = EcosystemModel(self.config, seed=self.seed)
            self.layout = make_layout(self.model, self.config.seed)

    # --- running ------------------------------------------------------------------------
    @property
    def month(self) -> int:
        return int(self.model.steps)

    @property
    def finished(self) -> bool:
        return self.month >= self.config.steps

    def step(self) -> bool:
        """One month; False (and nothing happens) once the scenario's horizon is reached."""
        with self.lock:
            if self.finished:
                return False
            self.model.step()
            return True

    def timeseries(self) -> pd.DataFrame:
        if self.month == 0:
            return pd.DataFrame(columns=list(COLUMNS))
        return self.model.timeseries()

    # --- export -------------------------------------------------------------------------
    def runs(self) -> Runs:
        """This interactive run as one replication, in the shape every verb writes."""
        with self.lock:
            return Runs.single(self.config.name, self.seed, self.timeseries(), {})

    def csv(self) -> str:
        """The time series as ``timeseries.csv`` holds it (``replication``, ``seed``, ...)."""
        return self.runs().timeseries().to_csv(index=False)

    def config_yaml(self) -> str:
        """The resolved configuration, as one replication: ``python run.py`` on it
        reproduces this run (same seed derivation as the command line)."""
        data = to_dict(self.config)
        data["name"] = f"app-{self.config.name}"
        data["replications"] = 1
        return yaml.safe_dump(data, sort_keys=False)

    def headline(self) -> dict[str, Any]:
        frame = self.timeseries()
        last = frame.iloc[-1] if len(frame) else None
        active = [n for n, s in self.model.policies.states.items() if s.active(self.month)]
        return {
            "month": self.month,
            "incidents": int(frame["misuse_incidents"].sum()) if last is not None else 0,
            "harm": float(frame["harm"].sum()) if last is not None else 0.0,
            "equipped": int(last["malicious_equipped"]) if last is not None else 0,
            "benign_finetunes": int(frame["benign_finetunes"].sum()) if last is not None else 0,
            "finetune_cost": float(last["finetune_cost"]) if last is not None else None,
            "coverage": float(last["oversight_coverage"]) if last is not None else None,
            "policies": active,
        }


def make_layout(model: EcosystemModel, seed: int) -> Layout:
    """Positions for at most ``MAX_DRAWN_NODES`` nodes: every lab and malicious actor first,
    then a random sample of hobbyists. Its own random stream: the model's is untouched."""
    rng = np.random.default_rng([seed, 0xA77])
    graph = model.graph
    n = graph.number_of_nodes()
    nodes = np.arange(n)
    if n > MAX_DRAWN_NODES:
        priority = np.concatenate([model.lab_nodes, model.malicious_nodes])[:MAX_DRAWN_NODES]
        room = MAX_DRAWN_NODES - len(priority)
        sample = rng.choice(
            model.hobbyist_nodes, size=min(room, len(model.hobbyist_nodes)), replace=False
        )
        nodes = np.sort(np.concatenate([priority, sample]))
    sub = graph.subgraph(nodes.tolist())
    pos = nx.spring_layout(sub, seed=int(rng.integers(2**31)), iterations=30)
    return Layout(nodes, np.array([pos[int(v)] for v in nodes]), n)

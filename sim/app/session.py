"""The single-run view's model: one replication to step through month by month.

Plain Python with no Solara in it, so tests drive it directly. It runs replication 0 of the
page's configuration (the bundle's if one is chosen) on the seed the command line gives
replication 0, so ``python run.py`` on the exported configuration reproduces it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sim import EcosystemModel
from sim.config import Config
from sim.experiments.seeding import derive_seed
from sim.outcomes import COLUMNS

MAX_DRAWN_NODES = 600


@dataclass
class Layout:
    """Node positions computed once per graph (so nodes do not jump) for a sample of nodes."""

    nodes: np.ndarray
    positions: np.ndarray
    total: int


class AppSession:
    def __init__(self, config: Config) -> None:
        # The page's Play thread steps while the page reads: every change and every
        # consistent read holds this lock.
        self.lock = threading.RLock()
        self.config = config
        self.reset()

    def reset(self) -> None:
        """Start the run again from month 0."""
        with self.lock:
            self.seed = derive_seed(self.config.seed, 0)
            self.model = EcosystemModel(self.config, seed=self.seed)
            self.layout = make_layout(self.model, self.config.seed)

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

    def headline(self) -> dict[str, Any]:
        frame = self.timeseries()
        last = frame.iloc[-1] if len(frame) else None
        active = [n for n, s in self.model.policies.states.items() if s.active(self.month)]
        return {
            "month": self.month,
            "incidents": int(frame["misuse_incidents"].sum()) if last is not None else 0,
            "baseline": int(frame["baseline_incidents"].sum()) if last is not None else 0,
            "harm": float(frame["total_harm"].sum()) if last is not None else 0.0,
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

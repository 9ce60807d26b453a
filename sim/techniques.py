"""Cost-cutting techniques (mechanism A, endogenous): invented, spread along ties, published.

A technique known to an actor multiplies its fine-tuning and stripping costs by
``costs.technique_factor``. Unpublished techniques travel only along ties of the collaboration
graph; once published (a paper, a library release), everyone knows them.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np


class TechniqueBook:
    """Who knows which technique. Counts are kept per actor so costs can be vectorised."""

    def __init__(self, n_actors: int) -> None:
        self.private_known = np.zeros(n_actors, dtype=np.int64)
        self.unpublished: dict[int, set[int]] = {}
        self.published = 0
        self.invented = 0

    def known(self, nodes: np.ndarray | int | slice = slice(None)) -> np.ndarray | int:
        """Number of techniques each actor knows (published ones count for everyone)."""
        return self.published + self.private_known[nodes]

    def invent(self, node: int) -> int:
        """A new technique, known at first only to its inventor."""
        tid = self.invented
        self.invented += 1
        self.unpublished[tid] = {node}
        self.private_known[node] += 1
        return tid

    def diffuse(self, g: nx.Graph, prob: float, rng: np.random.Generator) -> int:
        """Each knower teaches each neighbour who does not know yet with probability ``prob``."""
        learned = 0
        for knowers in self.unpublished.values():
            # A candidate with k knowing neighbours learns with probability 1 - (1 - p)^k.
            exposures = Counter(v for u in knowers for v in g.adj[u] if v not in knowers)
            if not exposures:
                continue
            candidates = np.array(sorted(exposures), dtype=np.int64)
            k = np.array([exposures[v] for v in candidates.tolist()], dtype=float)
            learns = rng.random(len(candidates)) < 1.0 - (1.0 - prob) ** k
            for v in candidates[learns].tolist():
                knowers.add(v)
                self.private_known[v] += 1
                learned += 1
        return learned

    def publish(self, prob: float, rng: np.random.Generator) -> int:
        """Each unpublished technique is published this month with probability ``prob``."""
        newly = 0
        for tid in sorted(self.unpublished):
            if rng.random() < prob:
                for v in self.unpublished.pop(tid):
                    self.private_known[v] -= 1
                self.published += 1
                newly += 1
        return newly

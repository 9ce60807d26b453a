"""Cost-cutting techniques (mechanism A, endogenous): invented, spread along ties, published.

Techniques differ. A *fine-tuning* technique (LoRA-like) cuts the cost of fine-tuning and of
stripping; a *stripping* technique (refusal-direction ablation-like) cuts only the cost of
stripping safeguards, sometimes by orders of magnitude at once, and some stripping techniques
bypass tamper resistance. Each technique's cut is drawn when it is invented (in OOM of cost,
Exponential with a sourced mean), so a few techniques can matter far more than the rest.
Unpublished techniques travel only along ties; once published, everyone knows them. Per
actor, the world's node rows keep the summed cut of the unpublished techniques it knows
(``known_finetune_oom``, ``known_strip_oom``, ``known_bypass``), which the compiled cost
rules read; the book keeps which techniques exist, who knows the unpublished ones, and what
the published ones add up to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.config import Config
from sim.core import network
from sim.core.table import Table
from sim.core.ties import Adjacency

TechniqueKind = Literal["finetune", "strip"]


@dataclass(frozen=True, slots=True)
class Technique:
    kind: TechniqueKind
    oom: float  # log10 cut of cost (positive: cheaper)
    bypasses_tamper: bool


class TechniqueBook:
    """Who knows which technique, and what each actor's known techniques add up to."""

    def __init__(self, nodes: Table) -> None:
        self.nodes = nodes  # the world's node rows: what each actor knows privately
        self.techniques: list[Technique] = []
        self.unpublished: dict[int, set[int]] = {}
        self.published_finetune_oom = 0.0
        self.published_strip_oom = 0.0
        self.published_bypass = 0
        self.published = 0

    @property
    def published_sums(self) -> tuple[float, float, int]:
        """What everyone knows: the published techniques' fine-tuning and stripping cuts
        (OOM) and how many bypass tamper resistance (the month's cost terms)."""
        return self.published_finetune_oom, self.published_strip_oom, self.published_bypass

    # --- what actors know ----------------------------------------------------------------
    def finetune_oom(self, nodes: np.ndarray | int | slice = slice(None)) -> np.ndarray | float:
        """Summed cut (OOM) of the fine-tuning techniques each actor knows."""
        return self.published_finetune_oom + self.nodes.column("known_finetune_oom")[nodes]

    def strip_oom(self, nodes: np.ndarray | int | slice = slice(None)) -> np.ndarray | float:
        """Summed cut (OOM) of the stripping-only techniques each actor knows."""
        return self.published_strip_oom + self.nodes.column("known_strip_oom")[nodes]

    def bypasses_tamper(self, nodes: np.ndarray | int | slice = slice(None)) -> np.ndarray | bool:
        """Whether each actor knows a stripping technique that bypasses tamper resistance."""
        return (self.published_bypass + self.nodes.column("known_bypass")[nodes]) > 0

    # --- dynamics -------------------------------------------------------------------------
    def invent(self, node: int, technique: Technique) -> int:
        """A new technique, known at first only to its inventor."""
        tid = len(self.techniques)
        self.techniques.append(technique)
        self.unpublished[tid] = {node}
        self._learn(node, technique, +1)
        return tid

    def _learn(self, node: int, t: Technique, sign: int) -> None:
        rows = self.nodes.data
        if t.kind == "finetune":
            rows["known_finetune_oom"][node] += sign * t.oom
        else:
            rows["known_strip_oom"][node] += sign * t.oom
        rows["known_bypass"][node] += sign * int(t.bypasses_tamper)

    def diffuse(self, g: network.Ties, prob: float, rng: np.random.Generator) -> int:
        """Each knower teaches each neighbour who does not know yet with probability ``prob``."""
        learned = 0
        ties = network.adjacency(g)  # the graph's ties as arrays, in step with it
        for tid, knowers in self.unpublished.items():
            # A candidate with k knowing neighbours learns with probability 1 - (1 - p)^k.
            candidates, counts = _exposures(ties, knowers)
            if not len(candidates):
                continue
            k = counts.astype(float)
            learns = rng.random(len(candidates)) < 1.0 - (1.0 - prob) ** k
            for v in candidates[learns].tolist():
                knowers.add(v)
                self._learn(v, self.techniques[tid], +1)
                learned += 1
        return learned

    def publish(self, prob: float, rng: np.random.Generator) -> int:
        """Each unpublished technique is published this month with probability ``prob``."""
        newly = 0
        for tid in sorted(self.unpublished):
            if rng.random() < prob:
                t = self.techniques[tid]
                for v in self.unpublished.pop(tid):
                    self._learn(v, t, -1)
                if t.kind == "finetune":
                    self.published_finetune_oom += t.oom
                else:
                    self.published_strip_oom += t.oom
                self.published_bypass += int(t.bypasses_tamper)
                self.published += 1
                newly += 1
        return newly


def _exposures(ties: Adjacency, knowers: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """The neighbours of ``knowers`` who do not know (sorted), and how many knowers each
    has among its neighbours."""
    known = np.fromiter(knowers, dtype=np.int64, count=len(knowers))
    reached = ties.neighbours_of(known)
    knows = np.zeros(ties.n, dtype=bool)  # a mask: set membership in O(1) per neighbour
    knows[known] = True
    return np.unique(reached[~knows[reached]], return_counts=True)


def invention(cfg: Config, draw: Callable[[], float], rng: np.random.Generator) -> Technique:
    """A new technique: a fine-tuning one, or (``strip_technique_share``) one that cuts only
    the cost of stripping, which may bypass tamper resistance. Its cut is drawn from an
    Exponential with a sourced mean."""
    if draw() < cfg.hobbyists.strip_technique_share:
        oom = float(rng.exponential(cfg.costs.strip_technique_oom_mean))
        bypass = bool(draw() < cfg.hobbyists.tamper_bypass_share)
        return Technique("strip", oom, bypass)
    return Technique("finetune", float(rng.exponential(cfg.costs.technique_oom_mean)), False)

"""Shared helpers: small models whose state a test can set by hand."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from sim import EcosystemModel, make_config
from sim.schema import merge

# Small enough for unit tests, big enough for every mechanism to be exercised.
SMALL: dict[str, Any] = {
    "steps": 24,
    "population": {"labs": 4, "hobbyists": 200, "malicious": 10, "regulators": 1},
}


def small_config(overrides: dict[str, Any] | None = None) -> Any:
    return make_config(merge(SMALL, overrides or {}))


@pytest.fixture
def model_with_graph():
    """Build a model and replace its graph with the given edges (nodes keep their ids)."""

    def build(
        edges: list[tuple[int, int]], overrides: dict[str, Any] | None = None, seed: int = 1
    ) -> EcosystemModel:
        model = EcosystemModel(make_config(overrides or {}), seed=seed)
        graph = nx.Graph()
        graph.add_nodes_from(range(len(model.actors)))
        graph.add_edges_from(edges)
        model.graph = graph
        return model

    return build


def ready(model: EcosystemModel, turns: int = 8) -> tuple[Any, Any]:
    """Open the month for rules driven by hand: the month's terms as after the labs'
    releases (the shared offer, the APIs) and room for ``turns`` turns. Returns the world's
    arrays and the month's terms, the two arguments of every compiled rule."""
    from sim.core import month as months

    model.month = months.after_releases(model, months.start(model))
    model.world.ready_for(turns, model.cfg.sharing.pooling.max_members)
    return model.world.state(), model.month

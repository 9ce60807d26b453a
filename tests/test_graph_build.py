"""The compiled graph builder gives NetworkX's graphs from the same draws."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim.config import make_config
from sim.core import network
from sim.core.graph_build import barabasi_albert_edges, graph_from_edges, neighbour_lists
from sim.core.ties import Adjacency


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 8, 13, 40])
@pytest.mark.parametrize("n_extra", [1, 2, 60, 900])
def test_barabasi_albert_edges_are_networkx_edges_from_the_same_draws(m, n_extra):
    # m >= 5 makes NetworkX's set of targets resize, m = 40 makes it probe linearly
    for seed in range(3):
        ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        expected = list(nx.barabasi_albert_graph(m + n_extra, m, seed=theirs).edges)
        got = [tuple(e) for e in barabasi_albert_edges(m + n_extra, m, ours).tolist()]
        assert got == expected
        assert ours.bit_generator.state == theirs.bit_generator.state


def test_barabasi_albert_edges_rejects_impossible_sizes():
    with pytest.raises(ValueError, match="1 <= m < n"):
        barabasi_albert_edges(3, 3, np.random.default_rng(0))


def test_graph_from_edges_is_the_graph_add_edges_from_makes():
    rng = np.random.default_rng(4)
    edges = rng.permutation(300)[barabasi_albert_edges(300, 3, rng)]
    expected = nx.Graph()
    expected.add_nodes_from(range(300))
    expected.add_edges_from(edges.tolist())
    got = graph_from_edges(300, edges)
    deg, nbr, _ = neighbour_lists(300, edges)
    assert list(got.adj) == list(expected.adj)
    for u in range(300):
        assert list(got.adj[u]) == list(expected.adj[u])  # same neighbour order
    got.edges[int(edges[0, 0]), int(edges[0, 1])]["weight"] = 5  # one dict per tie
    assert got.edges[int(edges[0, 1]), int(edges[0, 0])]["weight"] == 5
    a, b = Adjacency.from_lists(deg, nbr), Adjacency(expected)
    for u in range(300):
        assert a.neighbours(u).tolist() == b.neighbours(u).tolist()


def test_generated_collaboration_graph_is_the_networkx_one():
    cfg = make_config({}).network
    ours, theirs = np.random.default_rng(9), np.random.default_rng(9)
    got = network.generate(cfg, 480, 20, ours)
    m = round(cfg.mean_degree / 2)
    expected = network._shuffled(nx.barabasi_albert_graph(500, m, seed=theirs), theirs)
    assert [list(got.adj[u]) for u in range(500)] == [list(expected.adj[u]) for u in range(500)]
    assert ours.bit_generator.state == theirs.bit_generator.state
    arrays = network.adjacency(got)
    assert all(arrays.neighbours(u).tolist() == list(got.adj[u]) for u in range(500))

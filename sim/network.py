"""The collaboration graph: how it is generated and how its ties evolve month by month.

Nodes are actor indices (labs, then hobbyists, then malicious actors). Every random draw comes
from the model's numpy Generator, which networkx accepts as ``seed``, so the same seed gives
the same graph. Ties carry a ``weight``: pooling together strengthens a tie, and a tie of
weight w dissolves w times less often.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim.arrays import Growable
from sim.config import Network


def generate(cfg: Network, n_benign: int, n_malicious: int, rng: np.random.Generator) -> nx.Graph:
    """Build the initial graph: nodes 0..n_benign-1 benign (labs, hobbyists), then malicious."""
    n = n_benign + n_malicious
    d = min(cfg.mean_degree, n - 1)
    if cfg.kind == "barabasi_albert":
        m = int(min(max(1, round(d / 2)), n - 1))
        return _shuffled(nx.barabasi_albert_graph(n, m, seed=rng), rng)
    if cfg.kind == "watts_strogatz":
        k = int(min(max(2, 2 * round(d / 2)), n - 1))
        return _shuffled(nx.watts_strogatz_graph(n, k, cfg.rewire_prob, seed=rng), rng)
    if cfg.kind == "erdos_renyi":
        return nx.fast_gnp_random_graph(n, d / (n - 1), seed=rng)
    return _stochastic_block(cfg, n_benign, n_malicious, d, rng)


def _shuffled(g: nx.Graph, rng: np.random.Generator) -> nx.Graph:
    """BA and WS place node ids by construction (hubs are the low ids): relabel at random so
    that malicious actors and labs land anywhere in the degree distribution."""
    perm = rng.permutation(g.number_of_nodes())
    out = nx.Graph()
    out.add_nodes_from(range(len(perm)))
    out.add_edges_from((int(perm[u]), int(perm[v])) for u, v in g.edges)
    return out


def _stochastic_block(
    cfg: Network, n_benign: int, n_malicious: int, d: float, rng: np.random.Generator
) -> nx.Graph:
    """Two blocks; malicious actors send a share ``homophily`` of their ties to each other."""
    if n_malicious == 0 or n_benign == 0:
        n = n_benign + n_malicious
        return nx.fast_gnp_random_graph(n, d / max(n - 1, 1), seed=rng)
    p_mm = min(1.0, cfg.homophily * d / max(n_malicious - 1, 1))
    p_bm = min(1.0, (1 - cfg.homophily) * d / n_benign)
    p_bb = min(1.0, max(0.0, (d - p_bm * n_malicious) / max(n_benign - 1, 1)))
    probs = [[p_bb, p_bm], [p_bm, p_mm]]
    g = nx.stochastic_block_model([n_benign, n_malicious], probs, seed=rng)
    g.graph.pop("partition", None)
    return _in_id_order(nx.Graph(g))


def _in_id_order(g: nx.Graph) -> nx.Graph:
    """The same graph with nodes stored as 0..n-1 (the order the actors' arrays use);
    NetworkX's block model does not always insert them in that order."""
    n = g.number_of_nodes()
    if list(g.adj) == list(range(n)):
        return g
    out = nx.Graph()
    out.add_nodes_from(range(n))
    for u in range(n):
        for v, data in g.adj[u].items():
            if not out.has_edge(u, v):
                out.add_edge(u, v, **data)
    return out


def neighbours(g: nx.Graph, node: int) -> list[int]:
    return list(g.adj[node])


def form_ties(g: nx.Graph, cfg: Network, rng: np.random.Generator) -> int:
    """New ties by triadic closure (a friend's friend) or preferential attachment.

    Preferential attachment picks a random neighbour of a random node, which is
    degree-biased (the friendship paradox) without computing degrees. Returns ties added.
    """
    n = g.number_of_nodes()
    k = int(rng.binomial(n, cfg.tie_formation_rate)) if n > 1 else 0
    added = 0
    for u, closes_triangle in zip(
        rng.integers(0, n, size=k).tolist(),
        (rng.random(k) < cfg.triadic_share).tolist(),
        strict=True,
    ):
        friend = _random_neighbour(g, u, rng) if closes_triangle else None
        if friend is not None:
            v = _random_neighbour(g, friend, rng)
        else:  # preferential attachment (also how an isolated actor finds new contacts)
            v = _random_neighbour(g, int(rng.integers(0, n)), rng)
        if v is not None and v != u and not g.has_edge(u, v):
            _add_tie(g, u, v)
            added += 1
    return added


def decay_ties(g: nx.Graph, cfg: Network, rng: np.random.Generator) -> int:
    """Each tie dissolves with probability ``tie_decay_prob / weight``. Returns ties removed."""
    degree = _degrees(g)
    m = int(degree.sum()) // 2
    k = int(rng.binomial(m, cfg.tie_decay_prob)) if m else 0
    if k == 0:
        return 0
    # A uniformly random tie: an endpoint chosen in proportion to degree, then a neighbour.
    picks = rng.choice(len(degree), size=k, p=degree / degree.sum())
    accept = rng.random(k)
    removed = 0
    for u, a in zip(picks.tolist(), accept.tolist(), strict=True):
        v = _random_neighbour(g, u, rng)
        if v is not None and a < 1.0 / g.edges[u, v].get("weight", 1):
            _remove_tie(g, u, v)
            removed += 1
    return removed


def reinforce(g: nx.Graph, initiator: int, partners: list[int]) -> None:
    """Successful pooling strengthens the ties it travelled along."""
    for v in partners:
        if g.has_edge(initiator, v):
            data = g.edges[initiator, v]
            data["weight"] = data.get("weight", 1) + 1


def cut_ties(g: nx.Graph, node: int, share: float, rng: np.random.Generator) -> int:
    """Enforcement: a detected actor loses a share of its ties. Returns ties cut."""
    nbrs = neighbours(g, node)
    k = round(share * len(nbrs))
    if k == 0:
        return 0
    for v in rng.choice(np.array(nbrs), size=k, replace=False).tolist():
        _remove_tie(g, node, v)
    return k


def _degrees(g: nx.Graph) -> np.ndarray:
    """Every node's degree (nodes are 0..n-1), kept current by the tie changes below: ties
    change only through this module, so a whole-graph pass each month is not needed."""
    degree = g.graph.get("_degree")
    if degree is None or len(degree) != g.number_of_nodes():
        assert list(g.adj) == list(range(g.number_of_nodes())), "nodes must be 0..n-1"
        degree = np.fromiter(map(len, g.adj.values()), dtype=float, count=g.number_of_nodes())
        g.graph["_degree"] = degree
    return degree


def _add_tie(g: nx.Graph, u: int, v: int) -> None:
    g.add_edge(u, v, weight=1)
    degree = g.graph.get("_degree")
    if degree is not None:
        degree[u] += 1
        degree[v] += 1
    ties = g.graph.get("_ties")
    if ties is not None:
        ties.add(u, v)


def _remove_tie(g: nx.Graph, u: int, v: int) -> None:
    g.remove_edge(u, v)
    degree = g.graph.get("_degree")
    if degree is not None:
        degree[u] -= 1
        degree[v] -= 1
    ties = g.graph.get("_ties")
    if ties is not None:
        ties.remove(u, v)


class Ties:
    """The graph's ties as rows of arrays, kept in step with the graph (ties change only
    through this module), from which the sparse adjacency is built when it is needed."""

    def __init__(self, g: nx.Graph) -> None:
        edges = np.array(list(g.edges), dtype=np.int64).reshape(-1, 2)
        self.n = g.number_of_nodes()
        self.u, self.v, self.alive = Growable(np.int64), Growable(np.int64), Growable(bool)
        for column, values in ((self.u, edges[:, 0]), (self.v, edges[:, 1])):
            column.reserve(len(values))
            column._data[: len(values)] = values
            column.size = len(values)
        self.alive.reserve(len(edges))
        self.alive._data[: len(edges)] = True
        self.alive.size = len(edges)
        self.row = {(min(a, b), max(a, b)): i for i, (a, b) in enumerate(edges.tolist())}
        self._csr: tuple[np.ndarray, np.ndarray] | None = None

    def add(self, u: int, v: int) -> None:
        self.row[(min(u, v), max(u, v))] = len(self.u)
        self.u.append(u)
        self.v.append(v)
        self.alive.append(True)
        self._csr = None

    def remove(self, u: int, v: int) -> None:
        self.alive[self.row.pop((min(u, v), max(u, v)))] = False
        self._csr = None

    def csr(self) -> tuple[np.ndarray, np.ndarray]:
        """The sparse adjacency (CSR: ``indices[indptr[u]:indptr[u + 1]]`` are u's
        neighbours), as scipy.sparse builds it from the live ties."""
        if self._csr is None:
            from scipy.sparse import coo_array

            alive = self.alive.values
            u, v = self.u.values[alive], self.v.values[alive]
            rows, cols = np.concatenate([u, v]), np.concatenate([v, u])
            data = np.ones(len(rows), dtype=np.int8)
            matrix = coo_array((data, (rows, cols)), shape=(self.n, self.n)).tocsr()
            self._csr = (matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64))
        return self._csr


def ties(g: nx.Graph) -> Ties:
    """The graph's :class:`Ties` (made on first use, then kept in step)."""
    found = g.graph.get("_ties")
    if found is None or found.n != g.number_of_nodes():
        found = g.graph["_ties"] = Ties(g)
    return found


def _random_neighbour(g: nx.Graph, u: int, rng: np.random.Generator) -> int | None:
    adj = g.adj[u]
    if not adj:
        return None
    return list(adj)[int(rng.integers(0, len(adj)))]

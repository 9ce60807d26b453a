"""The collaboration graph: how it is generated and how its ties evolve month by month.

Nodes are actor indices (labs, then hobbyists, then malicious actors). Every random draw comes
from the model's numpy Generator, which networkx accepts as ``seed``, so the same seed gives
the same graph. Ties carry a ``weight``: pooling together strengthens a tie, and a tie of
weight w dissolves w times less often.

The month's work reads and changes the tie arrays (``sim.core.ties``); each change is also
logged, and the NetworkX graph receives the logged changes, in order, when it is next looked
at (:func:`synced`, which ``EcosystemModel.graph`` calls). So the NetworkX graph, neighbour
order and weights included, is always exactly what applying every change to it as it
happened would give, but a run nobody looks at does not pay to keep it up to date.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim.config import Network
from sim.core import graph_build
from sim.core import ties as _adjacency
from sim.core.ties import Adjacency

Ties = nx.Graph | Adjacency  # a graph (with its tie arrays) or the tie arrays alone


def generate(cfg: Network, n_benign: int, n_malicious: int, rng: np.random.Generator) -> nx.Graph:
    """The initial graph: nodes 0..n_benign-1 benign (labs, hobbyists), then malicious."""
    return synced(generate_ties(cfg, n_benign, n_malicious, rng))


def generate_ties(
    cfg: Network, n_benign: int, n_malicious: int, rng: np.random.Generator
) -> Adjacency:
    """The initial graph's tie arrays (the same draws as :func:`generate`); the NetworkX
    graph of a Barabasi-Albert world is made when first looked at (:func:`synced`)."""
    n = n_benign + n_malicious
    if cfg.kind == "barabasi_albert" and n > 1:
        return _barabasi_albert(
            n, int(min(max(1, round(min(cfg.mean_degree, n - 1) / 2)), n - 1)), rng
        )
    g = _generate(cfg, n_benign, n_malicious, rng)
    g.graph["_adjacency"] = ties = Adjacency(g, weights=False)
    return ties


def _barabasi_albert(n: int, m: int, rng: np.random.Generator) -> Adjacency:
    """The ties of ``_shuffled(nx.barabasi_albert_graph(n, m, seed=rng), rng)``, from the
    same draws, made compiled (``sim.core.graph_build``); the edge list is kept to make the
    NetworkX graph from when it is first looked at."""
    edges = graph_build.barabasi_albert_edges(n, m, rng)
    edges = rng.permutation(n)[edges]
    deg, nbr, _ = graph_build.neighbour_lists(n, edges)
    ties = Adjacency.from_lists(deg, nbr)
    ties.edges = edges
    return ties


def _generate(cfg: Network, n_benign: int, n_malicious: int, rng: np.random.Generator) -> nx.Graph:
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


def neighbours(g: Ties, node: int) -> list[int]:
    """``list(g.adj[node])`` as the tie arrays hold it (the same order)."""
    return adjacency(g).neighbours(node).tolist()


def form_ties(g: Ties, cfg: Network, rng: np.random.Generator) -> int:
    """New ties by triadic closure (a friend's friend) or preferential attachment.

    Preferential attachment picks a random neighbour of a random node, which is
    degree-biased (the friendship paradox) without computing degrees. Runs compiled on the
    tie arrays (``sim.core.ties.form_ties``); NetworkX then gets the same ties in the same
    order. Returns ties added.
    """
    a = adjacency(g)
    n = a.n
    log = np.empty((n + 1, 2), dtype=np.int64)  # at most one tie per proposal, <= n
    rate, triadic = cfg.tie_formation_rate, cfg.triadic_share
    added, a.nbr, a.wt = _adjacency.form_ties(
        a.start, a.deg, a.cap, a.nbr, a.wt, a.end, n, rate, triadic, rng, log
    )
    _log(g, ADD, log[:added].copy())
    return int(added)


def decay_ties(g: Ties, cfg: Network, rng: np.random.Generator) -> int:
    """Each tie dissolves with probability ``tie_decay_prob / weight`` (compiled on the tie
    arrays, ``sim.core.ties.decay_ties``). Returns ties removed."""
    a = adjacency(g)
    log = np.empty((int(a.deg.sum()) // 2 + 1, 2), dtype=np.int64)
    removed = _adjacency.decay_ties(a.start, a.deg, a.nbr, a.wt, cfg.tie_decay_prob, rng, log)
    _log(g, REMOVE, log[:removed].copy())
    return int(removed)


def reinforce(g: Ties, initiator: int, partners: list[int]) -> None:
    """Successful pooling strengthens the ties it travelled along."""
    a = adjacency(g)
    pairs = [(initiator, v) for v in partners if a.weight(initiator, v) > 0]
    for u, v in pairs:
        a.strengthen(u, v)
    strengthened(a, pairs)


def strengthened(ties: Adjacency, pairs: list[tuple[int, int]]) -> None:
    """Log ties whose weights the arrays (or compiled code) raised by one, for NetworkX."""
    if pairs:
        ties.pending.append((STRENGTHEN, np.array(pairs, dtype=np.int64).reshape(-1, 2)))


def cut_ties(g: Ties, node: int, share: float, rng: np.random.Generator) -> int:
    """Enforcement: a detected actor loses a share of its ties. Returns ties cut."""
    nbrs = neighbours(g, node)
    k = round(share * len(nbrs))
    if k == 0:
        return 0
    for v in rng.choice(np.array(nbrs), size=k, replace=False).tolist():
        _remove_tie(g, node, v)
    return k


def _remove_tie(g: Ties, u: int, v: int) -> None:
    adjacency(g).remove(u, v)
    _log(g, REMOVE, np.array([[u, v]], dtype=np.int64))


ADD, REMOVE, STRENGTHEN = 0, 1, 2  # logged tie changes


def _log(g: Ties, op: int, pairs: np.ndarray) -> None:
    if len(pairs):
        adjacency(g).pending.append((op, pairs))


def synced(g: Ties) -> nx.Graph:
    """The NetworkX graph with every logged tie change applied, in the order they happened
    (made from the initial edge list first, if it was not made yet)."""
    a = adjacency(g)
    if a.graph is None:
        a.graph = graph_build.graph_from_edges(a.n, a.edges)
        a.graph.graph["_adjacency"] = a
        a.edges = None
    g = a.graph
    if not a.pending:
        return g
    changes, a.pending = a.pending, []
    for op, pairs in changes:
        if op == ADD:
            g.add_edges_from(pairs.tolist(), weight=1)
        elif op == REMOVE:
            g.remove_edges_from(pairs.tolist())
        else:
            adj = g.adj
            for u, v in pairs.tolist():
                data = adj[u][v]
                data["weight"] = data.get("weight", 1) + 1
    return g


def adjacency(g: Ties) -> Adjacency:
    """The graph's ties as arrays (``sim.core.ties``), made on first use, then kept in step:
    ties change only through this module."""
    if isinstance(g, Adjacency):
        return g
    found = g.graph.get("_adjacency")
    if found is None or found.n != g.number_of_nodes():
        found = g.graph["_adjacency"] = Adjacency(g)
    return found

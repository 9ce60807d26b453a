"""Building the initial collaboration graph fast, with exactly NetworkX's draws.

NetworkX's ``barabasi_albert_graph`` spends ~60 s on a million nodes, one Python call per
draw. :func:`barabasi_albert_edges` runs the same algorithm compiled and draws the same
numbers from the same generator in the same order, so a seed still gives the very graph
NetworkX gives (``tests/test_graph_build.py`` compares them edge for edge and the generator's
state after). One detail has to be copied exactly: NetworkX collects a new node's ``m``
targets in a Python ``set`` and appends them to its list of repeated nodes in the set's
iteration order, which later draws index into. :func:`_set_add` reproduces CPython's set
layout for integer keys (hash = the integer, linear probes, perturbed probing, resizing).

:func:`neighbour_lists` gives the tie arrays' lists from an edge list, and
:func:`graph_from_edges` the NetworkX graph of record, in one pass per node instead of one
``add_edge`` per tie (same adjacency order, one shared data dict per tie, as
``add_edges_from`` makes).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from numba import njit

LINEAR_PROBES = 9  # CPython's Objects/setobject.c
PERTURB_SHIFT = 5
SET_MINSIZE = 8


@njit(cache=True)
def _place(table, key):
    """CPython's set_insert_clean / the free-slot search of set_add_entry, for a key not in
    the table (``-1`` marks an empty slot; keys are non-negative integers, hash = key)."""
    mask = len(table) - 1
    perturb = key
    i = key & mask
    while True:
        if table[i] < 0:
            table[i] = key
            return
        if i + LINEAR_PROBES <= mask:
            for j in range(1, LINEAR_PROBES + 1):
                if table[i + j] < 0:
                    table[i + j] = key
                    return
        perturb >>= PERTURB_SHIFT
        i = (i * 5 + 1 + perturb) & mask


@njit(cache=True)
def _contains(table, key):
    mask = len(table) - 1
    perturb = key
    i = key & mask
    while True:
        if table[i] < 0:
            return False
        if table[i] == key:
            return True
        if i + LINEAR_PROBES <= mask:
            for j in range(1, LINEAR_PROBES + 1):
                if table[i + j] < 0:
                    return False
                if table[i + j] == key:
                    return True
        perturb >>= PERTURB_SHIFT
        i = (i * 5 + 1 + perturb) & mask


@njit(cache=True)
def _set_add(table, used, key):
    """CPython's set.add for an integer key: returns the (possibly resized) table and the
    number of keys in it. A resize re-inserts the keys in the old table's order."""
    if _contains(table, key):
        return table, used
    _place(table, key)
    used += 1
    if used * 5 >= (len(table) - 1) * 3:  # set_table_resize(so, used>50000 ? used*2 : used*4)
        minused = used * 2 if used > 50000 else used * 4
        size = SET_MINSIZE
        while size <= minused:
            size <<= 1
        bigger = np.full(size, -1, dtype=np.int64)
        for k in table:
            if k >= 0:
                _place(bigger, k)
        table = bigger
    return table, used


@njit(cache=True)
def _below(rng, n):
    """``random.Random.choice``'s index as NetworkX's ``PythonRandomViaNumpyBits`` draws it:
    ``getrandbits(n.bit_length())`` from ``Generator.bytes`` (big-endian), redrawn while
    >= n. For n < 2**32 each try is one 32-bit draw, as ``bytes`` takes it."""
    k = 0
    while (1 << k) <= n:
        k += 1
    nb = (k + 7) // 8
    while True:
        u = np.int64(rng.integers(0, 4294967296, dtype=np.uint32))
        x = 0
        for b in range(nb):  # the first nb little-endian bytes, read big-endian
            x = (x << 8) | ((u >> (8 * b)) & 0xFF)
        x >>= nb * 8 - k
        if x < n:
            return x


@njit(cache=True)
def _ba(n, m, rng):
    """nx.barabasi_albert_graph(n, m, seed=rng) with its default star start: each new
    node's m targets, in the order NetworkX's set of them iterates."""
    repeated = np.empty(2 * m * n, dtype=np.int64)
    size = 0
    for _ in range(m):  # the star's hub once per spoke, then each spoke: G.degree() order
        repeated[size] = 0
        size += 1
    for s in range(1, m + 1):
        repeated[size] = s
        size += 1
    targets = np.empty((n - m - 1) * m, dtype=np.int64)
    small = np.full(SET_MINSIZE, -1, dtype=np.int64)
    for source in range(m + 1, n):
        small[:] = -1
        table, used = small, 0
        while used < m:  # _random_subset: draw until m distinct nodes
            table, used = _set_add(table, used, repeated[_below(rng, size)])
        j = (source - m - 1) * m
        for k in table:  # iteration order: slot order
            if k >= 0:
                targets[j] = k
                repeated[size] = k
                j += 1
                size += 1
        for _ in range(m):
            repeated[size] = source
            size += 1
    return targets


def barabasi_albert_edges(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """The edges of ``nx.barabasi_albert_graph(n, m, seed=rng)`` in ``G.edges`` order, as an
    (E, 2) array, drawing exactly what NetworkX draws from ``rng``."""
    if m < 1 or m >= n:
        raise ValueError(f"Barabasi-Albert needs 1 <= m < n (m={m}, n={n})")
    if 2 * m * n >= 2**32:  # one 32-bit draw per try (see _below)
        raise ValueError(f"graph too large for the compiled generator (n={n}, m={m})")
    targets = _ba(n, m, rng)
    sources = np.repeat(np.arange(m + 1, n, dtype=np.int64), m)
    star = np.array([[0, s] for s in range(1, m + 1)], dtype=np.int64).reshape(-1, 2)
    lo = np.concatenate([star[:, 0], targets])  # a target is always older than its source
    hi = np.concatenate([star[:, 1], sources])
    # G.edges: each node in id order, then its neighbours of higher id in the order they
    # joined it, which for node t is the order the later sources picked it (ascending).
    order = np.lexsort((hi, lo))
    return np.stack([lo[order], hi[order]], axis=1)


def neighbour_lists(n: int, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(deg, nbr, tie) of the graph ``add_edges_from(edges)`` makes: node u's neighbours are
    ``nbr[offset(u) : offset(u) + deg[u]]`` in the order its ties were added, and ``tie`` the
    row of ``edges`` each came from."""
    src = edges.reshape(-1)  # row i gives u->v at 2i and v->u at 2i+1
    dst = edges[:, ::-1].reshape(-1)
    order = np.argsort(src, kind="stable")
    return np.bincount(src, minlength=n), dst[order], order // 2


def graph_from_edges(n: int, edges: np.ndarray) -> nx.Graph:
    """The graph ``nx.Graph(); add_nodes_from(range(n)); add_edges_from(edges)`` makes. It
    fills NetworkX's adjacency one node at a time from the sorted lists rather than one tie
    at a time (30x fewer Python calls); every tie's two directions share one data dict, as
    in NetworkX."""
    deg, nbr, tie = neighbour_lists(n, edges)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    data = [{} for _ in range(len(edges))]
    shared = [data[i] for i in tie.tolist()]
    adj = g._adj  # NetworkX's own store; its factories are plain dicts
    pos = 0
    nbrs = nbr.tolist()
    for u, d in enumerate(deg.tolist()):
        if d:
            adj[u].update(zip(nbrs[pos : pos + d], shared[pos : pos + d], strict=True))
            pos += d
    return g

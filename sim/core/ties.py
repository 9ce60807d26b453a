"""The collaboration graph's ties as arrays, kept in step with the NetworkX graph of record.

Each node's neighbours sit in a block of one shared array, in the order NetworkX holds them
(the order ties were made; a dissolved tie leaves the others in order), with room to grow:
compressed sparse rows with slack. ``scipy.sparse`` has no cheap in-place insert or delete,
and ties change every month. Keeping NetworkX's order means a "random neighbour" drawn here
is the neighbour NetworkX code would draw from the same number, so compiled tie dynamics
(:func:`form_ties`, :func:`decay_ties`) and the turns give the runs NetworkX code would
give. Tie weights sit beside the neighbours. Compiled rules read them as :class:`TieRows`.
"""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import numpy as np
from numba import njit


class TieRows(NamedTuple):
    """Node u's neighbours are ``nbr[start[u] : start[u] + deg[u]]``, weights in ``wt``."""

    start: np.ndarray
    deg: np.ndarray
    nbr: np.ndarray
    wt: np.ndarray


class Adjacency:
    """Neighbour blocks: node u's neighbours are ``nbr[start[u] : start[u] + deg[u]]``."""

    def __init__(self, g: nx.Graph, weights: bool = True) -> None:
        n = g.number_of_nodes()
        assert list(g.adj) == list(range(n)), "nodes must be 0..n-1"
        lists = [list(nbrs) for nbrs in g.adj.values()]
        deg = np.fromiter(map(len, lists), dtype=np.int64, count=n)
        flat = np.fromiter((v for vs in lists for v in vs), dtype=np.int64, count=int(deg.sum()))
        slots = self._fill(deg, flat)
        self.graph = g
        if weights:  # a graph made elsewhere may carry weights (a new one has none)
            found = [d.get("weight", 1) for nbrs in g.adj.values() for d in nbrs.values()]
            self.wt[slots] = np.array(found, dtype=np.int64).reshape(-1)

    @classmethod
    def from_lists(cls, deg: np.ndarray, flat: np.ndarray) -> Adjacency:
        """Unweighted ties from neighbour lists laid end to end (node u's ``deg[u]`` after
        node u-1's), in NetworkX's order."""
        self = cls.__new__(cls)
        self._fill(np.asarray(deg, dtype=np.int64), np.asarray(flat, dtype=np.int64))
        return self

    def _fill(self, deg: np.ndarray, flat: np.ndarray) -> np.ndarray:
        """Lay the lists out with slack; returns the slot of each entry of ``flat``."""
        n = len(deg)
        self.n = n
        self.pending: list[tuple[int, np.ndarray]] = []  # changes NetworkX has yet to get
        self.graph: nx.Graph | None = None  # the NetworkX graph, once made
        self.edges: np.ndarray | None = None  # the initial ties to make it from, until then
        self.deg = deg
        self.cap = deg + 4 + deg // 2
        self.start = np.zeros(n, dtype=np.int64)
        if n:
            self.start[1:] = np.cumsum(self.cap)[:-1]
        size = int(self.cap.sum()) if n else 0
        self.nbr = np.full(max(2 * size, 16), -1, dtype=np.int64)
        self.wt = np.ones(len(self.nbr), dtype=np.int64)
        self.end = np.array([size], dtype=np.int64)  # where the next relocated block goes
        first = np.repeat(np.cumsum(deg) - deg, deg)  # where each node's list starts in flat
        slots = np.repeat(self.start, deg) + (np.arange(len(flat)) - first)
        self.nbr[slots] = flat
        return slots

    def rows(self) -> TieRows:
        """The arrays as they are now, for compiled code (the pool may grow between calls)."""
        return TieRows(self.start, self.deg, self.nbr, self.wt)

    def neighbours(self, u: int) -> np.ndarray:
        return self.nbr[self.start[u] : self.start[u] + self.deg[u]]

    def neighbours_of(self, nodes: np.ndarray) -> np.ndarray:
        """The neighbours of each of ``nodes``, one list after another (in one gather)."""
        deg = self.deg[nodes]
        first = np.cumsum(deg) - deg  # where each node's list starts in the result
        return self.nbr[np.repeat(self.start[nodes] - first, deg) + np.arange(int(deg.sum()))]

    def _room(self, extra: int) -> None:
        """Make sure ``extra`` more slots fit after ``end`` (the pool doubles)."""
        self.nbr, self.wt = _grown(self.nbr, self.wt, int(self.end[0]) + extra)

    def add(self, u: int, v: int, weight: int = 1) -> None:
        self._room(2 * (int(self.cap[u]) + int(self.cap[v])) + 16)
        _add(self.start, self.deg, self.cap, self.nbr, self.wt, self.end, u, v, weight)

    def remove(self, u: int, v: int) -> None:
        _remove(self.start, self.deg, self.nbr, self.wt, u, v)

    def strengthen(self, u: int, v: int) -> None:
        _strengthen(self.start, self.deg, self.nbr, self.wt, u, v)

    def weight(self, u: int, v: int) -> int:
        i = _find(self.start, self.deg, self.nbr, u, v)
        return int(self.wt[i]) if i >= 0 else 0


@njit(cache=True)
def _find(start, deg, nbr, u, v):
    for i in range(start[u], start[u] + deg[u]):
        if nbr[i] == v:
            return i
    return -1


@njit(cache=True)
def _append(start, deg, cap, nbr, wt, end, u, v, w):
    if deg[u] == cap[u]:  # move the block to the end of the pool, with twice the room
        new = end[0]
        for i in range(deg[u]):
            nbr[new + i] = nbr[start[u] + i]
            wt[new + i] = wt[start[u] + i]
        start[u] = new
        cap[u] = 2 * cap[u] + 4
        end[0] = new + cap[u]
    nbr[start[u] + deg[u]] = v
    wt[start[u] + deg[u]] = w
    deg[u] += 1


@njit(cache=True)
def _add(start, deg, cap, nbr, wt, end, u, v, w):
    _append(start, deg, cap, nbr, wt, end, u, v, w)
    _append(start, deg, cap, nbr, wt, end, v, u, w)


@njit(cache=True)
def _drop(start, deg, nbr, wt, u, v):
    i = _find(start, deg, nbr, u, v)
    last = start[u] + deg[u] - 1
    for j in range(i, last):  # keep the others in order, as a dict deletion does
        nbr[j] = nbr[j + 1]
        wt[j] = wt[j + 1]
    nbr[last] = -1
    deg[u] -= 1


@njit(cache=True)
def _remove(start, deg, nbr, wt, u, v):
    _drop(start, deg, nbr, wt, u, v)
    _drop(start, deg, nbr, wt, v, u)


@njit(cache=True)
def _strengthen(start, deg, nbr, wt, u, v):
    i = _find(start, deg, nbr, u, v)
    if i >= 0:
        wt[i] += 1
        wt[_find(start, deg, nbr, v, u)] += 1


@njit(cache=True)
def _random_neighbour(start, deg, nbr, u, rng):
    """One draw of ``rng.integers(0, deg[u])``, the neighbour at that place (-1: none)."""
    if deg[u] == 0:
        return -1
    return nbr[start[u] + rng.integers(0, deg[u])]


@njit(cache=True)
def _grown(nbr, wt, need):
    """The pool arrays with room for ``need`` slots (doubling)."""
    if need <= len(nbr):
        return nbr, wt
    size = max(2 * len(nbr), need)
    bigger = np.full(size, -1, dtype=np.int64)
    heavier = np.ones(size, dtype=np.int64)
    bigger[: len(nbr)] = nbr
    heavier[: len(wt)] = wt
    return bigger, heavier


@njit(cache=True)
def form_ties(start, deg, cap, nbr, wt, end, n, rate, triadic, rng, log):
    """network.form_ties on the arrays: returns how many ties were added (logged in order
    in ``log`` for NetworkX) and the pool arrays (new ones if they had to grow)."""
    k = rng.binomial(n, rate) if n > 1 else 0
    us = rng.integers(0, n, size=k)
    closes = rng.random(k) < triadic
    added = 0
    for j in range(k):
        u = us[j]
        friend = _random_neighbour(start, deg, nbr, u, rng) if closes[j] else -1
        if friend >= 0:
            v = _random_neighbour(start, deg, nbr, friend, rng)
        else:
            v = _random_neighbour(start, deg, nbr, rng.integers(0, n), rng)
        if v >= 0 and v != u and _find(start, deg, nbr, u, v) < 0:
            nbr, wt = _grown(nbr, wt, end[0] + 2 * (cap[u] + cap[v]) + 16)
            _add(start, deg, cap, nbr, wt, end, u, v, 1)
            log[added, 0] = u
            log[added, 1] = v
            added += 1
    return added, nbr, wt


@njit(cache=True)
def decay_ties(start, deg, nbr, wt, prob, rng, log):
    """network.decay_ties on the arrays: returns how many ties dissolved (logged)."""
    degree = deg.astype(np.float64)
    m = int(degree.sum()) // 2
    k = rng.binomial(m, prob) if m else 0
    if k == 0:
        return 0
    p = degree / degree.sum()
    cdf = np.cumsum(p)  # Generator.choice(len(p), size=k, p=p)
    cdf /= cdf[-1]
    picks = np.searchsorted(cdf, rng.random(k), side="right")
    accept = rng.random(k)
    removed = 0
    for j in range(k):
        u = picks[j]
        v = _random_neighbour(start, deg, nbr, u, rng)
        if v >= 0 and accept[j] < 1.0 / wt[_find(start, deg, nbr, u, v)]:
            _remove(start, deg, nbr, wt, u, v)
            log[removed, 0] = u
            log[removed, 1] = v
            removed += 1
    return removed

"""What an actor can reach when it looks for weights this month.

Everyone sees the recent base releases on the main hub (labs announce them) and the main
hub's most capable checkpoint of each shelf: the month's :class:`Offer`. Each actor also
draws a few main-hub checkpoints in proportion to popularity (``sharing.search_candidates``:
search ranks by downloads), sees what contacts shared privately, and with
``sharing.fringe_discovery_prob`` searches the fringe hub (:func:`personal_finds`). Nobody
sees every checkpoint: choice among what one finds is what spreads the derivative forest.

The safe offer is priced once a month: a candidate's cost for an actor is its *unit cost*
(the cost curve at no known technique, with the tamper-resistance overhead) times the
actor's technique multiplier, and its value is its *unit value* times (0.5 + skill). So the
most valuable affordable candidate is found by bisection over the unit costs, the same
answer as checking every candidate; the prefix tables answer it in one lookup. The stripped
offer (the main hub's most capable stripped checkpoint) is fixed when a turn first needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.config import Config
from sim.core.draws import uniform
from sim.core.hubs import FRINGE, MAIN, holds, resolve
from sim.core.kinds import CheckpointKind
from sim.core.table import Column, as_rows, blank

if TYPE_CHECKING:
    from sim.core.checkpoints import Registry

RECENT_RELEASES = 2  # releases per lab that count as "recent" base releases
NOT_YET = -2  # the stripped offer before a turn needs it


class SharingTerms(NamedTuple):
    """How checkpoints are found and shared (``m.sharing``)."""

    search_candidates: int
    fringe_prob: float  # an actor searches the fringe hub this month
    upload_prob: float
    p2p_prob: float
    reupload_prob: float  # removed weights re-uploaded to the fringe hub

    @classmethod
    def of(cls, cfg: Config) -> SharingTerms:
        s = cfg.sharing
        return cls(
            s.search_candidates,
            s.fringe_discovery_prob,
            s.hub_upload_prob,
            s.p2p_share_prob,
            s.reupload_prob,
        )


class OfferEntry(NamedTuple):
    """One shared candidate of the safe offer (entries sorted by unit cost, then id)."""

    id: np.ndarray = Column(np.int64)
    value: np.ndarray = Column(np.float64)  # unit value
    quantised: np.ndarray = Column(np.bool_)
    prefix_best: np.ndarray = Column(np.int64)  # the first most valuable of entries 0..i
    prefix_full: np.ndarray = Column(np.int64)  # the same among full-precision ones (-1)


class RootTops(NamedTuple):
    """Per base release with full-precision entries: its two most valuable (indices)."""

    top1: np.ndarray = Column(np.int64)
    top2: np.ndarray = Column(np.int64, -1)


class Offer(NamedTuple):
    """The safe shelf's shared candidates and what the turns ask of them, tabled once a
    month; and the stripped offer."""

    costs: np.ndarray  # the entries' unit costs (USD at no technique), ascending
    entries: np.ndarray  # OfferEntry
    sorted_ids: np.ndarray
    full_count: int  # full-precision entries (merge candidates)
    roots: np.ndarray  # base releases with full-precision entries, sorted
    tops: np.ndarray  # RootTops, by root
    stripped: np.ndarray  # int64[1]: the stripped offer's id (-1 empty; NOT_YET)


def offer(registry: Registry, best: int | None, step: int, window: int, unit_usd: float) -> Offer:
    """This month's safe offer: the recent base releases (``window`` months) and the main
    hub's most capable safe checkpoint (``best``), priced at ``unit_usd`` per unit of cost
    scale."""
    found = set(registry.open_base_ids(since=step - window).tolist())
    if best is not None:
        found.add(best)
    ids = np.array(sorted(found), dtype=np.int64)
    costs = np.array([unit_usd * c for c in registry.column("cost_scale")[ids].tolist()])
    order = np.lexsort((ids, costs))
    ids, costs = ids[order], costs[order]
    values = registry.column("value_unit")[ids]
    quantised = registry.column("kind")[ids] == CheckpointKind.QUANTISED
    roots = registry.column("root")[ids]
    by_root: dict[int, list[int]] = {}
    for i in np.flatnonzero(~quantised).tolist():
        top = by_root.setdefault(int(roots[i]), [])
        top.append(i)
        top.sort(key=lambda j: (-values[j], j))
        del top[2:]
    keys = sorted(by_root)
    entries = blank(OfferEntry, len(ids))
    entries["id"], entries["value"], entries["quantised"] = ids, values, quantised
    entries["prefix_best"] = _prefix_best(values, np.zeros(len(ids), dtype=np.bool_))
    entries["prefix_full"] = _prefix_best(values, quantised)
    tops = blank(RootTops, len(keys))
    for i, root in enumerate(keys):
        tops["top1"][i], tops["top2"][i] = (by_root[root] + [-1])[:2]
    return Offer(
        costs=costs,
        entries=as_rows(entries),
        sorted_ids=np.sort(ids),
        full_count=int((~quantised).sum()),
        roots=np.array(keys, dtype=np.int64),
        tops=as_rows(tops),
        stripped=np.array([NOT_YET], dtype=np.int64),
    )


def no_offer() -> Offer:
    """The offer before labs release this month (nothing shared yet)."""
    none = np.zeros(0, dtype=np.int64)
    return Offer(
        np.zeros(0),
        blank(OfferEntry, 0),
        none,
        0,
        none,
        blank(RootTops, 0),
        np.array([-1], dtype=np.int64),
    )


@njit(cache=True)
def _prefix_best(values, skip):
    """Entry i: the index of the first most valuable entry among the first i + 1 that is not
    skipped (-1: none)."""
    out = np.full(len(values), -1, dtype=np.int64)
    best = -1
    for i in range(len(values)):
        if not skip[i] and (best < 0 or values[i] > values[best]):
            best = i
        out[i] = best
    return out


@njit(cache=True, inline="always")
def stripped_offer(w, m):
    """The month's stripped offer, fixed when a turn first needs it (-1: none)."""
    if m.offer.stripped[0] == NOT_YET:
        resolve(m.ckpts, w.ckpts, w.n_ckpts, w.shelves, 2 * MAIN + 1)
        m.offer.stripped[0] = w.shelves.best[2 * MAIN + 1]
    return m.offer.stripped[0]


@njit(cache=True, inline="always")
def sample_shelf(w, s, k, out, count):
    """Up to ``k`` distinct checkpoints of shelf ``s`` drawn in proportion to popularity,
    appended to ``out`` from ``count``; returns the new count. ``k`` draws, and ``k`` more
    if duplicates or removed entries left a gap."""
    shelves, rows, x = w.shelves, w.ckpts, w.scratch
    if k <= 0 or shelves.entries[s] == 0:
        return count
    tickets, n = shelves.tickets[s], shelves.n_tickets[s]
    hub = s // 2
    drawn, second = x.drawn, x.second
    start = count
    nd = _draw_distinct(w, tickets, n, k, drawn)
    for j in range(nd):
        if holds(rows, hub, drawn[j]):
            out[count] = drawn[j]
            count += 1
    if count - start < k:
        ns = _draw_distinct(w, tickets, n, k, second)
        for j in range(ns):
            cid = second[j]
            if not _among(drawn, nd, cid) and holds(rows, hub, cid):
                drawn[nd] = cid
                nd += 1
                out[count] = cid
                count += 1
    return min(count, start + k)


@njit(cache=True, inline="always")
def _draw_distinct(w, tickets, n, k, out):
    """``k`` draws of a ticket among the first ``n``, the distinct checkpoints into ``out`` in
    order of first draw; returns how many."""
    found = 0
    for _ in range(k):
        cid = tickets[int(uniform(w.draws) * n)]
        if not _among(out, found, cid):
            out[found] = cid
            found += 1
    return found


@njit(cache=True, inline="always")
def _among(values, n, x):
    for j in range(n):  # noqa: SIM110 (compiled: a loop, not a generator)
        if values[j] == x:
            return True
    return False


@njit(cache=True, inline="always")
def personal_finds(w, m, node, stripped, fringe):
    """What ``node`` finds itself on one shelf, into ``scratch.found``: popular main-hub
    checkpoints, then (if it searches the fringe hub this month: ``fringe`` 1; -1 to make
    the month's one draw now) the fringe hub's best and popular checkpoints, then its
    private share. Returns (how many, fringe)."""
    found = w.scratch.found
    shelf = 1 if stripped else 0
    k = m.sharing.search_candidates
    n = sample_shelf(w, 2 * MAIN + shelf, k, found, 0)
    if fringe < 0:
        fringe = 1 if uniform(w.draws) < m.sharing.fringe_prob else 0
    if fringe == 1:
        s = 2 * FRINGE + shelf
        resolve(m.ckpts, w.ckpts, w.n_ckpts, w.shelves, s)
        if w.shelves.best[s] >= 0:
            found[n] = w.shelves.best[s]
            n += 1
        n = sample_shelf(w, s, k, found, n)
    private = w.nodes.private_stripped[node] if stripped else w.nodes.private_safe[node]
    if private >= 0:
        found[n] = private
        n += 1
    return n, fringe

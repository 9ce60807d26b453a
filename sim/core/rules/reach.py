"""What one hobbyist reaches this month: the month's shared offer (``sim.core.search``) and
what it finds itself, with the most valuable of them and the most valuable it can afford.

What it finds itself goes to the scratch arrays ``reach_id``, ``reach_value`` and
``reach_cost`` (unit value and unit cost: the cost curve at no technique), each checkpoint
once and none that the shared offer already holds.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core.kinds import CheckpointKind
from sim.core.search import personal_finds, stripped_offer


@njit(cache=True, inline="always")
def _in_sorted(values, x):
    i = np.searchsorted(values, x)
    return i < len(values) and values[i] == x


@njit(cache=True, inline="always")
def reach(w, m, node, uncensored):
    """Search the safe shelf (and, for an uncensored derivative, the stripped one).
    Returns (how many it found beyond the offers, the stripped offer or -1)."""
    x, rows, offer = w.scratch, w.ckpts, m.offer
    n = 0
    fringe = -1  # the month's one draw of whether it searches the fringe hub, when first due
    for shelf in range(2 if uncensored else 1):
        stripped = shelf == 1
        if stripped:
            stripped_offer(w, m)
        found, fringe = personal_finds(w, m, node, stripped, fringe)
        first = n
        for j in range(found):
            cid = x.found[j]
            if not stripped and _in_sorted(offer.sorted_ids, cid):
                continue
            if stripped and cid == offer.stripped[0]:
                continue
            seen = False
            for i in range(first, n):
                if x.reach_id[i] == cid:
                    seen = True
                    break
            if seen:
                continue
            x.reach_id[n] = cid
            x.reach_value[n] = rows.value_unit[cid]
            x.reach_cost[n] = m.costs.finetune_now * rows.cost_scale[cid]
            n += 1
    return n, offer.stripped[0] if uncensored else -1


@njit(cache=True, inline="always")
def best(w, m, n, stripped):
    """(id, unit value, unit cost) of the most valuable checkpoint reached (-1: none; ties:
    the shared offer first)."""
    offer, rows, x = m.offer, w.ckpts, w.scratch
    out_id, out_value, out_cost = -1, -1.0, 0.0
    entries = offer.entries
    if len(entries) > 0:
        i = entries[len(entries) - 1].prefix_best
        out_id, out_value, out_cost = entries[i].id, entries[i].value, offer.costs[i]
    if stripped >= 0 and (out_id < 0 or rows.value_unit[stripped] > out_value):
        out_id, out_value = stripped, rows.value_unit[stripped]
        out_cost = m.costs.finetune_now * rows.cost_scale[stripped]
    top = -1.0 if out_id < 0 else out_value
    pick = -1
    for j in range(n):
        if x.reach_value[j] > top:
            top, pick = x.reach_value[j], j
    if pick >= 0:
        out_id, out_value, out_cost = x.reach_id[pick], x.reach_value[pick], x.reach_cost[pick]
    return out_id, out_value, out_cost


@njit(cache=True, inline="always")
def best_affordable(w, m, n, stripped, factor, full_precision, bound, multiplier):
    """(id, unit cost) of the most valuable checkpoint reached that a solo run of
    ``factor`` x a fine-tune's compute on it is affordable for, given the dearest compute
    its budget buys alone (``bound``) and its technique multiplier (``full_precision``:
    not a quantisation; -1: none)."""
    offer, rows, x = m.offer, w.ckpts, w.scratch
    limit = bound / (multiplier * factor) if factor > 0 else np.inf
    out_id, out_value, out_cost = -1, -1.0, 0.0
    entries = offer.entries
    k = np.searchsorted(offer.costs, limit, side="right")
    if k > 0:
        i = entries[k - 1].prefix_best
        if full_precision and entries[i].quantised:
            i = entries[k - 1].prefix_full
        if i >= 0:
            out_id, out_value, out_cost = entries[i].id, entries[i].value, offer.costs[i]
    if stripped >= 0:
        cost = m.costs.finetune_now * rows.cost_scale[stripped]
        quantised = rows.kind[stripped] == CheckpointKind.QUANTISED
        fits = cost <= limit and not (full_precision and quantised)
        if fits and (out_id < 0 or rows.value_unit[stripped] > out_value):
            out_id, out_value, out_cost = stripped, rows.value_unit[stripped], cost
    top = -1.0 if out_id < 0 else out_value
    pick = -1
    for j in range(n):
        if x.reach_cost[j] > limit or x.reach_value[j] <= top:
            continue
        if full_precision and rows.kind[x.reach_id[j]] == CheckpointKind.QUANTISED:
            continue
        top, pick = x.reach_value[j], j
    if pick >= 0:
        out_id, out_cost = x.reach_id[pick], x.reach_cost[pick]
    return out_id, out_cost

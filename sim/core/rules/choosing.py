"""What a hobbyist builds on: a merge, a quantisation or a fine-tune, and how it pays.

Each ``try_*`` returns a plan ``(made, kind, parent, second parent, members, cost)``:
``made`` is False when the route is closed (the members of a pool are in
``scratch.pool``; a solo run has one, the hobbyist itself). A fine-tune takes the more
valuable route first: the most valuable checkpoint reached (alone, or pooled if out of reach
alone), the most valuable affordable one, or a lab's fine-tuning API (which leaves no
derivative: ``try_api_finetune`` counts it).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from sim.core.draws import uniform
from sim.core.kinds import CheckpointKind
from sim.core.policies.api_finetune_screening import screens
from sim.core.policies.compute_kyc import solo_cost
from sim.core.pooling import form_pool
from sim.core.rules.reach import best, best_affordable
from sim.core.table import Column

NO_PLAN = (False, CheckpointKind.FINETUNE, -1, -1, 1, 0.0)


class Route(NamedTuple):
    """One of a fine-tune's three routes (the most valuable, the affordable, an API)."""

    value: np.ndarray = Column(np.float64)
    cid: np.ndarray = Column(np.int64)
    unit: np.ndarray = Column(np.float64)
    tried: np.ndarray = Column(np.bool_)


@njit(cache=True, inline="always")
def _solo(m, w, node, compute):
    return solo_cost(m.policies.compute_kyc, m.costs, compute, w.nodes.own_hardware[node])


@njit(cache=True, inline="always")
def try_merge(w, m, node, n, stripped, multiplier):
    """Merge the most valuable full-precision checkpoint reached with the most valuable other
    one of the same base (ties: the first reached, the shared offers before what it found
    itself), if it can pay alone."""
    offer, rows, x = m.offer, w.ckpts, w.scratch
    entries = offer.entries
    n_off = len(entries)
    # candidates carry an order key: the safe offer's index, then the stripped offer, then
    # what it found itself
    first_id, first_value, first_cost, first_key = -1, -1.0, 0.0, 1 << 62
    count = offer.full_count
    if n_off > 0 and entries[n_off - 1].prefix_full >= 0:
        i = entries[n_off - 1].prefix_full
        first_id, first_value, first_cost, first_key = (
            entries[i].id,
            entries[i].value,
            offer.costs[i],
            i,
        )
    if stripped >= 0 and rows.kind[stripped] != CheckpointKind.QUANTISED:
        count += 1
        if first_id < 0 or rows.value_unit[stripped] > first_value:
            first_id, first_value = stripped, rows.value_unit[stripped]
            first_cost = m.costs.finetune_now * rows.cost_scale[stripped]
            first_key = 1 << 40
    own = 0
    for j in range(n):
        if rows.kind[x.reach_id[j]] == CheckpointKind.QUANTISED:
            continue
        own += 1
        if first_id < 0 or x.reach_value[j] > first_value:
            first_id, first_value, first_cost = x.reach_id[j], x.reach_value[j], x.reach_cost[j]
            first_key = (2 << 40) + j
    if count + own < 2:
        return NO_PLAN
    root = rows.root[first_id]
    mate_id, mate_value, mate_key = -1, -1.0, 1 << 62
    for j in range(n):  # what it found, same base
        cid, key = x.reach_id[j], (2 << 40) + j
        if rows.kind[cid] == CheckpointKind.QUANTISED or rows.root[cid] != root or key == first_key:
            continue
        value = x.reach_value[j]
        if mate_id < 0 or value > mate_value or (value == mate_value and key < mate_key):
            mate_id, mate_value, mate_key = cid, value, key
    # the safe offer's two most valuable of this base (ties: the earlier)
    top1, top2 = -1, -1
    r = np.searchsorted(offer.roots, root)
    if r < len(offer.roots) and offer.roots[r] == root:
        top1, top2 = offer.tops[r].top1, offer.tops[r].top2
    pick = top1 if top1 >= 0 and top1 != first_key else top2 if top2 != first_key else -1
    if pick >= 0:
        value = entries[pick].value
        if mate_id < 0 or value > mate_value or (value == mate_value and pick < mate_key):
            mate_id, mate_value, mate_key = entries[pick].id, value, pick
    if (
        stripped >= 0
        and rows.kind[stripped] != CheckpointKind.QUANTISED
        and rows.root[stripped] == root
        and first_key != (1 << 40)
    ):
        value, key = rows.value_unit[stripped], 1 << 40
        if mate_id < 0 or value > mate_value or (value == mate_value and key < mate_key):
            mate_id, mate_value, mate_key = stripped, value, key
    if mate_id < 0:
        return NO_PLAN
    price = _solo(m, w, node, first_cost * m.costs.merge_factor * multiplier)
    if price > w.nodes.budget[node]:
        return NO_PLAN
    return True, CheckpointKind.MERGE, first_id, mate_id, 1, price


@njit(cache=True, inline="always")
def try_quantise(w, m, node, n, stripped, bound, multiplier):
    """Quantise the most valuable full-precision checkpoint it can afford to."""
    factor = m.costs.quantise_factor
    pick, unit = best_affordable(w, m, n, stripped, factor, True, bound, multiplier)
    if pick < 0:
        return NO_PLAN
    price = _solo(m, w, node, unit * factor * multiplier)
    return True, CheckpointKind.QUANTISED, pick, -1, 1, price


@njit(cache=True, inline="always")
def try_api_finetune(w, m, node, value):
    """Fine-tune through a lab's API (worth ``value``): no derivative to share; a screened
    API refuses benign jobs at its false-positive rate."""
    nodes, api = w.nodes, m.api
    if nodes.budget[node] < m.costs.api_finetune_usd:
        return False
    k = m.policies.api_finetune_screening
    if screens(k, api.best_inside) and uniform(w.draws) < k.false_positive_rate:
        w.tally[0].api_jobs_blocked += 1
        return False
    nodes.spent_step[node] = m.t
    w.tally[0].benign_finetunes += 1
    w.tally[0].benefit += value
    return True


@njit(cache=True, inline="always")
def try_finetune(w, m, node, n, stripped, bound, multiplier):
    """The routes in order of value (ties: open, solo, API): the most valuable checkpoint
    reached (alone, else pooled), the most valuable affordable one (alone), a lab's API."""
    skill = 0.5 + w.nodes.skill[node]
    routes = w.scratch.routes  # (no allocation in a turn)
    for r in range(3):
        routes[r].value, routes[r].cid, routes[r].unit, routes[r].tried = -np.inf, -1, 0.0, False
    values, ids, units = routes.value, routes.cid, routes.unit
    best_id, best_value, best_cost = best(w, m, n, stripped)
    if best_id >= 0:
        values[0], ids[0], units[0] = best_value * skill, best_id, best_cost
        solo_id, solo_unit = best_affordable(w, m, n, stripped, 1.0, False, bound, multiplier)
        if solo_id >= 0 and solo_id != best_id:
            values[1], ids[1], units[1] = w.ckpts.value_unit[solo_id] * skill, solo_id, solo_unit
    if m.api.best >= 0:
        values[2] = m.hobbyists.api_benefit * m.api.best_value * skill
    for _ in range(3):
        route = -1
        for r in range(3):  # the next: the largest value, then the first
            if (
                not routes[r].tried
                and values[r] != -np.inf
                and (route < 0 or values[r] > values[route])
            ):
                route = r
        if route < 0:
            break
        routes[route].tried = True
        if route == 2:
            if try_api_finetune(w, m, node, values[2]):
                return NO_PLAN
            continue
        compute = units[route] * multiplier
        price = _solo(m, w, node, compute)
        if w.nodes.budget[node] >= price:
            return True, CheckpointKind.FINETUNE, ids[route], -1, 1, price
        if route != 0:
            continue
        size = form_pool(w, m, node, compute, m.pooling.hobbyist_join)
        if size > 0:
            return True, CheckpointKind.FINETUNE, ids[route], -1, size, compute
    return NO_PLAN

"""Pooled fine-tuning (mechanism B): actors who cannot pay alone split the cost with contacts.

Pools form only along ties and only among actors of the same kind (hobbyists with hobbyists,
malicious actors with malicious actors). The initiator invites its free contacts, richest
first; each joins with a probability (``sharing.pooling.join_prob`` for hobbyists,
``malicious.pool_join_prob`` for malicious actors) until the pool can pay or reaches
``max_members``. Coordination wastes part of the money: a pool buys ``efficiency x sum of
budgets`` of compute (decentralised training reaches 83-96% utilisation: INTELLECT-1), less
pool monitoring's overhead where it is in force. Pooled runs are spread over many machines,
which is why compute KYC cannot see them; pool monitoring can.
"""

from __future__ import annotations

from typing import NamedTuple

from numba import njit

from sim.config import Config
from sim.core.draws import uniform


class PoolTerms(NamedTuple):
    on: bool  # sharing.pooling.enabled
    efficiency: float  # share of pooled money that buys compute this month
    max_members: int
    hobbyist_join: float
    malicious_join: float

    @classmethod
    def of(cls, cfg: Config, monitoring_loss: float) -> PoolTerms:
        pooling = cfg.sharing.pooling
        return cls(
            pooling.enabled,
            pooling.efficiency * (1.0 - monitoring_loss),
            pooling.max_members,
            pooling.join_prob,
            cfg.malicious.pool_join_prob,
        )


@njit(cache=True, inline="always")
def _richer(budget, a, b):
    """Is contact ``a`` invited before ``b``: the larger budget, ties the lower node?"""
    return budget[a] > budget[b] or (budget[a] == budget[b] and a < b)


@njit(cache=True, _nrt=False)
def form_pool(w, m, node, cost, join):
    """Invite free contacts of ``node``'s kind, richest first (ties: the lower node), each
    joining with probability ``join``, until the pool can pay ``cost``. If even every
    invited contact joining could not pay, nobody is asked (no draws); otherwise every
    free contact has one draw, asked or not. The members (initiator first) go to
    ``scratch.pool``; returns how many (0: no pool)."""
    p = m.pooling
    if not p.on:
        return 0
    nodes, ties = w.nodes, w.ties
    kind, budget = nodes.kind[node], nodes.budget
    ranked = w.scratch.contacts  # (room for every node: no allocation in a turn)
    n = 0
    for e in range(ties.start[node], ties.start[node] + ties.deg[node]):
        v = ties.nbr[e]
        if nodes.kind[v] == kind and nodes.banned_until[v] <= m.t and nodes.spent_step[v] != m.t:
            # insertion in rank order (contacts are few; a hub's hundreds still sort fast)
            j = n
            while j > 0 and _richer(budget, v, ranked[j - 1]):
                ranked[j] = ranked[j - 1]
                j -= 1
            ranked[j] = v
            n += 1
    if n == 0:
        return 0
    total = 0.0
    for j in range(min(p.max_members - 1, n)):
        total += budget[ranked[j]]
    if p.efficiency * (budget[node] + total) < cost:
        return 0
    pool = w.scratch.pool
    pool[0] = node
    size = 1
    total = budget[node]
    asked = 0
    formed = False
    while asked < n:
        joins = uniform(w.draws) < join
        j = asked
        asked += 1
        if not joins:
            continue
        pool[size] = ranked[j]
        size += 1
        total += budget[ranked[j]]
        if p.efficiency * total >= cost:
            formed = True
            break
        if size >= p.max_members:
            break
    for _ in range(asked, n):  # the contacts not asked still had their draw
        uniform(w.draws)
    return size if formed else 0


@njit(cache=True, inline="always")
def reinforce(w, size):
    """Pooling strengthens the ties it travelled along (initiator to each member)."""
    ties, pool = w.ties, w.scratch.pool
    node = pool[0]
    for j in range(1, size):
        v = pool[j]
        for e in range(ties.start[node], ties.start[node] + ties.deg[node]):
            if ties.nbr[e] == v:
                ties.wt[e] += 1
                break
        for e in range(ties.start[v], ties.start[v] + ties.deg[v]):
            if ties.nbr[e] == node:
                ties.wt[e] += 1
                break

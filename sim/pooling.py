"""Pooled fine-tuning (mechanism B): actors who cannot pay alone split the cost with contacts.

Pools form only along ties and only among actors of the same kind (hobbyists with hobbyists,
malicious actors with malicious actors). The initiator invites its free contacts, richest
first; each joins with a probability (``sharing.pooling.join_prob`` for hobbyists,
``malicious.pool_join_prob`` for malicious actors) until the pool can pay or reaches
``max_members``. Coordination wastes part of the money: a pool buys ``efficiency x sum of
budgets`` of compute (decentralised training reaches 83-96% utilisation: INTELLECT-1).
Pooled runs are spread over many machines, which is why compute KYC cannot see them; pool
monitoring can.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.actors import Actor
    from sim.model import EcosystemModel


def pool_efficiency(model: EcosystemModel) -> float:
    """Share of pooled money that buys compute, after any monitoring overhead."""
    pooling = model.cfg.sharing.pooling
    monitoring = model.policies["pool_monitoring"]
    loss = monitoring.params.efficiency_loss if monitoring.active(model.steps) else 0.0
    return pooling.efficiency * (1.0 - loss)


def form_pool(
    model: EcosystemModel, initiator: Actor, cost: float, join: float
) -> list[Actor] | None:
    """Invite free contacts of the initiator's kind, richest first, each joining with
    probability ``join``, until the pool can pay.

    Returns the members (initiator first) or None if the pool cannot reach ``cost``.
    """
    pooling = model.cfg.sharing.pooling
    if not pooling.enabled:
        return None
    efficiency = pool_efficiency(model)
    kind, node = model.kinds[initiator.node], initiator.node
    t, kinds = model.steps, model.kinds
    banned, spent, budget = model.banned_until, model.spent_step, model.budget
    nodes = [
        v
        for v in model.ties.neighbours(node).tolist()
        if kinds[v] == kind and banned[v] <= t and spent[v] != t
    ]
    if not nodes:
        return None
    # Even if every invited contact joined, could the pool pay? If not, nobody is asked.
    budgets = sorted((float(budget[v]) for v in nodes), reverse=True)
    if efficiency * (initiator.budget + sum(budgets[: pooling.max_members - 1])) < cost:
        return None
    nodes.sort(key=lambda v: (-budget[v], v))
    candidates = [model.actors[v] for v in nodes]
    joins = model.uniforms.many(len(candidates))
    members, total = [initiator], initiator.budget
    for partner, u in zip(candidates, joins, strict=True):
        if u >= join:
            continue
        members.append(partner)
        total += partner.budget
        if efficiency * total >= cost:
            return members
        if len(members) >= pooling.max_members:
            break
    return None

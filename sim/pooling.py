"""Pooled fine-tuning (mechanism B): actors who cannot pay alone split the cost with contacts.

Pools form only along ties and only among actors of the same kind (hobbyists with hobbyists,
malicious actors with malicious actors). Coordination wastes part of the money: a pool buys
``efficiency x sum of budgets`` of compute. Pooled runs are spread over many machines, which is
why compute KYC cannot see them; pool monitoring can.
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


def form_pool(model: EcosystemModel, initiator: Actor, cost: float) -> list[Actor] | None:
    """Invite free neighbours of the initiator's kind, richest first, until the pool can pay.

    Returns the members (initiator first) or None if the pool cannot reach ``cost``.
    """
    pooling = model.cfg.sharing.pooling
    if not pooling.enabled:
        return None
    efficiency = pool_efficiency(model)
    kind = type(initiator)
    candidates = [
        a
        for a in (model.actors[v] for v in initiator.neighbours())
        if type(a) is kind and not a.banned and not a.spent_this_month
    ]
    candidates.sort(key=lambda a: (-a.budget, a.node))
    members, total = [initiator], initiator.budget
    for partner in candidates[: pooling.max_members - 1]:
        members.append(partner)
        total += partner.budget
        if efficiency * total >= cost:
            return members
    return None

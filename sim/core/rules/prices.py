"""What making a checkpoint fit for misuse costs one actor this month: the cost curve
(``sim.core.costs``) with its know-how, and the severe tier's uplift."""

from __future__ import annotations

from numba import njit

from sim.core.costs import actor_strip_cost, finetune_cost, finetune_oom


@njit(cache=True, inline="always")
def uplift_price(m, nodes, node, capability):
    """USD of the domain uplift fine-tune that severe misuse needs: more compute than a
    benign fine-tune, plus data and expertise whose price does not fall with hardware."""
    mal = m.malicious
    compute = mal.uplift_compute * finetune_cost(
        m.costs, capability, finetune_oom(m.costs, nodes, node)
    )
    return compute + mal.uplift_data_usd


@njit(cache=True, inline="always")
def strip_price(w, m, node, cid):
    """What ``node`` pays to make ``cid`` fit for misuse: the strip, plus the uplift for the
    severe tier."""
    rows, nodes = w.ckpts, w.nodes
    capability = rows.capability[cid]
    price = actor_strip_cost(
        m.costs, nodes, node, capability, rows.safeguard[cid], rows.tamper[cid]
    )
    if nodes.severe[node]:
        price = price + uplift_price(m, nodes, node, capability)
    return price

"""Compiled loops behind the reporters that price a checkpoint for every actor of a kind
(``sim.outcomes``), with the rules' own prices."""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core.costs import actor_strip_cost, finetune_oom, strip_cost, technique_multiplier
from sim.core.policies.compute_kyc import solo_cost


@njit(cache=True)
def hobbyist_solo_costs(w, m, nodes, cid):
    """Each of ``nodes``' solo cost of a benign fine-tune of ``cid`` this month (the price a
    turn computes: the unit cost times the actor's technique multiplier, then compute KYC's
    overhead). Most actors know only the published techniques, so a multiplier is computed
    again only when the know-how differs from the previous actor's (the same numbers, far
    fewer powers of ten)."""
    c, k = m.costs, m.policies.compute_kyc
    unit = c.finetune_now * w.ckpts.cost_scale[cid]
    out = np.empty(len(nodes))
    last_oom, know_how = np.nan, 1.0
    for i in range(len(nodes)):
        node = nodes[i]
        oom = finetune_oom(c, w.nodes, node)
        if oom != last_oom:
            last_oom, know_how = oom, technique_multiplier(oom, c.technique_floor)
        out[i] = solo_cost(k, c, unit * know_how, w.nodes.own_hardware[node])
    return out


@njit(cache=True)
def malicious_strip_costs(w, m, nodes, cid):
    """Each of ``nodes``' cost of stripping ``cid`` (no uplift); with no such actors, what
    the published techniques alone give."""
    rows, c = w.ckpts, m.costs
    capability, safeguard, tamper = rows.capability[cid], rows.safeguard[cid], rows.tamper[cid]
    if len(nodes) == 0:
        out = np.empty(1)
        out[0] = strip_cost(
            c,
            capability,
            safeguard,
            tamper,
            c.published_finetune_oom,
            c.published_strip_oom,
            c.published_bypass > 0,
        )
        return out
    out = np.empty(len(nodes))
    for i in range(len(nodes)):
        out[i] = actor_strip_cost(c, w.nodes, nodes[i], capability, safeguard, tamper)
    return out

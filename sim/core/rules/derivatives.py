"""Making a derivative: what it inherits, what the run counts, where the result goes.

- A **fine-tune** adds a little capability (more for skilled fine-tuners, never more than
  ``max_derivative_gain_oom`` above its base) and erodes safeguards and tamper resistance.
- A **quantisation** is cheap and slightly less capable; it keeps its parent's safeguards.
  Building on it is worth less than building on its full-precision original (its value
  scale), which is why quantisations are rarely parents: nobody has to rule that they are
  leaves.
- A **merge** combines two checkpoints of the same base: the better parent's capability
  plus a little, and the *weaker* safeguards of the two, so a stripped parent's missing
  safeguards travel into the merge.

A derivative meant to be uncensored is stripped too when what is left of the budget pays
for it. The maker uploads it to the main hub (which may reject stripped weights), shares it
with its contacts, or keeps it (a pool's members always get a copy); now and then a
fine-tune yields a new technique (drawn in Python: ``sim.core.techniques``).
"""

from __future__ import annotations

from numba import njit

from sim.core import checkpoints, hubs
from sim.core.costs import actor_strip_cost
from sim.core.draws import uniform
from sim.core.kinds import Access, ActivityKind, CheckpointKind
from sim.core.logs import log_activity
from sim.core.policies.hub_moderation import rejects_upload
from sim.core.pooling import reinforce
from sim.core.rules.runs import record_run

DONE, INVENT = 0, 1  # what a turn ends with


@njit(cache=True, inline="always")
def traits(w, m, node, kind, a, b):
    """(capability, safeguard, tamper) of a derivative of ``a`` (and ``b`` for a merge)."""
    rows, h = w.ckpts, m.hobbyists
    skill = w.nodes.skill[node]
    top = rows.capability[rows.root[a]] + h.max_gain
    pc = rows.capability[a]
    if kind == CheckpointKind.FINETUNE:
        capability = max(pc, min(pc + 2 * h.finetune_gain * skill, top))
        return (
            capability,
            rows.safeguard[a] * (1 - h.safety_erosion),
            rows.tamper[a] * (1 - h.tamper_erosion),
        )
    if kind == CheckpointKind.QUANTISED:
        return pc - h.quantisation_loss, rows.safeguard[a], rows.tamper[a]
    best = max(pc, rows.capability[b])
    capability = max(best, min(best + h.finetune_gain * skill, top))
    return (
        capability,
        min(rows.safeguard[a], rows.safeguard[b]),
        min(rows.tamper[a], rows.tamper[b]),
    )


@njit(cache=True, inline="always")
def kind_value(h, kind):
    """Value of making a derivative of ``kind`` relative to a fine-tune of the same parent."""
    if kind == CheckpointKind.QUANTISED:
        return h.quantised_value
    if kind == CheckpointKind.MERGE:
        return h.merge_value
    return 1.0


@njit(cache=True, inline="always")
def make(w, m, node, kind, a, b, size, cost, uncensored):
    """A benign run on open weights by ``scratch.pool[:size]`` (``node`` first) costing
    ``cost``: count its value, make the derivative, share it. Returns DONE or INVENT."""
    nodes, tally, pool = w.nodes, w.tally[0], w.scratch.pool
    pooled = size > 1
    for j in range(size):
        nodes.spent_step[pool[j]] = m.t
    tally.benefit += (
        w.ckpts.value_unit[a] * (0.5 + nodes.skill[node]) * kind_value(m.hobbyists, kind)
    )
    if kind == CheckpointKind.FINETUNE:
        tally.benign_finetunes += 1
        if pooled:
            tally.pooled_finetunes += 1
        if uniform(w.draws) < m.hobbyists.defensive_share:
            w.tally[0].defence_added += 1
    record_run(w, m, ActivityKind.POOL if pooled else ActivityKind.FINETUNE, size, -1, False, cost)
    if pooled:
        reinforce(w, size)
    capability, safeguard, tamper = traits(w, m, node, kind, a, b)
    if uncensored and kind == CheckpointKind.FINETUNE and safeguard > m.ckpts.safeguard_max:
        held = 0.0
        for j in range(size):
            held += nodes.budget[pool[j]]
        price = actor_strip_cost(m.costs, nodes, node, capability, safeguard, tamper)
        if held - cost >= price:
            safeguard, tamper = 0.0, 0.0
    share(w, m, node, kind, a, b, size, capability, safeguard, tamper)
    invents = m.hobbyists.invention_prob * 2 * nodes.skill[node]
    if kind == CheckpointKind.FINETUNE and uniform(w.draws) < invents:  # (a fine-tune draws)
        return INVENT
    return DONE


@njit(cache=True, inline="always")
def share(w, m, node, kind, a, b, size, capability, safeguard, tamper):
    """Upload to the main hub, or share with contacts, or keep it (no record unless a
    pool's members get copies)."""
    upload = uniform(w.draws) < m.sharing.upload_prob
    p2p = False
    if not upload:
        p2p = uniform(w.draws) < m.sharing.p2p_prob
    if not (upload or p2p or size > 1):
        return
    rows = w.ckpts
    cid = checkpoints.add(
        m.ckpts, rows, w.n_ckpts, a, b, node, capability, safeguard, tamper, Access.OPEN, m.t, kind
    )
    for j in range(size):
        hubs.receive(m.ckpts, rows, w.nodes, w.scratch.pool[j], cid)
    if upload and rejects_upload(w, m, cid):
        hubs.take_down(w, m, cid, False)
        upload = False
        p2p = uniform(w.draws) < m.sharing.p2p_prob
    if upload:
        hubs.upload(m.ckpts, rows, w.shelves, cid, hubs.MAIN)
        log_activity(w.log, ActivityKind.UPLOAD, w.scratch.pool, 1, cid, False, False)
    elif p2p:
        hubs.share_with_neighbours(m.ckpts, rows, w.nodes, w.ties, node, cid)

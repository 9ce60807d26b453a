"""How a malicious actor gets weights it can misuse, least effort first.

Common-tier actors need a stripped checkpoint of at least ``goal`` capability: stripping
alone yields a compliant checkpoint (the sources price the strip itself). Severe-tier actors
need one that a domain *uplift* fine-tune (compute, data and skill) lifts to their goal.
Routes: a weapon a malicious contact shared; stripped weights already reachable (main hub,
fringe hub if found, contacts); stripping reachable safe weights (alone or pooled with
malicious contacts); abusing a lab's fine-tuning API (Qi et al. 2023).
"""

from __future__ import annotations

from numba import njit

from sim.core import checkpoints
from sim.core.draws import uniform
from sim.core.kinds import NO_LIMIT, Access, ActivityKind, ActorKind, CheckpointKind
from sim.core.logs import log_activity
from sim.core.policies.api_finetune_screening import screens
from sim.core.pooling import form_pool, reinforce
from sim.core.rules.prices import strip_price, uplift_price
from sim.core.rules.runs import record_run
from sim.core.search import personal_finds, stripped_offer


@njit(cache=True, inline="always")
def uplift(m, nodes, node):
    """Capability the actor's last step adds (the uplift fine-tune of the severe tier)."""
    return m.malicious.uplift_gain if nodes.severe[node] else 0.0


@njit(cache=True, inline="always")
def capable_enough(w, m, node, cid):
    """Is ``cid`` capable enough for ``node``'s goal, after any uplift it would add?"""
    return w.ckpts.capability[cid] + uplift(m, w.nodes, node) >= w.nodes.goal[node]


@njit(cache=True, inline="always")
def fits(w, node, cid):
    """Is ``cid`` fit for ``node``'s goal as it is? The severe tier needs the uplift in it."""
    nodes = w.nodes
    return (
        cid >= 0
        and w.ckpts.capability[cid] >= nodes.goal[node]
        and (not nodes.severe[node] or w.ckpts.uplifted[cid])
    )


@njit(cache=True, inline="always")
def is_equipped(w, m, node):
    """Holds a checkpoint fit for its goal (API access not yet revoked)."""
    return fits(w, node, w.nodes.equipped[node]) and w.nodes.equipped_until[node] > m.t


@njit(cache=True, inline="always")
def equip(w, node, cid, until):
    w.nodes.equipped[node] = cid
    w.nodes.equipped_until[node] = until


@njit(cache=True, inline="always")
def can_uplift(w, m, node, size):
    """Can ``scratch.pool[:size]`` (``node`` first) do ``node``'s last step (the severe
    tier's uplift needs one member with ``uplift_min_skill``)?"""
    return not w.nodes.severe[node] or _top_skill(w, size) >= m.malicious.uplift_min_skill


@njit(cache=True, inline="always")
def _top_skill(w, size):
    top = 0.0
    for j in range(size):
        top = max(top, w.nodes.skill[w.scratch.pool[j]])
    return top


@njit(cache=True, _nrt=False)
def try_shared_weapon(w, m, node):
    cid = w.nodes.weapon[node]
    if not fits(w, node, cid):
        return False
    equip(w, node, cid, NO_LIMIT)
    return True


@njit(cache=True, _nrt=False)
def try_stripped_download(w, m, node):
    """Weights already without safeguards, capable enough: the most capable reachable
    (ties: the earlier); the severe tier still pays for the uplift. Returns (got it, the
    month's fringe search: see ``personal_finds``)."""
    rows = w.ckpts
    pick = stripped_offer(w, m)
    if pick >= 0 and not capable_enough(w, m, node, pick):
        pick = -1
    n, fringe = personal_finds(w, m, node, True, -1)
    for j in range(n):
        cid = w.scratch.found[j]
        if capable_enough(w, m, node, cid) and (
            pick < 0
            or rows.capability[cid] > rows.capability[pick]
            or (rows.capability[cid] == rows.capability[pick] and cid < pick)
        ):
            pick = cid
    if pick < 0:
        return False, fringe
    if not w.nodes.severe[node]:
        equip(w, node, pick, NO_LIMIT)
        return True, fringe
    price = uplift_price(m, w.nodes, node, rows.capability[pick])
    return pay_and_weaponise(w, m, node, pick, price), fringe


@njit(cache=True, _nrt=False)
def try_strip(w, m, node, fringe):
    """Strip reachable safe weights: the most capable it can pay for alone, else pool for
    the cheapest that meets its goal."""
    rows, offer, x = w.ckpts, m.offer, w.scratch
    n, fringe = personal_finds(w, m, node, False, fringe)
    n_off = len(offer.entries)
    solo = can_uplift(w, m, node, 1)
    budget = w.nodes.budget[node]
    best, best_price, cheapest, cheapest_price = -1, 0.0, -1, 0.0
    for j in range(n_off + n):
        cid = offer.entries[j].id if j < n_off else x.found[j - n_off]
        if not capable_enough(w, m, node, cid):
            continue
        price = strip_price(w, m, node, cid)
        if (
            solo
            and budget >= price
            and (
                best < 0
                or rows.capability[cid] > rows.capability[best]
                or (rows.capability[cid] == rows.capability[best] and cid < best)
            )
        ):
            best, best_price = cid, price
        if cheapest < 0 or price < cheapest_price or (price == cheapest_price and cid < cheapest):
            cheapest, cheapest_price = cid, price
    if best >= 0:
        weaponise(w, m, node, best, 1, best_price)
        return True
    if cheapest < 0:
        return False
    return pool_and_weaponise(w, m, node, cheapest, cheapest_price)


@njit(cache=True, _nrt=False)
def pay_and_weaponise(w, m, node, cid, price):
    if w.nodes.budget[node] >= price and can_uplift(w, m, node, 1):
        weaponise(w, m, node, cid, 1, price)
        return True
    return pool_and_weaponise(w, m, node, cid, price)


@njit(cache=True, _nrt=False)
def pool_and_weaponise(w, m, node, cid, price):
    size = form_pool(w, m, node, price, m.pooling.malicious_join)
    if size == 0 or not can_uplift(w, m, node, size):
        return False
    weaponise(w, m, node, cid, size, price)
    return True


@njit(cache=True, inline="always")
def _misuse_checkpoint(w, m, node, parent, access, kind):
    """``node``'s checkpoint fit for misuse, made from ``parent``: no safeguards left, the
    uplift its tier adds (uplifted if severe). Returns its id."""
    capability = w.ckpts.capability[parent] + uplift(m, w.nodes, node)
    cid = checkpoints.add(
        m.ckpts, w.ckpts, w.n_ckpts, parent, -1, node, capability, 0.0, 0.0, access, m.t, kind
    )
    w.ckpts.uplifted[cid] = w.nodes.severe[node]
    return cid


@njit(cache=True, _nrt=False)
def weaponise(w, m, node, parent, size, cost):
    """Strip ``parent`` (and, for the severe tier, add the uplift) with the pool
    ``scratch.pool[:size]``; every malicious member it fits is equipped, and the maker may
    share it with its malicious contacts."""
    nodes, pool, mal = w.nodes, w.scratch.pool, m.malicious
    for j in range(size):
        nodes.spent_step[pool[j]] = m.t
    severe = nodes.severe[node]
    kind = CheckpointKind.UPLIFT if severe else CheckpointKind.STRIPPED
    cid = _misuse_checkpoint(w, m, node, parent, Access.OPEN, kind)
    data = mal.uplift_data_usd if severe else 0.0
    activity = ActivityKind.UPLIFT if severe else ActivityKind.STRIP
    record_run(w, m, activity, size, cid, True, max(cost - data, 0.0))
    for j in range(size):
        member = pool[j]
        if nodes.kind[member] == ActorKind.MALICIOUS and (member == node or fits(w, member, cid)):
            equip(w, member, cid, NO_LIMIT)
    if size > 1:
        reinforce(w, size)
    if uniform(w.draws) < mal.share_prob:
        ties, rows = w.ties, w.ckpts
        for e in range(ties.start[node], ties.start[node] + ties.deg[node]):
            v = ties.nbr[e]
            if nodes.kind[v] != ActorKind.MALICIOUS:
                continue
            held = nodes.weapon[v]  # a contact keeps the more capable (ties: what it holds)
            if held < 0 or rows.capability[held] < rows.capability[cid]:
                nodes.weapon[v] = cid


@njit(cache=True, _nrt=False)
def try_api_abuse(w, m, node):
    """Jailbreak a lab's fine-tuning API, an unscreened one if it will do; screened jobs are
    caught with ``api_finetune_screening.strength``. Access lasts ``api_abuse_months``."""
    nodes, api, mal = w.nodes, m.api, m.malicious
    k = m.policies.api_finetune_screening
    pick, pick_screened = -1, False
    for cid, inside in ((api.outside, False), (api.inside, True)):
        if cid < 0 or not capable_enough(w, m, node, cid):
            continue
        screened = screens(k, inside)
        if pick < 0 or _api_before(w, screened, cid, pick_screened, pick):
            pick, pick_screened = cid, screened
    if pick < 0:
        return False
    price = m.costs.api_abuse_usd + (mal.uplift_data_usd if nodes.severe[node] else 0.0)
    if nodes.budget[node] < price or not can_uplift(w, m, node, 1):
        return False
    if uniform(w.draws) >= mal.api_abuse_prob:
        return False
    nodes.spent_step[node] = m.t
    if pick_screened and uniform(w.draws) < k.strength:
        w.tally[0].api_jobs_blocked += 1
        log_activity(w.log, ActivityKind.API_ABUSE, w.scratch.pool, 1, -1, True, True)
        return True  # the month is spent, and the attempt failed
    cid = _misuse_checkpoint(w, m, node, pick, Access.API, CheckpointKind.API_ABUSE)
    equip(w, node, cid, m.t + mal.api_abuse_months)
    return True


@njit(cache=True, inline="always")
def _api_before(w, screened, cid, other_screened, other):
    """Order of preference among APIs: unscreened first, then the more capable, then the
    earlier."""
    if screened != other_screened:
        return not screened
    a, b = w.ckpts.capability[cid], w.ckpts.capability[other]
    return a > b or (a == b and cid < other)

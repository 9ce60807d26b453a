"""The hobbyists' turns, compiled: the rules of ``sim.hobbyists`` for a run of consecutive
hobbyists and malicious actors in the month's turn order, on the model's arrays (most
malicious turns too: ``_malicious_turn`` takes those whose effects Python can apply
afterwards, and stops the run for the rest).

Nothing here is a new rule. Each function mirrors a method of ``sim.hobbyists``,
``sim.malicious`` or ``sim.misuse`` (named in its docstring) step by step, in the same order
of operations and reading the same stream of uniform draws (``sim.draws``), so a run gives
the same numbers with this kernel as with the per-agent Python code (``tests/test_turns.py``
checks it, policy by policy). What Python does once a run of turns returns: checkpoint
objects for the new rows, the oversight records, the pool ties to strengthen, the hubs'
sorted shelves, and the malicious logs: what actors now hold and their incidents
(``Hobbyist.take_turns``). A turn that invents a technique stops the run, so the invention
draws from the model's generator in order.

Array layout (all by node or by checkpoint id, as the model and ``Columns`` hold them):
``p`` holds the month's float parameters and ``q`` the integer ones (indices below);
``cols`` is the checkpoint columns in the order of ``COLUMNS``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# float parameters (p)
(
    P_T,
    P_QSHARE,
    P_MSHARE,
    P_UNCENSORED,
    P_FRINGE,
    P_FACTOR,
    P_TFLOOR,
    P_PUB_FT,
    P_PUB_STRIP,
    P_KYC_USD,
    P_KYC_OVERHEAD,
    P_KYC_FLOP,
    P_KYC_STRENGTH,
    P_FLOP_PER_USD,
    P_HARDWARE,
    P_PM_STRENGTH,
    P_EFFICIENCY,
    P_JOIN,
    P_QCOST,
    P_MCOST,
    P_API_PRICE,
    P_API_VALUE,
    P_API_FP,
    P_ABF,
    P_QVALUE,
    P_MVALUE,
    P_DEFENSIVE,
    P_GAIN,
    P_MAXGAIN,
    P_EROSION,
    P_TEROSION,
    P_QLOSS,
    P_SGMAX,
    P_STRIP_USD,
    P_ELASTICITY,
    P_TIME,
    P_STRIP_FLOOR,
    P_TAMPER_MULT,
    P_UPLOAD,
    P_P2P,
    P_MOD_STRENGTH,
    P_REUPLOAD,
    P_INVENT,
    P_BENEFIT_E,
    P_PENALTY,
    P_QPARENT,
    # malicious actors' turns (``sim.malicious``, ``sim.misuse``)
    P_UPLIFT,  # the severe tier's uplift gain
    P_BASE_P,
    P_SEVERE_BASE,
    P_API_CAP,  # the most capable API checkpoint's capability (-inf: none)
    P_API_ABUSE_USD,
    P_UPLIFT_DATA,
    P_UPLIFT_SKILL,
    P_API_ABUSE_P,
    P_MAL_JOIN,
    P_FT_USD,
    P_UPLIFT_COMPUTE,
    # incidents (``sim.misuse``)
    P_THRESH_COMMON,
    P_THRESH_SEVERE,
    P_SEVERE_SCALE,
    P_SEV_ELASTICITY,
    P_SIGMA,
    P_BASE_SEVERITY,
    P_REPORT,
) = range(64)
N_P = 64
# integer parameters (q)
(
    Q_K,
    Q_KYC,  # compute KYC in force
    Q_PM,  # pool monitoring in force
    Q_POOLING,
    Q_MAX_MEMBERS,
    Q_API,  # a fine-tuning API checkpoint exists
    Q_SCREENED,
    Q_MODERATION,
    Q_PUB_BYPASS,
) = range(9)
N_Q = 9
# tallies (f): what the turns add to the month's counts
(
    F_BENEFIT,
    F_FINETUNES,
    F_POOLED,
    F_BLOCKED,
    F_KYC_COVERED,
    F_KYC_FLAGS,
    F_TAKEDOWNS,
    F_REUPLOADS,
    F_DEFENCE,
) = range(9)
N_F = 9
# live counts (c): checkpoints, tickets and keys per shelf, the bests the turns keep current
(
    C_SIZE,
    C_TICKETS,  # 4 entries: main safe, main stripped, fringe safe, fringe stripped
    _C1,
    _C2,
    _C3,
    C_KEYS,  # 4 entries, as above: entries on each shelf
    _C5,
    _C6,
    _C7,
    C_FRINGE_BEST,  # 2 entries: safe, stripped (-1: none)
    _C9,
    C_MAIN_STRIPPED_BEST,
    C_STRIPPED_OFFER,  # the month's stripped offer: -2 not yet made, -1 empty, else its id
    C_ACTS,
    C_MEMBERS,
    C_UPLOADS,
    C_MAL,  # entries in the malicious log: (node, the id it now holds, -1: none)
    C_INC,  # entries in the incident log: (node, checkpoint id or -1: baseline, reported)
) = range(18)
N_C = 18
# the checkpoint columns as the kernel receives them (``Columns`` attributes)
COLUMNS = (
    "capability",
    "safeguard",
    "tamper",
    "cost_scale",
    "value_unit",
    "kind",
    "access",
    "root",
    "creator",
    "family",
    "inside",
    "depth",
    "release_step",
    "parent",
    "parent2",
    "on_hub",
    "on_fringe",
    "taken_down",
    "public",
    "public_depth",
    "children",
)
# what a run of turns stopped for
DONE, REFILL, INVENT, MALICIOUS = 0, 1, 2, 3
# checkpoint kind codes (``sim.checkpoints.KIND_CODES``) and derivative kinds
K_FINETUNE, K_QUANTISED, K_MERGE = 2, 3, 4
# activity kinds in the log
A_FINETUNE, A_POOL, A_UPLOAD = 0, 1, 2


@njit(cache=True)
def _stripped(col_sg, p, cid):
    return col_sg[cid] <= p[P_SGMAX]


@njit(cache=True)
def _receive(private, col_sg, col_cap, p, v, cid):
    """Actor.receive: keep the more capable of what it holds and ``cid`` (ties: what it
    holds)."""
    shelf = 1 if _stripped(col_sg, p, cid) else 0
    held = private[shelf, v]
    if held < 0 or not (col_cap[held] >= col_cap[cid]):
        private[shelf, v] = cid


@njit(cache=True)
def _solo_cost(p, q, compute, own):
    """EcosystemModel.solo_cost."""
    if q[Q_KYC] == 0 or own or compute < p[P_KYC_USD]:
        return compute
    return compute * p[P_KYC_OVERHEAD]


@njit(cache=True)
def _sample(tickets, n, keys, holds, k, u, pos, out, count, drawn, second):
    """Hub.sample: up to ``k`` distinct held entries in proportion to popularity, appended
    to ``out`` from ``count``; returns (count, pos). ``drawn`` (2k) and ``second`` (k) are
    scratch."""
    if k <= 0 or keys == 0:
        return count, pos
    nd = 0
    start = count
    for _ in range(k):
        cid = tickets[int(u[pos] * n)]
        pos += 1
        seen = False
        for j in range(nd):
            if drawn[j] == cid:
                seen = True
                break
        if not seen:
            drawn[nd] = cid
            nd += 1
    for j in range(nd):
        if holds[drawn[j]]:
            out[count] = drawn[j]
            count += 1
    if count - start < k:
        ns = 0
        for _ in range(k):
            cid = tickets[int(u[pos] * n)]
            pos += 1
            seen = False
            for j in range(ns):
                if second[j] == cid:
                    seen = True
                    break
            if not seen:
                second[ns] = cid
                ns += 1
        for j in range(ns):
            cid = second[j]
            known = False
            for i in range(nd):
                if drawn[i] == cid:
                    known = True
                    break
            if not known and holds[cid]:
                drawn[nd] = cid
                nd += 1
                out[count] = cid
                count += 1
    if count - start > k:
        count = start + k
    return count, pos


@njit(cache=True)
def _in_sorted(values, x):
    i = np.searchsorted(values, x)
    return i < len(values) and values[i] == x


@njit(cache=True)
def _add_to_shelf(tickets, counts, keys_log, cid, hub, shelf):
    """HubShelf.add: a ticket now, the sorted key later (logged for Python)."""
    s = 2 * hub + shelf
    tickets[s][counts[C_TICKETS + s]] = cid
    counts[C_TICKETS + s] += 1
    counts[C_KEYS + s] += 1
    keys_log[counts[C_UPLOADS], 0] = cid
    keys_log[counts[C_UPLOADS], 1] = s
    counts[C_UPLOADS] += 1


@njit(cache=True)
def _better(col_cap, a, b):
    """Is ``a`` a better shelf entry than ``b`` (capability, then the earlier id)?"""
    return b < 0 or col_cap[a] > col_cap[b] or (col_cap[a] == col_cap[b] and a < b)


@njit(cache=True)
def _upload(cols, tickets, counts, keys_log, p, cid, hub):
    """CheckpointRegistry.upload of a new derivative (open weights, on no hub yet)."""
    col_cap, col_sg = cols[0], cols[1]
    on_hub, on_fringe, taken_down, public, public_depth, children = (
        cols[15],
        cols[16],
        cols[17],
        cols[18],
        cols[19],
        cols[20],
    )
    parent, parent2 = cols[13], cols[14]
    if hub == 0:
        if taken_down[cid]:
            return False
        on_hub[cid] = True
    else:
        on_fringe[cid] = True
    if not public[cid]:  # CheckpointRegistry._make_public
        public[cid] = True
        for pid in (parent[cid], parent2[cid]):
            if pid < 0 or not public[pid]:
                continue
            public_depth[cid] = max(public_depth[cid], public_depth[pid] + 1)
            children[pid] += 1
            shelf = 1 if _stripped(col_sg, p, pid) else 0
            if on_hub[pid]:
                tickets[shelf][counts[C_TICKETS + shelf]] = pid
                counts[C_TICKETS + shelf] += 1
            if on_fringe[pid]:
                tickets[2 + shelf][counts[C_TICKETS + 2 + shelf]] = pid
                counts[C_TICKETS + 2 + shelf] += 1
    shelf = 1 if _stripped(col_sg, p, cid) else 0
    _add_to_shelf(tickets, counts, keys_log, cid, hub, shelf)
    if hub == 1 and _better(col_cap, cid, counts[C_FRINGE_BEST + shelf]):
        counts[C_FRINGE_BEST + shelf] = cid
    if hub == 0 and shelf == 1 and _better(col_cap, cid, counts[C_MAIN_STRIPPED_BEST]):
        counts[C_MAIN_STRIPPED_BEST] = cid
    return True


@njit(cache=True)
def _log_equip(mal_log, counts, node, cid):
    """MaliciousActor.equip, for Python to apply: ``node`` now holds ``cid`` (-1: nothing)."""
    i = counts[C_MAL]
    mal_log[i, 0], mal_log[i, 1] = node, cid
    counts[C_MAL] += 1


@njit(cache=True)
def _heavy_tail(sigma, u, pos):
    """misuse.heavy_tail: a lognormal factor of mean 1 from two uniform draws (Box-Muller)."""
    z = np.sqrt(-2.0 * np.log(1.0 - u[pos])) * np.cos(2.0 * np.pi * u[pos + 1])
    return np.exp(sigma * z - sigma * sigma / 2)


@njit(cache=True)
def _log_incident(inc_log, inc_sev, counts, node, cid, severity, reported):
    """misuse.ai_incident (``cid`` the checkpoint used) or misuse.baseline_incident (``cid``
    -1), for Python to apply in order."""
    i = counts[C_INC]
    inc_log[i, 0], inc_log[i, 1], inc_log[i, 2] = node, cid, reported
    inc_sev[i] = severity
    counts[C_INC] += 1


@njit(cache=True)
def _fits(col_cap, cid, uplift, goal):
    """MaliciousActor.fitting's test: capable enough for the goal after any uplift."""
    return col_cap[cid] + uplift >= goal


@njit(cache=True)
def _personal_finds(
    node, shelf, fringe, cols, tickets, counts, private, p, k, u, pos, found, drawn, second
):
    """search.personal_ids on one shelf: popular main-hub entries, then
    (if it searches the fringe hub this month: ``fringe``, or -1 to make the month's one draw
    now) the fringe hub's best and popular entries, then its private share.
    Returns (count found, fringe, pos)."""
    on_hub, on_fringe = cols[15], cols[16]
    nf, pos = _sample(
        tickets[shelf],
        counts[C_TICKETS + shelf],
        counts[C_KEYS + shelf],
        on_hub,
        k,
        u,
        pos,
        found,
        0,
        drawn,
        second,
    )
    if fringe < 0:  # search.searches_fringe
        fringe = 1 if u[pos] < p[P_FRINGE] else 0
        pos += 1
    if fringe == 1:
        best = counts[C_FRINGE_BEST + shelf]
        if best >= 0:
            found[nf] = best
            nf += 1
        nf, pos = _sample(
            tickets[2 + shelf],
            counts[C_TICKETS + 2 + shelf],
            counts[C_KEYS + 2 + shelf],
            on_fringe,
            k,
            u,
            pos,
            found,
            nf,
            drawn,
            second,
        )
    if private[shelf, node] >= 0:
        found[nf] = private[shelf, node]
        nf += 1
    return nf, fringe, pos


@njit(cache=True)
def _strip_cost(node, capability, safeguard, tamper, node_arrays, p, q):
    """costs.strip_cost for ``node`` (its known techniques; tamper resistance counts unless
    it can bypass it): Hobbyist.strip_price and MaliciousActor.strip_price."""
    priv_ft, priv_strip, priv_bypass = node_arrays[6], node_arrays[7], node_arrays[8]
    fine = max(10.0 ** (-(p[P_PUB_FT] + priv_ft[node])), p[P_TFLOOR])
    strip = max(10.0 ** (-(p[P_PUB_STRIP] + priv_strip[node])), 0.0)
    bypass = (q[Q_PUB_BYPASS] + priv_bypass[node]) > 0
    tm = 0.0 if bypass else tamper
    curve = p[P_STRIP_USD] * 10.0 ** (p[P_ELASTICITY] * capability) * p[P_TIME]
    return curve * max(fine * strip, p[P_STRIP_FLOOR]) * (safeguard * (1.0 + p[P_TAMPER_MULT] * tm))


@njit(cache=True)
def _strip_price(node, cid, tier_severe, node_arrays, cols, p, q):
    """MaliciousActor.strip_prices_of one checkpoint: costs.strip_cost, plus
    costs.uplift_cost for the severe tier."""
    capability = cols[0][cid]
    price = _strip_cost(node, capability, cols[1][cid], cols[2][cid], node_arrays, p, q)
    if tier_severe:
        price = price + _uplift_price(node, capability, node_arrays, p)
    return price


@njit(cache=True)
def _uplift_price(node, capability, node_arrays, p):
    """MaliciousActor.uplift_price of the severe tier (costs.uplift_cost)."""
    fine = max(10.0 ** (-(p[P_PUB_FT] + node_arrays[6][node])), p[P_TFLOOR])
    scale = 10.0 ** (p[P_ELASTICITY] * capability)
    compute = p[P_UPLIFT_COMPUTE] * (p[P_FT_USD] * scale * p[P_TIME] * fine)
    return compute + p[P_UPLIFT_DATA]


@njit(cache=True)
def _pool_can_uplift(node, cost, tier_severe, node_arrays, adj, p, q, u, pos, pool):
    """MaliciousActor.pool_and_weaponise's test: does a pool form (pooling.form_pool, which
    draws) whose most skilled member can do the uplift? Returns (yes, pos)."""
    kinds, budget, skill, spent, banned_until = (
        node_arrays[0],
        node_arrays[1],
        node_arrays[2],
        node_arrays[4],
        node_arrays[5],
    )
    size, pos = _form_pool(
        node,
        cost,
        kinds,
        budget,
        spent,
        banned_until,
        adj[0],
        adj[1],
        adj[2],
        p,
        q,
        u,
        pos,
        pool,
        p[P_MAL_JOIN],
    )
    if size == 0:
        return False, pos
    top = 0.0
    for j in range(size):
        top = max(top, skill[pool[j]])
    return not tier_severe or top >= p[P_UPLIFT_SKILL], pos


@njit(cache=True)
def _malicious_turn(
    node,
    malicious,
    node_arrays,
    private,
    adj,
    cols,
    tickets,
    counts,
    off_ids,
    p,
    q,
    u,
    pos,
    mal_log,
    inc_log,
    inc_sev,
    found,
    drawn,
    second,
    pool,
):
    """MaliciousActor.step where it changes nothing the month's later turns read before
    Python catches up: an equipped actor's AI-enabled attempt (``misuse.attempt_ai``; an
    incident is logged for Python); an unequipped actor (holding no shared weapon) that downloads
    stripped weights (common tier), or that cannot pay alone to strip what it finds fit for
    its goal and fails to pool for the cheapest (``try_strip``), finds no API it will abuse,
    and then makes a non-AI attempt (``misuse.attempt_baseline``). What it now holds and
    its incidents are logged for Python.

    Returns (taken, pos). Not taken (a strip alone or pooled, an uplift, an API abuse; a
    shared weapon): nothing was changed and Python takes the whole turn from the same
    position of the stream."""
    equipped, success, severe, goal, weapon, held = malicious
    budget, skill = node_arrays[1], node_arrays[2]
    col_cap = cols[0]
    start = pos
    tier_severe = severe[node]
    if equipped[node]:  # --- misuse.attempt_ai
        if u[pos] >= success[node]:
            return True, pos + 1
        cid = held[node]
        threshold = p[P_THRESH_SEVERE] if tier_severe else p[P_THRESH_COMMON]
        severity = (p[P_SEVERE_SCALE] if tier_severe else 1.0) * 10.0 ** (
            p[P_SEV_ELASTICITY] * (col_cap[cid] - threshold)
        )
        severity *= _heavy_tail(p[P_SIGMA], u, pos + 1)
        reported = u[pos + 3] < p[P_REPORT]
        _log_incident(inc_log, inc_sev, counts, node, cid, severity, reported)
        return True, pos + 4
    if weapon[node]:  # try_shared_weapon: Python's
        return False, start
    uplift = p[P_UPLIFT] if tier_severe else 0.0
    aim = goal[node]
    k = q[Q_K]
    # --- try_stripped_download: the stripped shelf's offer and its own finds ------------
    if counts[C_STRIPPED_OFFER] == -2:  # search.offer, first use
        counts[C_STRIPPED_OFFER] = counts[C_MAIN_STRIPPED_BEST]
    nf, fringe, pos = _personal_finds(
        node, 1, -1, cols, tickets, counts, private, p, k, u, pos, found, drawn, second
    )
    pick = counts[C_STRIPPED_OFFER]
    if pick >= 0 and not _fits(col_cap, pick, uplift, aim):
        pick = -1
    for j in range(nf):  # the most capable that fits (ties: the earlier)
        cid = found[j]
        if _fits(col_cap, cid, uplift, aim) and (
            pick < 0
            or col_cap[cid] > col_cap[pick]
            or (col_cap[cid] == col_cap[pick] and cid < pick)
        ):
            pick = cid
    solo_uplift = not tier_severe or skill[node] >= p[P_UPLIFT_SKILL]
    if pick >= 0 and not tier_severe:
        _log_equip(mal_log, counts, node, pick)
        return True, pos
    if pick >= 0:  # pay_and_weaponise: the uplift alone, else pooled; if neither, go on
        price = _uplift_price(node, col_cap[pick], node_arrays, p)
        if solo_uplift and budget[node] >= price:
            return False, start
        pooled, pos = _pool_can_uplift(
            node, price, tier_severe, node_arrays, adj, p, q, u, pos, pool
        )
        if pooled:
            return False, start
    # --- try_strip: stripping alone or in a pool is Python's; a pool that fails is not ----
    nf, fringe, pos = _personal_finds(
        node, 0, fringe, cols, tickets, counts, private, p, k, u, pos, found, drawn, second
    )
    cheapest, cheapest_price = -1, 0.0
    n_off = len(off_ids)
    for j in range(n_off + nf):
        cid = off_ids[j] if j < n_off else found[j - n_off]
        if not _fits(col_cap, cid, uplift, aim):
            continue
        price = _strip_price(node, cid, tier_severe, node_arrays, cols, p, q)
        if solo_uplift and budget[node] >= price:
            return False, start  # it strips alone
        if cheapest < 0 or price < cheapest_price or (price == cheapest_price and cid < cheapest):
            cheapest, cheapest_price = cid, price
    if cheapest >= 0:  # pool_and_weaponise
        pooled, pos = _pool_can_uplift(
            node, cheapest_price, tier_severe, node_arrays, adj, p, q, u, pos, pool
        )
        if pooled:
            return False, start  # the pool strips
    # --- try_api_abuse: an attempt that goes ahead is Python's ---------------------------
    if p[P_API_CAP] + uplift >= aim:
        price = p[P_API_ABUSE_USD] + (p[P_UPLIFT_DATA] if tier_severe else 0.0)
        if budget[node] >= price and solo_uplift:
            if u[pos] < p[P_API_ABUSE_P]:
                return False, start
            pos += 1
    # --- misuse.attempt_baseline ---------------------------------------------------------
    chance = p[P_BASE_P] * (0.5 + skill[node])
    if tier_severe:
        chance *= p[P_SEVERE_BASE]
    hit = u[pos] < min(1.0, chance)
    pos += 1
    if hit:
        scale = p[P_SEVERE_SCALE] if tier_severe else 1.0
        severity = scale * p[P_BASE_SEVERITY] * _heavy_tail(p[P_SIGMA], u, pos)
        pos += 2
        _log_incident(inc_log, inc_sev, counts, node, -1, severity, False)
    _log_equip(mal_log, counts, node, -1)  # equip(None)
    return True, pos


@njit(cache=True)
def turns(
    order,
    first,
    node_arrays,
    malicious,
    private,
    adj_start,
    adj_deg,
    adj_nbr,
    adj_wt,
    cols,
    tickets,
    offer,
    p,
    q,
    u,
    pos,
    f,
    counts,
    acts,
    members_log,
    keys_log,
    mal_log,
    inc_log,
    inc_sev,
):
    """The turns of ``order[first:]`` (hobbyists and malicious actors, in turn order):
    Hobbyist.step for each hobbyist; MaliciousActor.step where :func:`_malicious_turn`
    can take it (most turns), else the run stops for Python.

    Returns (status, index in ``order`` reached, position in ``u``): DONE; REFILL, before a
    turn that might need more draws than ``u`` has left; INVENT, after a turn whose maker
    invents (Python draws the technique, then resumes at the next index); MALICIOUS, before
    a malicious actor's turn that Python takes (``MaliciousActor.step``)."""
    kinds, budget, skill, own_hw, spent, banned_until, priv_ft, _priv_strip, _priv_bypass = (
        node_arrays
    )
    _col_sg, col_cost, col_value, col_kind = cols[1], cols[3], cols[4], cols[5]
    col_root = cols[7]
    off_ids, off_costs, off_values, off_prefix, off_quantised, off_sorted = offer[:6]
    off_prefix_fp, off_fp_count, root_keys, root_top1, root_top2 = offer[6:]
    t = int(p[P_T])
    k = q[Q_K]
    n_off = len(off_ids)
    # scratch for one turn: what it reaches (ids, values, unit costs), shelf of each
    reach_id = np.empty(8 * k + 16, dtype=np.int64)
    reach_val = np.empty(8 * k + 16)
    reach_cost = np.empty(8 * k + 16)
    found = np.empty(4 * k + 8, dtype=np.int64)
    pool = np.empty(q[Q_MAX_MEMBERS] + 1, dtype=np.int64)
    drawn = np.empty(2 * k + 2, dtype=np.int64)
    second = np.empty(k + 2, dtype=np.int64)
    shelf_start = np.zeros(3, dtype=np.int64)
    att_val = np.empty(3)
    att_id = np.empty(3, dtype=np.int64)
    att_cost = np.empty(3)
    tried = np.empty(3, dtype=np.bool_)
    for index in range(first, len(order)):
        node = order[index]
        if banned_until[node] > t or spent[node] == t:
            continue
        if kinds[node] != 1:
            if len(u) - pos < 8 * k + 2 * adj_deg[node] + 40:  # two pools, an incident
                return REFILL, index, pos
            taken, pos = _malicious_turn(
                node,
                malicious,
                node_arrays,
                private,
                (adj_start, adj_deg, adj_nbr),
                cols,
                tickets,
                counts,
                off_ids,
                p,
                q,
                u,
                pos,
                mal_log,
                inc_log,
                inc_sev,
                found,
                drawn,
                second,
                pool,
            )
            if not taken:
                return MALICIOUS, index, pos
            spent[node] = t
            continue
        degree = adj_deg[node]
        if len(u) - pos < 8 * k + degree + 32:
            return REFILL, index, pos
        # --- Hobbyist.step: what to make -------------------------------------------------
        draw = u[pos]
        pos += 1
        kind = K_FINETUNE
        if draw < p[P_QSHARE]:
            kind = K_QUANTISED
        elif draw < p[P_QSHARE] + p[P_MSHARE]:
            kind = K_MERGE
        uncensored = u[pos] < p[P_UNCENSORED]
        pos += 1
        # --- Reach.__init__: the shelves' offers and what it finds itself ----------------
        shelves = 2 if uncensored else 1
        n_reach = 0
        fringe = -1  # search.searches_fringe: drawn on the first shelf searched
        for shelf in range(shelves):
            if shelf == 1 and counts[C_STRIPPED_OFFER] == -2:  # search.offer, first use
                counts[C_STRIPPED_OFFER] = counts[C_MAIN_STRIPPED_BEST]
            nf, fringe, pos = _personal_finds(
                node,
                shelf,
                fringe,
                cols,
                tickets,
                counts,
                private,
                p,
                k,
                u,
                pos,
                found,
                drawn,
                second,
            )
            shelf_start[shelf] = n_reach
            for j in range(nf):  # each once, in the order found, not in the shelf's offer
                cid = found[j]
                if shelf == 0 and _in_sorted(off_sorted, cid):
                    continue
                if shelf == 1 and cid == counts[C_STRIPPED_OFFER]:
                    continue
                dup = False
                for i in range(shelf_start[shelf], n_reach):
                    if reach_id[i] == cid:
                        dup = True
                        break
                if dup:
                    continue
                reach_id[n_reach] = cid
                reach_val[n_reach] = col_value[cid]
                reach_cost[n_reach] = p[P_FACTOR] * col_cost[cid]
                n_reach += 1
        oom = p[P_PUB_FT] + priv_ft[node]
        multiplier = max(10.0 ** (-oom), p[P_TFLOOR])
        own = own_hw[node]
        bound = budget[node]
        if q[Q_KYC] == 1 and not own:  # EcosystemModel.max_solo_compute
            if budget[node] / p[P_KYC_OVERHEAD] >= p[P_KYC_USD]:
                bound = budget[node] / p[P_KYC_OVERHEAD]
            else:
                bound = min(budget[node], p[P_KYC_USD] * (1 - 1e-12))
        stripped_offer = counts[C_STRIPPED_OFFER] if uncensored else -1
        s = 0.5 + skill[node]

        made = False
        parent_a = -1
        parent_b = -1
        make_kind = kind
        n_members = 1
        cost = 0.0
        pool[0] = node
        # --- Hobbyist.try_merge -------------------------------------------------------------
        if kind == K_MERGE:
            # candidates: (value, order key); the best has the largest value, then the
            # smallest order key (shelf offers first, by index; then what it found)
            first_id, first_val, first_cost, first_key = -1, -1.0, 0.0, 1 << 62
            count = off_fp_count[0]  # the safe offer's full-precision candidates
            if n_off > 0 and off_prefix_fp[n_off - 1] >= 0:  # their first most valuable
                i = off_prefix_fp[n_off - 1]
                first_id, first_val, first_cost, first_key = (
                    off_ids[i],
                    off_values[i],
                    off_costs[i],
                    i,
                )
            if stripped_offer >= 0 and col_kind[stripped_offer] != K_QUANTISED:
                count += 1
                if first_id < 0 or col_value[stripped_offer] > first_val:
                    first_id = stripped_offer
                    first_val = col_value[stripped_offer]
                    first_cost = p[P_FACTOR] * col_cost[stripped_offer]
                    first_key = 1 << 40
            n_own = 0
            for j in range(n_reach):
                if col_kind[reach_id[j]] == K_QUANTISED:
                    continue
                n_own += 1
                key = (2 << 40) + j
                if first_id < 0 or reach_val[j] > first_val:
                    first_id, first_val, first_cost, first_key = (
                        reach_id[j],
                        reach_val[j],
                        reach_cost[j],
                        key,
                    )
            if count + n_own >= 2:
                root = col_root[first_id]
                mate_id, mate_val, mate_key = -1, -1.0, 1 << 62
                for j in range(n_reach):  # what it found, same base
                    cid = reach_id[j]
                    key = (2 << 40) + j
                    if col_kind[cid] == K_QUANTISED or col_root[cid] != root:
                        continue
                    if key == first_key:
                        continue
                    if (
                        mate_id < 0
                        or reach_val[j] > mate_val
                        or (reach_val[j] == mate_val and key < mate_key)
                    ):
                        mate_id, mate_val, mate_key = cid, reach_val[j], key
                # the safe offer's two most valuable of this base (ties: the earlier)
                top1, top2 = -1, -1
                r = np.searchsorted(root_keys, root)
                if r < len(root_keys) and root_keys[r] == root:
                    top1, top2 = root_top1[r], root_top2[r]
                pick = -1
                if top1 >= 0 and top1 != first_key:
                    pick = top1
                elif top2 >= 0 and top2 != first_key:
                    pick = top2
                if pick >= 0 and (
                    mate_id < 0
                    or off_values[pick] > mate_val
                    or (off_values[pick] == mate_val and pick < mate_key)
                ):
                    mate_id, mate_val, mate_key = off_ids[pick], off_values[pick], pick
                if (
                    stripped_offer >= 0
                    and col_kind[stripped_offer] != K_QUANTISED
                    and col_root[stripped_offer] == root
                    and first_key != (1 << 40)
                ):
                    v = col_value[stripped_offer]
                    key = 1 << 40
                    if mate_id < 0 or v > mate_val or (v == mate_val and key < mate_key):
                        mate_id, mate_val, mate_key = stripped_offer, v, key
                if mate_id >= 0:
                    compute = first_cost * p[P_MCOST] * multiplier
                    price = _solo_cost(p, q, compute, own)
                    if not (price > budget[node]):
                        made = True
                        parent_a, parent_b, cost, make_kind = first_id, mate_id, price, K_MERGE
        # --- Hobbyist.try_quantise ------------------------------------------------------------
        if not made and kind == K_QUANTISED:
            pick_id, pick_cost = _best_affordable(
                p[P_QCOST],
                True,
                bound,
                multiplier,
                off_ids,
                off_costs,
                off_values,
                off_prefix,
                off_quantised,
                off_prefix_fp,
                stripped_offer,
                col_value,
                col_cost,
                col_kind,
                p,
                reach_id,
                reach_val,
                reach_cost,
                n_reach,
            )
            if pick_id >= 0:
                compute = pick_cost * p[P_QCOST] * multiplier
                made = True
                parent_a, cost, make_kind = pick_id, _solo_cost(p, q, compute, own), K_QUANTISED
        # --- Hobbyist.try_finetune ------------------------------------------------------------
        api_done = False
        if not made:
            make_kind = K_FINETUNE
            # Reach.best
            best_id, best_val, best_cost = -1, -1.0, 0.0
            if n_off > 0:
                i = off_prefix[n_off - 1]
                best_id, best_val, best_cost = off_ids[i], off_values[i], off_costs[i]
            if stripped_offer >= 0 and (best_id < 0 or col_value[stripped_offer] > best_val):
                best_id = stripped_offer
                best_val = col_value[stripped_offer]
                best_cost = p[P_FACTOR] * col_cost[stripped_offer]
            top = -1.0 if best_id < 0 else best_val
            pick = -1
            for j in range(n_reach):
                if reach_val[j] > top:
                    top, pick = reach_val[j], j
            if pick >= 0:
                best_id, best_val, best_cost = reach_id[pick], reach_val[pick], reach_cost[pick]
            # attempts: (value, order) sorted by value descending, then order
            att_val[:] = -np.inf
            att_id[:] = -1
            att_cost[:] = 0.0
            if best_id >= 0:
                att_val[0], att_id[0], att_cost[0] = best_val * s, best_id, best_cost
                solo_id, solo_cost = _best_affordable(
                    1.0,
                    False,
                    bound,
                    multiplier,
                    off_ids,
                    off_costs,
                    off_values,
                    off_prefix,
                    off_quantised,
                    off_prefix_fp,
                    stripped_offer,
                    col_value,
                    col_cost,
                    col_kind,
                    p,
                    reach_id,
                    reach_val,
                    reach_cost,
                    n_reach,
                )
                if solo_id >= 0 and solo_id != best_id:
                    att_val[1], att_id[1], att_cost[1] = col_value[solo_id] * s, solo_id, solo_cost
            api_value = 0.0
            if q[Q_API] == 1:
                api_value = p[P_ABF] * p[P_API_VALUE] * s
                att_val[2] = api_value
            tried[:] = False
            for _ in range(3):
                route = -1
                for r in range(3):  # the next attempt: largest value, then smallest order
                    if tried[r] or att_val[r] == -np.inf:
                        continue
                    if route < 0 or att_val[r] > att_val[route]:
                        route = r
                if route < 0:
                    break
                tried[route] = True
                if route == 2:  # Hobbyist.try_api_finetune
                    if budget[node] < p[P_API_PRICE]:
                        continue
                    if q[Q_SCREENED] == 1:
                        blocked = u[pos] < p[P_API_FP]
                        pos += 1
                        if blocked:
                            f[F_BLOCKED] += 1
                            continue
                    spent[node] = t
                    f[F_FINETUNES] += 1
                    f[F_BENEFIT] += api_value
                    api_done = True
                    break
                # Hobbyist.try_open_finetune
                compute = att_cost[route] * multiplier
                solo = _solo_cost(p, q, compute, own)
                if budget[node] >= solo:
                    made = True
                    parent_a, cost = att_id[route], solo
                    break
                if route != 0:
                    continue
                n_members, pos = _form_pool(
                    node,
                    compute,
                    kinds,
                    budget,
                    spent,
                    banned_until,
                    adj_start,
                    adj_deg,
                    adj_nbr,
                    p,
                    q,
                    u,
                    pos,
                    pool,
                    p[P_JOIN],
                )
                if n_members > 0:
                    made = True
                    parent_a, cost = att_id[route], compute
                    break
                n_members = 1
        if api_done or not made:
            continue
        status, pos = _make(
            node,
            make_kind,
            parent_a,
            parent_b,
            pool,
            n_members,
            cost,
            uncensored,
            s,
            node_arrays,
            private,
            adj_start,
            adj_deg,
            adj_nbr,
            adj_wt,
            cols,
            tickets,
            p,
            q,
            u,
            pos,
            f,
            counts,
            acts,
            members_log,
            keys_log,
        )
        if status == INVENT:
            return INVENT, index, pos
    return DONE, len(order), pos


@njit(cache=True)
def full_precision_prefix(values, quantised):
    """For the month's safe offer (sorted by unit cost): entry i holds the index of the
    first most valuable full-precision entry among the first i + 1 (-1: none), the answer
    ``Reach.best_affordable(full_precision=True)`` scans for, made once a month."""
    n = len(values)
    prefix_fp = np.full(n, -1, dtype=np.int64)
    best = -1
    for i in range(n):
        if not quantised[i] and (best < 0 or values[i] > values[best]):
            best = i
        prefix_fp[i] = best
    return prefix_fp


@njit(cache=True)
def _best_affordable(
    factor,
    full_precision,
    bound,
    multiplier,
    off_ids,
    off_costs,
    off_values,
    off_prefix,
    off_quantised,
    off_prefix_fp,
    stripped_offer,
    col_value,
    col_cost,
    col_kind,
    p,
    reach_id,
    reach_val,
    reach_cost,
    n_reach,
):
    """Reach.best_affordable: (id, unit cost) of the most valuable checkpoint a solo run of
    ``factor`` x a fine-tune's compute on it is affordable for (-1: none)."""
    limit = bound / (multiplier * factor) if factor > 0 else np.inf
    out_id, out_val, out_cost = -1, -1.0, 0.0
    n = np.searchsorted(off_costs, limit, side="right")  # bisect.bisect_right
    if n > 0:
        i = off_prefix[n - 1]
        if full_precision and off_quantised[i]:
            i = off_prefix_fp[n - 1]  # the first most valuable full-precision one
        if i >= 0:
            out_id, out_val, out_cost = off_ids[i], off_values[i], off_costs[i]
    if stripped_offer >= 0:
        c = p[P_FACTOR] * col_cost[stripped_offer]
        fits = c <= limit and not (full_precision and col_kind[stripped_offer] == K_QUANTISED)
        if fits and (out_id < 0 or col_value[stripped_offer] > out_val):
            out_id, out_val, out_cost = stripped_offer, col_value[stripped_offer], c
    top = -1.0 if out_id < 0 else out_val
    pick = -1
    for j in range(n_reach):
        if reach_cost[j] > limit or reach_val[j] <= top:
            continue
        if full_precision and col_kind[reach_id[j]] == K_QUANTISED:
            continue
        top, pick = reach_val[j], j
    if pick >= 0:
        out_id, out_cost = reach_id[pick], reach_cost[pick]
    return out_id, out_cost


@njit(cache=True)
def _form_pool(
    node,
    cost,
    kinds,
    budget,
    spent,
    banned_until,
    adj_start,
    adj_deg,
    adj_nbr,
    p,
    q,
    u,
    pos,
    pool,
    join,
):
    """pooling.form_pool (each contact joins with probability ``join``): the members
    (initiator first) in ``pool``, returning their number (0: the pool cannot pay) and the
    position in ``u``."""
    if q[Q_POOLING] == 0:
        return 0, pos
    t = int(p[P_T])
    efficiency = p[P_EFFICIENCY]
    kind = kinds[node]
    start, end = adj_start[node], adj_start[node] + adj_deg[node]
    nodes = np.empty(end - start, dtype=np.int64)
    m = 0
    for e in range(start, end):
        v = adj_nbr[e]
        if kinds[v] == kind and banned_until[v] <= t and spent[v] != t:
            nodes[m] = v
            m += 1
    if m == 0:
        return 0, pos
    nodes = np.sort(nodes[:m])
    # richest first (ties: the lower node); even if every invited contact joined?
    ranked = nodes[np.argsort(-budget[nodes], kind="mergesort")]
    total = 0.0
    for j in range(min(q[Q_MAX_MEMBERS] - 1, m)):
        total += budget[ranked[j]]
    if efficiency * (budget[node] + total) < cost:
        return 0, pos
    joins = u[pos : pos + m]
    pos += m
    pool[0] = node
    size = 1
    total = budget[node]
    for j in range(m):
        if joins[j] >= join:
            continue
        pool[size] = ranked[j]
        size += 1
        total += budget[ranked[j]]
        if efficiency * total >= cost:
            return size, pos
        if size >= q[Q_MAX_MEMBERS]:
            break
    return 0, pos


@njit(cache=True)
def _make(
    node,
    kind,
    parent_a,
    parent_b,
    pool,
    n_members,
    cost,
    uncensored,
    s,
    node_arrays,
    private,
    adj_start,
    adj_deg,
    adj_nbr,
    adj_wt,
    cols,
    tickets,
    p,
    q,
    u,
    pos,
    f,
    counts,
    acts,
    members_log,
    keys_log,
):
    """Hobbyist.make and Hobbyist.share: a benign run on open weights."""
    budget, skill, own_hw, spent, banned_until = node_arrays[1:6]
    col_cap, col_sg, col_tm, col_cost, col_value = cols[0], cols[1], cols[2], cols[3], cols[4]
    t = int(p[P_T])
    pooled = n_members > 1
    for j in range(n_members):
        spent[pool[j]] = t
    value = col_value[parent_a] * s
    factor = 1.0
    if kind == K_QUANTISED:
        factor = p[P_QVALUE]
    elif kind == K_MERGE:
        factor = p[P_MVALUE]
    f[F_BENEFIT] += value * factor
    if kind == K_FINETUNE:
        f[F_FINETUNES] += 1
        if pooled:
            f[F_POOLED] += 1
        if u[pos] < p[P_DEFENSIVE]:
            f[F_DEFENCE] += 1
        pos += 1
    # EcosystemModel.record_run (sim.kyc.record_run)
    flagged = False
    if not pooled:
        if (
            not own_hw[node]
            and q[Q_KYC] == 1
            and cost * p[P_FLOP_PER_USD] / p[P_HARDWARE] >= p[P_KYC_FLOP]
        ):
            f[F_KYC_COVERED] += 1
            flagged = u[pos] < p[P_KYC_STRENGTH]
            pos += 1
            if flagged:
                f[F_KYC_FLAGS] += 1
    elif q[Q_PM] == 1:
        flagged = u[pos] < p[P_PM_STRENGTH]
        pos += 1
    for j in range(1, n_members):  # network.reinforce: pooling strengthens the ties used
        for e in range(adj_start[node], adj_start[node] + adj_deg[node]):
            if adj_nbr[e] == pool[j]:
                adj_wt[e] += 1
                break
        v = pool[j]
        for e in range(adj_start[v], adj_start[v] + adj_deg[v]):
            if adj_nbr[e] == node:
                adj_wt[e] += 1
                break
    a = counts[C_ACTS]
    acts[a, 0] = A_POOL if pooled else A_FINETUNE
    acts[a, 1] = node
    acts[a, 2] = -1
    acts[a, 3] = 1 if flagged else 0
    acts[a, 4] = counts[C_MEMBERS]
    acts[a, 5] = n_members
    for j in range(n_members):
        members_log[counts[C_MEMBERS] + j] = pool[j]
    counts[C_MEMBERS] += n_members
    counts[C_ACTS] += 1
    # derivatives.finetuned / quantised / merged
    root = cols[7][parent_a]
    pc = col_cap[parent_a]
    if kind == K_FINETUNE:
        capability = max(pc, min(pc + 2 * p[P_GAIN] * skill[node], col_cap[root] + p[P_MAXGAIN]))
        safeguard = col_sg[parent_a] * (1 - p[P_EROSION])
        tamper = col_tm[parent_a] * (1 - p[P_TEROSION])
    elif kind == K_QUANTISED:
        capability = pc - p[P_QLOSS]
        safeguard = col_sg[parent_a]
        tamper = col_tm[parent_a]
    else:
        top = max(pc, col_cap[parent_b])
        capability = max(top, min(top + p[P_GAIN] * skill[node], col_cap[root] + p[P_MAXGAIN]))
        safeguard = min(col_sg[parent_a], col_sg[parent_b])
        tamper = min(col_tm[parent_a], col_tm[parent_b])
    if uncensored and kind == K_FINETUNE and safeguard > p[P_SGMAX]:
        held = 0.0
        for j in range(n_members):
            held += budget[pool[j]]
        left = held - cost
        price = _strip_cost(node, capability, safeguard, tamper, node_arrays, p, q)
        if left >= price:
            safeguard, tamper = 0.0, 0.0
    # --- Hobbyist.share ----------------------------------------------------------------------
    upload = u[pos] < p[P_UPLOAD]
    pos += 1
    p2p = False
    if not upload:
        p2p = u[pos] < p[P_P2P]
        pos += 1
    if upload or p2p or pooled:
        cid = counts[C_SIZE]  # CheckpointRegistry.add
        counts[C_SIZE] += 1
        col_cap[cid] = capability
        col_sg[cid] = safeguard
        col_tm[cid] = tamper
        value_unit = 10.0 ** (p[P_BENEFIT_E] * capability) * (
            p[P_QPARENT] if kind == K_QUANTISED else 1.0
        )
        cost_scale = 10.0 ** (p[P_ELASTICITY] * capability) * (1.0 + p[P_PENALTY] * tamper)
        col_cost[cid] = cost_scale
        col_value[cid] = value_unit
        cols[5][cid] = kind
        cols[6][cid] = 0  # open
        cols[7][cid] = root
        cols[13][cid] = parent_a
        cols[14][cid] = parent_b
        cols[8][cid] = node
        cols[9][cid] = cols[9][parent_a]
        cols[10][cid] = cols[10][parent_a]
        if parent_b < 0:
            cols[11][cid] = cols[11][parent_a] + 1
        else:
            cols[11][cid] = max(cols[11][parent_a], cols[11][parent_b]) + 1
        cols[12][cid] = t
        cols[15][cid] = False
        cols[16][cid] = False
        cols[17][cid] = False
        cols[18][cid] = False
        cols[19][cid] = 0
        cols[20][cid] = 0
        for j in range(n_members):
            _receive(private, col_sg, col_cap, p, pool[j], cid)
        if upload and q[Q_MODERATION] == 1 and _stripped(col_sg, p, cid):  # screen_upload
            rejected = u[pos] < p[P_MOD_STRENGTH]
            pos += 1
            if rejected:
                cols[17][cid] = True  # take_down
                f[F_TAKEDOWNS] += 1
                if not banned_until[node] > t:  # moderation.displace
                    again = u[pos] < p[P_REUPLOAD]
                    pos += 1
                    if again and _upload(cols, tickets, counts, keys_log, p, cid, 1):
                        f[F_REUPLOADS] += 1
                upload = False
                p2p = u[pos] < p[P_P2P]
                pos += 1
        if upload:
            _upload(cols, tickets, counts, keys_log, p, cid, 0)
            a = counts[C_ACTS]  # EcosystemModel.record_upload
            acts[a, 0] = A_UPLOAD
            acts[a, 1] = node
            acts[a, 2] = cid
            acts[a, 3] = 0
            acts[a, 4] = counts[C_MEMBERS]
            acts[a, 5] = 1
            members_log[counts[C_MEMBERS]] = node
            counts[C_MEMBERS] += 1
            counts[C_ACTS] += 1
        elif p2p:  # Actor.share_with_neighbours
            for e in range(adj_start[node], adj_start[node] + adj_deg[node]):
                _receive(private, col_sg, col_cap, p, adj_nbr[e], cid)
    if kind == K_FINETUNE:
        invents = u[pos] < p[P_INVENT] * 2 * skill[node]
        pos += 1
        if invents:
            return INVENT, pos
    return DONE, pos

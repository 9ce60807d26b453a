"""Hobbyists: benign fine-tuners who build on each other's work and invent cheaper methods.

In an active month a hobbyist makes a derivative: usually a fine-tune, sometimes a
quantisation or a merge (``quantise_share``, ``merge_share``). It looks at what it can reach
(``sim.search``: recent base releases of every size, popular hub checkpoints, private
shares, sometimes the fringe hub) and builds on the most valuable checkpoint it can afford:
alone, or by pooling with contacts when the most valuable one is out of reach alone, or
through a lab's fine-tuning API when that is worth more. Small family members make solo
fine-tuning near-universal; only the largest need pools. A share of derivatives is meant to
be uncensored (built on, or stripped into, weights without safeguards); a share of
open-weight fine-tunes builds defences; now and then a run yields a new technique.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim import costs, derivatives, hobbyist_turns, misuse, network, search
from sim.actors import Actor
from sim.checkpoints import Checkpoint, Kind
from sim.malicious import MaliciousActor
from sim.moderation import displace, screen_upload
from sim.oversight import Activity
from sim.pooling import form_pool
from sim.techniques import Technique

if TYPE_CHECKING:
    from sim.model import EcosystemModel


class Option(NamedTuple):
    """A checkpoint one could build on: its value and cost per unit (see ``sim.search``)."""

    ckpt: Checkpoint
    unit_value: float
    unit_cost: float


class Reach:
    """What one hobbyist reaches this month: the shared offers of the shelves it looks at
    (searched by bisection) and what it found itself, with its own technique multiplier and
    the dearest compute its budget buys alone."""

    def __init__(self, actor: Actor, shelves: tuple[bool, ...]) -> None:
        model = actor.model
        self.offers = [search.offer(model, stripped) for stripped in shelves]
        # what it found itself, as parallel lists (no object per candidate: this runs for
        # every active hobbyist every month)
        ckpts: list[Checkpoint] = []
        for stripped, offer in zip(shelves, self.offers, strict=True):
            shared = offer.ids  # each once, in the order found (shelves never share one)
            found = search.personal(model, actor, stripped)
            ckpts += {c.id: c for c in found if c.id not in shared}.values()
        factor = search.cost_factor(model)
        self.ckpts = ckpts
        self.values = [c.value_unit for c in ckpts]
        self.costs = [factor * c.cost_scale for c in ckpts]
        oom = float(model.techniques.finetune_oom(actor.node))
        self.multiplier = costs.technique_multiplier(oom, model.cfg.costs.technique_floor)
        budget = float(model.budget[actor.node])
        self.bound = (
            budget
            if model.kyc_threshold_usd() is None
            else model.max_solo_compute(budget, actor.own_hardware)
        )

    def best(self) -> Option | None:
        """The most valuable checkpoint reached (ties: the shared offer first)."""
        out: Option | None = None
        for offer in self.offers:
            i = offer.best
            if i is not None and (out is None or offer.values[i] > out.unit_value):
                out = Option(offer.ckpts[i], offer.values[i], offer.costs[i])
        top = -1.0 if out is None else out.unit_value
        pick = -1
        for j, value in enumerate(self.values):
            if value > top:
                top, pick = value, j
        if pick >= 0:
            out = Option(self.ckpts[pick], self.values[pick], self.costs[pick])
        return out

    def best_affordable(self, factor: float, full_precision: bool = False) -> Option | None:
        """The most valuable checkpoint a solo run of ``factor`` x a fine-tune's compute on
        it is affordable for (``full_precision``: not a quantisation)."""
        limit = self.bound / (self.multiplier * factor) if factor > 0 else float("inf")
        out: Option | None = None
        for offer in self.offers:
            i = offer.best_affordable(limit)
            if i is not None and full_precision and offer.ckpts[i].kind == "quantised":
                fit = [
                    j
                    for j, c in enumerate(offer.ckpts)
                    if offer.costs[j] <= limit and c.kind != "quantised"
                ]
                i = max(fit, key=lambda j: offer.values[j], default=None)
            if i is not None and (out is None or offer.values[i] > out.unit_value):
                out = Option(offer.ckpts[i], offer.values[i], offer.costs[i])
        top = -1.0 if out is None else out.unit_value
        pick = -1
        for j, (value, cost) in enumerate(zip(self.values, self.costs, strict=True)):
            if cost > limit or value <= top:
                continue
            if full_precision and self.ckpts[j].kind == "quantised":
                continue
            top, pick = value, j
        if pick >= 0:
            out = Option(self.ckpts[pick], self.values[pick], self.costs[pick])
        return out


class Hobbyist(Actor):
    @classmethod
    def take_turns(cls, model: EcosystemModel, order: np.ndarray) -> None:
        """The turns of consecutive hobbyists and malicious actors (``order``, in the month's
        turn order), run by the compiled kernel (``sim.hobbyist_turns``): the same rules as
        :meth:`step` and ``MaliciousActor.step`` one agent at a time, on the model's arrays.
        Python finishes what the kernel logs (new checkpoint objects, oversight records, pool
        ties, the hubs' sorted shelves, what malicious actors now hold and their incidents),
        draws the technique of a turn that invents one and takes the malicious turns the
        kernel leaves to it (a strip or pool that goes ahead, abusing an API, a shared
        weapon)."""
        month = _month_state(model)
        index = 0
        need = 0
        while index < len(order):
            run = _TurnsRun(model, month, len(order) - index)
            u, pos = model.uniforms.lend(need)
            status, index, pos = hobbyist_turns.turns(
                order,
                index,
                month.node_arrays,
                month.malicious,
                model.private,
                month.adjacency[0],
                month.adjacency[1],
                month.adjacency[2],
                month.adjacency[3],
                run.cols,
                run.tickets,
                month.offer,
                month.p,
                month.q,
                u,
                pos,
                run.f,
                run.counts,
                run.acts,
                run.members,
                run.keys,
                run.mal_log,
                run.inc_log,
                run.inc_sev,
            )
            model.uniforms.settle(pos)
            run.finish(model)
            need = 0
            if status == hobbyist_turns.INVENT:
                model.actors[int(order[index])].invent()
                index += 1
            elif status == hobbyist_turns.MALICIOUS:
                model.actors[int(order[index])].step()
                index += 1
            elif status == hobbyist_turns.REFILL:
                node = int(order[index])
                degree = int(month.adjacency[1][node])
                need = (
                    len(model.uniforms.buffer)
                    - model.uniforms.pos
                    + 8 * month.q[hobbyist_turns.Q_K]
                    + 2 * degree
                    + 40
                )

    def step(self) -> None:
        """One active month: choose what to make, then try to make it."""
        model, cfg = self.model, self.model.cfg.hobbyists
        u = model.uniform()
        kind: Kind = (
            "quantised"
            if u < cfg.quantise_share
            else "merge"
            if u < cfg.quantise_share + cfg.merge_share
            else "finetune"
        )
        uncensored = bool(model.uniform() < cfg.uncensored_prob)
        reach = Reach(self, (False, True) if uncensored else (False,))
        if kind == "merge" and self.try_merge(reach, uncensored):
            return
        if kind == "quantised" and self.try_quantise(reach):
            return
        self.try_finetune(reach, uncensored)

    # --- choosing ---------------------------------------------------------------------------
    def try_finetune(self, reach: Reach, uncensored: bool) -> bool:
        """The more valuable route first: the most valuable reachable checkpoint (alone, or
        pooled if it is out of reach alone), the most valuable affordable one, a lab's API."""
        model = self.model
        skill = 0.5 + self.skill
        attempts: list[tuple[float, int, str, Option | None]] = []
        best = reach.best()
        if best is not None:
            attempts.append((best.unit_value * skill, 0, "open", best))
            pick = reach.best_affordable(1.0)
            if pick is not None and pick.ckpt is not best.ckpt:
                attempts.append((pick.unit_value * skill, 1, "solo", pick))
        api = model.best_api_checkpoint()
        if api is not None:
            value = model.cfg.hobbyists.api_benefit_factor * search.unit_value(model, api) * skill
            attempts.append((value, 2, "api", None))
        for value, _, route, option in sorted(attempts, key=lambda a: (-a[0], a[1])):
            if route == "api":
                assert api is not None
                if self.try_api_finetune(api, value):
                    return True
            elif option is not None and self.try_open_finetune(
                option, reach.multiplier, uncensored, route == "open"
            ):
                return True
        return False

    def try_open_finetune(
        self, option: Option, multiplier: float, uncensored: bool, pool: bool = True
    ) -> bool:
        """Fine-tune open weights alone if affordable, else (``pool``) with contacts."""
        model = self.model
        compute = option.unit_cost * multiplier
        solo = model.solo_cost(compute, self.own_hardware)
        if self.budget >= solo:
            self.make("finetune", [option.ckpt], [self], solo, uncensored)
            return True
        if not pool:
            return False
        members = form_pool(model, self, compute, model.cfg.sharing.pooling.join_prob)
        if members is None:
            return False
        self.make("finetune", [option.ckpt], members, compute, uncensored)
        return True

    def try_quantise(self, reach: Reach) -> bool:
        """Quantise the most valuable full-precision checkpoint it can afford to."""
        factor = self.model.cfg.costs.quantise_cost_factor
        pick = reach.best_affordable(factor, full_precision=True)
        if pick is None:
            return False
        compute = pick.unit_cost * factor * reach.multiplier
        self.make(
            "quantised",
            [pick.ckpt],
            [self],
            self.model.solo_cost(compute, self.own_hardware),
            False,
        )
        return True

    def try_merge(self, reach: Reach, uncensored: bool) -> bool:
        """Merge the most valuable full-precision checkpoint with the most valuable other one
        of the same base (ties: the first reached, shared offers before what it found
        itself). The shared offers' answers are indexed once a month (``merge_index``)."""
        # candidates as (-value, order, checkpoint, unit cost); the smallest is the best
        first_pick: list[tuple] = []
        count = 0
        indexes = [offer.merge_index() for offer in reach.offers]
        for k, (offer, (n, best, _)) in enumerate(zip(reach.offers, indexes, strict=True)):
            count += n
            if best is not None:
                first_pick.append(
                    (-offer.values[best], (k, best), offer.ckpts[best], offer.costs[best])
                )
        own = [
            (-v, (len(reach.offers), j), c, k)
            for j, (c, v, k) in enumerate(zip(reach.ckpts, reach.values, reach.costs, strict=True))
            if c.kind != "quantised"
        ]
        if count + len(own) < 2:
            return False
        first = min(first_pick + own, key=lambda r: (r[0], r[1]))
        root = first[2].root
        mates = [r for r in own if r[2].root == root and r[1] != first[1]]
        for k, (offer, (_, _, by_root)) in enumerate(zip(reach.offers, indexes, strict=True)):
            for i in by_root.get(root, []):
                if (k, i) != first[1]:
                    mates.append((-offer.values[i], (k, i), offer.ckpts[i], offer.costs[i]))
                    break
        if not mates:
            return False
        second = min(mates, key=lambda r: (r[0], r[1]))
        factor = self.model.cfg.costs.merge_cost_factor
        compute = first[3] * factor * reach.multiplier
        price = self.model.solo_cost(compute, self.own_hardware)
        if price > self.budget:
            return False
        self.make("merge", [first[2], second[2]], [self], price, uncensored)
        return True

    def try_api_finetune(self, api: Checkpoint, api_value: float) -> bool:
        model, t = self.model, self.model.steps
        price = model.cfg.costs.api_finetune_usd * costs.hardware_index(model.cfg.costs, t)
        if self.budget < price:
            return False
        if model.api_screened(api):
            rate = model.policies["api_finetune_screening"].params.false_positive_rate
            if model.uniform() < rate:
                model.tally.api_jobs_blocked += 1
                return False
        model.spent_step[self.node] = t
        model.tally.benign_finetunes += 1
        model.tally.benefit += api_value
        return True

    # --- making -----------------------------------------------------------------------------
    def make(
        self,
        kind: Kind,
        parents: list[Checkpoint],
        members: list[Actor],
        cost: float,
        uncensored: bool,
    ) -> None:
        """A benign run on open weights: count its value, make the derivative, share it."""
        model, t = self.model, self.model.steps
        cfg = model.cfg.hobbyists
        parent, pooled = parents[0], len(members) > 1
        for m in members:
            model.spent_step[m.node] = t
        value = parent.value_unit * (0.5 + self.skill)  # search.unit_value
        model.tally.benefit += value * derivatives.kind_value(cfg, kind)
        if kind == "finetune":
            model.tally.benign_finetunes += 1
            model.tally.pooled_finetunes += int(pooled)
            if model.uniform() < cfg.defensive_share:
                model.defence.add()
        nodes = (self.node,) if not pooled else tuple(m.node for m in members)
        model.record_run(
            Activity("pool" if pooled else "finetune", nodes, False, None, t),
            cost,
            self.own_hardware,
        )
        if pooled:
            model.reinforce_pool(members)

        root = model.checkpoints[parent.root]
        if kind == "finetune":
            traits = derivatives.finetuned(cfg, parent, root, self.skill)
        elif kind == "quantised":
            traits = derivatives.quantised(cfg, parent)
        else:
            traits = derivatives.merged(cfg, parents[0], parents[1], root, self.skill)
        safeguard, tamper = traits.safeguard, traits.tamper
        if (
            uncensored
            and kind == "finetune"
            and safeguard > model.cfg.malicious.misuse_safeguard_max
        ):
            budget = sum(m.budget for m in members) - cost
            if budget >= self.strip_price(traits.capability, safeguard, tamper):
                safeguard, tamper = 0.0, 0.0
        ckpt_args = dict(capability=traits.capability, safeguard=safeguard, tamper=tamper)
        self.share(kind, parents, members, ckpt_args)
        if kind == "finetune" and model.uniform() < cfg.invention_prob * 2 * self.skill:
            self.invent()

    def strip_price(self, capability: float, safeguard: float, tamper: float) -> float:
        model = self.model
        return float(
            costs.strip_cost(
                model.cfg.costs,
                capability,
                model.steps,
                self.finetune_oom(),
                self.strip_oom(),
                safeguard,
                0.0 if self.bypasses_tamper() else tamper,
            )
        )

    def invent(self) -> None:
        """A new technique: a fine-tuning one, or (``strip_technique_share``) one that cuts
        only the cost of stripping, which may bypass tamper resistance."""
        model, cfg = self.model, self.model.cfg
        rng = model.rng
        if model.uniform() < cfg.hobbyists.strip_technique_share:
            oom = float(rng.exponential(cfg.costs.strip_technique_oom_mean))
            bypass = bool(model.uniform() < cfg.hobbyists.tamper_bypass_share)
            technique = Technique("strip", oom, bypass)
        else:
            technique = Technique(
                "finetune", float(rng.exponential(cfg.costs.technique_oom_mean)), False
            )
        model.techniques.invent(self.node, technique)

    def share(
        self, kind: Kind, parents: list[Checkpoint], members: list[Actor], traits: dict
    ) -> None:
        """Upload to the main hub, or share with neighbours, or keep private (no record)."""
        model, t = self.model, self.model.steps
        sharing = model.cfg.sharing
        upload = model.uniform() < sharing.hub_upload_prob
        p2p = not upload and model.uniform() < sharing.p2p_share_prob
        if not (upload or p2p or len(members) > 1):
            return
        ckpt = model.checkpoints.add(
            parent=parents[0],
            parent2=parents[1] if len(parents) > 1 else None,
            creator=self.node,
            access="open",
            step=t,
            kind=kind,
            **traits,
        )
        for m in members:
            m.receive(ckpt)
        if upload and screen_upload(model, ckpt):
            model.checkpoints.take_down(ckpt)
            model.tally.takedowns += 1
            displace(model, ckpt, share_p2p=False)
            upload, p2p = False, model.uniform() < sharing.p2p_share_prob
        if upload:
            model.checkpoints.upload(ckpt)
            model.record_upload(ckpt, self.node, malicious=False)
        elif p2p:
            self.share_with_neighbours(ckpt)


class _Month:
    """What the compiled turns read that stays the same for a whole month."""

    def __init__(self, model: EcosystemModel) -> None:
        t, cfg = model.steps, model.cfg
        hob, c, sharing, policies = cfg.hobbyists, cfg.costs, cfg.sharing, model.policies
        book = model.techniques
        self.node_arrays = (
            model.kind_codes,
            model.budget,
            model.skill,
            model.own_hardware,
            model.spent_step,
            model.banned_until,
            book.private_finetune_oom,
            book.private_strip_oom,
            book.private_bypass,
        )
        self.malicious = MaliciousActor.month_arrays(model)
        self.adjacency = model.ties.arrays()
        safe = search.offer(model, False)
        self.offer = (
            np.array([x.id for x in safe.ckpts], dtype=np.int64),
            np.array(safe.costs, dtype=float),
            np.array(safe.values, dtype=float),
            np.array(safe.prefix_best, dtype=np.int64),
            np.array([x.kind == "quantised" for x in safe.ckpts], dtype=bool),
            np.array(sorted(safe.ids), dtype=np.int64),
        )
        self.offer += _merge_tables(safe, self.offer[2], self.offer[4])
        kyc = policies.active("compute_kyc", t)
        kyc_usd = model.kyc_threshold_usd()
        api = model.best_api_checkpoint()
        m = cfg.malicious
        k = hobbyist_turns
        p = np.zeros(k.N_P)
        p[k.P_T] = t
        p[k.P_QSHARE], p[k.P_MSHARE] = hob.quantise_share, hob.merge_share
        p[k.P_UNCENSORED], p[k.P_FRINGE] = hob.uncensored_prob, sharing.fringe_discovery_prob
        p[k.P_FACTOR], p[k.P_TFLOOR] = search.cost_factor(model), c.technique_floor
        p[k.P_PUB_FT], p[k.P_PUB_STRIP] = book.published_finetune_oom, book.published_strip_oom
        if kyc:
            params = policies["compute_kyc"].params
            p[k.P_KYC_USD] = kyc_usd
            p[k.P_KYC_OVERHEAD] = 1.0 + params.benign_overhead
            p[k.P_KYC_FLOP] = params.threshold_flop
            p[k.P_KYC_STRENGTH] = policies["compute_kyc"].strength
        p[k.P_FLOP_PER_USD], p[k.P_HARDWARE] = c.flop_per_usd, costs.hardware_index(c, t)
        p[k.P_PM_STRENGTH] = policies["pool_monitoring"].strength
        p[k.P_EFFICIENCY] = _pool_efficiency(model)
        p[k.P_JOIN] = sharing.pooling.join_prob
        p[k.P_QCOST], p[k.P_MCOST] = c.quantise_cost_factor, c.merge_cost_factor
        p[k.P_API_PRICE] = c.api_finetune_usd * costs.hardware_index(c, t)
        screened = False
        if api is not None:
            p[k.P_API_VALUE] = search.unit_value(model, api)
            screened = model.api_screened(api)
            if screened:
                fp = policies["api_finetune_screening"].params.false_positive_rate
                p[k.P_API_FP] = fp
        p[k.P_ABF] = hob.api_benefit_factor
        p[k.P_QVALUE], p[k.P_MVALUE] = hob.quantised_value_factor, hob.merge_value_factor
        p[k.P_DEFENSIVE] = hob.defensive_share
        p[k.P_GAIN], p[k.P_MAXGAIN] = hob.finetune_gain_oom, hob.max_derivative_gain_oom
        p[k.P_EROSION], p[k.P_TEROSION] = hob.safety_erosion, hob.tamper_erosion
        p[k.P_QLOSS], p[k.P_SGMAX] = hob.quantisation_loss_oom, m.misuse_safeguard_max
        p[k.P_STRIP_USD], p[k.P_ELASTICITY] = c.strip_cost_usd, c.capability_cost_elasticity
        p[k.P_TIME], p[k.P_STRIP_FLOOR] = costs.time_factor(c, t), c.strip_technique_floor
        p[k.P_TAMPER_MULT] = c.tamper_cost_multiplier
        p[k.P_UPLOAD], p[k.P_P2P] = sharing.hub_upload_prob, sharing.p2p_share_prob
        p[k.P_MOD_STRENGTH] = policies["hub_moderation"].strength
        p[k.P_REUPLOAD] = sharing.reupload_prob
        p[k.P_INVENT], p[k.P_BENEFIT_E] = hob.invention_prob, hob.benefit_elasticity
        p[k.P_PENALTY] = cfg.policies.tamper_resistance.benign_cost_penalty
        p[k.P_QPARENT] = hob.quantised_parent_factor
        p[k.P_UPLIFT] = m.uplift_gain_oom
        p[k.P_BASE_P], p[k.P_SEVERE_BASE] = m.baseline_success_prob, m.severe_baseline_factor
        api_caps = [x.capability for x in model.api_checkpoints() if x is not None]
        p[k.P_API_CAP] = max(api_caps) if api_caps else -np.inf
        p[k.P_API_ABUSE_USD], p[k.P_UPLIFT_DATA] = c.api_abuse_usd, m.uplift_data_usd
        p[k.P_UPLIFT_SKILL], p[k.P_API_ABUSE_P] = m.uplift_min_skill, m.api_abuse_prob
        p[k.P_MAL_JOIN], p[k.P_UPLIFT_COMPUTE] = m.pool_join_prob, m.uplift_compute_factor
        p[k.P_FT_USD] = c.finetune_cost_usd
        p[k.P_THRESH_COMMON], p[k.P_THRESH_SEVERE] = m.harm_threshold_oom, m.severe_threshold_oom
        p[k.P_SEVERE_SCALE], p[k.P_SEV_ELASTICITY] = m.severe_severity, m.severity_elasticity
        p[k.P_SIGMA], p[k.P_BASE_SEVERITY] = m.severity_sigma, m.baseline_severity_factor
        p[k.P_REPORT] = cfg.regulator.report_prob
        q = np.zeros(k.N_Q, dtype=np.int64)
        q[k.Q_K], q[k.Q_KYC] = sharing.search_candidates, int(kyc)
        q[k.Q_PM] = int(policies.active("pool_monitoring", t))
        q[k.Q_POOLING] = int(sharing.pooling.enabled)
        q[k.Q_MAX_MEMBERS] = sharing.pooling.max_members
        q[k.Q_API], q[k.Q_SCREENED] = int(api is not None), int(screened)
        q[k.Q_MODERATION] = int(policies.active("hub_moderation", t))
        q[k.Q_PUB_BYPASS] = book.published_bypass
        self.p, self.q = p, q
        registry = model.checkpoints
        self.shelves = [(registry.fringe if f else registry.main).shelf(s) for f, s in SHELVES]
        self._logs: tuple[np.ndarray, ...] | None = None
        self._max_members = sharing.pooling.max_members
        self.cols: tuple[np.ndarray, ...] | None = None  # the columns' arrays, while they last
        self.tickets: tuple[np.ndarray, ...] = ()
        self.counts = np.zeros(k.N_C, dtype=np.int64)
        self.f = np.zeros(k.N_F)

    def logs(self, turns: int) -> tuple[np.ndarray, ...]:
        """Logs for ``turns`` turns (the activity rows, pool members, hub keys, what
        malicious actors now hold, their incidents and the incidents' severities), reused."""
        if self._logs is None or len(self._logs[2]) < 2 * turns:
            size = max(2 * turns, 64)
            self._logs = (
                np.zeros((size, 6), dtype=np.int64),
                np.zeros(size * (self._max_members + 2) // 2, dtype=np.int64),
                np.zeros((size, 2), dtype=np.int64),
                np.zeros((size, 2), dtype=np.int64),
                np.zeros((size, 3), dtype=np.int64),
                np.zeros(size),
            )
        return self._logs


def _merge_tables(
    safe: search.Offer, values: np.ndarray, quantised: np.ndarray
) -> tuple[np.ndarray, ...]:
    """What the turns ask of the month's safe offer besides its prefix-best, as arrays: the
    full-precision prefix-best (``hobbyist_turns.full_precision_prefix``), and the offer's
    ``merge_index`` (how many full-precision entries; per base, sorted, its two most
    valuable), so a turn does not scan the offer."""
    count, _, by_root = safe.merge_index()
    roots = sorted(by_root)
    tops = [(by_root[r] + [-1, -1])[:2] for r in roots]
    return (
        hobbyist_turns.full_precision_prefix(values, quantised),
        np.array([count], dtype=np.int64),
        np.array(roots, dtype=np.int64),
        np.array([a for a, _ in tops], dtype=np.int64),
        np.array([b for _, b in tops], dtype=np.int64),
    )


def _pool_efficiency(model: EcosystemModel) -> float:
    from sim.pooling import pool_efficiency

    return pool_efficiency(model)


def _month_state(model: EcosystemModel) -> _Month:
    cache = model.month_cache
    if "turns" not in cache:
        cache["turns"] = _Month(model)
    return cache["turns"]


SHELVES = ((False, False), (False, True), (True, False), (True, True))  # (fringe, stripped)


class _TurnsRun:
    """One call of the compiled turns: the month's buffers made ready for ``turns`` more
    turns, and what Python does after the call."""

    def __init__(self, model: EcosystemModel, month: _Month, turns: int) -> None:
        registry = model.checkpoints
        columns = registry.columns
        self.start = len(columns)
        if len(columns.capability._data) - self.start < turns:
            columns.reserve(turns)
        self.shelves = shelves = month.shelves
        for shelf in shelves:
            if len(shelf.tickets._data) - len(shelf.tickets) < 6 * turns:
                shelf.tickets.reserve(6 * turns)
        # the arrays as they are now (Python code may have grown them since the last call)
        if (
            month.cols is None
            or month.cols[0] is not columns.capability._data
            or any(
                t is not shelf.tickets._data
                for t, shelf in zip(month.tickets, shelves, strict=False)
            )
        ):
            month.cols = tuple(getattr(columns, name)._data for name in hobbyist_turns.COLUMNS)
            month.tickets = tuple(shelf.tickets._data for shelf in shelves)
        self.cols, self.tickets = month.cols, month.tickets
        k = hobbyist_turns
        counts = month.counts
        counts[:] = 0
        counts[k.C_SIZE] = self.start
        for s, shelf in enumerate(shelves):
            counts[k.C_TICKETS + s] = shelf.tickets.size
            counts[k.C_KEYS + s] = len(shelf)
        fringe = registry.fringe
        for stripped in (False, True):
            best = fringe.shelf(stripped).best_id()
            counts[k.C_FRINGE_BEST + stripped] = -1 if best is None else best
        best = registry.main.stripped.best_id()
        counts[k.C_MAIN_STRIPPED_BEST] = -1 if best is None else best
        cached = model.month_cache.get(search.OFFER_KEYS[True])
        counts[k.C_STRIPPED_OFFER] = -2 if cached is None else _only(cached)
        self.counts = counts
        tally = model.tally
        f = self.f = month.f
        f[k.F_BENEFIT] = tally.benefit
        f[k.F_FINETUNES] = tally.benign_finetunes
        f[k.F_POOLED] = tally.pooled_finetunes
        f[k.F_BLOCKED] = tally.api_jobs_blocked
        f[k.F_KYC_COVERED] = tally.kyc_covered_runs
        f[k.F_KYC_FLAGS] = tally.kyc_flags
        f[k.F_TAKEDOWNS] = tally.takedowns
        f[k.F_REUPLOADS] = tally.reuploads
        f[k.F_DEFENCE] = model.defence.added
        self.acts, self.members, self.keys, self.mal_log, self.inc_log, self.inc_sev = month.logs(
            turns
        )

    def finish(self, model: EcosystemModel) -> None:
        k, counts = hobbyist_turns, self.counts
        registry = model.checkpoints
        registry.columns.set_size(int(counts[k.C_SIZE]))
        registry.adopt(self.start)
        for s, shelf in enumerate(self.shelves):
            shelf.tickets.size = int(counts[k.C_TICKETS + s])
        uploads = self.keys[: counts[k.C_UPLOADS]]
        if len(uploads):
            capability = registry.columns.capability._data
            for s, shelf in enumerate(self.shelves):
                cids = uploads[uploads[:, 1] == s, 0]
                if len(cids):
                    shelf.add_keys(capability[cids].tolist(), cids.tolist())
        acts = self.acts[: counts[k.C_ACTS]]
        oversight, t = model.oversight, model.steps
        flagged = acts[:, 3] == 1
        # Unflagged runs are alike (one shared record each, ``record_benign``), so only the
        # flagged ones need records of their own, in order.
        oversight.record_benign(len(acts) - int(flagged.sum()))
        members = self.members
        for start, n in acts[flagged, 4:].tolist():
            nodes = tuple(members[start : start + n].tolist())
            oversight.record(Activity("pool" if n > 1 else "finetune", nodes, False, None, t, True))
        pairs = [  # the kernel strengthened the pools' tie arrays; NetworkX will be told
            (members[start], v)
            for start, n in acts[acts[:, 5] > 1, 4:].tolist()
            for v in members[start + 1 : start + n].tolist()
        ]
        network.strengthened(model.ties, pairs)
        f, tally = self.f, model.tally
        tally.benefit = float(f[k.F_BENEFIT])
        tally.benign_finetunes = int(f[k.F_FINETUNES])
        tally.pooled_finetunes = int(f[k.F_POOLED])
        tally.api_jobs_blocked = int(f[k.F_BLOCKED])
        tally.kyc_covered_runs = int(f[k.F_KYC_COVERED])
        tally.kyc_flags = int(f[k.F_KYC_FLAGS])
        tally.takedowns = int(f[k.F_TAKEDOWNS])
        tally.reuploads = int(f[k.F_REUPLOADS])
        model.defence.added = int(f[k.F_DEFENCE])
        self._finish_malicious(model, int(counts[k.C_MAL]), int(counts[k.C_INC]))
        made = int(counts[k.C_STRIPPED_OFFER])
        if made != -2 and search.OFFER_KEYS[True] not in model.month_cache:
            search.cache_offer(model, True, [] if made < 0 else [registry[made]])

    def _finish_malicious(self, model: EcosystemModel, count: int, incidents: int) -> None:
        """What the malicious actors whose turns the kernel took now hold, and their
        incidents, in the order they happened."""
        registry = model.checkpoints
        for node, cid in self.mal_log[:count].tolist():
            actor = model.actors[node]
            assert isinstance(actor, MaliciousActor)
            actor.equip(None if cid < 0 else registry[cid])
        rows = self.inc_log[:incidents].tolist()
        for (node, cid, reported), severity in zip(
            rows, self.inc_sev[:incidents].tolist(), strict=True
        ):
            if cid < 0:
                misuse.baseline_incident(model, severity)
                continue
            actor = model.actors[node]
            assert isinstance(actor, MaliciousActor)
            misuse.ai_incident(model, actor, registry[cid], severity, bool(reported))


def _only(offer: search.Offer) -> int:
    """The id of a one-entry offer (-1: empty)."""
    return offer.ckpts[0].id if offer.ckpts else -1

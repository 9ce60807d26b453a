"""EcosystemModel: the open foundation-model ecosystem as a Mesa model.

One step is one month (month t is ``start_date`` plus t months): labs release and closed
weights may leak, the main hub moderates, active hobbyists and malicious actors act in random
order, regulators investigate, ties and techniques spread, the defence stock is updated,
outcomes are collected. All randomness comes from ``self.rng`` (numpy), seeded from the run's
seed.
"""

from __future__ import annotations

from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.agent import AgentSet

from sim import calendar, costs, kyc, network, outcomes
from sim.actors import Actor
from sim.checkpoints import Checkpoint, CheckpointRegistry
from sim.config import Config, make_config
from sim.defence import DefenceStock
from sim.draws import Uniforms
from sim.hobbyists import Hobbyist
from sim.labs import Lab
from sim.malicious import MaliciousActor
from sim.misuse import Incident
from sim.moderation import moderate_hub, take_down
from sim.oversight import Activity, Oversight
from sim.policies import PolicyBook
from sim.regulators import AdaptivePolicy, Regulator
from sim.search import pricing
from sim.techniques import TechniqueBook


class EcosystemModel(mesa.Model):
    """Labs, hobbyists, malicious actors and regulators on a collaboration graph."""

    def __init__(
        self,
        config: Config | dict[str, Any] | None = None,
        seed: int | None = None,
        compiled: bool = True,
    ):
        cfg = make_config(config)
        self.compiled = compiled  # hobbyists' turns by the compiled kernel (same results)
        super().__init__(rng=cfg.seed if seed is None else seed)
        self.cfg = cfg
        pop = cfg.population
        n_benign = pop.labs + pop.hobbyists
        n = n_benign + pop.malicious
        self.lab_nodes = np.arange(pop.labs)
        self.hobbyist_nodes = np.arange(pop.labs, n_benign)
        self.malicious_nodes = np.arange(n_benign, n)

        # the ties as arrays, for the month's work; ``graph`` is the NetworkX graph of them
        self.ties = network.generate_ties(cfg.network, n_benign, pop.malicious, self.rng)
        self.checkpoints = CheckpointRegistry(cfg.malicious.misuse_safeguard_max, pricing(cfg))
        self.techniques = TechniqueBook(n)
        self.policies = PolicyBook.from_config(cfg.policies)
        self.oversight = Oversight(cfg.regulator.backlog_months)
        self.adaptive = AdaptivePolicy()
        self.defence = DefenceStock(cfg.hobbyists)
        self.tally = outcomes.MonthTally()
        self.totals = {"misuse_incidents": 0, "benign_finetunes": 0}
        self.incidents: list[Incident] = []
        self.month_cache: dict[str, Any] = {}
        self.uniforms = Uniforms(self.rng)
        self.uniform = self.uniforms.next  # model.uniform(): the next uniform draw
        self._best_api: dict[bool, Checkpoint | None] = {True: None, False: None}

        self.banned_until = np.zeros(n, dtype=np.int64)
        self.spent_step = np.full(n, -1, dtype=np.int64)
        self.ban_step = np.full(n, -1, dtype=np.int64)
        self.budget = np.zeros(n)
        self.activity_rate = np.zeros(n)
        self.own_hardware = np.zeros(n, dtype=bool)
        self.skill = np.zeros(n)
        self.private = np.full((2, n), -1, dtype=np.int64)  # ids shared privately: safe, stripped
        self.weapon_held = np.zeros(n, dtype=bool)  # has a contact shared a weapon with it?
        self.actors: list[Actor] = self._create_actors()
        # each node's kind (0 lab, 1 hobbyist, 2 malicious), for quick filters over ties
        self.kinds = [0] * pop.labs + [1] * pop.hobbyists + [2] * pop.malicious
        self.kind_codes = np.array(self.kinds, dtype=np.int8)
        for _ in range(pop.regulators):
            Regulator(self, cfg.regulator.capacity)
        # Each lab's latest release before the run, at a step <= -1: no policy is in force yet,
        # and policies never recall weights that are already open.
        for lab in self.labs:
            lab.release(lab.next_release - cfg.labs.release_interval - 1)

        self.datacollector = mesa.DataCollector(model_reporters=outcomes.REPORTERS)

    # --- construction -------------------------------------------------------------------
    def _create_actors(self) -> list[Actor]:
        cfg, rng = self.cfg, self.rng
        labs_cfg, hob, mal = cfg.labs, cfg.hobbyists, cfg.malicious
        n_labs, n_hob, n_mal = (
            len(self.lab_nodes),
            len(self.hobbyist_nodes),
            len(self.malicious_nodes),
        )

        openness = np.clip(
            labs_cfg.openness
            + rng.uniform(-labs_cfg.openness_spread, labs_cfg.openness_spread, n_labs),
            0.0,
            1.0,
        )
        gaps = rng.uniform(0.0, labs_cfg.capability_gap_max, n_labs)
        if n_labs:  # the leading lab sits at the open frontier (capability 0 at step 0)
            gaps -= gaps.min()
        api = rng.random(n_labs) < labs_cfg.api_finetune_share
        first = rng.integers(1, labs_cfg.release_interval + 1, n_labs)
        # a fixed number of labs (rounded share) sits outside the jurisdiction, at random
        outside = np.zeros(n_labs, dtype=bool)
        outside[rng.permutation(n_labs)[: round(labs_cfg.outside_jurisdiction_share * n_labs)]] = (
            True
        )

        self.budget[self.hobbyist_nodes] = _lognormal(
            rng, hob.budget_median_usd, hob.budget_sigma, n_hob
        )
        severe = rng.random(n_mal) < mal.severe_share
        budgets = _lognormal(rng, mal.budget_median_usd, mal.budget_sigma, n_mal)
        self.budget[self.malicious_nodes] = np.where(
            severe, budgets * mal.severe_budget_factor, budgets
        )
        skill = rng.beta(2.0, 2.0, n_hob + n_mal)
        self.skill[n_labs:] = skill
        thresholds = np.where(severe, mal.severe_threshold_oom, mal.harm_threshold_oom)
        goals = thresholds + rng.exponential(mal.goal_spread_oom, n_mal)
        self.activity_rate[self.hobbyist_nodes] = hob.activity_rate
        self.activity_rate[self.malicious_nodes] = mal.activity_rate
        self.own_hardware[n_labs:] = rng.random(n_hob + n_mal) < cfg.costs.own_hardware_share

        actors: list[Actor] = [
            Lab(
                self,
                i,
                openness=float(openness[i]),
                gap=float(gaps[i]),
                offers_finetune_api=bool(api[i]),
                first_release=int(first[i]),
                inside=not bool(outside[i]),
            )
            for i in range(n_labs)
        ]
        skills = skill.tolist()
        actors += [Hobbyist(self, int(v), skills[v - n_labs]) for v in self.hobbyist_nodes]
        actors += [
            MaliciousActor(
                self,
                int(v),
                skills[v - n_labs],
                float(goals[i]),
                "severe" if severe[i] else "common",
            )
            for i, v in enumerate(self.malicious_nodes.tolist())
        ]
        return actors

    @property
    def labs(self) -> AgentSet:
        return self.agents_by_type.get(Lab, AgentSet([], random=self.random))

    @property
    def malicious(self) -> AgentSet:
        return self.agents_by_type.get(MaliciousActor, AgentSet([], random=self.random))

    @property
    def regulators(self) -> AgentSet:
        return self.agents_by_type.get(Regulator, AgentSet([], random=self.random))

    @property
    def date(self) -> str:
        """This month, ``YYYY-MM``."""
        return calendar.date_of(self.cfg.start_date, self.steps)

    @property
    def graph(self) -> nx.Graph:
        """The collaboration graph (NetworkX), with every tie change so far applied (made
        from the tie arrays' history when first asked for)."""
        return network.synced(self.ties)

    @graph.setter
    def graph(self, graph: nx.Graph) -> None:
        """Replace the graph (tests build small worlds by hand); its tie arrays follow."""
        self.ties = network.adjacency(graph)

    # --- the month ----------------------------------------------------------------------
    def step(self) -> None:
        t = self.steps
        self.tally = outcomes.MonthTally()
        self.month_cache = {}
        self.oversight.new_month()
        self.labs.do("step")
        moderate_hub(self)

        active = (self.rng.random(len(self.actors)) < self.activity_rate) & (self.banned_until <= t)
        turn = self.rng.permutation(np.flatnonzero(active))
        if self.compiled:
            self._take_turns(turn)
        else:
            for node in turn.tolist():
                actor = self.actors[node]
                if not actor.banned and not actor.spent_this_month:
                    actor.step()

        self.regulators.do("step")
        self.adaptive.step(self)
        network.form_ties(self.ties, self.cfg.network, self.rng)
        network.decay_ties(self.ties, self.cfg.network, self.rng)
        sharing = self.cfg.sharing
        self.techniques.diffuse(self.ties, sharing.technique_diffusion_prob, self.rng)
        self.techniques.publish(sharing.technique_publish_prob, self.rng)
        self.defence.end_month()

        self.totals["misuse_incidents"] += self.tally.misuse_incidents
        self.totals["benign_finetunes"] += self.tally.benign_finetunes
        self.datacollector.collect(self)

    def _take_turns(self, turn: np.ndarray) -> None:
        """The actors' turns in order: each run of consecutive hobbyists and malicious actors
        at once, by the compiled kernel (``Hobbyist.take_turns``); labs by their own
        ``step``."""
        batched = self.kind_codes[turn] != 0
        bounds = np.flatnonzero(np.diff(batched.astype(np.int8))) + 1
        for part in np.split(turn, bounds):
            if len(part) and self.kind_codes[part[0]] != 0:
                Hobbyist.take_turns(self, part)
                continue
            for node in part.tolist():
                actor = self.actors[node]
                if not actor.banned and not actor.spent_this_month:
                    actor.step()

    def run(self, steps: int | None = None) -> None:
        for _ in range(self.cfg.steps if steps is None else steps):
            self.step()

    # --- services the actors call -------------------------------------------------------
    def on_release(self, ckpt: Checkpoint, lab: Lab) -> None:
        """Keep track of the best checkpoint reachable through a fine-tuning API, inside and
        outside the jurisdiction."""
        if not lab.offers_finetune_api or ckpt.access not in ("api", "staged"):
            return
        best = self._best_api[lab.inside]
        if best is None or ckpt.capability > best.capability:
            self._best_api[lab.inside] = ckpt
        self.month_cache.pop("best_api", None)

    def api_checkpoints(self) -> list[Checkpoint | None]:
        """The best API checkpoint outside and inside the jurisdiction (None if none)."""
        return [self._best_api[False], self._best_api[True]]

    def best_api_checkpoint(self) -> Checkpoint | None:
        """The most capable checkpoint reachable through any lab's fine-tuning API (cached
        per month: releases happen before the actors move)."""
        cache = self.month_cache
        if "best_api" not in cache:
            found = [c for c in self.api_checkpoints() if c is not None]
            cache["best_api"] = max(found, key=lambda c: (c.capability, -c.id), default=None)
        return cache["best_api"]

    def api_screened(self, ckpt: Checkpoint) -> bool:
        """Jobs on this lab's API are screened (the policy binds only labs inside)."""
        return ckpt.inside and self.policies.active("api_finetune_screening", self.steps)

    def benign_finetune_cost(
        self,
        capability: Any,
        tamper: Any,
        finetune_oom: Any,
        solo: bool,
        own_hardware: Any = False,
    ) -> Any:
        """USD for a benign fine-tune: the cost curve, the tamper-resistance overhead, and
        (cloud solo runs compute KYC covers) the compliance cost. Works on arrays."""
        t = self.steps
        penalty = self.cfg.policies.tamper_resistance.benign_cost_penalty
        cost = costs.finetune_cost(self.cfg.costs, capability, t, finetune_oom)
        cost = cost * (1.0 + penalty * np.asarray(tamper, dtype=float))
        if solo and self.policies.active("compute_kyc", t):
            overhead = 1.0 + self.policies["compute_kyc"].params.benign_overhead
            threshold = self.policies["compute_kyc"].params.threshold_flop
            covered = (costs.run_flop(self.cfg.costs, cost, t) >= threshold) & ~np.asarray(
                own_hardware, dtype=bool
            )
            cost = np.where(covered, cost * overhead, cost)
        return cost if np.ndim(cost) else float(cost)

    def kyc_threshold_usd(self) -> float | None:
        """USD of compute at which a run reaches compute KYC's FLOP threshold this month
        (None when the policy is not in force)."""
        cache = self.month_cache
        if "kyc_threshold_usd" not in cache:
            threshold = None
            if self.policies.active("compute_kyc", self.steps):
                flop = self.policies["compute_kyc"].params.threshold_flop
                threshold = flop / float(costs.run_flop(self.cfg.costs, 1.0, self.steps))
            cache["kyc_threshold_usd"] = threshold
        return cache["kyc_threshold_usd"]

    def solo_cost(self, compute_usd: float, own_hardware: bool) -> float:
        """What a solo benign run of this compute cost costs its maker: compute KYC's
        compliance overhead applies to covered cloud runs."""
        threshold = self.kyc_threshold_usd()
        if threshold is None or own_hardware or compute_usd < threshold:
            return compute_usd
        return compute_usd * (1.0 + self.policies["compute_kyc"].params.benign_overhead)

    def max_solo_compute(self, budget: float, own_hardware: bool) -> float:
        """The dearest compute a solo benign run can buy with ``budget`` (the inverse of
        :meth:`solo_cost`, which is increasing in compute)."""
        threshold = self.kyc_threshold_usd()
        if threshold is None or own_hardware:
            return budget
        overhead = 1.0 + self.policies["compute_kyc"].params.benign_overhead
        if budget / overhead >= threshold:  # a covered run is affordable, overhead and all
            return budget / overhead
        return min(budget, threshold * (1 - 1e-12))  # only runs below the threshold

    def record_run(self, activity: Activity, compute_usd: float, own_hardware: bool) -> None:
        kyc.record_run(self, activity, compute_usd, own_hardware)

    def record_upload(self, ckpt: Checkpoint, node: int, malicious: bool) -> None:
        self.oversight.record(Activity("upload", (node,), malicious, ckpt, self.steps))

    def reinforce_pool(self, members: list[Actor]) -> None:
        network.reinforce(self.ties, members[0].node, [m.node for m in members[1:]])

    def enforce(self, nodes: tuple[int, ...], ckpt: Checkpoint | None) -> None:
        """An identified misuse: ban the actors; take down the stripped weights on the main
        hub it was built on (the fringe hub is out of reach)."""
        for node in nodes:
            self.ban(node)
        if ckpt is None:
            return
        for cid in (ckpt.id, *ckpt.parents):
            target = self.checkpoints[cid]
            if target.on_hub and self.checkpoints.is_stripped(target):
                take_down(self, target)
                return

    def ban(self, node: int) -> None:
        """Enforcement: ban for ``ban_months``, confiscate stripped weights, cut ties."""
        t = self.steps
        if self.banned_until[node] > t or self.ban_step[node] == t:
            return
        self.ban_step[node] = t
        self.banned_until[node] = t + self.cfg.regulator.ban_months
        actor = self.actors[node]
        if isinstance(actor, MaliciousActor):
            actor.disarm()
        network.cut_ties(self.ties, node, self.cfg.network.enforcement_tie_cut, self.rng)
        self.tally.detections += 1

    # --- results ------------------------------------------------------------------------
    def timeseries(self) -> pd.DataFrame:
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        return frame[list(outcomes.COLUMNS)]

    def summary(self) -> dict[str, Any]:
        return outcomes.summarise(self.timeseries(), self)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    """Heavy-tailed budgets with the given median."""
    if median <= 0:
        return np.zeros(n)
    return rng.lognormal(np.log(median), sigma, n)

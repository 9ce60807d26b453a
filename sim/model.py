"""EcosystemModel: the open foundation-model ecosystem as a Mesa model.

One step is one month: labs release, the hub moderates, active hobbyists and malicious actors
act in random order, regulators investigate, ties and techniques spread, outcomes are
collected. All randomness comes from ``self.rng`` (numpy), seeded from the run's seed.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.agent import AgentSet

from sim import costs, network, outcomes
from sim.actors import Actor
from sim.checkpoints import Checkpoint, CheckpointRegistry
from sim.config import Config, make_config
from sim.hobbyists import Hobbyist
from sim.labs import Lab
from sim.malicious import MaliciousActor
from sim.moderation import moderate_hub
from sim.oversight import Activity, Incident, Oversight
from sim.policies import PolicyBook
from sim.regulators import AdaptivePolicy, Regulator
from sim.techniques import TechniqueBook


class EcosystemModel(mesa.Model):
    """Labs, hobbyists, malicious actors and regulators on a collaboration graph."""

    def __init__(self, config: Config | dict[str, Any] | None = None, seed: int | None = None):
        cfg = make_config(config)
        super().__init__(rng=cfg.seed if seed is None else seed)
        self.cfg = cfg
        pop = cfg.population
        n_benign = pop.labs + pop.hobbyists
        n = n_benign + pop.malicious
        self.lab_nodes = np.arange(pop.labs)
        self.hobbyist_nodes = np.arange(pop.labs, n_benign)
        self.malicious_nodes = np.arange(n_benign, n)

        self.graph = network.generate(cfg.network, n_benign, pop.malicious, self.rng)
        self.checkpoints = CheckpointRegistry(cfg.malicious.misuse_safeguard_max)
        self.techniques = TechniqueBook(n)
        self.policies = PolicyBook.from_config(cfg.policies)
        self.oversight = Oversight(cfg.regulator.backlog_months)
        self.adaptive = AdaptivePolicy()
        self.tally = outcomes.MonthTally()
        self.totals = {"misuse_incidents": 0, "benign_finetunes": 0}
        self.incidents: list[Incident] = []
        self._best_api: Checkpoint | None = None

        self.banned_until = np.zeros(n, dtype=np.int64)
        self.spent_step = np.full(n, -1, dtype=np.int64)
        self.budget = np.zeros(n)
        self.activity_rate = np.zeros(n)
        self.actors: list[Actor] = self._create_actors()
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

        self.budget[self.hobbyist_nodes] = _lognormal(
            rng, hob.budget_median_usd, hob.budget_sigma, n_hob
        )
        self.budget[self.malicious_nodes] = _lognormal(
            rng, mal.budget_median_usd, mal.budget_sigma, n_mal
        )
        skill = rng.beta(2.0, 2.0, n_hob + n_mal)
        goals = mal.harm_threshold_oom + rng.exponential(mal.goal_spread_oom, n_mal)
        self.activity_rate[self.hobbyist_nodes] = hob.activity_rate
        self.activity_rate[self.malicious_nodes] = mal.activity_rate

        actors: list[Actor] = [
            Lab(
                self,
                i,
                openness=float(openness[i]),
                gap=float(gaps[i]),
                offers_finetune_api=bool(api[i]),
                first_release=int(first[i]),
            )
            for i in range(n_labs)
        ]
        skills = skill.tolist()
        actors += [Hobbyist(self, int(v), skills[v - n_labs]) for v in self.hobbyist_nodes]
        actors += [
            MaliciousActor(self, int(v), skills[v - n_labs], float(goals[i]))
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

    # --- the month ----------------------------------------------------------------------
    def step(self) -> None:
        t = self.steps
        self.tally = outcomes.MonthTally()
        self.oversight.new_month()
        self.labs.do("step")
        self.tally.takedowns += moderate_hub(self)

        active = (self.rng.random(len(self.actors)) < self.activity_rate) & (self.banned_until <= t)
        for node in self.rng.permutation(np.flatnonzero(active)).tolist():
            actor = self.actors[node]
            if not actor.banned and not actor.spent_this_month:
                actor.step()

        self.regulators.do("step")
        self.adaptive.step(self)
        network.form_ties(self.graph, self.cfg.network, self.rng)
        network.decay_ties(self.graph, self.cfg.network, self.rng)
        sharing = self.cfg.sharing
        self.techniques.diffuse(self.graph, sharing.technique_diffusion_prob, self.rng)
        self.techniques.publish(sharing.technique_publish_prob, self.rng)

        self.totals["misuse_incidents"] += self.tally.misuse_incidents
        self.totals["benign_finetunes"] += self.tally.benign_finetunes
        self.datacollector.collect(self)

    def run(self, steps: int | None = None) -> None:
        for _ in range(self.cfg.steps if steps is None else steps):
            self.step()

    # --- services the actors call -------------------------------------------------------
    def on_release(self, ckpt: Checkpoint, lab: Lab) -> None:
        """Keep track of the best checkpoint reachable through a fine-tuning API."""
        if not lab.offers_finetune_api or ckpt.access not in ("api", "staged"):
            return
        if self._best_api is None or ckpt.capability > self._best_api.capability:
            self._best_api = ckpt

    def best_api_checkpoint(self) -> Checkpoint | None:
        return self._best_api

    def benign_finetune_cost(self, parent: Checkpoint, known: Any, solo: bool) -> Any:
        """USD for a benign fine-tune of ``parent``: the cost curve, tamper-resistance
        overhead, and (solo runs above the threshold) the compliance cost of compute KYC."""
        t = self.steps
        penalty = self.cfg.policies.tamper_resistance.benign_cost_penalty
        cost = costs.finetune_cost(self.cfg.costs, parent.capability, t, known)
        cost = cost * (1.0 + penalty * parent.tamper)
        if solo and self.policies.active("compute_kyc", t):
            overhead = 1.0 + self.policies["compute_kyc"].params.benign_overhead
            covered = self.kyc_covers(cost)
            if isinstance(cost, np.ndarray):
                return np.where(covered, cost * overhead, cost)
            return cost * overhead if covered else cost
        return cost

    def kyc_covers(self, cost: Any) -> Any:
        """Compute KYC looks at compute used, i.e. cost at step-0 GPU prices, not dollars."""
        threshold = self.policies["compute_kyc"].params.cost_threshold_usd
        return cost / costs.hardware_index(self.cfg.costs, self.steps) >= threshold

    def record_run(self, activity: Activity, cost: float) -> None:
        """A fine-tuning or stripping run happened: policies may flag it for investigation.

        Compute KYC sees solo runs above its compute threshold; pool monitoring sees pooled
        runs. Each flags a malicious run with probability ``strength`` and a benign one with
        ``strength x false_positive_rate``; false flags still cost investigations.
        """
        t = self.steps
        solo = len(activity.members) == 1
        policy = self.policies["compute_kyc" if solo else "pool_monitoring"]
        if policy.active(t) and (not solo or self.kyc_covers(cost)):
            rate = policy.strength
            if not activity.malicious:
                rate *= policy.params.false_positive_rate
            activity.flagged = bool(self.rng.random() < rate)
        self.oversight.record(activity)

    def record_upload(self, ckpt: Checkpoint, node: int, malicious: bool) -> None:
        self.oversight.record(Activity("upload", (node,), malicious, ckpt, self.steps))

    def reinforce_pool(self, members: list[Actor]) -> None:
        network.reinforce(self.graph, members[0].node, [m.node for m in members[1:]])

    def incident(self, actor: MaliciousActor, ckpt: Checkpoint) -> None:
        """A successful misuse attempt: harm, attribution to the base lab, maybe a report."""
        t, mal = self.steps, self.cfg.malicious
        severity = 10.0 ** (mal.severity_elasticity * (ckpt.capability - mal.harm_threshold_oom))
        self.tally.misuse_incidents += 1
        self.tally.harm += severity
        root_creator = self.actors[self.checkpoints[ckpt.root].creator]
        if isinstance(root_creator, Lab) and self.policies.active("liability", t):
            root_creator.attributed_incidents += 1
        reg = self.cfg.regulator
        reported = self.rng.random() < reg.report_prob
        incident = Incident(
            t, actor.node, ckpt, severity, t + reg.report_lag_months if reported else None
        )
        self.incidents.append(incident)
        if reported:
            self.oversight.report(incident)

    def enforce(self, nodes: tuple[int, ...], ckpt: Checkpoint | None) -> None:
        """An identified misuse: ban the actors; take down the public stripped weights it was
        built on (the weaponised copy itself is never public)."""
        for node in nodes:
            self.ban(node)
        if ckpt is None or ckpt.parent is None:
            return
        parent = self.checkpoints[ckpt.parent]
        if parent.on_hub and self.checkpoints.is_stripped(parent):
            self.checkpoints.take_down(parent)
            self.tally.takedowns += 1

    def ban(self, node: int) -> None:
        """Enforcement: ban for ``ban_months``, confiscate stripped weights, cut ties."""
        t = self.steps
        if self.banned_until[node] > t:
            return
        self.banned_until[node] = t + self.cfg.regulator.ban_months
        actor = self.actors[node]
        if isinstance(actor, MaliciousActor):
            actor.disarm()
        network.cut_ties(self.graph, node, self.cfg.network.enforcement_tie_cut, self.rng)
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

"""EcosystemModel: the open foundation-model ecosystem as a Mesa model.

One step is one month (month t is ``start_date`` plus t months): the month's terms are
fixed, labs release and closed weights may leak, the main hub moderates, active hobbyists
and malicious actors take their turns in random order (``sim.core.turns``), regulators
investigate, ties and techniques spread, the defence stock is updated, outcomes are
collected; at the configured horizon ``running`` becomes False. All randomness comes from
``self.rng`` (numpy), seeded from the run's seed. The state lives in ``self.world``; the
agents (``self.agents_by_type``, ``self.actors`` by node) are views of it.

Overrides may be given as keyword arguments with dotted keys, the way Mesa's ``batch_run``
sweeps parameters: ``EcosystemModel(**{"population.malicious": 40}, seed=1)``.
"""

from __future__ import annotations

from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.agent import AgentSet

from sim import calendar, outcomes
from sim.config import Config, make_config, with_overrides
from sim.core import logs, network
from sim.core import month as months
from sim.core.actors import Lab, MaliciousActor, Regulator, generate_ties, populate
from sim.core.calls import from_python
from sim.core.checkpoints import CheckpointTerms, Registry
from sim.core.defence import DefenceStock
from sim.core.hubs import Hub, take_down
from sim.core.kinds import ActorKind
from sim.core.oversight import Incident, Oversight
from sim.core.policies.adaptive import AdaptivePolicy
from sim.core.policies.book import PolicyBook
from sim.core.policies.hub_moderation import moderate
from sim.core.reports import hobbyist_solo_costs, malicious_strip_costs
from sim.core.tally import MonthTally
from sim.core.techniques import TechniqueBook
from sim.core.ties import Adjacency
from sim.core.turns import take_turns
from sim.core.world import World, new_scratch
from sim.schema import unflatten

_CONFIG_SEED = object()  # no seed argument at all: the configuration's own seed
_take_down = from_python(take_down)
_solo_costs = from_python(hobbyist_solo_costs)
_strip_costs = from_python(malicious_strip_costs)


class EcosystemModel(mesa.Model):
    """Labs, hobbyists, malicious actors and regulators on a collaboration graph."""

    def __init__(
        self,
        config: Config | dict[str, Any] | None = None,
        seed: int | object | None = _CONFIG_SEED,
        **overrides: Any,
    ):
        cfg = make_config(config)
        if overrides:
            cfg = with_overrides(cfg, unflatten(overrides))
        if seed is _CONFIG_SEED:
            seed = cfg.seed
        elif seed is None:  # a fresh seed from the operating system's entropy, recorded
            seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)
        super().__init__(rng=seed)
        self.seed: int = int(seed)  # type: ignore[arg-type]
        self.cfg = cfg
        # the ties as arrays, for the month's work; ``graph`` is the NetworkX graph of them
        ties = generate_ties(cfg, self.rng)
        self.world = World(Registry(CheckpointTerms.of(cfg)), ties, self.rng)
        self.world.scratch = new_scratch(
            cfg.sharing.search_candidates, cfg.sharing.pooling.max_members
        )
        self.techniques = TechniqueBook(self.world.nodes)
        self.policies = PolicyBook.from_config(cfg.policies)
        self.oversight = Oversight(cfg.regulator.backlog_months)
        self.adaptive = AdaptivePolicy()
        self.defence = DefenceStock(cfg.hobbyists)
        self.totals = {"misuse_incidents": 0, "benign_finetunes": 0}
        self.incidents: list[Incident] = []
        self.month_cache: dict[Any, Any] = {}
        self.actors = populate(self)
        # Each lab's latest release before the run, at a step <= -1: no policy is in force yet,
        # and policies never recall weights that are already open.
        for lab in self.labs:
            lab.release(lab.next_release - cfg.labs.release_interval - 1)
        self.month = months.start(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={**outcomes.REPORTERS, "seed": lambda m: m.seed}
        )

    # --- who is who ------------------------------------------------------------------------
    def _nodes(self, kind: ActorKind) -> np.ndarray:
        key = ("nodes", kind, len(self.world.nodes))
        if key not in self.month_cache:
            self.month_cache[key] = np.flatnonzero(self.world.nodes.column("kind") == kind)
        return self.month_cache[key]

    @property
    def lab_nodes(self) -> np.ndarray:
        return self._nodes(ActorKind.LAB)

    @property
    def hobbyist_nodes(self) -> np.ndarray:
        return self._nodes(ActorKind.HOBBYIST)

    @property
    def malicious_nodes(self) -> np.ndarray:
        return self._nodes(ActorKind.MALICIOUS)

    def _agents(self, kind: type) -> AgentSet:
        return self.agents_by_type.get(kind, AgentSet([], random=self.random))

    @property
    def labs(self) -> AgentSet:
        return self._agents(Lab)

    @property
    def malicious(self) -> AgentSet:
        return self._agents(MaliciousActor)

    @property
    def regulators(self) -> AgentSet:
        return self._agents(Regulator)

    @property
    def checkpoints(self) -> Registry:
        return self.world.checkpoints

    @property
    def main_hub(self) -> Hub:
        return self.world.main

    @property
    def fringe_hub(self) -> Hub:
        return self.world.fringe

    @property
    def tally(self) -> MonthTally:
        return self.world.tally

    @property
    def date(self) -> str:
        """This month, ``YYYY-MM``."""
        return calendar.date_of(self.cfg.start_date, self.steps)

    @property
    def ties(self) -> Adjacency:
        """The collaboration graph's ties as arrays (what the rules read)."""
        return self.world.ties

    @property
    def graph(self) -> nx.Graph:
        """The collaboration graph (NetworkX), with every tie change so far applied (made
        from the tie arrays' history when first asked for)."""
        return network.synced(self.world.ties)

    @graph.setter
    def graph(self, graph: nx.Graph) -> None:
        """Replace the graph (tests build small worlds by hand); its tie arrays follow."""
        self.world.ties = network.adjacency(graph)

    def uniform(self) -> float:
        """The next draw of the stream the rules read."""
        return self.world.draws.next()

    # --- the month ----------------------------------------------------------------------
    def step(self) -> None:
        t, world = self.steps, self.world
        world.tally.reset()
        self.month_cache = {}
        self.oversight.new_month()
        self.month = months.start(self)
        self.labs.do("step")
        moderate(self.policies, t, self.rng, self.checkpoints, world.main, self.take_down)
        self.month = months.after_releases(self, self.month)

        nodes = world.nodes
        activity, banned = nodes.column("activity_rate"), nodes.column("banned_until")
        active = (self.rng.random(len(nodes)) < activity) & (banned <= t)
        take_turns(self, self.rng.permutation(np.flatnonzero(active)))
        self.report_turns()

        self.regulators.do("step")
        self.adaptive.step(self.policies, self.oversight, t)
        network.form_ties(world.ties, self.cfg.network, self.rng)
        network.decay_ties(world.ties, self.cfg.network, self.rng)
        sharing = self.cfg.sharing
        self.techniques.diffuse(world.ties, sharing.technique_diffusion_prob, self.rng)
        self.techniques.publish(sharing.technique_publish_prob, self.rng)
        self.defence.end_month(world.tally)

        self.totals["misuse_incidents"] += world.tally.misuse_incidents
        self.totals["benign_finetunes"] += world.tally.benign_finetunes
        self.datacollector.collect(self)
        self.running = self.steps < self.cfg.steps

    def run(self, steps: int | None = None) -> None:
        for _ in range(self.cfg.steps if steps is None else steps):
            self.step()

    def report_turns(self) -> None:
        """The turns are over: their logged runs, uploads and incidents go to the
        regulator's view, and the ties pools strengthened to the NetworkX graph."""
        world, lag = self.world, self.cfg.regulator.report_lag_months
        pairs = logs.replay(world.logs, self.oversight, self.incidents, self.month.t, lag)
        network.strengthened(world.ties, pairs)

    def solo_costs(self, nodes: np.ndarray, cid: int) -> np.ndarray:
        """Each of ``nodes``' solo cost of a benign fine-tune of ``cid`` as the month ends
        (the rules' own price: for the reporters)."""
        return _solo_costs(self.world.state(), self.reporting_month(), nodes, cid)

    def strip_costs(self, nodes: np.ndarray, cid: int) -> np.ndarray:
        """Each of ``nodes``' cost of stripping ``cid`` as the month ends (no uplift; with no
        such actors, the published techniques' alone)."""
        return _strip_costs(self.world.state(), self.reporting_month(), nodes, cid)

    def take_down(self, cid: int) -> None:
        """Remove ``cid`` from the main hub for good (moderation, enforcement); it may be
        re-uploaded to the fringe hub (room for its tickets first)."""
        self.world.reserve(1)
        _take_down(self.world.state(), self.month, cid, True)

    def reporting_month(self) -> Any:
        """The month's terms as it ends (for the reporters)."""
        if "reporting" not in self.month_cache:
            self.month_cache["reporting"] = months.reporting(self, self.month)
        return self.month_cache["reporting"]

    # --- results ------------------------------------------------------------------------
    def timeseries(self) -> pd.DataFrame:
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        return frame[list(outcomes.COLUMNS)]

    def summary(self) -> dict[str, Any]:
        registry = self.checkpoints
        main = self.world.main
        facts: dict[str, Any] = registry.lineage_summary()
        facts["stripped_hub_share"] = len(main.stripped) / len(main) if len(main) else None
        facts["steps"] = int(self.steps)
        facts["checkpoints"] = len(registry)
        facts["stripped_checkpoints"] = registry.stripped_count()
        facts["escalations"] = [
            {"step": s, "policy": p, "strength": v} for s, p, v in self.policies.escalations
        ]
        return outcomes.summarise(self.timeseries(), facts)

"""The kinds of actor: who they are (Mesa agents, views of the world's node rows), how a
population of them is made, and whose compiled turn an active node takes.

Adding a kind: its member in ``sim.core.kinds.ActorKind``, its population and section in
``sim.config``, its module here (the agent view and its compiled turn), and its place in
each of six spots in this file (``AGENTS``, ``TERMS``, ``TABLES``, :func:`generate_ties`,
:func:`populate`, :func:`act`). docs/architecture.md walks through it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from sim.core import network
from sim.core.actors import hobbyists, malicious
from sim.core.actors.base import Actor
from sim.core.actors.hobbyists import Hobbyist, hobbyist_turn
from sim.core.actors.labs import Lab, LabRows
from sim.core.actors.malicious import MaliciousActor, malicious_turn
from sim.core.actors.regulators import Regulator
from sim.core.kinds import ActorKind
from sim.core.ties import Adjacency

AGENTS: dict[ActorKind, type[Actor]] = {
    ActorKind.LAB: Lab,
    ActorKind.HOBBYIST: Hobbyist,
    ActorKind.MALICIOUS: MaliciousActor,
}
# what each kind's rules read every month: ``m.<name>`` (``sim.core.month``)
TERMS: dict[str, Any] = {"hobbyists": hobbyists.Terms, "malicious": malicious.Terms}
# each kind's own rows, by node, where it has state of its own: ``w.<name>``
TABLES: dict[str, Any] = {"labs": LabRows}


@njit(cache=True, inline="always")
def act(w, m, node):
    """``node``'s turn this month, by its kind (DONE, or INVENT: a technique to draw)."""
    kind = w.nodes.kind[node]
    if kind == ActorKind.HOBBYIST:
        return hobbyist_turn(w, m, node)
    if kind == ActorKind.MALICIOUS:
        return malicious_turn(w, m, node)
    raise ValueError("an actor of a kind without turns was given one")


def generate_ties(cfg: Any, rng: np.random.Generator) -> Adjacency:
    """The collaboration graph's ties: labs and hobbyists are its benign block, malicious
    actors the other (``network.homophily``)."""
    pop = cfg.population
    return network.generate_ties(cfg.network, pop.labs + pop.hobbyists, pop.malicious, rng)


def populate(model: Any) -> list[Actor]:
    """The world's node rows and their agents, labs first, then hobbyists, then malicious
    actors (the order of the collaboration graph's nodes), then the regulators. The draws
    come in one fixed order, so a seed gives the same population."""
    cfg, rng, world = model.cfg, model.rng, model.world
    labs_cfg, hob, mal, pop = cfg.labs, cfg.hobbyists, cfg.malicious, cfg.population
    n_labs, n_hob, n_mal = pop.labs, pop.hobbyists, pop.malicious

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
    outside = np.zeros(n_labs, dtype=bool)  # a fixed number (rounded share), at random
    outside[rng.permutation(n_labs)[: round(labs_cfg.outside_jurisdiction_share * n_labs)]] = True
    hob_budget = _lognormal(rng, hob.budget_median_usd, hob.budget_sigma, n_hob)
    severe = rng.random(n_mal) < mal.severe_share
    mal_budget = _lognormal(rng, mal.budget_median_usd, mal.budget_sigma, n_mal)
    mal_budget = np.where(severe, mal_budget * mal.severe_budget_factor, mal_budget)
    skill = rng.beta(2.0, 2.0, n_hob + n_mal)
    thresholds = np.where(severe, mal.severe_threshold_oom, mal.harm_threshold_oom)
    goals = thresholds + rng.exponential(mal.goal_spread_oom, n_mal)
    own = rng.random(n_hob + n_mal) < cfg.costs.own_hardware_share

    world.tables["labs"].extend(
        n_labs, openness=openness, gap=gaps, offers_api=api, inside=~outside, next_release=first
    )
    world.nodes.extend(n_labs, kind=ActorKind.LAB)
    world.nodes.extend(
        n_hob,
        kind=ActorKind.HOBBYIST,
        budget=hob_budget,
        skill=skill[:n_hob],
        activity_rate=hob.activity_rate,
        own_hardware=own[:n_hob],
    )
    world.nodes.extend(
        n_mal,
        kind=ActorKind.MALICIOUS,
        budget=mal_budget,
        skill=skill[n_hob:],
        activity_rate=mal.activity_rate,
        own_hardware=own[n_hob:],
        severe=severe,
        goal=goals,
    )
    kinds = world.nodes.column("kind").tolist()
    actors = [AGENTS[ActorKind(k)](model, node) for node, k in enumerate(kinds)]
    for _ in range(pop.regulators):
        Regulator(model, cfg.regulator.capacity)
    return actors


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    """Heavy-tailed budgets with the given median."""
    if median <= 0:
        return np.zeros(n)
    return rng.lognormal(np.log(median), sigma, n)

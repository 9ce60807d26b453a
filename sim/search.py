"""What an actor can reach when it looks for weights this month, and what that would cost.

Everyone sees the recent base releases on the main hub (labs announce them) and the main
hub's most capable checkpoint; each actor also draws a few main-hub derivatives in proportion
to popularity (``sharing.search_candidates``: search ranks by downloads), sees what contacts
shared privately, and with ``sharing.fringe_discovery_prob`` searches the fringe hub. Nobody
sees every checkpoint: choice among what one finds is what spreads the derivative forest.

What everyone sees is the month's :class:`Offer`, priced once: a candidate's cost for an
actor is its *unit cost* (the cost curve at no known technique, with the tamper-resistance
overhead) times the actor's technique multiplier, and its value is its *unit value* times
(0.5 + skill). So the most valuable affordable shared candidate is found by bisection over
the unit costs, the same answer as checking every candidate.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim import costs
from sim.checkpoints import Checkpoint, Kind
from sim.config import Config

if TYPE_CHECKING:
    from sim.actors import Actor
    from sim.model import EcosystemModel

RECENT_RELEASES = 2  # releases per lab that count as "recent" base releases
OFFER_KEYS = {False: "offer-safe", True: "offer-stripped"}


def pricing(cfg: Config) -> Callable[[float, float, Kind], tuple[float, float]]:
    """What a checkpoint's cost and value scale are, fixed when it is made: the benign
    fine-tune cost relative to the step-0 frontier's, with the tamper-resistance overhead;
    the value of building on it, which grows with capability (a quantised parent is worth
    less than its full-precision original)."""
    e, b = cfg.costs.capability_cost_elasticity, cfg.hobbyists.benefit_elasticity
    penalty = cfg.policies.tamper_resistance.benign_cost_penalty
    quantised = cfg.hobbyists.quantised_parent_factor

    def price(capability: float, tamper: float, kind: Kind) -> tuple[float, float]:
        value = 10.0 ** (b * capability) * (quantised if kind == "quantised" else 1.0)
        return 10.0 ** (e * capability) * (1.0 + penalty * tamper), value

    return price


def unit_value(model: EcosystemModel, ckpt: Checkpoint) -> float:
    """Benign value of building on ``ckpt`` per unit of (0.5 + skill)."""
    return ckpt.value_unit


def cost_factor(model: EcosystemModel) -> float:
    """USD of a benign fine-tune of the step-0 frontier this month, at no technique."""
    cache = model.month_cache
    if "cost_factor" not in cache:
        decline = costs.time_factor(model.cfg.costs, model.steps)
        cache["cost_factor"] = model.cfg.costs.finetune_cost_usd * decline
    return cache["cost_factor"]


def unit_cost(model: EcosystemModel, ckpt: Checkpoint) -> float:
    """USD of a benign fine-tune of ``ckpt`` this month for an actor who knows no technique
    (before compute KYC's compliance cost), including the tamper-resistance overhead."""
    return cost_factor(model) * ckpt.cost_scale


@dataclass
class Offer:
    """The candidates everyone sees this month, sorted by unit cost, with the index of the
    most valuable among the first i (``prefix_best[i]``) and overall (``best``)."""

    ckpts: list[Checkpoint]
    costs: list[float]
    values: list[float]
    prefix_best: list[int]
    ids: frozenset[int]
    _merge: tuple[int, int | None, dict[int, list[int]]] | None = field(default=None, repr=False)
    _id_array: np.ndarray | None = field(default=None, repr=False)
    _sorted_ids: np.ndarray | None = field(default=None, repr=False)

    def id_array(self) -> np.ndarray:
        """The candidates' ids as an array (made once a month)."""
        if self._id_array is None:
            self._id_array = np.array([c.id for c in self.ckpts], dtype=np.int64)
        return self._id_array

    def sorted_ids(self) -> np.ndarray:
        """The candidates' ids, sorted (made once a month)."""
        if self._sorted_ids is None:
            self._sorted_ids = np.unique(self.id_array())
        return self._sorted_ids

    @property
    def best(self) -> int | None:
        return self.prefix_best[-1] if self.ckpts else None

    def merge_index(self) -> tuple[int, int | None, dict[int, list[int]]]:
        """For merges, computed once a month: how many full-precision (not quantised)
        candidates there are, the first most valuable of them, and for each base release
        (root) its two most valuable ones (ties: the earlier)."""
        if self._merge is None:
            count, best, by_root = 0, None, {}
            for i, c in enumerate(self.ckpts):
                if c.kind == "quantised":
                    continue
                count += 1
                if best is None or self.values[i] > self.values[best]:
                    best = i
                top = by_root.setdefault(c.root, [])
                top.append(i)
                top.sort(key=lambda j: (-self.values[j], j))
                del top[2:]
            self._merge = (count, best, by_root)
        return self._merge

    def best_affordable(self, max_unit_cost: float) -> int | None:
        """Index of the most valuable candidate whose unit cost is at most ``max_unit_cost``."""
        i = bisect.bisect_right(self.costs, max_unit_cost)
        return self.prefix_best[i - 1] if i else None


def recent_bases(model: EcosystemModel) -> list[Checkpoint]:
    """Open base releases on the main hub from each lab's last releases (cached per month)."""
    cache = model.month_cache
    if "recent_bases" not in cache:
        window = RECENT_RELEASES * model.cfg.labs.release_interval
        cache["recent_bases"] = model.checkpoints.open_bases(since=model.steps - window)
    return cache["recent_bases"]


def offer(model: EcosystemModel, stripped: bool) -> Offer:
    """This month's shared candidates of one shelf (cached): the main hub's most capable
    entry, and (safe shelf) the recent base releases."""
    key = OFFER_KEYS[stripped]
    if key not in model.month_cache:
        found: dict[int, Checkpoint] = {}
        if not stripped:
            found.update((c.id, c) for c in recent_bases(model))
        best = model.checkpoints.main.best(stripped)
        if best is not None:
            found[best.id] = best
        cache_offer(model, stripped, list(found.values()))
    return model.month_cache[key]


def cache_offer(model: EcosystemModel, stripped: bool, found: list[Checkpoint]) -> Offer:
    """Make ``found`` this month's offer of one shelf (the compiled turns of hobbyists make
    the stripped shelf's offer when they first need it, as :func:`offer` would have)."""
    rows = sorted((unit_cost(model, c), c.id, c) for c in found)
    ckpts = [c for _, _, c in rows]
    values = [unit_value(model, c) for c in ckpts]
    prefix, top = [], 0
    for i, v in enumerate(values):
        if v > values[top]:
            top = i
        prefix.append(top)
    ids = frozenset(c.id for c in ckpts)
    made = Offer(ckpts, [c for c, _, _ in rows], values, prefix, ids)
    model.month_cache[OFFER_KEYS[stripped]] = made
    return made


def searches_fringe(model: EcosystemModel, actor: Actor) -> bool:
    """Does ``actor`` search the fringe hub this month? One draw per actor and month."""
    found = model.month_cache.setdefault("fringe", {})
    if actor.node not in found:
        found[actor.node] = model.uniform() < model.cfg.sharing.fringe_discovery_prob
    return found[actor.node]


def personal(model: EcosystemModel, actor: Actor, stripped: bool) -> list[Checkpoint]:
    """What this actor alone finds this month on one shelf: popular main-hub checkpoints,
    the fringe hub (if it searches there), its private shares."""
    registry = model.checkpoints
    return [registry[c] for c in personal_ids(model, actor, stripped)]


def personal_ids(model: EcosystemModel, actor: Actor, stripped: bool) -> list[int]:
    """The ids of :func:`personal` (the same draws, in the same order)."""
    registry, k = model.checkpoints, model.cfg.sharing.search_candidates
    found = registry.main.sample_ids(stripped, k, model.uniforms)
    if searches_fringe(model, actor):
        fringe_best = registry.fringe.shelf(stripped).best_id()
        if fringe_best is not None:
            found.append(fringe_best)
        found += registry.fringe.sample_ids(stripped, k, model.uniforms)
    private = int(model.private[int(stripped), actor.node])
    if private >= 0:
        found.append(private)
    return found


def candidate_ids(model: EcosystemModel, actor: Actor, stripped: bool) -> np.ndarray:
    """The ids of :func:`candidates`, sorted (for array questions about all of them)."""
    shared = offer(model, stripped).sorted_ids()
    own = np.unique(np.array(personal_ids(model, actor, stripped), dtype=np.int64))
    at = np.searchsorted(shared, own)
    known = at < len(shared)
    known[known] = shared[at[known]] == own[known]
    # the sorted union, without sorting the month's offer again for each actor
    return np.insert(shared, at[~known], own[~known])


def candidates(model: EcosystemModel, actor: Actor, stripped: bool) -> list[Checkpoint]:
    """Every checkpoint of one shelf ``actor`` can build on this month (shared and its own),
    each once."""
    found = {c.id: c for c in offer(model, stripped).ckpts}
    found.update((c.id, c) for c in personal(model, actor, stripped))
    return list(found.values())

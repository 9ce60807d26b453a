"""Malicious actors: get weights without safeguards, then misuse them.

Each actor has a *tier*. Common-tier actors (fraud, spam, harassment) need a stripped
checkpoint of at least ``goal`` capability: stripping alone yields a compliant checkpoint,
with no further fine-tune (the sources price the strip itself). Severe-tier actors need a
stripped checkpoint that a domain *uplift* fine-tune (compute, data and skill) lifts to
their goal. Routes, least effort first: a weapon a malicious contact shared; stripped weights
already reachable (main hub, fringe hub if found, contacts); stripping reachable safe weights
(alone or pooled with malicious contacts); abusing a lab's fine-tuning API. An actor with no
AI route this month tries the non-AI baseline route instead (``sim.misuse``). Once equipped,
each active month is an AI-enabled attempt. Defenders adapt: after each incident the actor's
goal needs ``defence_adaptation_oom`` more capability.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import costs, misuse, search
from sim.actors import Actor, more_capable
from sim.checkpoints import Checkpoint
from sim.misuse import Tier
from sim.oversight import Activity
from sim.pooling import form_pool

if TYPE_CHECKING:
    from sim.model import EcosystemModel


class MaliciousActor(Actor):
    def __init__(
        self, model: EcosystemModel, node: int, skill: float, goal: float, tier: Tier
    ) -> None:
        super().__init__(model, node, skill)
        self.goal = goal
        self.tier: Tier = tier
        self.equipped: Checkpoint | None = None
        self.equipped_until: int | None = None
        self.shared_weapon: Checkpoint | None = None

    @property
    def uplift(self) -> float:
        """Capability the actor's last step adds (the uplift fine-tune of the severe tier)."""
        return self.model.cfg.malicious.uplift_gain_oom if self.tier == "severe" else 0.0

    def fits(self, ckpt: Checkpoint | None) -> bool:
        """Is ``ckpt`` fit for this actor's goal? The severe tier needs the uplift in it."""
        return (
            ckpt is not None
            and ckpt.capability >= self.goal
            and (self.tier == "common" or ckpt.uplifted)
        )

    @property
    def is_equipped(self) -> bool:
        """Holds a checkpoint fit for its goal (API access not yet revoked)."""
        return self.fits(self.equipped) and (
            self.equipped_until is None or self.equipped_until > self.model.steps
        )

    @classmethod
    def month_arrays(cls, model: EcosystemModel) -> tuple[np.ndarray, ...]:
        """For the compiled turns (``hobbyist_turns._malicious_turn``), per node at the
        month's start: is it an equipped malicious actor, its AI-enabled attempt's success
        probability, is it of the severe tier, its goal; the model's live ``weapon_held``;
        the id of the checkpoint an equipped actor holds (-1: none). An actor's state changes
        only in its own turn, or when a pool it joins marks it spent for the month, so these
        hold for its turn."""
        n = len(model.actors)
        equipped = np.zeros(n, dtype=np.bool_)
        success = np.ones(n)
        severe = np.zeros(n, dtype=np.bool_)
        goal = np.zeros(n)
        held = np.full(n, -1, dtype=np.int64)
        nodes = model.malicious_nodes
        actors = [model.actors[v] for v in nodes.tolist()]
        severe[nodes] = [a.tier == "severe" for a in actors]
        goal[nodes] = [a.goal for a in actors]
        ready = [a for a in actors if a.is_equipped]
        if ready:
            at = np.array([a.node for a in ready], dtype=np.int64)
            skill = np.array([a.skill for a in ready])
            equipped[at] = True
            success[at] = np.minimum(1.0, misuse.ai_success_odds(model, skill))
            held[at] = [a.equipped.id for a in ready]  # type: ignore[union-attr]
        return equipped, success, severe, goal, model.weapon_held, held

    def step(self) -> None:
        """One active month: misuse what it holds, or get something, or use non-AI means."""
        self.model.spent_step[self.node] = self.model.steps  # (no pool can recruit it now)
        if self.is_equipped:
            assert self.equipped is not None
            misuse.attempt_ai(self.model, self, self.equipped)
            return
        self.equip(None)
        got = (
            self.try_shared_weapon()
            or self.try_stripped_download()
            or self.try_strip()
            or self.try_api_abuse()
        )
        if not got:
            misuse.attempt_baseline(self.model, self)

    # --- state ----------------------------------------------------------------------------
    def equip(self, ckpt: Checkpoint | None, until: int | None = None) -> None:
        self.equipped, self.equipped_until = ckpt, until

    def disarm(self) -> None:
        """Enforcement confiscates what the actor holds."""
        self.equip(None)
        self.shared_weapon = None
        self.model.weapon_held[self.node] = False
        self.private_stripped = None

    def receive_weapon(self, ckpt: Checkpoint) -> None:
        """A malicious contact shares a checkpoint ready for misuse."""
        self.shared_weapon = more_capable(self.shared_weapon, ckpt)
        self.model.weapon_held[self.node] = True

    # --- routes ---------------------------------------------------------------------------
    def try_shared_weapon(self) -> bool:
        if not self.fits(self.shared_weapon):
            return False
        self.equip(self.shared_weapon)
        return True

    def uplift_price(self, capability: float) -> float:
        """USD of the uplift fine-tune (0 for the common tier)."""
        if self.tier != "severe":
            return 0.0
        cfg = self.model.cfg
        return float(
            costs.uplift_cost(
                cfg.costs, cfg.malicious, capability, self.model.steps, self.finetune_oom()
            )
        )

    def strip_price(self, ckpt: Checkpoint) -> float:
        model = self.model
        tamper = 0.0 if self.bypasses_tamper() else ckpt.tamper
        return float(
            costs.strip_cost(
                model.cfg.costs,
                ckpt.capability,
                model.steps,
                self.finetune_oom(),
                self.strip_oom(),
                ckpt.safeguard,
                tamper,
            )
        )

    def strip_prices(self, ckpts: list[Checkpoint]) -> list[float]:
        """:meth:`strip_price` plus :meth:`uplift_price` of each checkpoint, in one array
        computation (a large world offers hundreds of recent releases)."""
        ids = np.array([c.id for c in ckpts], dtype=np.int64)
        capability = np.array([c.capability for c in ckpts])
        return self.strip_prices_of(ids, capability).tolist()

    def strip_prices_of(self, ids: np.ndarray, capability: np.ndarray) -> np.ndarray:
        """:meth:`strip_prices` of the checkpoints ``ids`` (of these capabilities)."""
        model, cfg = self.model, self.model.cfg
        columns = model.checkpoints.columns
        tamper = np.zeros(len(ids)) if self.bypasses_tamper() else columns.tamper.values[ids]
        oom = self.finetune_oom()
        price = costs.strip_cost(
            cfg.costs,
            capability,
            model.steps,
            oom,
            self.strip_oom(),
            columns.safeguard.values[ids],
            np.asarray(tamper, dtype=float),
        )
        if self.tier == "severe":
            price = price + costs.uplift_cost(
                cfg.costs, cfg.malicious, capability, model.steps, oom
            )
        return np.asarray(price, dtype=float)

    def can_uplift(self, members: list[Actor]) -> bool:
        need = self.model.cfg.malicious.uplift_min_skill
        return self.tier != "severe" or max(m.skill for m in members) >= need

    def fitting(self, stripped: bool) -> tuple[np.ndarray, np.ndarray]:
        """Ids and capabilities of the reachable checkpoints of one shelf that are capable
        enough for the goal (after any uplift), most capable first (ties: the earlier)."""
        ids = search.candidate_ids(self.model, self, stripped)
        capability = self.model.checkpoints.columns.capability.values[ids]
        fit = capability + self.uplift >= self.goal
        ids, capability = ids[fit], capability[fit]
        order = np.lexsort((ids, -capability))
        return ids[order], capability[order]

    def try_stripped_download(self) -> bool:
        """Weights already without safeguards, capable enough (after any uplift)."""
        ids, _ = self.fitting(stripped=True)
        if not len(ids):
            return False
        ckpt = self.model.checkpoints[int(ids[0])]
        if self.tier == "common":
            self.equip(ckpt)
            return True
        return self.pay_and_weaponise(ckpt, 0.0)

    def try_strip(self) -> bool:
        """Strip reachable safe weights: the most capable it can pay for alone, else pool
        for the cheapest that meets its goal."""
        ids, capability = self.fitting(stripped=False)
        if not len(ids):
            return False
        registry = self.model.checkpoints
        prices = self.strip_prices_of(ids, capability)
        if self.can_uplift([self]):
            affordable = np.flatnonzero(self.budget >= prices)
            if len(affordable):
                i = int(affordable[0])
                self.weaponise(registry[int(ids[i])], [self], float(prices[i]))
                return True
        i = int(np.lexsort((ids, prices))[0])
        return self.pool_and_weaponise(registry[int(ids[i])], float(prices[i]))

    def pay_and_weaponise(self, ckpt: Checkpoint, strip: float) -> bool:
        price = strip + self.uplift_price(ckpt.capability)
        if self.budget >= price and self.can_uplift([self]):
            self.weaponise(ckpt, [self], price)
            return True
        return self.pool_and_weaponise(ckpt, price)

    def pool_and_weaponise(self, ckpt: Checkpoint, price: float) -> bool:
        model = self.model
        members = form_pool(model, self, price, model.cfg.malicious.pool_join_prob)
        if members is None or not self.can_uplift(members):
            return False
        self.weaponise(ckpt, members, price)
        return True

    def weaponise(self, parent: Checkpoint, members: list[Actor], cost: float) -> None:
        """Strip (if the parent still has safeguards) and, for the severe tier, add the
        uplift; every malicious pool member is equipped."""
        model, t = self.model, self.model.steps
        for m in members:
            model.spent_step[m.node] = t
        severe = self.tier == "severe"
        ckpt = model.checkpoints.add(
            parent=parent,
            creator=self.node,
            capability=parent.capability + self.uplift,
            safeguard=0.0,
            tamper=0.0,
            access="open",
            step=t,
            kind="uplift" if severe else "stripped",
        )
        ckpt.uplifted = severe
        nodes = tuple(m.node for m in members)
        data = model.cfg.malicious.uplift_data_usd if severe else 0.0
        compute = max(cost - data, 0.0)  # the data part is not compute
        kind = "uplift" if severe else "strip"
        model.record_run(Activity(kind, nodes, True, ckpt, t), compute, self.own_hardware)
        for m in members:
            if isinstance(m, MaliciousActor) and (m is self or m.fits(ckpt)):
                m.equip(ckpt)
        if len(members) > 1:
            model.reinforce_pool(members)
        if model.uniform() < model.cfg.malicious.share_prob:
            for v in self.neighbours():
                contact = model.actors[v]
                if isinstance(contact, MaliciousActor):
                    contact.receive_weapon(ckpt)

    def try_api_abuse(self) -> bool:
        """Jailbreak a lab's fine-tuning API (Qi et al. 2023), an unscreened one if it will
        do; screened jobs are caught with ``api_finetune_screening.strength``."""
        model, t = self.model, self.model.steps
        cfg = model.cfg
        fit = [
            c
            for c in model.api_checkpoints()
            if c is not None and c.capability + self.uplift >= self.goal
        ]
        if not fit:
            return False
        api = min(fit, key=lambda c: (model.api_screened(c), -c.capability, c.id))
        price = cfg.costs.api_abuse_usd + (
            cfg.malicious.uplift_data_usd if self.tier == "severe" else 0.0
        )
        if self.budget < price or not self.can_uplift([self]):
            return False
        if model.uniform() >= cfg.malicious.api_abuse_prob:
            return False
        model.spent_step[self.node] = t
        if (
            model.api_screened(api)
            and model.uniform() < model.policies["api_finetune_screening"].strength
        ):
            model.tally.api_jobs_blocked += 1
            model.oversight.record(Activity("api_abuse", (self.node,), True, None, t, flagged=True))
            return True  # the month is spent, and the attempt failed
        ckpt = model.checkpoints.add(
            parent=api,
            creator=self.node,
            capability=api.capability + self.uplift,
            safeguard=0.0,
            tamper=0.0,
            access="api",
            step=t,
            kind="api_abuse",
        )
        ckpt.uplifted = self.tier == "severe"
        self.equip(ckpt, until=t + cfg.malicious.api_abuse_months)
        return True

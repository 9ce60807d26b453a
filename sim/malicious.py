"""Malicious actors: get a capable checkpoint fine-tuned for harm, then misuse it.

Each actor has a goal that needs a checkpoint of at least ``goal`` capability (the harm
threshold plus an actor-specific margin): harder goals wait for more capable checkpoints.
Removing refusals is not enough: the paper's hazard is *added* dangerous capability, so the
actor must also pay for a harmful fine-tune. Routes, least effort first: use a weaponised
checkpoint a malicious contact shared; fine-tune an already-stripped derivative (hub or a
contact: no stripping cost); strip safety-tuned open weights and fine-tune them (both costs),
alone or pooled with malicious contacts; else abuse a lab's fine-tuning API. Once equipped,
each active month is a misuse attempt; a success is an incident whose severity rises with the
checkpoint's capability. Defenders adapt: after each incident the actor's goal needs
``defence_adaptation_oom`` more capability, so misuse keeps chasing newer checkpoints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import costs
from sim.actors import Actor
from sim.checkpoints import Checkpoint
from sim.oversight import Activity
from sim.pooling import form_pool

if TYPE_CHECKING:
    from sim.model import EcosystemModel


class MaliciousActor(Actor):
    def __init__(self, model: EcosystemModel, node: int, skill: float, goal: float) -> None:
        super().__init__(model, node, skill)
        self.goal = goal
        self.equipped: Checkpoint | None = None
        self.equipped_until: int | None = None
        self.shared_weapon: Checkpoint | None = None

    @property
    def is_equipped(self) -> bool:
        """Holds a checkpoint fit for its goal (API access not yet revoked)."""
        ckpt = self.equipped
        return (
            ckpt is not None
            and ckpt.capability >= self.goal
            and (self.equipped_until is None or self.equipped_until > self.model.steps)
        )

    def step(self) -> None:
        """One active month: misuse what it holds, or try to get something to misuse."""
        if self.is_equipped:
            self.attempt_misuse()
            return
        self.equip(None)
        _ = self.try_shared_weapon() or self.try_harmful_finetune() or self.try_api_abuse()

    def attempt_misuse(self) -> None:
        model, ckpt = self.model, self.equipped
        assert ckpt is not None
        p = model.cfg.malicious.success_prob * (0.5 + self.skill)
        if model.rng.random() < min(1.0, p):
            model.incident(self, ckpt)
            self.goal += model.cfg.malicious.defence_adaptation_oom

    def equip(self, ckpt: Checkpoint | None, until: int | None = None) -> None:
        self.equipped, self.equipped_until = ckpt, until

    def disarm(self) -> None:
        """Enforcement confiscates what the actor holds."""
        self.equip(None)
        self.shared_weapon = None
        self.private_stripped = None

    def receive_weapon(self, ckpt: Checkpoint) -> None:
        """A malicious contact shares a checkpoint already fine-tuned for harm."""
        if self.shared_weapon is None or ckpt.capability > self.shared_weapon.capability:
            self.shared_weapon = ckpt

    def try_shared_weapon(self) -> bool:
        weapon = self.shared_weapon
        if weapon is None or weapon.capability < self.goal:
            return False
        self.equip(weapon)
        return True

    def candidate_parents(self) -> list[Checkpoint]:
        """Reachable open weights capable enough for the goal: the best stripped derivative
        (hub or contact), the best safety-tuned one, and every open base release."""
        found = [self.best_stripped(), self.best_safe(), *self.model.checkpoints.open_bases()]
        unique = {c.id: c for c in found if c is not None and c.capability >= self.goal}
        return sorted(unique.values(), key=lambda c: (-c.capability, c.id))

    def equip_cost(self, parent: Checkpoint) -> float:
        """Stripping (if the parent still has safeguards) plus the harmful fine-tune."""
        model, t, known = self.model, self.model.steps, self.known_techniques()
        cfg = model.cfg
        harmful = cfg.malicious.harmful_finetune_factor * float(
            costs.finetune_cost(cfg.costs, parent.capability, t, known)
        )
        if model.checkpoints.is_stripped(parent):
            return harmful
        strip = costs.strip_cost(
            cfg.costs, parent.capability, t, known, parent.safeguard, parent.tamper
        )
        return harmful + float(strip)

    def try_harmful_finetune(self) -> bool:
        """The most capable parent it can pay for alone, else pool for the cheapest."""
        parents = self.candidate_parents()
        if not parents:
            return False
        prices = [self.equip_cost(c) for c in parents]
        for parent, price in zip(parents, prices, strict=True):
            if self.budget >= price:
                self.weaponise(parent, [self], price)
                return True
        price, parent = min(zip(prices, parents, strict=True), key=lambda pc: (pc[0], pc[1].id))
        members = form_pool(self.model, self, price)
        if members is None:
            return False
        self.weaponise(parent, members, price)
        return True

    def weaponise(self, parent: Checkpoint, members: list[Actor], cost: float) -> None:
        """Strip (if needed) and fine-tune for harm; every pool member is equipped."""
        model, t = self.model, self.model.steps
        for m in members:
            model.spent_step[m.node] = t
        ckpt = model.checkpoints.add(
            parent=parent,
            creator=self.node,
            capability=parent.capability,
            safeguard=0.0,
            tamper=0.0,
            access="open",
            step=t,
        )
        pooled = len(members) > 1
        model.record_run(Activity("strip", tuple(m.node for m in members), True, ckpt, t), cost)
        for m in members:
            if isinstance(m, MaliciousActor):
                m.equip(ckpt)
        if pooled:
            model.reinforce_pool(members)
        if model.rng.random() < model.cfg.malicious.share_prob:
            for v in self.neighbours():
                contact = model.actors[v]
                if isinstance(contact, MaliciousActor):
                    contact.receive_weapon(ckpt)

    def try_api_abuse(self) -> bool:
        """Jailbreak a lab's fine-tuning API (Qi et al. 2023) unless screening blocks it."""
        model, t = self.model, self.model.steps
        api = model.best_api_checkpoint()
        cfg = model.cfg
        if api is None or api.capability < self.goal or self.budget < cfg.costs.api_abuse_usd:
            return False
        if model.rng.random() >= cfg.malicious.api_abuse_prob:
            return False
        model.spent_step[self.node] = t
        screening = model.policies["api_finetune_screening"]
        if screening.active(t) and model.rng.random() < screening.strength:
            model.tally.api_jobs_blocked += 1
            model.oversight.record(Activity("api_abuse", (self.node,), True, None, t, flagged=True))
            return False
        ckpt = model.checkpoints.add(
            parent=api,
            creator=self.node,
            capability=api.capability,
            safeguard=0.0,
            tamper=0.0,
            access="api",
            step=t,
        )
        self.equip(ckpt, until=t + cfg.malicious.api_abuse_months)
        return True

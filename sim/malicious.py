"""Malicious actors: get a capable checkpoint without working safeguards, then misuse it.

The cheapest route first: download an already-stripped derivative (hub or a contact), else pay
to strip open weights (alone or pooled with malicious contacts), else abuse a lab's fine-tuning
API. Once equipped, each active month is a misuse attempt; a success is an incident whose
severity rises with the checkpoint's capability.
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
    def __init__(self, model: EcosystemModel, node: int, budget: float, skill: float) -> None:
        super().__init__(model, node, budget, skill)
        self.equipped: Checkpoint | None = None
        self.equipped_until: int | None = None

    @property
    def is_equipped(self) -> bool:
        return self.equipped is not None and (
            self.equipped_until is None or self.equipped_until > self.model.steps
        )

    def step(self) -> None:
        """One active month: misuse what it holds, or try to get something to misuse."""
        if self.is_equipped:
            self.attempt_misuse()
            return
        self.equipped, self.equipped_until = None, None
        self.try_download() or self.try_strip() or self.try_api_abuse()

    def attempt_misuse(self) -> None:
        model, ckpt = self.model, self.equipped
        assert ckpt is not None
        p = model.cfg.malicious.success_prob * (0.5 + self.skill) * (1.0 - ckpt.safeguard)
        if model.rng.random() < min(1.0, p):
            model.incident(self, ckpt)

    def equip(self, ckpt: Checkpoint, until: int | None = None) -> None:
        self.equipped, self.equipped_until = ckpt, until

    def try_download(self) -> bool:
        ckpt = self.best_stripped()
        if ckpt is None or ckpt.capability < self.model.cfg.malicious.harm_threshold_oom:
            return False
        self.equip(ckpt)
        return True

    def strip_targets(self) -> list[Checkpoint]:
        """Reachable open weights capable enough, with safeguards still to strip."""
        model = self.model
        threshold = model.cfg.malicious.harm_threshold_oom
        found = {c.id: c for c in [self.best_open(), *model.checkpoints.open_bases()] if c}
        return sorted(
            (
                c
                for c in found.values()
                if c.capability >= threshold and not model.checkpoints.is_stripped(c)
            ),
            key=lambda c: (-c.capability, c.id),
        )

    def try_strip(self) -> bool:
        """Strip the most capable target it can pay for alone, else pool for the cheapest."""
        model, t = self.model, self.model.steps
        targets = self.strip_targets()
        if not targets:
            return False
        known = self.known_techniques()
        prices = [
            float(costs.strip_cost(model.cfg.costs, c.capability, t, known, c.safeguard, c.tamper))
            for c in targets
        ]
        for target, price in zip(targets, prices, strict=True):
            if self.budget >= price:
                self.strip(target, [self], price)
                return True
        price, target = min(zip(prices, targets, strict=True), key=lambda pt: (pt[0], pt[1].id))
        members = form_pool(model, self, price)
        if members is None:
            return False
        self.strip(target, members, price)
        return True

    def strip(self, parent: Checkpoint, members: list[Actor], cost: float) -> None:
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
        ckpt.stripped_by_malicious = True
        pooled = len(members) > 1
        model.tally.pooled_strips += int(pooled)
        model.record_run(Activity("strip", tuple(m.node for m in members), True, ckpt, t), cost)
        for m in members:
            m.receive(ckpt)
            if isinstance(m, MaliciousActor):
                m.equip(ckpt)
        if pooled:
            model.reinforce_pool(members)
        if model.rng.random() < model.cfg.malicious.share_prob:
            self.share_with_neighbours(ckpt, only=MaliciousActor)

    def try_api_abuse(self) -> bool:
        """Jailbreak a lab's fine-tuning API (Qi et al. 2023) unless screening blocks it."""
        model, t = self.model, self.model.steps
        api = model.best_api_checkpoint()
        cfg = model.cfg
        if api is None or api.capability < cfg.malicious.harm_threshold_oom:
            return False
        if self.budget < cfg.costs.api_abuse_usd:
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
        ckpt.stripped_by_malicious = True
        self.equip(ckpt, until=t + cfg.malicious.api_abuse_months)
        return True

"""Hobbyists: benign fine-tuners who build on each other's work and invent cheaper methods.

In an active month a hobbyist fine-tunes the best safety-tuned checkpoint it can reach: open
weights if it can pay alone or by pooling with neighbours, else a lab's fine-tuning API. The
derivative may be "uncensored" (safeguards stripped), is uploaded to the hub or shared with
neighbours, and now and then the run yields a new cost-cutting technique.
"""

from __future__ import annotations

from collections.abc import Callable

from sim import costs
from sim.actors import Actor
from sim.checkpoints import Checkpoint
from sim.moderation import screen_upload
from sim.oversight import Activity
from sim.pooling import form_pool


class Hobbyist(Actor):
    def value(self, capability: float) -> float:
        """Benign value of a fine-tune: grows with the checkpoint's capability and with skill."""
        elasticity = self.model.cfg.hobbyists.benefit_elasticity
        return 10.0 ** (elasticity * capability) * (0.5 + self.skill)

    def step(self) -> None:
        """One active month: the more valuable route first (open weights alone, then pooled;
        or a lab's fine-tuning API), the other if the first cannot be paid for."""
        options: list[tuple[float, int, Callable[[], bool]]] = []
        ckpt = self.best_safe()
        if ckpt is not None:
            options.append((self.value(ckpt.capability), 0, lambda: self.try_open_finetune(ckpt)))
        api = self.model.best_api_checkpoint()
        if api is not None:
            api_value = self.model.cfg.hobbyists.api_benefit_factor * self.value(api.capability)
            options.append((api_value, 1, lambda: self.try_api_finetune(api, api_value)))
        for _, _, attempt in sorted(options, key=lambda o: (-o[0], o[1])):
            if attempt():
                return

    def try_open_finetune(self, parent: Checkpoint) -> bool:
        model = self.model
        solo_cost = model.benign_finetune_cost(parent, self.known_techniques(), solo=True)
        if self.budget >= solo_cost:
            self.finetune(parent, [self], solo_cost)
            return True
        pooled_cost = model.benign_finetune_cost(parent, self.known_techniques(), solo=False)
        members = form_pool(model, self, pooled_cost)
        if members is None:
            return False
        self.finetune(parent, members, pooled_cost)
        return True

    def try_api_finetune(self, api: Checkpoint, api_value: float) -> bool:
        model, t = self.model, self.model.steps
        price = model.cfg.costs.api_finetune_usd * costs.hardware_index(model.cfg.costs, t)
        if self.budget < price:
            return False
        screening = model.policies["api_finetune_screening"]
        if screening.active(t):
            false_positive = screening.params.false_positive_rate * screening.strength
            if model.rng.random() < false_positive:
                model.tally.api_jobs_blocked += 1
                return False
        model.spent_step[self.node] = t
        model.tally.benign_finetunes += 1
        model.tally.benefit += api_value
        return True

    def finetune(self, parent: Checkpoint, members: list[Actor], cost: float) -> None:
        """A benign run on open weights: count its value, make the derivative, share it."""
        model, rng, t = self.model, self.model.rng, self.model.steps
        cfg = model.cfg.hobbyists
        pooled = len(members) > 1
        for m in members:
            model.spent_step[m.node] = t
        model.tally.benign_finetunes += 1
        model.tally.pooled_finetunes += int(pooled)
        model.tally.benefit += self.value(parent.capability)
        model.record_run(
            Activity(
                "pool" if pooled else "finetune", tuple(m.node for m in members), False, None, t
            ),
            cost,
        )
        if pooled:
            model.reinforce_pool(members)

        root_capability = model.checkpoints[parent.root].capability
        capability = min(
            parent.capability + cfg.finetune_gain_oom * 2 * self.skill,
            root_capability + cfg.max_derivative_gain_oom,
        )
        safeguard, tamper = parent.safeguard * (1 - cfg.safety_erosion), parent.tamper
        if rng.random() < cfg.uncensored_prob:
            budget = sum(m.budget for m in members) - cost
            strip = costs.strip_cost(
                model.cfg.costs,
                parent.capability,
                t,
                self.known_techniques(),
                parent.safeguard,
                parent.tamper,
            )
            if budget >= strip:
                safeguard, tamper = 0.0, 0.0
        self.share(parent, members, capability, safeguard, tamper)
        if rng.random() < cfg.invention_prob * 2 * self.skill:
            model.techniques.invent(self.node)

    def share(
        self,
        parent: Checkpoint,
        members: list[Actor],
        capability: float,
        safeguard: float,
        tamper: float,
    ) -> None:
        """Upload to the hub, or share with neighbours, or keep private (then no record)."""
        model, rng, t = self.model, self.model.rng, self.model.steps
        sharing = model.cfg.sharing
        upload = rng.random() < sharing.hub_upload_prob
        p2p = not upload and rng.random() < sharing.p2p_share_prob
        if not (upload or p2p or len(members) > 1):
            return
        ckpt = model.checkpoints.add(
            parent=parent,
            creator=self.node,
            capability=capability,
            safeguard=safeguard,
            tamper=tamper,
            access="open",
            step=t,
        )
        for m in members:
            m.receive(ckpt)
        if upload and screen_upload(model, ckpt):
            model.checkpoints.take_down(ckpt)
            model.tally.takedowns += 1
            upload, p2p = False, rng.random() < sharing.p2p_share_prob
        if upload:
            model.checkpoints.upload(ckpt)
            model.record_upload(ckpt, self.node, malicious=False)
        elif p2p:
            self.share_with_neighbours(ckpt)

"""Labs: release base checkpoints on a schedule, choosing open, staged or API-only access.

A lab's capability follows a frontier that grows ``frontier_growth_oom_per_year``; it sits a
fixed gap behind it, and its open releases trail its API ones by ``open_lag_months``. Access
is drawn from the lab's openness, lowered by liability, and overridden by structured access
and staged release when those policies are in force.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.actors import Actor
from sim.checkpoints import Access, Checkpoint

if TYPE_CHECKING:
    from sim.model import EcosystemModel


class Lab(Actor):
    def __init__(
        self,
        model: EcosystemModel,
        node: int,
        *,
        openness: float,
        gap: float,
        offers_finetune_api: bool,
        first_release: int,
    ) -> None:
        super().__init__(model, node, skill=1.0)
        self.openness = openness
        self.gap = gap
        self.offers_finetune_api = offers_finetune_api
        self.next_release = first_release
        self.attributed_incidents = 0
        self.releases: list[Checkpoint] = []

    def frontier(self, step: int) -> float:
        """This lab's API-release capability at ``step`` (OOM vs the step-0 open frontier)."""
        labs = self.model.cfg.labs
        return labs.frontier_growth_oom_per_year * (step + labs.open_lag_months) / 12 - self.gap

    def effective_openness(self, step: int) -> float:
        """Openness after liability: falls exponentially with incidents in this lab's lineage."""
        liability = self.model.policies["liability"]
        if not liability.active(step):
            return self.openness
        scale = liability.params.incident_scale
        return self.openness * math.exp(-liability.strength * self.attributed_incidents / scale)

    def choose_access(self, step: int, open_capability: float) -> Access:
        rng, policies = self.model.rng, self.model.policies
        access: Access = "open" if rng.random() < self.effective_openness(step) else "api"
        structured = policies["structured_access"]
        if (
            access == "open"
            and structured.active(step)
            and open_capability >= structured.params.capability_threshold_oom
            and rng.random() < structured.strength
        ):
            access = "api"
        staged = policies["staged_release"]
        if access == "open" and staged.active(step) and rng.random() < staged.strength:
            access = "staged"
        return access

    def release(self, step: int) -> Checkpoint:
        """Publish a new base checkpoint; open weights go straight to the hub."""
        labs = self.model.cfg.labs
        api_capability = self.frontier(step)
        open_capability = (
            api_capability - labs.frontier_growth_oom_per_year * labs.open_lag_months / 12
        )
        access = self.choose_access(step, open_capability)
        ckpt = self.model.checkpoints.add(
            parent=None,
            creator=self.node,
            capability=api_capability if access == "api" else open_capability,
            safeguard=labs.safeguard_level,
            tamper=self.model.policies.level("tamper_resistance", step),
            access=access,
            step=step,
        )
        if access == "staged":
            ckpt.open_step = step + self.model.policies["staged_release"].params.delay_months
        elif access == "open":
            ckpt.open_step = step
            self.model.checkpoints.upload(ckpt)
        self.releases.append(ckpt)
        self.model.on_release(ckpt, self)
        return ckpt

    def step(self) -> None:
        """Open staged weights whose delay is over; release on schedule."""
        t = self.model.steps
        for ckpt in self.releases:
            if ckpt.access == "staged" and ckpt.open_step is not None and ckpt.open_step <= t:
                ckpt.access = "open"
                self.model.checkpoints.upload(ckpt)
        if t >= self.next_release:
            self.release(t)
            self.next_release = t + self.model.cfg.labs.release_interval

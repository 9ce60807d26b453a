"""Labs: release families of base checkpoints on a schedule, open, staged or API-only.

A lab's capability follows a frontier that grows ``frontier_growth_oom_per_year``; it sits a
fixed gap behind it, and its open releases trail its API ones by ``open_lag_months``. A
release is a *family* of sizes (``labs.family_offsets_oom`` below its top), each member a
base checkpoint of its own. Access is drawn per release from the lab's openness (lowered by
liability); structured access then closes the members above its threshold, and staged
release delays the open ones. Labs outside the jurisdiction are bound by none of these
policies (nor by tamper-resistance mandates or API screening). Closed weights can leak: a
leaked copy appears on the fringe hub.
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
        inside: bool,
    ) -> None:
        super().__init__(model, node, skill=1.0)
        self.openness = openness
        self.gap = gap
        self.offers_finetune_api = offers_finetune_api
        self.inside = inside
        self.next_release = first_release
        self.attributed_incidents = 0
        self.releases: list[Checkpoint] = []
        self.leaked: set[int] = set()

    def frontier(self, step: int) -> float:
        """This lab's API-release capability at ``step`` (OOM vs the step-0 open frontier)."""
        labs = self.model.cfg.labs
        return labs.frontier_growth_oom_per_year * (step + labs.open_lag_months) / 12 - self.gap

    def binds(self, policy: str, step: int) -> bool:
        """A lab-side policy binds this lab only if it is in force and the lab is inside."""
        return self.inside and self.model.policies.active(policy, step)

    def effective_openness(self, step: int) -> float:
        """Openness after liability: falls exponentially with incidents in this lab's lineage."""
        if not self.binds("liability", step):
            return self.openness
        liability = self.model.policies["liability"]
        scale = liability.params.incident_scale
        return self.openness * math.exp(-liability.strength * self.attributed_incidents / scale)

    def member_access(
        self, release_open: bool, structured: bool, staged: bool, open_capability: float
    ) -> Access:
        """Access of one family member: a complying release closes the members at or above
        structured access's threshold, and stages the open ones."""
        if not release_open:
            return "api"
        threshold = self.model.policies["structured_access"].params.capability_threshold_oom
        if structured and open_capability >= threshold:
            return "api"
        return "staged" if staged else "open"

    def release(self, step: int) -> list[Checkpoint]:
        """Publish a family of base checkpoints; open weights go straight to the main hub."""
        model, labs = self.model, self.model.cfg.labs
        api_top = self.frontier(step)
        open_top = api_top - labs.frontier_growth_oom_per_year * labs.open_lag_months / 12
        release_open = model.uniform() < self.effective_openness(step)
        # whether this release complies with each policy: one draw per release
        policies = model.policies
        structured = self.binds("structured_access", step) and (
            model.uniform() < policies["structured_access"].strength
        )
        staged = self.binds("staged_release", step) and (
            model.uniform() < policies["staged_release"].strength
        )
        tamper = policies.level("tamper_resistance", step) if self.inside else 0.0
        family = len(model.checkpoints.base_ids)
        members = []
        for offset in sorted(labs.family_offsets_oom, reverse=True):
            access = self.member_access(release_open, structured, staged, open_top + offset)
            ckpt = model.checkpoints.add(
                parent=None,
                creator=self.node,
                capability=(api_top if access == "api" else open_top) + offset,
                safeguard=labs.safeguard_level,
                tamper=tamper,
                access=access,
                step=step,
                kind="base",
                family=family,
                inside=self.inside,
            )
            if access == "staged":
                ckpt.open_step = step + model.policies["staged_release"].params.delay_months
            elif access == "open":
                ckpt.open_step = step
                model.checkpoints.upload(ckpt)
            self.releases.append(ckpt)
            model.on_release(ckpt, self)
            members.append(ckpt)
        return members

    def leak(self, ckpt: Checkpoint, step: int) -> Checkpoint:
        """Closed weights escape: a copy (a base of its own) appears on the fringe hub."""
        self.leaked.add(ckpt.id)
        copy = self.model.checkpoints.add(
            parent=None,
            creator=self.node,
            capability=ckpt.capability,
            safeguard=ckpt.safeguard,
            tamper=ckpt.tamper,
            access="open",
            step=step,
            kind="leaked",
            family=ckpt.family,
            inside=ckpt.inside,
        )
        copy.open_step = step
        self.model.checkpoints.upload(copy, self.model.checkpoints.fringe)
        return copy

    def step(self) -> None:
        """Open staged weights whose delay is over; closed weights may leak; release on
        schedule."""
        model, t = self.model, self.model.steps
        leak = 1.0 - (1.0 - model.cfg.labs.leak_prob_per_year) ** (1 / 12)
        for ckpt in self.releases:
            if ckpt.access == "staged" and ckpt.open_step is not None and ckpt.open_step <= t:
                ckpt.access = "open"
                model.checkpoints.upload(ckpt)
            elif (
                ckpt.access != "open"
                and ckpt.id not in self.leaked
                and leak > 0
                and model.uniform() < leak
            ):
                self.leak(ckpt, t)
                model.tally.leaks += 1
        if t >= self.next_release:
            self.release(t)
            self.next_release = t + model.cfg.labs.release_interval

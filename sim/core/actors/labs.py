"""Labs: release families of base checkpoints on a schedule, open, staged or API-only.

A lab's capability follows a frontier that grows ``frontier_growth_oom_per_year``; it sits a
fixed gap behind it, and its open releases trail its API ones by ``open_lag_months``. A
release is a *family* of sizes (``labs.family_offsets_oom`` below its top), each member a
base checkpoint of its own. Access is drawn per release from the lab's openness (lowered by
liability); structured access then closes the members above its threshold, and staged
release delays the open ones. Labs outside the jurisdiction are bound by none of these
policies (nor by tamper-resistance mandates or API screening). Closed weights can leak: a
leaked copy appears on the fringe hub. Labs act at the start of each month, in Python.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sim.core.actors.base import Actor
from sim.core.checkpoints import Checkpoint
from sim.core.hubs import FRINGE, MAIN
from sim.core.kinds import Access, ActorKind
from sim.core.policies import liability, staged_release, structured_access, tamper_resistance
from sim.core.table import Column

_OPEN, _STAGED = int(Access.OPEN), int(Access.STAGED)


class ApiTerms(NamedTuple):
    """The closed checkpoints labs offer fine-tuning of (``m.api``): the most capable
    inside and outside the jurisdiction (-1: none), and the more capable of the two."""

    outside: int
    inside: int
    best: int
    best_value: float  # its unit value
    best_inside: bool

    @classmethod
    def of(cls, world: Any) -> ApiTerms:
        outside, inside = (int(c) for c in world.api_best)
        registry = world.checkpoints
        found = [c for c in (outside, inside) if c >= 0]
        if not found:
            return cls(outside, inside, -1, 0.0, False)
        capability = registry.column("capability")
        best = max(found, key=lambda c: (capability[c], -c))
        return cls(
            outside,
            inside,
            best,
            float(registry.column("value_unit")[best]),
            bool(registry.column("inside")[best]),
        )


class LabRows(NamedTuple):
    """Labs' own state by node (labs are the first nodes): ``w.labs`` in compiled rules."""

    openness: np.ndarray = Column(np.float64)  # chance a release has open weights
    gap: np.ndarray = Column(np.float64)  # OOM behind the frontier
    offers_api: np.ndarray = Column(np.bool_)  # offers fine-tuning of its closed weights
    inside: np.ndarray = Column(np.bool_)  # inside the jurisdiction of the policies
    next_release: np.ndarray = Column(np.int64)
    attributed_incidents: np.ndarray = Column(np.int64)  # liability


def lab_column(name: str, convert: Any, doc: str) -> property:
    def get(self: Lab) -> Any:
        return convert(self.model.world.tables["labs"].data[name][self.node])

    def put(self: Lab, value: Any) -> None:
        self.model.world.tables["labs"].data[name][self.node] = value

    return property(get, put, doc=doc)


class Lab(Actor):
    """A lab: node ``node`` and row ``node`` of the world's lab rows."""

    kind = ActorKind.LAB

    openness = lab_column("openness", float, "probability a release has open weights")
    gap = lab_column("gap", float, "OOM behind the frontier")
    offers_finetune_api = lab_column("offers_api", bool, "offers fine-tuning of closed weights")
    inside = lab_column("inside", bool, "inside the jurisdiction of the policies")
    next_release = lab_column("next_release", int, "month of its next release")
    attributed_incidents = lab_column("attributed_incidents", int, "incidents it is liable for")

    @property
    def releases(self) -> list[Checkpoint]:
        """Its base releases, oldest first."""
        return [self.model.checkpoints[i] for i in self.model.checkpoints.releases_of(self.node)]

    def frontier(self, step: int) -> float:
        """This lab's API-release capability at ``step`` (OOM vs the step-0 open frontier)."""
        labs = self.model.cfg.labs
        return labs.frontier_growth_oom_per_year * (step + labs.open_lag_months) / 12 - self.gap

    def effective_openness(self, step: int) -> float:
        """Openness after liability: falls exponentially with incidents in this lab's lineage."""
        return liability.openness(
            self.model.policies, step, self.openness, self.inside, self.attributed_incidents
        )

    def release(self, step: int) -> list[Checkpoint]:
        """Publish a family of base checkpoints; open weights go straight to the main hub."""
        model, labs, book = self.model, self.model.cfg.labs, self.model.policies
        draw = model.world.draws.next
        api_top = self.frontier(step)
        open_top = api_top - labs.frontier_growth_oom_per_year * labs.open_lag_months / 12
        release_open = draw() < self.effective_openness(step)
        # whether this release complies with each policy: one draw per release, if it binds
        structured = structured_access.complies(book, step, self.inside, draw)
        staged = staged_release.complies(book, step, self.inside, draw)
        tamper = tamper_resistance.level(book, step, self.inside)
        family = len(model.checkpoints.base_ids)
        members = []
        for offset in sorted(labs.family_offsets_oom, reverse=True):
            if not release_open or (
                structured and structured_access.closes(book, open_top + offset)
            ):
                access = Access.API
            else:
                access = Access.STAGED if staged else Access.OPEN
            ckpt = model.world.add_checkpoint(
                parent=None,
                creator=self.node,
                capability=(api_top if access == Access.API else open_top) + offset,
                safeguard=labs.safeguard_level,
                tamper=tamper,
                access=access.label,
                step=step,
                kind="base",
                family=family,
                inside=self.inside,
            )
            if access == Access.STAGED:
                ckpt.open_step = step + staged_release.delay(book)
            elif access == Access.OPEN:
                ckpt.open_step = step
                model.world.upload(ckpt.id, MAIN)
            if self.offers_finetune_api and access != Access.OPEN:
                model.world.offer_api(ckpt.id, self.inside)
            members.append(ckpt)
        return members

    def leak(self, ckpt: Checkpoint, step: int) -> Checkpoint:
        """Closed weights escape: a copy (a base of its own) appears on the fringe hub."""
        world = self.model.world
        world.checkpoints.table.data["leaked"][ckpt.id] = True
        copy = world.add_checkpoint(
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
        world.upload(copy.id, FRINGE)
        return copy

    def step(self) -> None:
        """Open staged weights whose delay is over; closed weights may leak; release on
        schedule."""
        model, t = self.model, self.model.steps
        world = model.world
        leak = 1.0 - (1.0 - model.cfg.labs.leak_prob_per_year) ** (1 / 12)
        data = world.checkpoints.table.data
        # (plain loops: a lab has few releases); one draw for each closed release
        for cid in model.checkpoints.releases_of(self.node):
            access = data["access"][cid]
            if access == _STAGED and 0 <= data["open_step"][cid] <= t:
                data["access"][cid] = _OPEN
                world.upload(cid, MAIN)
            elif (
                access != _OPEN
                and not data["leaked"][cid]
                and leak > 0
                and world.draws.next() < leak
            ):
                self.leak(model.checkpoints[cid], t)
                world.tally.add("leaks")
                data = world.checkpoints.table.data  # (the leaked copy may grow it)
        if t >= self.next_release:
            self.release(t)
            self.next_release = t + model.cfg.labs.release_interval

"""Checkpoints (AI model weights) and their lineage: the derivative forest and the public hub.

"Checkpoint", never "model": in this code base a model is Mesa's simulation object. The
registry keeps every checkpoint that exists outside one actor's private run (base releases,
uploaded or shared derivatives, stripped copies), its lineage as a ``networkx.DiGraph`` (edges
parent -> child), and the hub's index of what is publicly downloadable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import networkx as nx

Access = Literal["open", "staged", "api"]


@dataclass(slots=True, eq=False)
class Checkpoint:
    """One set of weights. ``safeguard`` 1 = fully safety-trained, 0 = stripped."""

    id: int
    parent: int | None
    creator: int
    capability: float
    safeguard: float
    tamper: float
    access: Access
    release_step: int
    root: int
    open_step: int | None = None
    on_hub: bool = False
    taken_down: bool = False

    @property
    def is_base(self) -> bool:
        return self.parent is None


class HubShelf:
    """One shelf of the hub (safety-tuned or stripped weights) and its most capable entry.

    An insertion-ordered dict serves as an ordered set, so iteration order is reproducible.
    """

    def __init__(self) -> None:
        self.ids: dict[int, None] = {}
        self.best: Checkpoint | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __contains__(self, checkpoint_id: object) -> bool:
        return checkpoint_id in self.ids

    def add(self, ckpt: Checkpoint) -> None:
        self.ids[ckpt.id] = None
        if self.best is None or ckpt.capability > self.best.capability:
            self.best = ckpt

    def remove(self, ckpt: Checkpoint, items: list[Checkpoint]) -> None:
        if self.ids.pop(ckpt.id, False) is None and self.best is ckpt:
            self.best = max((items[i] for i in self.ids), key=_rank, default=None)


class CheckpointRegistry:
    """All checkpoints, their lineage, and the hub's downloadable weights."""

    def __init__(self, safeguard_max: float) -> None:
        self.items: list[Checkpoint] = []
        self.lineage = nx.DiGraph()
        self.safeguard_max = safeguard_max
        self.safe_hub = HubShelf()
        self.stripped_hub = HubShelf()
        self.base_ids: list[int] = []

    def is_stripped(self, ckpt: Checkpoint) -> bool:
        """Safeguards low enough to misuse without further work."""
        return ckpt.safeguard <= self.safeguard_max

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, checkpoint_id: int) -> Checkpoint:
        return self.items[checkpoint_id]

    def add(
        self,
        *,
        parent: Checkpoint | None,
        creator: int,
        capability: float,
        safeguard: float,
        tamper: float,
        access: Access,
        step: int,
    ) -> Checkpoint:
        """Record a new checkpoint and its edge in the lineage forest."""
        cid = len(self.items)
        ckpt = Checkpoint(
            id=cid,
            parent=None if parent is None else parent.id,
            creator=creator,
            capability=capability,
            safeguard=safeguard,
            tamper=tamper,
            access=access,
            release_step=step,
            root=cid if parent is None else parent.root,
        )
        self.items.append(ckpt)
        self.lineage.add_node(cid)
        if parent is None:
            self.base_ids.append(cid)
        else:
            self.lineage.add_edge(parent.id, cid)
        return ckpt

    def upload(self, ckpt: Checkpoint) -> None:
        """Put open weights on the public hub, where everyone can download them."""
        if ckpt.taken_down or ckpt.access != "open":
            return
        ckpt.on_hub = True
        self._shelf(ckpt).add(ckpt)

    def take_down(self, ckpt: Checkpoint) -> None:
        """Remove a checkpoint from the hub for good (copies already shared stay out there)."""
        ckpt.taken_down = True
        if ckpt.on_hub:
            ckpt.on_hub = False
            self._shelf(ckpt).remove(ckpt, self.items)

    def _shelf(self, ckpt: Checkpoint) -> HubShelf:
        return self.stripped_hub if self.is_stripped(ckpt) else self.safe_hub

    def hub_size(self) -> int:
        return len(self.safe_hub) + len(self.stripped_hub)

    def best_safe_on_hub(self) -> Checkpoint | None:
        """The most capable downloadable checkpoint with its safeguards (ties: the earliest)."""
        return self.safe_hub.best

    def best_stripped_on_hub(self) -> Checkpoint | None:
        """The most capable downloadable checkpoint whose safeguards are already stripped."""
        return self.stripped_hub.best

    def open_bases(self) -> list[Checkpoint]:
        """Base releases currently downloadable (few: one per lab release)."""
        return [c for c in (self.items[i] for i in self.base_ids) if c.on_hub]

    def derivatives_of(self, checkpoint_id: int) -> set[int]:
        """Every checkpoint descended from ``checkpoint_id``."""
        return nx.descendants(self.lineage, checkpoint_id)


def _rank(ckpt: Checkpoint) -> tuple[float, int]:
    return (ckpt.capability, -ckpt.id)

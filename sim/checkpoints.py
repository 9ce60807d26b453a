"""Checkpoints (AI model weights) and their lineage: the derivative forest and the public hub.

"Checkpoint", never "model": in this code base a model is Mesa's simulation object. The
registry keeps every checkpoint that exists outside one actor's private run (base releases,
uploaded or shared derivatives, stripped copies), its lineage as a ``networkx.DiGraph`` (edges
parent -> child), and the hub's index of what is publicly downloadable.
"""

from __future__ import annotations

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
    stripped_by_malicious: bool = False

    @property
    def is_base(self) -> bool:
        return self.parent is None

    def misusable(self, harm_threshold: float, safeguard_max: float) -> bool:
        """Capable enough to give uplift and with safeguards low enough to use for harm."""
        return self.capability >= harm_threshold and self.safeguard <= safeguard_max


class CheckpointRegistry:
    """All checkpoints, their lineage, and the hub's downloadable set."""

    def __init__(self, safeguard_max: float) -> None:
        self.items: list[Checkpoint] = []
        self.lineage = nx.DiGraph()
        self.safeguard_max = safeguard_max
        # Insertion-ordered dicts used as ordered sets: iteration order is reproducible.
        self.hub: dict[int, None] = {}
        self.stripped_hub: dict[int, None] = {}
        self._best_open: Checkpoint | None = None
        self._best_stripped: Checkpoint | None = None
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
        self.hub[ckpt.id] = None
        self._best_open = _better(self._best_open, ckpt)
        if self.is_stripped(ckpt):
            self.stripped_hub[ckpt.id] = None
            self._best_stripped = _better(self._best_stripped, ckpt)

    def take_down(self, ckpt: Checkpoint) -> None:
        """Remove a checkpoint from the hub for good (copies already shared stay out there)."""
        ckpt.taken_down = True
        if not ckpt.on_hub:
            return
        ckpt.on_hub = False
        self.hub.pop(ckpt.id, None)
        self.stripped_hub.pop(ckpt.id, None)
        if self._best_open is ckpt:
            self._best_open = self._best_of(self.hub)
        if self._best_stripped is ckpt:
            self._best_stripped = self._best_of(self.stripped_hub)

    def _best_of(self, ids: dict[int, None]) -> Checkpoint | None:
        return max((self.items[i] for i in ids), key=_rank, default=None)

    def best_on_hub(self) -> Checkpoint | None:
        """The most capable downloadable checkpoint (ties: the earliest)."""
        return self._best_open

    def best_stripped_on_hub(self) -> Checkpoint | None:
        """The most capable downloadable checkpoint whose safeguards are already stripped."""
        return self._best_stripped

    def open_bases(self) -> list[Checkpoint]:
        """Base releases currently downloadable (few: one per lab release)."""
        return [c for c in (self.items[i] for i in self.base_ids) if c.on_hub]

    def hub_checkpoints(self) -> list[Checkpoint]:
        return [self.items[i] for i in self.hub]

    def derivatives_of(self, checkpoint_id: int) -> set[int]:
        """Every checkpoint descended from ``checkpoint_id``."""
        return nx.descendants(self.lineage, checkpoint_id)


def _rank(ckpt: Checkpoint) -> tuple[float, int]:
    return (ckpt.capability, -ckpt.id)


def _better(current: Checkpoint | None, new: Checkpoint) -> Checkpoint:
    """The more capable of two checkpoints; on a tie the one already held (the earlier)."""
    if current is None or new.capability > current.capability:
        return new
    return current

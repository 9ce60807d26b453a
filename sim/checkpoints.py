"""Checkpoints (AI model weights), their lineage, and the hubs where they can be downloaded.

"Checkpoint", never "model": in this code base a model is Mesa's simulation object. The
registry keeps every checkpoint that exists outside one actor's private run (base releases,
shared or uploaded derivatives, stripped copies, abused API jobs). Each records its parents,
so the derivative forest is a table; :meth:`CheckpointRegistry.lineage_graph` builds the
``networkx.DiGraph`` view on demand. There are two hubs: the *main* hub, which moderates when
``hub_moderation`` is in force, and a *fringe* hub that never does and fewer users find.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import networkx as nx

from sim.draws import Uniforms

Access = Literal["open", "staged", "api"]
Kind = Literal[
    "base", "leaked", "finetune", "quantised", "merge", "stripped", "uplift", "api_abuse"
]
DERIVATIVE_KINDS: tuple[Kind, ...] = ("finetune", "quantised", "merge")


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
    kind: Kind = "base"
    parent2: int | None = None  # a merge's second parent
    family: int = -1  # the base release (family of sizes) the lineage comes from
    inside: bool = True  # made by (or descended from) a lab inside the jurisdiction
    depth: int = 0  # derivative generations below the base release
    open_step: int | None = None
    on_hub: bool = False  # downloadable from the main hub now
    on_fringe: bool = False  # downloadable from the fringe hub now
    taken_down: bool = False  # removed from the main hub for good
    uplifted: bool = False  # carries a domain uplift fine-tune (fit for severe misuse)
    public: bool = False  # has ever been downloadable (open base or uploaded)
    public_depth: int = 0  # generations below the nearest public ancestor without parents
    children: int = 0  # public derivatives built on it
    cost_scale: float = 1.0  # benign fine-tune cost relative to the step-0 frontier's
    value_unit: float = 1.0  # benign value of building on it, per unit of (0.5 + skill)

    @property
    def is_base(self) -> bool:
        return self.parent is None

    @property
    def parents(self) -> tuple[int, ...]:
        return tuple(p for p in (self.parent, self.parent2) if p is not None)


class HubShelf:
    """One shelf of a hub (safety-tuned or stripped weights), sorted by capability.

    Sorted (capability, -id) keys give the most capable entry (ties: the earliest), the least
    capable, and "the most capable at or below c" by bisection. ``tickets`` holds each
    entry's id once plus once per public derivative built on it, so a uniform draw from it
    is a draw in proportion to popularity (taken-down entries are skipped).
    """

    def __init__(self) -> None:
        self.keys: list[tuple[float, int]] = []
        self.tickets: list[int] = []

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[int]:
        return (-k[1] for k in self.keys)

    def add(self, ckpt: Checkpoint) -> None:
        bisect.insort(self.keys, (ckpt.capability, -ckpt.id))
        self.tickets.append(ckpt.id)

    def remove(self, ckpt: Checkpoint) -> None:
        key = (ckpt.capability, -ckpt.id)
        i = bisect.bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            del self.keys[i]

    def best_id(self) -> int | None:
        return -self.keys[-1][1] if self.keys else None

    def least_id(self) -> int | None:
        return -self.keys[0][1] if self.keys else None

    def best_below_id(self, capability: float) -> int | None:
        """The most capable entry with capability <= ``capability``."""
        i = bisect.bisect_right(self.keys, (capability, 1))
        return -self.keys[i - 1][1] if i else None


class Hub:
    """A public hub: a safe shelf and a stripped shelf."""

    def __init__(self, name: str, registry: CheckpointRegistry) -> None:
        self.name = name
        self.registry = registry
        self.safe = HubShelf()
        self.stripped = HubShelf()

    def __len__(self) -> int:
        return len(self.safe) + len(self.stripped)

    def shelf(self, stripped: bool) -> HubShelf:
        return self.stripped if stripped else self.safe

    def best(self, stripped: bool) -> Checkpoint | None:
        cid = self.shelf(stripped).best_id()
        return None if cid is None else self.registry.items[cid]

    def least(self, stripped: bool) -> Checkpoint | None:
        cid = self.shelf(stripped).least_id()
        return None if cid is None else self.registry.items[cid]

    def best_below(self, stripped: bool, capability: float) -> Checkpoint | None:
        cid = self.shelf(stripped).best_below_id(capability)
        return None if cid is None else self.registry.items[cid]

    def holds(self, ckpt: Checkpoint) -> bool:
        return ckpt.on_hub if self.name == "main" else ckpt.on_fringe

    def sample(self, stripped: bool, k: int, uniform: Uniforms) -> list[Checkpoint]:
        """Up to ``k`` distinct entries of a shelf, drawn in proportion to popularity."""
        shelf, items = self.shelf(stripped), self.registry.items
        if k <= 0 or not shelf:
            return []
        tickets, main = shelf.tickets, self.name == "main"
        n = len(tickets)
        drawn = dict.fromkeys([tickets[int(u * n)] for u in uniform.many(k)])
        out = [c for c in map(items.__getitem__, drawn) if (c.on_hub if main else c.on_fringe)]
        if len(out) < k:  # k more draws if duplicates or removed entries left a gap
            for cid in dict.fromkeys([tickets[int(u * n)] for u in uniform.many(k)]):
                ckpt = items[cid]
                if cid not in drawn and (ckpt.on_hub if main else ckpt.on_fringe):
                    drawn[cid] = None
                    out.append(ckpt)
        return out if len(out) <= k else out[:k]


class CheckpointRegistry:
    """All checkpoints, their lineage, and the two hubs."""

    def __init__(
        self, safeguard_max: float, pricing: Callable[[float, float, Kind], tuple[float, float]]
    ) -> None:
        self.items: list[Checkpoint] = []
        self.safeguard_max = safeguard_max
        self.pricing = pricing  # (capability, tamper, kind) -> (cost_scale, value_unit)
        self.main = Hub("main", self)
        self.fringe = Hub("fringe", self)
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
        kind: Kind,
        parent2: Checkpoint | None = None,
        family: int = -1,
        inside: bool = True,
    ) -> Checkpoint:
        """Record a new checkpoint; a derivative inherits its lineage's root and family."""
        cid = len(self.items)
        if parent is None:
            depth = 0
        elif parent2 is None:
            depth = parent.depth + 1
        else:
            depth = max(parent.depth, parent2.depth) + 1
        ckpt = Checkpoint(
            id=cid,
            parent=None if parent is None else parent.id,
            parent2=None if parent2 is None else parent2.id,
            creator=creator,
            capability=capability,
            safeguard=safeguard,
            tamper=tamper,
            access=access,
            release_step=step,
            root=cid if parent is None else parent.root,
            kind=kind,
            family=family if parent is None else parent.family,
            inside=inside if parent is None else parent.inside,
            depth=depth,
        )
        ckpt.cost_scale, ckpt.value_unit = self.pricing(capability, tamper, kind)
        self.items.append(ckpt)
        if parent is None:
            self.base_ids.append(cid)
        return ckpt

    # --- the hubs -------------------------------------------------------------------------
    def upload(self, ckpt: Checkpoint, hub: Hub | None = None) -> bool:
        """Put open weights on a hub (the main hub unless told); False if not possible
        (not open weights, already there, or the main hub took them down before)."""
        hub = self.main if hub is None else hub
        if ckpt.access != "open" or hub.holds(ckpt):
            return False
        if hub is self.main:
            if ckpt.taken_down:
                return False
            ckpt.on_hub = True
        else:
            ckpt.on_fringe = True
        self._make_public(ckpt, hub)
        hub.shelf(self.is_stripped(ckpt)).add(ckpt)
        return True

    def _make_public(self, ckpt: Checkpoint, hub: Hub) -> None:
        """First time downloadable: it becomes a node of the public forest, and each public
        parent gains a derivative (and a popularity ticket on the hubs that hold it). A
        parent that was never public is an undocumented edge: the forest starts anew."""
        if ckpt.public:
            return
        ckpt.public = True
        for pid in (ckpt.parent, ckpt.parent2):
            if pid is None:
                continue
            parent = self.items[pid]
            if not parent.public:
                continue
            ckpt.public_depth = max(ckpt.public_depth, parent.public_depth + 1)
            parent.children += 1
            for h in (self.main, self.fringe):
                if h.holds(parent):
                    h.shelf(self.is_stripped(parent)).tickets.append(parent.id)

    def take_down(self, ckpt: Checkpoint) -> None:
        """Remove a checkpoint from the main hub for good (copies already shared stay out
        there, and the fringe hub keeps its copy)."""
        ckpt.taken_down = True
        if ckpt.on_hub:
            ckpt.on_hub = False
            self.main.shelf(self.is_stripped(ckpt)).remove(ckpt)

    def hub_size(self) -> int:
        return len(self.main)

    def best_safe_on_hub(self) -> Checkpoint | None:
        """The most capable safety-tuned checkpoint on the main hub (ties: the earliest)."""
        return self.main.best(stripped=False)

    def best_stripped_on_hub(self) -> Checkpoint | None:
        return self.main.best(stripped=True)

    def open_bases(self) -> list[Checkpoint]:
        """Base releases downloadable from the main hub (a few per lab release)."""
        return [c for c in (self.items[i] for i in self.base_ids) if c.on_hub]

    # --- the derivative forest ------------------------------------------------------------
    def public_checkpoints(self) -> list[Checkpoint]:
        return [c for c in self.items if c.public]

    def lineage_graph(self, public_only: bool = True) -> nx.DiGraph:
        """The derivative forest as a DiGraph (edges parent -> child), built on demand."""
        graph = nx.DiGraph()
        nodes = [c for c in self.items if c.public or not public_only]
        graph.add_nodes_from((c.id, {"kind": c.kind}) for c in nodes)
        keep = {c.id for c in nodes}
        graph.add_edges_from((p, c.id) for c in nodes for p in c.parents if p in keep)
        return graph

    def lineage_summary(self) -> dict[str, float | int | None]:
        """Shape of the public forest: share of leaves, deepest lineage, share of
        quantisations that are leaves, and the stripped share of the main hub."""
        public = self.public_checkpoints()
        quantised = [c for c in public if c.kind == "quantised"]
        size = self.hub_size()
        return {
            "lineage_leaf_share": _share(sum(c.children == 0 for c in public), len(public)),
            "lineage_max_depth": max((c.public_depth for c in public), default=0),
            "quantised_leaf_share": _share(sum(c.children == 0 for c in quantised), len(quantised)),
            "stripped_hub_share": _share(len(self.main.stripped), size),
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None

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
from typing import Literal

import networkx as nx
import numpy as np

from sim.arrays import Growable
from sim.draws import Uniforms

Access = Literal["open", "staged", "api"]
Kind = Literal[
    "base", "leaked", "finetune", "quantised", "merge", "stripped", "uplift", "api_abuse"
]
DERIVATIVE_KINDS: tuple[Kind, ...] = ("finetune", "quantised", "merge")


KIND_CODES: dict[str, int] = {k: i for i, k in enumerate(Kind.__args__)}  # type: ignore[attr-defined]
ACCESS_CODES: dict[str, int] = {"open": 0, "staged": 1, "api": 2}


class _Column:
    """A checkpoint attribute stored in the registry's columns (what compiled code reads and
    writes), read and written through the object like any other attribute."""

    def __init__(self, cast: type) -> None:
        self.cast = cast

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Checkpoint, owner: type | None = None) -> bool | int:
        return self.cast(getattr(obj._columns, self.name)._data[obj.id])

    def __set__(self, obj: Checkpoint, value: bool | int) -> None:
        getattr(obj._columns, self.name)._data[obj.id] = value


class Checkpoint:
    """One set of weights. ``safeguard`` 1 = fully safety-trained, 0 = stripped.

    What never changes is held by the object; what changes as weights are shared (on which
    hub, public or not, how many public derivatives) lives in the registry's columns, so the
    compiled turns of hobbyists (``sim.hobbyist_turns``) and Python code see the same state.
    """

    __slots__ = (
        "_columns",
        "access",
        "capability",
        "cost_scale",
        "creator",
        "depth",
        "family",
        "id",
        "inside",
        "kind",
        "open_step",
        "parent",
        "parent2",
        "release_step",
        "root",
        "safeguard",
        "tamper",
        "uplifted",
        "value_unit",
    )
    on_hub = _Column(bool)  # downloadable from the main hub now
    on_fringe = _Column(bool)  # downloadable from the fringe hub now
    taken_down = _Column(bool)  # removed from the main hub for good
    public = _Column(bool)  # has ever been downloadable (open base or uploaded)
    public_depth = _Column(int)  # generations below the nearest public ancestor without parents
    children = _Column(int)  # public derivatives built on it

    def __init__(
        self,
        columns: Columns,
        id: int,
        parent: int | None,
        creator: int,
        capability: float,
        safeguard: float,
        tamper: float,
        access: Access,
        release_step: int,
        root: int,
        kind: Kind = "base",
        parent2: int | None = None,  # a merge's second parent
        family: int = -1,  # the base release (family of sizes) the lineage comes from
        inside: bool = True,  # made by (or descended from) a lab inside the jurisdiction
        depth: int = 0,  # derivative generations below the base release
        cost_scale: float = 1.0,  # benign fine-tune cost relative to the step-0 frontier's
        value_unit: float = 1.0,  # benign value of building on it, per unit of (0.5 + skill)
    ) -> None:
        self._columns = columns
        self.id = id
        self.parent = parent
        self.creator = creator
        self.capability = capability
        self.safeguard = safeguard
        self.tamper = tamper
        self.access = access
        self.release_step = release_step
        self.root = root
        self.kind = kind
        self.parent2 = parent2
        self.family = family
        self.inside = inside
        self.depth = depth
        self.open_step: int | None = None
        self.uplifted = False  # carries a domain uplift fine-tune (fit for severe misuse)
        self.cost_scale = cost_scale
        self.value_unit = value_unit

    @property
    def is_base(self) -> bool:
        return self.parent is None

    @property
    def parents(self) -> tuple[int, ...]:
        return tuple(p for p in (self.parent, self.parent2) if p is not None)


class Columns:
    """Every checkpoint's attributes by id as arrays: what batched and compiled code reads
    (and, for the attributes that change, writes), kept in step with the objects."""

    FIXED = (
        ("capability", float),
        ("safeguard", float),
        ("tamper", float),
        ("cost_scale", float),
        ("value_unit", float),
        ("kind", np.int8),
        ("access", np.int8),
        ("root", np.int64),
        ("parent", np.int64),
        ("parent2", np.int64),
        ("creator", np.int64),
        ("family", np.int64),
        ("inside", bool),
        ("depth", np.int64),
        ("release_step", np.int64),
    )
    CHANGING = (
        ("on_hub", bool),
        ("on_fringe", bool),
        ("taken_down", bool),
        ("public", bool),
        ("public_depth", np.int64),
        ("children", np.int64),
    )

    def __init__(self) -> None:
        for name, dtype in self.FIXED + self.CHANGING:
            setattr(self, name, Growable(dtype))

    def __len__(self) -> int:
        return len(self.capability)

    def append(self, ckpt: Checkpoint) -> None:
        """A new row for ``ckpt`` (its changing attributes start False / 0)."""
        self.capability.append(ckpt.capability)
        self.safeguard.append(ckpt.safeguard)
        self.tamper.append(ckpt.tamper)
        self.cost_scale.append(ckpt.cost_scale)
        self.value_unit.append(ckpt.value_unit)
        self.kind.append(KIND_CODES[ckpt.kind])
        self.access.append(ACCESS_CODES[ckpt.access])
        self.root.append(ckpt.root)
        self.parent.append(-1 if ckpt.parent is None else ckpt.parent)
        self.parent2.append(-1 if ckpt.parent2 is None else ckpt.parent2)
        self.creator.append(ckpt.creator)
        self.family.append(ckpt.family)
        self.inside.append(ckpt.inside)
        self.depth.append(ckpt.depth)
        self.release_step.append(ckpt.release_step)
        for name, _ in self.CHANGING:
            getattr(self, name).append(0)

    def reserve(self, rows: int) -> None:
        """Room for ``rows`` more checkpoints without growing (compiled code appends)."""
        for name, _ in self.FIXED + self.CHANGING:
            getattr(self, name).reserve(rows)

    def set_size(self, size: int) -> None:
        """Compiled code appended rows up to ``size``."""
        for name, _ in self.FIXED + self.CHANGING:
            getattr(self, name).size = size


class HubShelf:
    """One shelf of a hub (safety-tuned or stripped weights), sorted by capability.

    Sorted (capability, -id) keys give the most capable entry (ties: the earliest), the least
    capable, and "the most capable at or below c" by bisection. ``tickets`` holds each
    entry's id once plus once per public derivative built on it, so a uniform draw from it
    is a draw in proportion to popularity (taken-down entries are skipped).
    """

    def __init__(self) -> None:
        self.keys: list[tuple[float, int]] = []
        self.tickets = Growable(np.int64)

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

    def holding(self) -> np.ndarray:
        """For every checkpoint id, whether this hub holds it now."""
        columns = self.registry.columns
        return (columns.on_hub if self.name == "main" else columns.on_fringe).values

    def sample(self, stripped: bool, k: int, uniform: Uniforms) -> list[Checkpoint]:
        """Up to ``k`` distinct entries of a shelf, drawn in proportion to popularity."""
        shelf, items = self.shelf(stripped), self.registry.items
        if k <= 0 or not shelf:
            return []
        tickets, holds = shelf.tickets.values, self.holding()
        n = len(tickets)
        drawn = dict.fromkeys(tickets[(np.array(uniform.many(k)) * n).astype(np.int64)].tolist())
        out = [items[c] for c in drawn if holds[c]]
        if len(out) < k:  # k more draws if duplicates or removed entries left a gap
            more = tickets[(np.array(uniform.many(k)) * n).astype(np.int64)].tolist()
            for cid in dict.fromkeys(more):
                if cid not in drawn and holds[cid]:
                    drawn[cid] = None
                    out.append(items[cid])
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
        self.columns = Columns()

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
            self.columns,
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
        self.columns.append(ckpt)
        if parent is None:
            self.base_ids.append(cid)
        return ckpt

    def adopt(self, start: int) -> None:
        """Objects for the rows compiled code added to the columns from ``start`` on."""
        c = self.columns
        end = len(c)
        kinds = Kind.__args__  # type: ignore[attr-defined]
        accesses = tuple(ACCESS_CODES)
        rows = zip(
            *(
                getattr(c, name)._data[start:end].tolist()
                for name in (
                    "parent",
                    "parent2",
                    "creator",
                    "capability",
                    "safeguard",
                    "tamper",
                    "access",
                    "release_step",
                    "root",
                    "kind",
                    "family",
                    "inside",
                    "depth",
                    "cost_scale",
                    "value_unit",
                )
            ),
            strict=True,
        )
        for cid, row in enumerate(rows, start):
            parent, parent2, creator, cap, sg, tm, access, step, root, kind, *rest = row
            family, inside, depth, cost_scale, value_unit = rest
            self.items.append(
                Checkpoint(
                    c,
                    cid,
                    None if parent < 0 else parent,
                    creator,
                    cap,
                    sg,
                    tm,
                    accesses[access],
                    step,
                    root,
                    kinds[kind],
                    None if parent2 < 0 else parent2,
                    family,
                    inside,
                    depth,
                    cost_scale,
                    value_unit,
                )
            )

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

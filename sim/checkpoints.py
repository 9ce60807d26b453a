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
KINDS: tuple[Kind, ...] = Kind.__args__  # type: ignore[attr-defined]
ACCESSES: tuple[Access, ...] = tuple(ACCESS_CODES)  # type: ignore[assignment]


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
        self._all = [getattr(self, name) for name, _ in self.FIXED + self.CHANGING]

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
        for column in self._all:
            column.size = size


class HubShelf:
    """One shelf of a hub (safety-tuned or stripped weights), sorted by capability.

    Sorted (capability, -id) keys give the most capable entry (ties: the earliest), the least
    capable, and "the most capable at or below c" by bisection. New keys wait in a short
    list until a question needs the order, and the most and least capable entries are kept
    as keys arrive, so adding is O(1) and the monthly questions (the best entry) do not sort.
    ``tickets`` holds each entry's id once plus once per public derivative built on it, so
    a uniform draw from it is a draw in proportion to popularity (taken-down entries are
    skipped).
    """

    def __init__(self) -> None:
        self._keys: list[tuple[float, int]] = []
        self._pending: list[tuple[float, int]] = []
        self._top: tuple[float, int] | None = None  # the largest key (None: ask the list)
        self._bottom: tuple[float, int] | None = None
        self.tickets = Growable(np.int64)

    @property
    def keys(self) -> list[tuple[float, int]]:
        """All keys in order (the waiting ones inserted now)."""
        if self._pending:
            for key in self._pending:
                bisect.insort(self._keys, key)
            self._pending = []
        return self._keys

    def __len__(self) -> int:
        return len(self._keys) + len(self._pending)

    def __iter__(self) -> Iterator[int]:
        return (-k[1] for k in self.keys)

    def add(self, ckpt: Checkpoint) -> None:
        self.add_key(ckpt.capability, ckpt.id)
        self.tickets.append(ckpt.id)

    def add_key(self, capability: float, cid: int) -> None:
        """An entry whose ticket is already drawn (compiled code appends tickets)."""
        self.add_keys([capability], [cid])

    def add_keys(self, capability: list[float], cids: list[int]) -> None:
        """Entries whose tickets are already drawn, in one go (the compiled turns log many):
        their keys wait to be sorted; the most and least capable so far are kept."""
        if not cids:
            return
        keys = list(zip(capability, [-c for c in cids], strict=True))
        empty = not len(self)
        self._pending.extend(keys)
        if empty or self._top is not None:
            top = max(keys)
            self._top = top if empty or top > self._top else self._top
        if empty or self._bottom is not None:
            bottom = min(keys)
            self._bottom = bottom if empty or bottom < self._bottom else self._bottom

    def remove(self, ckpt: Checkpoint) -> None:
        keys = self.keys
        key = (ckpt.capability, -ckpt.id)
        i = bisect.bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            del keys[i]
            if key == self._top:
                self._top = None
            if key == self._bottom:
                self._bottom = None

    def best_id(self) -> int | None:
        if not len(self):
            return None
        if self._top is None:
            self._top = self.keys[-1]
        return -self._top[1]

    def least_id(self) -> int | None:
        if not len(self):
            return None
        if self._bottom is None:
            self._bottom = self.keys[0]
        return -self._bottom[1]

    def best_below_id(self, capability: float) -> int | None:
        """The most capable entry with capability <= ``capability``."""
        keys = self.keys
        i = bisect.bisect_right(keys, (capability, 1))
        return -keys[i - 1][1] if i else None


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
        return None if cid is None else self.registry[cid]

    def least(self, stripped: bool) -> Checkpoint | None:
        cid = self.shelf(stripped).least_id()
        return None if cid is None else self.registry[cid]

    def best_below(self, stripped: bool, capability: float) -> Checkpoint | None:
        cid = self.shelf(stripped).best_below_id(capability)
        return None if cid is None else self.registry[cid]

    def holds(self, ckpt: Checkpoint) -> bool:
        return ckpt.on_hub if self.name == "main" else ckpt.on_fringe

    def holding(self) -> np.ndarray:
        """For every checkpoint id, whether this hub holds it now."""
        columns = self.registry.columns
        return (columns.on_hub if self.name == "main" else columns.on_fringe).values

    def sample(self, stripped: bool, k: int, uniform: Uniforms) -> list[Checkpoint]:
        """Up to ``k`` distinct entries of a shelf, drawn in proportion to popularity."""
        items = self.registry
        return [items[c] for c in self.sample_ids(stripped, k, uniform)]

    def sample_ids(self, stripped: bool, k: int, uniform: Uniforms) -> list[int]:
        """The ids of :meth:`sample` (the same draws)."""
        shelf = self.shelf(stripped)
        if k <= 0 or not shelf:
            return []
        tickets, holds = shelf.tickets.values, self.holding()
        n = len(tickets)
        drawn = dict.fromkeys(tickets[(np.array(uniform.many(k)) * n).astype(np.int64)].tolist())
        out = [c for c in drawn if holds[c]]
        if len(out) < k:  # k more draws if duplicates or removed entries left a gap
            more = tickets[(np.array(uniform.many(k)) * n).astype(np.int64)].tolist()
            for cid in dict.fromkeys(more):
                if cid not in drawn and holds[cid]:
                    drawn[cid] = None
                    out.append(cid)
        return out if len(out) <= k else out[:k]


class CheckpointRegistry:
    """All checkpoints, their lineage, and the two hubs."""

    def __init__(
        self, safeguard_max: float, pricing: Callable[[float, float, Kind], tuple[float, float]]
    ) -> None:
        self.items: list[Checkpoint | None] = []  # None: not made yet (see ``adopt``)
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
        ckpt = self.items[checkpoint_id]
        return self._materialise(checkpoint_id) if ckpt is None else ckpt

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
        """Compiled code added rows to the columns from ``start`` on: their objects are made
        when first asked for (most derivatives are never looked at one by one)."""
        self.items.extend([None] * (len(self.columns) - start))

    def _materialise(self, cid: int) -> Checkpoint:
        c = self.columns
        parent, parent2 = int(c.parent._data[cid]), int(c.parent2._data[cid])
        ckpt = Checkpoint(
            c,
            cid,
            None if parent < 0 else parent,
            int(c.creator._data[cid]),
            float(c.capability._data[cid]),
            float(c.safeguard._data[cid]),
            float(c.tamper._data[cid]),
            ACCESSES[int(c.access._data[cid])],
            int(c.release_step._data[cid]),
            int(c.root._data[cid]),
            KINDS[int(c.kind._data[cid])],
            None if parent2 < 0 else parent2,
            int(c.family._data[cid]),
            bool(c.inside._data[cid]),
            int(c.depth._data[cid]),
            float(c.cost_scale._data[cid]),
            float(c.value_unit._data[cid]),
        )
        self.items[cid] = ckpt
        return ckpt

    def all(self) -> list[Checkpoint]:
        """Every checkpoint, in id order (made now if not yet)."""
        return [self[i] for i in range(len(self.items))]

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
            parent = self[pid]
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

    def open_bases(self, since: int | None = None) -> list[Checkpoint]:
        """Base releases downloadable from the main hub (a few per lab release), in id
        order; ``since``: only those released at that step or later."""
        return [self[i] for i in self.open_base_ids(since).tolist()]

    def open_base_ids(self, since: int | None = None) -> np.ndarray:
        """The ids of :meth:`open_bases`."""
        ids = np.array(self.base_ids, dtype=np.int64)
        keep = self.columns.on_hub.values[ids]
        if since is not None:
            keep &= self.columns.release_step.values[ids] >= since
        return ids[keep]

    # --- the derivative forest ------------------------------------------------------------
    def public_checkpoints(self) -> list[Checkpoint]:
        return [self[i] for i in np.flatnonzero(self.columns.public.values).tolist()]

    def lineage_graph(self, public_only: bool = True) -> nx.DiGraph:
        """The derivative forest as a DiGraph (edges parent -> child), built on demand."""
        graph = nx.DiGraph()
        nodes = self.public_checkpoints() if public_only else self.all()
        graph.add_nodes_from((c.id, {"kind": c.kind}) for c in nodes)
        keep = {c.id for c in nodes}
        graph.add_edges_from((p, c.id) for c in nodes for p in c.parents if p in keep)
        return graph

    def lineage_summary(self) -> dict[str, float | int | None]:
        """Shape of the public forest: share of leaves, deepest lineage, share of
        quantisations that are leaves, and the stripped share of the main hub."""
        c = self.columns
        public = c.public.values
        leaves = public & (c.children.values == 0)
        quantised = public & (c.kind.values == KIND_CODES["quantised"])
        depths = c.public_depth.values[public]
        return {
            "lineage_leaf_share": _share(int(leaves.sum()), int(public.sum())),
            "lineage_max_depth": int(depths.max()) if len(depths) else 0,
            "quantised_leaf_share": _share(int((leaves & quantised).sum()), int(quantised.sum())),
            "stripped_hub_share": _share(len(self.main.stripped), self.hub_size()),
        }

    def stripped_count(self) -> int:
        """Checkpoints whose safeguards are low enough to misuse."""
        return int((self.columns.safeguard.values <= self.safeguard_max).sum())


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None

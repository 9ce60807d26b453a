"""Checkpoints (AI model weights) and their lineage: one table, with views for Python.

"Checkpoint", never "model": in this code base a model is Mesa's simulation object. Every
checkpoint that exists outside one actor's private run (base releases, shared or uploaded
derivatives, stripped copies, abused API jobs) is a row of :class:`CheckpointRows`; rules
add rows with :func:`add` (compiled; labs call it too), so a checkpoint is made one way.
Each row records its parents, so the derivative forest is a table;
:meth:`Registry.lineage_graph` builds the ``networkx.DiGraph`` view on demand.
:class:`Checkpoint` is a view of one row for Python code and users (made when first asked
for, then kept, so the same id is always the same object).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import networkx as nx
import numpy as np
from numba import njit

from sim.config import Config
from sim.core.calls import from_python
from sim.core.kinds import Access, CheckpointKind
from sim.core.table import Column, Table


class CheckpointRows(NamedTuple):
    """Every checkpoint's attributes by id."""

    capability: np.ndarray = Column(np.float64)  # OOM vs the step-0 open frontier
    safeguard: np.ndarray = Column(np.float64)  # 1 fully safety-trained, 0 stripped
    tamper: np.ndarray = Column(np.float64)  # tamper resistance of the safeguards
    cost_scale: np.ndarray = Column(np.float64)  # benign fine-tune cost vs the step-0 frontier
    value_unit: np.ndarray = Column(np.float64)  # benign value per unit of (0.5 + skill)
    kind: np.ndarray = Column(np.int8)  # CheckpointKind
    access: np.ndarray = Column(np.int8)  # Access
    root: np.ndarray = Column(np.int64)  # the base release its lineage starts from
    parent: np.ndarray = Column(np.int64, -1)
    parent2: np.ndarray = Column(np.int64, -1)  # a merge's second parent
    creator: np.ndarray = Column(np.int64)  # the node that made it
    family: np.ndarray = Column(np.int64, -1)  # the release (family of sizes) it comes from
    inside: np.ndarray = Column(np.bool_, True)  # lineage from a lab inside the jurisdiction
    depth: np.ndarray = Column(np.int64)  # generations below its base release
    release_step: np.ndarray = Column(np.int64)
    open_step: np.ndarray = Column(np.int64, -1)  # when its weights open (-1: not a release)
    uplifted: np.ndarray = Column(np.bool_)  # carries a domain uplift (fit for severe misuse)
    leaked: np.ndarray = Column(np.bool_)  # closed weights of which a copy escaped
    on_hub: np.ndarray = Column(np.bool_)  # downloadable from the main hub now
    on_fringe: np.ndarray = Column(np.bool_)  # downloadable from the fringe hub now
    taken_down: np.ndarray = Column(np.bool_)  # removed from the main hub for good
    public: np.ndarray = Column(np.bool_)  # has ever been downloadable
    public_depth: np.ndarray = Column(np.int64)  # generations below its public forest's root
    children: np.ndarray = Column(np.int64)  # public derivatives built on it


class CheckpointTerms(NamedTuple):
    """What fixes a new checkpoint's prices, and what counts as stripped."""

    elasticity: float  # capability-cost elasticity
    benefit_elasticity: float
    tamper_penalty: float  # benign cost overhead per unit of tamper resistance
    quantised_parent: float  # a quantised parent's value relative to its original
    safeguard_max: float  # safeguards at or below this are misusable as they are

    @classmethod
    def of(cls, cfg: Config) -> CheckpointTerms:
        return cls(
            cfg.costs.capability_cost_elasticity,
            cfg.hobbyists.benefit_elasticity,
            cfg.policies.tamper_resistance.benign_cost_penalty,
            cfg.hobbyists.quantised_parent_factor,
            cfg.malicious.misuse_safeguard_max,
        )


@njit(cache=True, inline="always")
def is_stripped(ck, rows, cid):
    """Safeguards low enough to misuse without further work."""
    return rows.safeguard[cid] <= ck.safeguard_max


@njit(cache=True, inline="always")
def add(
    ck,
    rows,
    n,
    parent,
    parent2,
    creator,
    capability,
    safeguard,
    tamper,
    access,
    step,
    kind,
    family=-1,
    inside=True,
):
    """A new checkpoint (room must be reserved): a base release has its own ``family`` and
    jurisdiction (``inside``); a derivative inherits its lineage's root, family and
    jurisdiction. Its cost and value scales are fixed now; ``n[0]`` counts the rows.
    Returns its id."""
    cid = n[0]
    n[0] = cid + 1
    rows.capability[cid] = capability
    rows.safeguard[cid] = safeguard
    rows.tamper[cid] = tamper
    rows.kind[cid] = kind
    rows.access[cid] = access
    rows.parent[cid] = parent
    rows.parent2[cid] = parent2
    rows.creator[cid] = creator
    rows.release_step[cid] = step
    if parent < 0:
        rows.root[cid] = cid
        rows.depth[cid] = 0
        rows.family[cid] = family
        rows.inside[cid] = inside
    else:
        rows.root[cid] = rows.root[parent]
        rows.family[cid] = rows.family[parent]
        rows.inside[cid] = rows.inside[parent]
        if parent2 < 0:
            rows.depth[cid] = rows.depth[parent] + 1
        else:
            rows.depth[cid] = max(rows.depth[parent], rows.depth[parent2]) + 1
    quantised = kind == CheckpointKind.QUANTISED
    rows.value_unit[cid] = 10.0 ** (ck.benefit_elasticity * capability) * (
        ck.quantised_parent if quantised else 1.0
    )
    rows.cost_scale[cid] = 10.0 ** (ck.elasticity * capability) * (1.0 + ck.tamper_penalty * tamper)
    return cid


_add = from_python(add)


def _column(name: str, convert: Any, store: Any = None) -> property:
    def get(self: Checkpoint) -> Any:
        return convert(self._registry.table.data[name][self.id])

    def put(self: Checkpoint, value: Any) -> None:
        self._registry.table.data[name][self.id] = value if store is None else store(value)

    return property(get, put, doc=f"column ``{name}`` of its row")


def _optional(value: Any) -> int | None:
    return None if int(value) < 0 else int(value)


def _stored_optional(value: int | None) -> int:
    return -1 if value is None else value


class Checkpoint:
    """A view of one row of the checkpoint table: reads and writes go to the columns."""

    __slots__ = ("_registry", "id")

    def __init__(self, registry: Registry, cid: int) -> None:
        self._registry = registry
        self.id = cid

    capability = _column("capability", float)
    safeguard = _column("safeguard", float)
    tamper = _column("tamper", float)
    cost_scale = _column("cost_scale", float)
    value_unit = _column("value_unit", float)
    kind = _column("kind", lambda v: CheckpointKind(v).label, lambda s: CheckpointKind.of(s))
    access = _column("access", lambda v: Access(v).label, lambda s: Access.of(s))
    root = _column("root", int)
    parent = _column("parent", _optional, _stored_optional)
    parent2 = _column("parent2", _optional, _stored_optional)
    creator = _column("creator", int)
    family = _column("family", int)
    inside = _column("inside", bool)
    depth = _column("depth", int)
    release_step = _column("release_step", int)
    open_step = _column("open_step", _optional, _stored_optional)
    uplifted = _column("uplifted", bool)
    on_hub = _column("on_hub", bool)
    on_fringe = _column("on_fringe", bool)
    taken_down = _column("taken_down", bool)
    public = _column("public", bool)
    public_depth = _column("public_depth", int)
    children = _column("children", int)

    @property
    def is_base(self) -> bool:
        return self.parent is None

    @property
    def parents(self) -> tuple[int, ...]:
        return tuple(p for p in (self.parent, self.parent2) if p is not None)

    def __repr__(self) -> str:
        return f"Checkpoint({self.id}, {self.kind}, capability={self.capability:.3f})"


class Registry:
    """All checkpoints: the table, its views, and the index of base releases."""

    def __init__(self, terms: CheckpointTerms) -> None:
        self.terms = terms
        self.table: Table[CheckpointRows] = Table(CheckpointRows)
        self.base_ids: list[int] = []  # base releases in id order (labs' families)
        self._views: dict[int, Checkpoint] = {}
        self._releases: dict[int, list[int]] = {}  # base releases by creator, in id order

    @property
    def rows(self) -> CheckpointRows:
        return self.table.rows

    @property
    def n(self) -> np.ndarray:
        """``n[0]``: how many checkpoints exist (compiled rules append)."""
        return self.table.count

    def column(self, name: str) -> np.ndarray:
        return self.table.column(name)

    def __len__(self) -> int:
        return len(self.table)

    def __getitem__(self, cid: int) -> Checkpoint:
        view = self._views.get(cid)
        if view is None:
            if not 0 <= cid < len(self):
                raise IndexError(f"no checkpoint {cid}")
            view = self._views[cid] = Checkpoint(self, cid)
        return view

    def add(
        self,
        *,
        parent: Checkpoint | None,
        creator: int,
        capability: float,
        safeguard: float,
        tamper: float,
        access: str,
        step: int,
        kind: str,
        parent2: Checkpoint | None = None,
        family: int = -1,
        inside: bool = True,
    ) -> Checkpoint:
        """A new checkpoint from Python (labs' releases and leaks; tests' small worlds)."""
        rows = self.table.reserve(1)
        cid = _add(
            self.terms,
            rows,
            self.n,
            -1 if parent is None else parent.id,
            -1 if parent2 is None else parent2.id,
            creator,
            capability,
            safeguard,
            tamper,
            Access.of(access),
            step,
            CheckpointKind.of(kind),
            family,
            inside,
        )
        if parent is None:
            self.base_ids.append(int(cid))
            if kind == "base":
                self._releases.setdefault(creator, []).append(int(cid))
        return self[int(cid)]

    def all(self) -> list[Checkpoint]:
        """Every checkpoint, in id order."""
        return [self[i] for i in range(len(self))]

    def is_stripped(self, ckpt: Checkpoint) -> bool:
        return ckpt.safeguard <= self.terms.safeguard_max

    def stripped_count(self) -> int:
        """Checkpoints whose safeguards are low enough to misuse."""
        return int((self.column("safeguard") <= self.terms.safeguard_max).sum())

    def releases_of(self, creator: int) -> list[int]:
        """The base releases ``creator`` made (not leaked copies), oldest first."""
        return self._releases.get(creator, [])

    def open_base_ids(self, since: int | None = None) -> np.ndarray:
        """Base releases downloadable from the main hub, in id order; ``since``: only those
        released at that step or later."""
        ids = np.array(self.base_ids, dtype=np.int64)
        keep = self.column("on_hub")[ids]
        if since is not None:
            keep &= self.column("release_step")[ids] >= since
        return ids[keep]

    def open_bases(self, since: int | None = None) -> list[Checkpoint]:
        return [self[i] for i in self.open_base_ids(since).tolist()]

    # --- the derivative forest ------------------------------------------------------------
    def public_checkpoints(self) -> list[Checkpoint]:
        return [self[i] for i in np.flatnonzero(self.column("public")).tolist()]

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
        quantisations that are leaves."""
        public = self.column("public")
        leaves = public & (self.column("children") == 0)
        quantised = public & (self.column("kind") == CheckpointKind.QUANTISED)
        depths = self.column("public_depth")[public]
        return {
            "lineage_leaf_share": _share(int(leaves.sum()), int(public.sum())),
            "lineage_max_depth": int(depths.max()) if len(depths) else 0,
            "quantised_leaf_share": _share(int((leaves & quantised).sum()), int(quantised.sum())),
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None

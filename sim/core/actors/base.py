"""What every actor on the collaboration graph is to Python code: a Mesa agent that is a
view of its node's row in the world (``sim.core.world.NodeRows``).

Reading or writing ``actor.budget`` reads or writes the world's array at the actor's node:
there is no copy to keep in step. Compiled rules work on the rows directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

from sim.core.kinds import ActorKind

if TYPE_CHECKING:
    from sim.core.checkpoints import Checkpoint


def node_column(name: str, convert: Any, doc: str) -> property:
    """A property reading and writing column ``name`` of the actor's node row."""

    def get(self: Actor) -> Any:
        return convert(self.model.world.nodes.data[name][self.node])

    def put(self: Actor, value: Any) -> None:
        self.model.world.nodes.data[name][self.node] = value

    return property(get, put, doc=doc)


def checkpoint_column(name: str, doc: str) -> property:
    """A property holding a checkpoint id in column ``name`` (None: -1), as a Checkpoint."""

    def get(self: Actor) -> Checkpoint | None:
        cid = int(self.model.world.nodes.data[name][self.node])
        return None if cid < 0 else self.model.checkpoints[cid]

    def put(self: Actor, ckpt: Checkpoint | None) -> None:
        self.model.world.nodes.data[name][self.node] = -1 if ckpt is None else ckpt.id

    return property(get, put, doc=doc)


class Actor(mesa.Agent):
    """An actor on the collaboration graph: node ``node`` of the world's rows."""

    kind: ActorKind
    model: Any  # EcosystemModel

    def __init__(self, model: Any, node: int) -> None:
        super().__init__(model)
        self.node = node

    budget = node_column("budget", float, "monthly budget in USD")
    skill = node_column("skill", float, "skill in [0, 1] (labs: 0, which no rule reads)")
    own_hardware = node_column(
        "own_hardware", bool, "runs on GPUs it owns: cloud providers' compute KYC does not see it"
    )
    private_safe = checkpoint_column("private_safe", "the best safe checkpoint shared with it")
    private_stripped = checkpoint_column(
        "private_stripped", "the best stripped checkpoint shared with it"
    )

    @property
    def banned(self) -> bool:
        return bool(self.model.world.nodes.data["banned_until"][self.node] > self.model.steps)

    @property
    def spent_this_month(self) -> bool:
        return bool(self.model.world.nodes.data["spent_step"][self.node] == self.model.steps)

    def neighbours(self) -> list[int]:
        return self.model.world.ties.neighbours(self.node).tolist()

    def finetune_oom(self) -> float:
        """OOM of cost cut by the fine-tuning techniques this actor knows."""
        return float(self.model.techniques.finetune_oom(self.node))

    def strip_oom(self) -> float:
        """OOM of strip cost cut by the stripping techniques this actor knows."""
        return float(self.model.techniques.strip_oom(self.node))

    def bypasses_tamper(self) -> bool:
        return bool(self.model.techniques.bypasses_tamper(self.node))

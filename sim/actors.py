"""What every actor on the collaboration graph has: a node, a budget, a skill, what it holds.

Labs, hobbyists and malicious actors are Mesa agents and nodes of the same graph; the model
keeps a few per-actor arrays (budgets, bans, monthly spending, own hardware) so that
month-level draws are vectorised, and each actor reads its own entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.checkpoints import Checkpoint

if TYPE_CHECKING:
    from sim.model import EcosystemModel


class Actor(mesa.Agent):
    """An actor on the collaboration graph."""

    model: EcosystemModel

    def __init__(self, model: EcosystemModel, node: int, skill: float) -> None:
        super().__init__(model)
        self.node = node
        self.skill = skill

    @property
    def private_safe(self) -> Checkpoint | None:
        """The most capable safety-tuned checkpoint shared with it privately (the model's
        ``private`` array holds the id: compiled code shares along ties too)."""
        return self._private(0)

    @private_safe.setter
    def private_safe(self, ckpt: Checkpoint | None) -> None:
        self.model.private[0, self.node] = -1 if ckpt is None else ckpt.id

    @property
    def private_stripped(self) -> Checkpoint | None:
        """The most capable stripped checkpoint shared with it privately."""
        return self._private(1)

    @private_stripped.setter
    def private_stripped(self, ckpt: Checkpoint | None) -> None:
        self.model.private[1, self.node] = -1 if ckpt is None else ckpt.id

    def _private(self, shelf: int) -> Checkpoint | None:
        cid = int(self.model.private[shelf, self.node])
        return None if cid < 0 else self.model.checkpoints[cid]

    @property
    def budget(self) -> float:
        """Monthly budget in USD; the model's ``budget`` array is the one source of truth."""
        return float(self.model.budget[self.node])

    @budget.setter
    def budget(self, value: float) -> None:
        self.model.budget[self.node] = value

    @property
    def own_hardware(self) -> bool:
        """Runs on GPUs it owns: cloud providers' compute KYC does not see its solo runs."""
        return bool(self.model.own_hardware[self.node])

    @property
    def banned(self) -> bool:
        return bool(self.model.banned_until[self.node] > self.model.steps)

    @property
    def spent_this_month(self) -> bool:
        return bool(self.model.spent_step[self.node] == self.model.steps)

    def neighbours(self) -> list[int]:
        return self.model.ties.neighbours(self.node).tolist()

    def finetune_oom(self) -> float:
        """OOM of cost cut by the fine-tuning techniques this actor knows."""
        return float(self.model.techniques.finetune_oom(self.node))

    def strip_oom(self) -> float:
        """OOM of strip cost cut by the stripping techniques this actor knows."""
        return float(self.model.techniques.strip_oom(self.node))

    def bypasses_tamper(self) -> bool:
        return bool(self.model.techniques.bypasses_tamper(self.node))

    def receive(self, ckpt: Checkpoint) -> None:
        """A checkpoint shared privately (peer-to-peer or by a pool) reaches this actor."""
        if self.model.checkpoints.is_stripped(ckpt):
            self.private_stripped = more_capable(self.private_stripped, ckpt)
        else:
            self.private_safe = more_capable(self.private_safe, ckpt)

    def share_with_neighbours(self, ckpt: Checkpoint, only: type | None = None) -> None:
        """Peer-to-peer sharing travels along ties only."""
        actors = self.model.actors
        for v in self.neighbours():
            if only is None or isinstance(actors[v], only):
                actors[v].receive(ckpt)


def more_capable(a: Checkpoint | None, b: Checkpoint | None) -> Checkpoint | None:
    """The more capable of two checkpoints; on a tie, the first."""
    if a is None:
        return b
    if b is None or a.capability >= b.capability:
        return a
    return b

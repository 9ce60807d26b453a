"""The enumerations every part of the core shares: kinds of actor, checkpoint, access and
activity. Arrays store them as small integers; compiled rules compare against the members
themselves (Numba reads an ``IntEnum`` member as a constant), so there is one list of codes
and no bare integers. A kind the rules do not know is an error, never a default branch.
"""

from __future__ import annotations

from enum import IntEnum


class ActorKind(IntEnum):
    """Nodes of the collaboration graph: labs first, then hobbyists, then malicious actors."""

    LAB = 0
    HOBBYIST = 1
    MALICIOUS = 2


class CheckpointKind(IntEnum):
    """How a checkpoint came to be (``label`` is the name users and outputs see)."""

    BASE = 0  # a lab's release
    LEAKED = 1  # a copy of closed weights that escaped
    FINETUNE = 2
    QUANTISED = 3
    MERGE = 4
    STRIPPED = 5  # safeguards removed by a malicious actor
    UPLIFT = 6  # stripped and given a domain uplift (severe misuse)
    API_ABUSE = 7  # a jailbreaking job on a lab's fine-tuning API

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def of(cls, label: str) -> CheckpointKind:
        return cls[label.upper()]


class Access(IntEnum):
    OPEN = 0
    STAGED = 1  # open weights after a delay
    API = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def of(cls, label: str) -> Access:
        return cls[label.upper()]


class ActivityKind(IntEnum):
    """What the regulator can see and investigate (``sim.core.oversight``)."""

    FINETUNE = 0
    POOL = 1
    UPLOAD = 2
    STRIP = 3
    UPLIFT = 4
    API_ABUSE = 5

    @property
    def label(self) -> str:
        return self.name.lower()


NO_LIMIT = 2**62  # an ``until`` month that never comes

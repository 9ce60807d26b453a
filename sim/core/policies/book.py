"""Mitigation policies at run time: which are in force, at what strength, from which month.

The configuration says how the world starts; this book says how it is *now*, because the
adaptive regulator can switch policies on or strengthen them during a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.config import POLICY_NAMES, Policies


@dataclass
class PolicyState:
    enabled: bool
    strength: float
    start_step: int
    params: Any

    def active(self, step: int) -> bool:
        return self.enabled and step >= self.start_step

    def level(self, step: int) -> float:
        """Strength if in force this month, else 0."""
        return self.strength if self.active(step) else 0.0


@dataclass
class PolicyBook:
    states: dict[str, PolicyState]
    escalations: list[tuple[int, str, float]] = field(default_factory=list)

    @classmethod
    def from_config(cls, cfg: Policies) -> PolicyBook:
        states = {}
        for name in POLICY_NAMES:
            p = getattr(cfg, name)
            states[name] = PolicyState(p.enabled, p.strength, p.start_step, p)
        return cls(states)

    def __getitem__(self, name: str) -> PolicyState:
        return self.states[name]

    def active(self, name: str, step: int) -> bool:
        return self.states[name].active(step)

    def level(self, name: str, step: int) -> float:
        return self.states[name].level(step)

    def escalate(self, name: str, step: int, strength: float, increment: float) -> None:
        """Switch a policy on (at ``strength``) or, if already in force, strengthen it."""
        state = self.states[name]
        if state.active(step):
            state.strength = min(1.0, state.strength + increment)
        else:
            base = state.strength if state.enabled else 0.0
            state.enabled, state.start_step, state.strength = True, step, max(base, strength)
        self.escalations.append((step, name, state.strength))

"""Structured access: a complying release (each release complies with probability
``strength``) by a lab inside the jurisdiction keeps its family members at or above
``capability_threshold_oom`` API-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.core.policies.book import PolicyBook


def complies(book: PolicyBook, step: int, inside: bool, draw: Callable[[], float]) -> bool:
    """Does this release comply? One draw, only where the policy binds."""
    state = book["structured_access"]
    return inside and state.active(step) and draw() < state.strength


def closes(book: PolicyBook, open_capability: float) -> bool:
    """Is a member of this capability kept API-only by a complying release?"""
    return open_capability >= book["structured_access"].params.capability_threshold_oom

"""Staged release: a complying release (probability ``strength``) by a lab inside the
jurisdiction opens its weights only ``delay_months`` after release (API-only meanwhile)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.core.policies.book import PolicyBook


def complies(book: PolicyBook, step: int, inside: bool, draw: Callable[[], float]) -> bool:
    """Does this release comply? One draw, only where the policy binds."""
    state = book["staged_release"]
    return inside and state.active(step) and draw() < state.strength


def delay(book: PolicyBook) -> int:
    return book["staged_release"].params.delay_months

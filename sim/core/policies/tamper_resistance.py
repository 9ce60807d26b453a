"""Tamper resistance: labs inside the jurisdiction give new releases tamper-resistant
safeguards of level ``strength``; stripping them costs more (``costs.tamper_cost_multiplier``)
and benign fine-tunes of them cost ``benign_cost_penalty`` more per unit (fixed in a
checkpoint's cost scale). Benign fine-tunes erode it, and some stripping techniques bypass
it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.core.policies.book import PolicyBook


def level(book: PolicyBook, step: int, inside: bool) -> float:
    """The tamper resistance of a release made now by a lab inside (or outside)."""
    return book.level("tamper_resistance", step) if inside else 0.0

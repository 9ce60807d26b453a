"""Screening of fine-tuning API jobs: labs inside the jurisdiction screen jobs on their APIs;
an abusive job is caught with probability ``strength`` (the best published auditing agent
detects 56% at 1% false positives), and benign jobs are refused at
``false_positive_rate``."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from numba import njit

if TYPE_CHECKING:
    from sim.core.costs import CostTerms
    from sim.core.policies.book import PolicyBook


class Terms(NamedTuple):
    on: bool
    strength: float
    false_positive_rate: float


def terms(book: PolicyBook, step: int, costs: CostTerms) -> Terms:
    state = book["api_finetune_screening"]
    return Terms(state.active(step), state.strength, state.params.false_positive_rate)


@njit(cache=True, inline="always")
def screens(k, inside):
    """Are jobs on a lab's API screened? (The policy binds only labs inside.)"""
    return inside and k.on

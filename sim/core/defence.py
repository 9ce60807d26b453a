"""Defensive benefit of open weights: benign fine-tunes that build defences.

A share ``hobbyists.defensive_share`` of benign open-weight fine-tunes builds defences
(classifiers, red-teaming, safety tooling). They add to a stock that goes out of date at
``defence_decay_per_month``. The defence level D / (D + ``defence_half_stock``) cuts the
success of AI-enabled misuse attempts by up to ``defence_max_effect``. Restricting open
weights loses these fine-tunes; API fine-tunes build none. The share is a guess whose range
includes zero.
"""

from __future__ import annotations

from typing import Any

from sim.config import Hobbyists


class DefenceStock:
    def __init__(self, cfg: Hobbyists) -> None:
        self.cfg = cfg
        self.stock = 0.0

    @property
    def level(self) -> float:
        """Defence level in [0, 1): half at ``defence_half_stock`` fine-tunes."""
        return self.stock / (self.stock + self.cfg.defence_half_stock)

    def success_factor(self) -> float:
        """What an AI-enabled misuse attempt's success probability is multiplied by."""
        return 1.0 - self.cfg.defence_max_effect * self.level

    def end_month(self, tally: Any) -> None:
        """This month's defensive fine-tunes (counted by the rules in the month's tally)
        join the stock, which goes out of date; they count from next month."""
        self.stock = self.stock * (1.0 - self.cfg.defence_decay_per_month) + tally.defence_added

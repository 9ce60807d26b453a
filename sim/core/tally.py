"""The month's counters (``sim.outcomes.Counts``) as one record the compiled rules write.

Each counted outcome is a field of one row of a record array (``table``): compiled rules
add to it where the counted thing happens (``w.tally[0].takedowns += 1``), Python through
:meth:`MonthTally.add`, and the reporters read ``tally.<name>``. A field's type in ``Counts``
(``int`` or ``float``) gives its dtype.
"""

from __future__ import annotations

import typing
from typing import Any

import numpy as np

from sim.core.table import as_rows
from sim.outcomes import Counts

_DTYPES = {int: np.int64, float: np.float64}


def counts_dtype() -> np.dtype:
    """The record of :class:`~sim.outcomes.Counts`, a field per count, in order."""
    hints = typing.get_type_hints(Counts)
    return np.dtype([(name, _DTYPES[hints[name]]) for name in Counts._fields], align=True)


class MonthTally:
    """This month's counts: ``table`` for compiled rules, ``tally.<name>`` for Python."""

    def __init__(self) -> None:
        self.data = np.zeros(1, dtype=counts_dtype())
        self.table = as_rows(self.data)

    def reset(self) -> None:
        self.data[0] = 0

    def add(self, name: str, value: float = 1) -> None:
        self.data[name][0] += value

    def __getattr__(self, name: str) -> Any:
        if name in Counts._fields:
            return self.data[name][0].item()
        raise AttributeError(name)

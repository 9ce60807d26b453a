"""What a calibration target measures in a run: one number from its time series or summary.

Four kinds of output, each written as a small mapping in the spec:

- ``{column: strip_cost, date: 2024-02}``: a column's value in one month;
- ``{column: strip_cost, from: 2024-07, to: 2024-12, stat: median}``: a statistic (mean,
  median, sum, min, max) of a column over a window of months;
- ``{growth: misuse_incidents, from: 2024-02}``: a yearly rate: the column's total over the
  12 months that follow the 12 starting at ``from``, over its total in those first 12,
  minus 1 (+0.56 is +56%);
- ``{summary: quantised_leaf_share}``: a value of the run summary (totals, final values,
  the shape of the derivative forest).

Months of a run are dated from ``start_date`` (row t is month t; the time series has no row
for month 0), so a target's dates must fall inside the simulated months.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import calendar
from sim.outcomes import numeric_columns, summary_keys

STATS = ("mean", "median", "sum", "min", "max")
DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Output:
    kind: str  # "column", "window", "growth" or "summary"
    name: str  # the column or summary key
    first: str = ""  # YYYY-MM (column, window; growth: the first of its 24 months)
    last: str = ""  # YYYY-MM (window; growth: the last of its 24 months)
    stat: str = ""

    def dates(self) -> tuple[str, ...]:
        return tuple(d for d in (self.first, self.last) if d)

    def describe(self) -> str:
        if self.kind == "column":
            return f"{self.name} in {self.first}"
        if self.kind == "window":
            return f"{self.stat} of {self.name}, {self.first} to {self.last}"
        if self.kind == "growth":
            return f"growth of {self.name}, 12 months to {self.last} on the 12 before"
        return f"{self.name} (run summary)"

    def measure(self, start_date: str, frame: Any, summary: Mapping[str, Any]) -> float:
        """The output of one run (NaN where it has no value, e.g. growth from zero)."""
        if self.kind == "summary":
            value = summary.get(self.name)
            return math.nan if value is None else float(value)
        steps = frame["step"].to_numpy()
        values = frame[self.name].to_numpy(dtype=float)
        if self.kind == "column":
            return float(values[steps == calendar.step_of(start_date, self.first)][0])
        if self.kind == "window":
            lo, hi = (calendar.step_of(start_date, d) for d in (self.first, self.last))
            inside = values[(steps >= lo) & (steps <= hi)]
            return float(getattr(np, self.stat)(inside))
        year1 = calendar.step_of(start_date, self.first)
        year2 = year1 + 12
        first = values[(steps >= year1) & (steps < year2)].sum()
        second = values[(steps >= year2) & (steps < year2 + 12)].sum()
        return float(second / first - 1.0) if first > 0 else math.nan


def parse_output(raw: Any, where: str, fail: Any) -> Output:
    """One target's ``output`` mapping (see the module's docstring)."""
    if not isinstance(raw, Mapping):
        raise fail(where, "expected a mapping such as {column: strip_cost, date: 2024-02}")
    keys = set(raw)
    if "summary" in keys:
        _only(keys, {"summary"}, where, fail)
        name = raw["summary"]
        if name not in summary_keys():
            raise fail(f"{where}.summary", f"unknown summary value {name!r}; known: "
                       + ", ".join(summary_keys()))  # fmt: skip
        return Output("summary", name)
    if "growth" in keys:
        _only(keys, {"growth", "from"}, where, fail)
        name = _column(raw["growth"], f"{where}.growth", fail)
        if "from" not in keys:
            raise fail(f"{where}.from", "missing (the first month of the first 12)")
        first = _date(raw["from"], f"{where}.from", fail)
        index = calendar.month_index(first) + 23
        return Output("growth", name, first, f"{index // 12:04d}-{index % 12 + 1:02d}")
    if "column" not in keys:
        raise fail(where, "expected one of column, growth, summary")
    name = _column(raw["column"], f"{where}.column", fail)
    if "date" in keys:
        _only(keys, {"column", "date"}, where, fail)
        return Output("column", name, _date(raw["date"], f"{where}.date", fail))
    _only(keys, {"column", "from", "to", "stat"}, where, fail)
    for key in ("from", "to"):
        if key not in keys:
            raise fail(f"{where}.{key}", "missing (a window needs from and to; or give date)")
    first = _date(raw["from"], f"{where}.from", fail)
    last = _date(raw["to"], f"{where}.to", fail)
    if calendar.month_index(last) < calendar.month_index(first):
        raise fail(f"{where}.to", f"expected a month not before {first}, got {last}")
    stat = raw.get("stat", "mean")
    if stat not in STATS:
        raise fail(f"{where}.stat", f"expected one of {', '.join(STATS)}, got {stat!r}")
    return Output("window", name, first, last, stat)


def _only(keys: set, allowed: set, where: str, fail: Any) -> None:
    extra = sorted(str(k) for k in keys - allowed)
    if extra:
        raise fail(f"{where}.{extra[0]}", f"unexpected here; expected {', '.join(sorted(allowed))}")


def _column(name: Any, where: str, fail: Any) -> str:
    if name not in numeric_columns():
        raise fail(where, f"unknown column {name!r}; known: {', '.join(numeric_columns())}")
    return str(name)


def _date(value: Any, where: str, fail: Any) -> str:
    text = str(value)
    if not DATE.match(text):
        raise fail(where, f"expected a month as YYYY-MM, got {value!r}")
    return text

"""The calendar: month t of a run is ``start_date`` plus t months, so dated sources can be
compared with dated outputs (``timeseries.csv`` has a ``date`` column, ``YYYY-MM``)."""

from __future__ import annotations


def month_index(start_date: str) -> int:
    """Months since year 0 of a ``YYYY-MM`` date (validated by the config)."""
    year, month = start_date.split("-")
    return int(year) * 12 + int(month) - 1


def date_of(start_date: str, step: int) -> str:
    """The ``YYYY-MM`` of month ``step`` (month 0 is ``start_date``)."""
    index = month_index(start_date) + step
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def step_of(start_date: str, date: str) -> int:
    """The month of the run that falls on ``date`` (negative before the start)."""
    return month_index(date) - month_index(start_date)

"""Tables of rows that grow: one NumPy record array per table, with spare capacity.

A table's schema is a ``NamedTuple`` whose fields are its columns; each field's default
declares the column (:class:`Column`: dtype, fill, with its meaning in a comment). The rows
are one structured array (``data``; Python reads a column as ``column(name)``), which
compiled rules receive as ``rows`` and read as ``rows[i].budget`` (Numba reads structured
arrays; one array per table keeps the compiled rules' signatures small; in plain Python,
under ``NUMBA_DISABLE_JIT``, ``rows`` is the same memory as a ``np.recarray``, which reads
the same way), and ``count`` is a one-element array holding how many rows are in use:
compiled rules append by writing the next row and raising it, so Python
and compiled code see one state with nothing copied in or out. Python makes room first
(:meth:`Table.reserve`); growing replaces the array, so holders keep row indices, never
arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numba
import numpy as np


@dataclass(frozen=True)
class Column:
    """One column of a table's schema: its dtype and the value of an unwritten row."""

    dtype: Any
    fill: float | int | bool = 0


def record_dtype(schema: type) -> np.dtype:
    """The record dtype of a schema (fields in order, aligned)."""
    return np.dtype(
        [(name, schema._field_defaults[name].dtype) for name in schema._fields], align=True
    )


def blank(schema: type, n: int) -> np.ndarray:
    """``n`` unwritten rows of a schema (each column at its fill)."""
    rows = np.zeros(n, dtype=record_dtype(schema))
    for name in schema._fields:
        fill = schema._field_defaults[name].fill
        if fill != 0:
            rows[name] = fill
    return rows


class Table[R: NamedTuple]:
    """The rows of one schema, with room to grow (capacity doubles)."""

    def __init__(self, schema: type[R], capacity: int = 1024) -> None:
        self.schema = schema
        self.count = np.zeros(1, dtype=np.int64)
        self.data: np.ndarray = blank(schema, max(capacity, 1))
        self.rows = as_rows(self.data)

    def __len__(self) -> int:
        return int(self.count[0])

    @property
    def capacity(self) -> int:
        return len(self.data)

    def reserve(self, more: int) -> np.ndarray:
        """Room for ``more`` rows after the last one; returns the (maybe new) rows."""
        capacity = self.capacity
        while capacity < len(self) + more:
            capacity *= 2
        if capacity > self.capacity:
            grown = blank(self.schema, capacity)
            grown[: len(self)] = self.data[: len(self)]
            self.data, self.rows = grown, as_rows(grown)
        return self.rows

    def column(self, name: str) -> np.ndarray:
        """The rows in use of one column (a view: valid until the table next grows)."""
        return self.data[name][: len(self)]

    def append(self, **values: Any) -> int:
        """One row from Python (the rest of its columns keep their fill); returns its index."""
        self.reserve(1)
        i = len(self)
        for name, value in values.items():
            self.data[name][i] = value
        self.count[0] = i + 1
        return i

    def extend(self, n: int, **values: Any) -> np.ndarray:
        """``n`` rows from Python, each column given as an array or one value."""
        self.reserve(n)
        start = len(self)
        for name, value in values.items():
            self.data[name][start : start + n] = value
        self.count[0] = start + n
        return np.arange(start, start + n)


def as_rows(data: np.ndarray) -> np.ndarray:
    """The array compiled rules receive: ``data`` itself, or in plain Python (where only a
    record array reads ``rows[i].field``) the same memory as a ``np.recarray``."""
    return data.view(np.recarray) if numba.config.DISABLE_JIT else data

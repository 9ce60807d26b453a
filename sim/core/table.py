"""Tables of rows that grow, kept as one NumPy array per column, with spare capacity.

A table's schema is a ``NamedTuple`` whose fields are its columns; each field's default
declares the column (:class:`Column`: dtype, fill, with its meaning in a comment). The rows
are the schema itself holding one array per column (``rows``): compiled rules receive it and
read ``rows.budget[i]``, and so does plain Python under ``NUMBA_DISABLE_JIT``; Python code
reads a column by name (``data[name]``, ``column(name)``). Columns rather than one record
array: a rule that reads one field of many rows (a hub's tickets, a search's finds) touches
only that field's memory, which stays in the processor's cache. ``count`` is a one-element
array holding how many rows are in use: compiled rules append by writing the next row and
raising it, so Python and compiled code see one state with nothing copied in or out. Python
makes room first (:meth:`Table.reserve`); growing replaces the arrays, so holders keep row
indices, never arrays.

A few small fixed sets of rows (the month's counters, a search's offer, a fine-tune's three
routes) are instead one record array (:func:`blank`), read ``records[i].field``.
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
    """``n`` unwritten rows of a schema as one record array (each field at its fill)."""
    rows = np.zeros(n, dtype=record_dtype(schema))
    for name in schema._fields:
        fill = schema._field_defaults[name].fill
        if fill != 0:
            rows[name] = fill
    return rows


def columns[R: NamedTuple](schema: type[R], n: int) -> R:
    """``n`` unwritten rows of a schema, one array per column (each at its fill)."""
    defaults = schema._field_defaults  # type: ignore[attr-defined]
    return schema(
        *(np.full(n, defaults[name].fill, dtype=defaults[name].dtype) for name in schema._fields)
    )


class Table[R: NamedTuple]:
    """The rows of one schema, with room to grow (capacity doubles)."""

    def __init__(self, schema: type[R], capacity: int = 1024) -> None:
        self.schema = schema
        self.count = np.zeros(1, dtype=np.int64)
        self.rows: R = columns(schema, max(capacity, 1))
        self.data: dict[str, np.ndarray] = self.rows._asdict()

    def __len__(self) -> int:
        return int(self.count[0])

    @property
    def capacity(self) -> int:
        return len(self.rows[0])

    def reserve(self, more: int) -> R:
        """Room for ``more`` rows after the last one; returns the (maybe new) rows."""
        capacity = self.capacity
        while capacity < len(self) + more:
            capacity *= 2
        if capacity > self.capacity:
            grown = columns(self.schema, capacity)
            n = len(self)
            for old, new in zip(self.rows, grown, strict=True):
                new[:n] = old[:n]
            self.rows, self.data = grown, grown._asdict()
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
    """A record array as compiled rules receive it: ``data`` itself, or in plain Python
    (where only a ``np.recarray`` reads ``records[i].field``) the same memory as one."""
    return data.view(np.recarray) if numba.config.DISABLE_JIT else data

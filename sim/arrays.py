"""Arrays that grow by appending, for state that compiled and batched code reads by index
while the model adds to it one item at a time (checkpoints, hub tickets, ties)."""

from __future__ import annotations

import numpy as np


class Growable:
    """A NumPy array that grows by appending (capacity doubles), so batched decisions can
    index every checkpoint's attributes at once while the registry grows one at a time."""

    def __init__(self, dtype: type | np.dtype, fill: float | int | bool = 0) -> None:
        self._data = np.full(1024, fill, dtype=dtype)
        self._fill = fill
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def append(self, value: float | int | bool) -> None:
        if self.size == len(self._data):
            self.reserve(1)
        self._data[self.size] = value
        self.size += 1

    def reserve(self, more: int) -> None:
        """Make room for ``more`` appends (capacity doubles as needed)."""
        capacity = len(self._data)
        while capacity < self.size + more:
            capacity *= 2
        if capacity > len(self._data):
            grown = np.full(capacity, self._fill, dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown

    def __setitem__(self, i: int, value: float | int | bool) -> None:
        self._data[i] = value

    @property
    def values(self) -> np.ndarray:
        """The filled part (a view: valid until the next append)."""
        return self._data[: self.size]

    def at(self, ids: np.ndarray) -> np.ndarray:
        """Entries by index; -1 (no checkpoint) reads a slot the caller must mask."""
        return self._data[ids]

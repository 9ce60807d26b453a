"""The stream of uniform draws for the agents' many yes/no decisions.

Every number comes from the model's generator (``model.rng``), a block at a time: a block is
drawn when the last one is used up, so runs are reproducible from the seed and the other
draws from ``rng`` (the month's order of turns, moderation, audits, tie dynamics) fall at
the same places in its sequence whichever code reads the stream. Compiled rules and Python
read the same buffer and position (:class:`Stream`) through one function, :func:`uniform`
(Python calls its plain-Python form, which costs a microsecond where crossing into compiled
code would cost tens).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

BLOCK = 4096


class Stream(NamedTuple):
    buffer: np.ndarray  # float64[BLOCK]: the current block
    pos: np.ndarray  # int64[1]: the next unread place in it (BLOCK: the block is used up)
    rng: np.random.Generator


@njit(cache=True, inline="always")
def uniform(s):
    """The next uniform draw on [0, 1)."""
    i = s.pos[0]
    if i == len(s.buffer):
        for j in range(len(s.buffer)):  # (the same numbers as ``rng.random(BLOCK)``)
            s.buffer[j] = s.rng.random()
        i = 0
    s.pos[0] = i + 1
    return s.buffer[i]


_uniform = getattr(uniform, "py_func", uniform)  # the same function, run by Python


class Draws:
    """The stream as Python code uses it."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.stream = Stream(np.empty(BLOCK), np.array([BLOCK], dtype=np.int64), rng)

    def next(self) -> float:
        """The next uniform draw on [0, 1)."""
        return float(_uniform(self.stream))

    __call__ = next

    def many(self, n: int) -> list[float]:
        """The next ``n`` uniform draws."""
        return [float(_uniform(self.stream)) for _ in range(n)]

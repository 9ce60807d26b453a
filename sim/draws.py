"""Uniform draws for the agents' many yes/no decisions, taken from the model's generator a
block at a time.

A scalar ``Generator.random()`` costs about half a microsecond of call overhead, and the
agents make tens of such draws per active actor and month; the next number of a pre-drawn
block, read through a C-level iterator (``Uniforms.next``), costs a tenth of that. Every
number still comes from the model's ``rng`` (a block is drawn from it when the last one is
used up), so runs stay reproducible from the seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain, islice

import numpy as np


class Uniforms:
    def __init__(self, rng: np.random.Generator, block: int = 4096) -> None:
        self.rng = rng
        self.block = block
        self._stream: Iterator[float] = chain.from_iterable(self._blocks())
        self.next: Callable[[], float] = self._stream.__next__
        """The next uniform draw on [0, 1) (the fast path: no Python frame per draw)."""

    def _blocks(self) -> Iterator[list[float]]:
        while True:
            yield self.rng.random(self.block).tolist()

    def __call__(self) -> float:
        """The next uniform draw on [0, 1)."""
        return self.next()

    def many(self, n: int) -> list[float]:
        """The next ``n`` uniform draws."""
        return list(islice(self._stream, n))

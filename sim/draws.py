"""Uniform draws for the agents' many yes/no decisions, taken from the model's generator a
block at a time.

A scalar ``Generator.random()`` costs about half a microsecond of call overhead, and the
agents make tens of such draws per active actor and month; reading the next number of a
pre-drawn block costs a tenth of that. Every number still comes from the model's ``rng``
(the block is refilled from it), so runs stay reproducible from the seed.
"""

from __future__ import annotations

import numpy as np


class Uniforms:
    def __init__(self, rng: np.random.Generator, block: int = 4096) -> None:
        self.rng = rng
        self.block = block
        self.values: list[float] = []
        self.next = 0

    def __call__(self) -> float:
        """The next uniform draw on [0, 1)."""
        if self.next >= len(self.values):
            self.values = self.rng.random(self.block).tolist()
            self.next = 0
        value = self.values[self.next]
        self.next += 1
        return value

    def many(self, n: int) -> list[float]:
        """The next ``n`` uniform draws."""
        if self.next + n > len(self.values):
            rest = self.values[self.next :]
            self.values = rest + self.rng.random(max(self.block, n)).tolist()
            self.next = 0
        out = self.values[self.next : self.next + n]
        self.next += n
        return out

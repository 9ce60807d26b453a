"""Uniform draws for the agents' many yes/no decisions, taken from the model's generator a
block at a time.

A scalar ``Generator.random()`` costs about half a microsecond of call overhead, and the
agents make tens of such draws per active actor and month; the next number of a pre-drawn
block costs a fraction of that. Every number still comes from the model's ``rng``: a block
is drawn from it when the last one is used up, so runs stay reproducible from the seed.

Compiled code (``sim.hobbyist_turns``) reads the same stream: :meth:`Uniforms.lend` hands it
the current block (and, when it needs more, the next ones), and :meth:`Uniforms.settle`
takes back what it used. A block drawn ahead that the compiled code did not reach is undrawn
(the generator's state is restored), so the stream, and every other draw from ``rng``, is
the same whichever code consumed it.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Uniforms:
    def __init__(self, rng: np.random.Generator, block: int = 4096) -> None:
        self.rng = rng
        self.block = block
        self.buffer = np.empty(0)
        self.pos = 0
        self._ahead: list[tuple[int, dict[str, Any]]] = []  # (where a block starts, state)

    def next(self) -> float:
        """The next uniform draw on [0, 1)."""
        pos = self.pos
        if pos == len(self.buffer):
            self.buffer, pos = self.rng.random(self.block), 0
        self.pos = pos + 1
        return float(self.buffer[pos])

    __call__ = next

    def many(self, n: int) -> list[float]:
        """The next ``n`` uniform draws."""
        if self.pos + n <= len(self.buffer):
            out = self.buffer[self.pos : self.pos + n].tolist()
            self.pos += n
            return out
        return [self.next() for _ in range(n)]

    # --- lending the stream to compiled code -------------------------------------------------
    def lend(self, need: int) -> tuple[np.ndarray, int]:
        """The buffer and position, with at least ``need`` draws left after it: blocks are
        drawn ahead as needed, remembering the generator's state before each."""
        while len(self.buffer) - self.pos < need:
            state = self.rng.bit_generator.state
            rest = self.buffer[self.pos :]
            self.buffer = np.concatenate([rest, self.rng.random(self.block)])
            self._ahead = [(start - self.pos, s) for start, s in self._ahead]
            self._ahead.append((len(rest), state))
            self.pos = 0
        return self.buffer, self.pos

    def settle(self, pos: int) -> None:
        """Compiled code used the stream up to ``pos``: blocks drawn ahead that it did not
        reach are undrawn, as if never lent."""
        while self._ahead and pos <= self._ahead[-1][0]:
            start, state = self._ahead.pop()
            self.rng.bit_generator.state = state
            self.buffer = self.buffer[:start]
        self._ahead.clear()
        self.pos = pos

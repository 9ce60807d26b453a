"""The month's turns: every active hobbyist and malicious actor, in a random order, each
taking its kind's compiled turn (``sim.core.actors.act``) on the world's arrays.

Python steps in only where a turn ends in a new technique (drawn from the model's generator
in order: ``sim.core.techniques.invention``), and once the turns are over, to hand the
month's logs to the regulator's view (``sim.core.logs.replay``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from sim.core import logs, network
from sim.core.actors import act
from sim.core.borrow import borrowed
from sim.core.calls import from_python
from sim.core.rules.derivatives import DONE, INVENT
from sim.core.techniques import invention


@njit(cache=True)
def run_turns(w, m, order, first):
    """The turns of ``order[first:]`` until one invents. Returns (DONE or INVENT, the index
    of the turn that invented or ``len(order)``)."""
    w, m = borrowed(w), borrowed(m)  # (no reference counting in the turns' many calls)
    for index in range(first, len(order)):
        node = order[index]
        if w.nodes[node].banned_until > m.t or w.nodes[node].spent_step == m.t:
            continue
        if act(w, m, node) == INVENT:
            return INVENT, index
    return DONE, len(order)


_run_turns = from_python(run_turns)


def take_turns(model: Any, order: np.ndarray) -> None:
    """The month's turns in ``order``, then the logs to the regulator's view."""
    world, month, cfg = model.world, model.month, model.cfg
    world.ready_for(len(order), cfg.sharing.pooling.max_members)
    index = 0
    while index < len(order):
        status, index = _run_turns(world.state(), month, order, index)
        if status == INVENT:
            node = int(order[index])
            model.techniques.invent(node, invention(cfg, world.draws.next, model.rng))
            index += 1
    settle(model)


def settle(model: Any) -> None:
    """The turns are over: their logs go to the regulator's view, and the ties pools
    strengthened to the NetworkX graph."""
    world, lag = model.world, model.cfg.regulator.report_lag_months
    pairs = logs.replay(world.logs, model.oversight, model.incidents, model.month.t, lag)
    network.strengthened(world.ties, pairs)

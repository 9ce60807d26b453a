"""The month's turns: every active hobbyist and malicious actor, in a random order, each
taking its kind's compiled turn (``sim.core.actors.act``) on the world's arrays.

Python steps in only where a turn ends in a new technique (drawn from the model's generator
in order: ``sim.core.techniques.invention``). Once the turns are over, the model hands their
logs to the regulator's view (``EcosystemModel.report_turns``).

The turns are compiled without reference counting (``_nrt=False``, here and on every turn
function that is not inlined): they never allocate, since Python sizes every array they
write beforehand (``World.ready_for``), and counting references to the world's many arrays
at every call of a rule cost more than the rules' own work.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from sim.core.actors import act
from sim.core.calls import from_python
from sim.core.rules.derivatives import DONE, INVENT
from sim.core.techniques import invention


@njit(cache=True, _nrt=False)
def run_turns(w, m, order, first):
    """The turns of ``order[first:]`` until one invents. Returns (DONE or INVENT, the index
    of the turn that invented or ``len(order)``)."""
    for index in range(first, len(order)):
        node = order[index]
        if w.nodes.banned_until[node] > m.t or w.nodes.spent_step[node] == m.t:
            continue
        if act(w, m, node) == INVENT:
            return INVENT, index
    return DONE, len(order)


_run_turns = from_python(run_turns)


def take_turns(model: Any, order: np.ndarray) -> None:
    """The month's turns in ``order``."""
    world, month, cfg = model.world, model.month, model.cfg
    world.ready_for(len(order), cfg.sharing.pooling.max_members)
    index = 0
    while index < len(order):
        status, index = _run_turns(world.state(), month, order, index)
        if status == INVENT:
            node = int(order[index])
            model.techniques.invent(node, invention(cfg, world.draws.next, model.rng))
            index += 1

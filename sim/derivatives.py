"""Derivative kinds: what a fine-tune, a quantisation or a merge inherits from its parents.

- A **fine-tune** adds a little capability (more for skilled fine-tuners, never more than
  ``max_derivative_gain_oom`` above its base) and erodes safeguards and tamper resistance.
- A **quantisation** is cheap and slightly less capable; it keeps its parent's safeguards.
  Building on it is worth less than building on its full-precision original
  (``sim.search.unit_value``), which is why quantisations are rarely parents: nobody has to
  rule that they are leaves.
- A **merge** combines two checkpoints of the same base: the better parent's capability
  plus a little, and the *weaker* safeguards of the two, so a stripped parent's missing
  safeguards travel into the merge.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.checkpoints import Checkpoint, Kind
from sim.config import Hobbyists


class Traits(NamedTuple):
    capability: float
    safeguard: float
    tamper: float


def kind_value(cfg: Hobbyists, kind: Kind) -> float:
    """Value of making a derivative of ``kind`` relative to a fine-tune of the same parent."""
    if kind == "quantised":
        return cfg.quantised_value_factor
    return cfg.merge_value_factor if kind == "merge" else 1.0


def _capped(cfg: Hobbyists, capability: float, root: Checkpoint) -> float:
    return min(capability, root.capability + cfg.max_derivative_gain_oom)


def finetuned(cfg: Hobbyists, parent: Checkpoint, root: Checkpoint, skill: float) -> Traits:
    return Traits(
        capability=max(
            parent.capability,
            _capped(cfg, parent.capability + 2 * cfg.finetune_gain_oom * skill, root),
        ),
        safeguard=parent.safeguard * (1 - cfg.safety_erosion),
        tamper=parent.tamper * (1 - cfg.tamper_erosion),
    )


def quantised(cfg: Hobbyists, parent: Checkpoint) -> Traits:
    return Traits(
        capability=parent.capability - cfg.quantisation_loss_oom,
        safeguard=parent.safeguard,
        tamper=parent.tamper,
    )


def merged(cfg: Hobbyists, a: Checkpoint, b: Checkpoint, root: Checkpoint, skill: float) -> Traits:
    top = max(a.capability, b.capability)
    return Traits(
        capability=max(top, _capped(cfg, top + cfg.finetune_gain_oom * skill, root)),
        safeguard=min(a.safeguard, b.safeguard),
        tamper=min(a.tamper, b.tamper),
    )

"""The fine-tuning cost curve (ODD §3.3.1): pure functions of capability, time and know-how.

cost = base(c) x hardware(t) x algorithms(t) x techniques(n) [x strip factor], where
base(c) = base_usd x 10^(e c) and algorithms(t) = (compute index)^e, e being the
capability-cost elasticity (capability is effective compute; cost follows checkpoint size,
~ compute^e). Each factor is a separate function so tests and documentation can look at one
at a time, and every function works on numpy arrays as well as on scalars (the reporters
evaluate it for all actors at once).
"""

from __future__ import annotations

import numpy as np

from sim.config import Costs

Num = float | np.ndarray


def hardware_index(costs: Costs, step: float) -> float:
    """Price of GPU compute relative to step 0: halves every ``hardware_halving_months``."""
    return 2.0 ** (-step / costs.hardware_halving_months)


def algorithmic_index(costs: Costs, step: float) -> float:
    """Compute needed for a fixed result, relative to step 0: halves every
    ``algorithmic_halving_months``."""
    return 2.0 ** (-step / costs.algorithmic_halving_months)


def algorithmic_efficiency(costs: Costs, step: float) -> float:
    """Fine-tuning cost factor from algorithmic progress.

    Capability is effective compute, so progress lets a smaller checkpoint reach the same
    capability; fine-tuning cost scales with size, i.e. with compute^elasticity. The factor is
    therefore the compute index raised to ``capability_cost_elasticity``.
    """
    return algorithmic_index(costs, step) ** costs.capability_cost_elasticity


def capability_scale(costs: Costs, capability: Num) -> Num:
    """How much more a checkpoint of ``capability`` (OOM vs the step-0 open frontier) costs."""
    return 10.0 ** (costs.capability_cost_elasticity * np.asarray(capability, dtype=float))


def technique_multiplier(costs: Costs, known: Num) -> Num:
    """Combined multiplier of ``known`` cost-cutting techniques, never below the floor."""
    factor = costs.technique_factor**known
    if isinstance(factor, np.ndarray):
        return np.maximum(factor, costs.technique_floor)
    return max(factor, costs.technique_floor)


def strip_factor(costs: Costs, safeguard: Num, tamper: Num) -> Num:
    """Stripping is dearer the more safeguard remains and the more tamper-resistant it is."""
    return np.asarray(safeguard, dtype=float) * (
        1.0 + costs.tamper_cost_multiplier * np.asarray(tamper, dtype=float)
    )


def finetune_cost(costs: Costs, capability: Num, step: float, known: Num) -> Num:
    """USD for a benign fine-tune of a checkpoint, for an actor knowing ``known`` techniques."""
    return (
        costs.finetune_cost_usd
        * capability_scale(costs, capability)
        * hardware_index(costs, step)
        * algorithmic_efficiency(costs, step)
        * technique_multiplier(costs, known)
    )


def strip_cost(
    costs: Costs,
    capability: Num,
    step: float,
    known: Num,
    safeguard: Num,
    tamper: Num,
) -> Num:
    """USD to remove a checkpoint's safeguards; ``strip_cost_usd`` at step 0 for the frontier."""
    return (
        costs.strip_cost_usd
        * capability_scale(costs, capability)
        * hardware_index(costs, step)
        * algorithmic_efficiency(costs, step)
        * technique_multiplier(costs, known)
        * strip_factor(costs, safeguard, tamper)
    )

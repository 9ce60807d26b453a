"""The fine-tuning cost curve (docs/ODD.md): pure functions of capability, time and know-how.

cost = base(c) x hardware(t) x algorithms(t) x techniques [x strip factor], where
base(c) = base_usd x 10^(e c) and algorithms(t) = (compute index)^e, e being the
capability-cost elasticity (capability is effective compute; cost follows checkpoint size,
~ compute^e). Techniques are given as the OOM of cost they cut (see ``sim.techniques``).
Each factor is a separate function so tests and documentation can look at one at a time,
and every function works on numpy arrays as well as on scalars (the reporters evaluate it
for all actors at once). The FLOP of a run, which compute KYC judges, is its cost in USD
times the FLOP a dollar buys at the time.
"""

from __future__ import annotations

import numpy as np

from sim.config import Costs, Malicious

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
    if isinstance(capability, (float, int)):
        return 10.0 ** (costs.capability_cost_elasticity * capability)
    return 10.0 ** (costs.capability_cost_elasticity * np.asarray(capability, dtype=float))


def technique_multiplier(oom: Num, floor: float) -> Num:
    """Combined multiplier of known techniques that cut ``oom`` OOM, never below ``floor``."""
    if isinstance(oom, np.ndarray):
        return np.maximum(10.0 ** (-oom), floor)
    return max(10.0 ** (-float(oom)), floor)


def strip_factor(costs: Costs, safeguard: Num, tamper: Num) -> Num:
    """Stripping is dearer the more safeguard remains and the more tamper-resistant it is."""
    return np.asarray(safeguard, dtype=float) * (
        1.0 + costs.tamper_cost_multiplier * np.asarray(tamper, dtype=float)
    )


def time_factor(costs: Costs, step: float) -> float:
    """Hardware and algorithmic decline together: what a step-0 dollar costs at ``step``."""
    return hardware_index(costs, step) * algorithmic_efficiency(costs, step)


def _curve(costs: Costs, usd: float, capability: Num, step: float) -> Num:
    return usd * capability_scale(costs, capability) * time_factor(costs, step)


def finetune_cost(costs: Costs, capability: Num, step: float, finetune_oom: Num = 0.0) -> Num:
    """USD for a fine-tune of a checkpoint, for an actor whose fine-tuning techniques cut
    ``finetune_oom`` OOM of cost."""
    return _curve(costs, costs.finetune_cost_usd, capability, step) * technique_multiplier(
        finetune_oom, costs.technique_floor
    )


def strip_cost(
    costs: Costs,
    capability: Num,
    step: float,
    finetune_oom: Num,
    strip_oom: Num,
    safeguard: Num,
    tamper: Num,
) -> Num:
    """USD to remove a checkpoint's safeguards: ``strip_cost_usd`` at step 0 for the open
    frontier with 2023 methods; every known technique (fine-tuning and stripping) cuts it,
    down to ``strip_technique_floor``. Pass ``tamper=0`` when the actor bypasses it."""
    fine = technique_multiplier(finetune_oom, costs.technique_floor)
    strip = technique_multiplier(strip_oom, 0.0)
    return (
        _curve(costs, costs.strip_cost_usd, capability, step)
        * np.maximum(fine * strip, costs.strip_technique_floor)
        * strip_factor(costs, safeguard, tamper)
    )


def uplift_cost(
    costs: Costs, malicious: Malicious, capability: Num, step: float, finetune_oom: Num = 0.0
) -> Num:
    """USD of the domain uplift fine-tune that severe misuse needs: more compute than a
    benign fine-tune, plus data and expertise whose price does not fall with hardware."""
    compute = malicious.uplift_compute_factor * finetune_cost(costs, capability, step, finetune_oom)
    return compute + malicious.uplift_data_usd


def run_flop(costs: Costs, usd: Num, step: float) -> Num:
    """Training FLOP a run of ``usd`` buys at ``step`` (FLOP per USD rises as prices fall)."""
    return np.asarray(usd, dtype=float) * costs.flop_per_usd / hardware_index(costs, step)

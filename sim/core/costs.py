"""The fine-tuning cost curve (docs/ODD.md), written once, compiled, for rules and reporters.

cost = base(c) x hardware(t) x algorithms(t) x techniques [x strip factor], where
base(c) = base_usd x 10^(e c) and algorithms(t) = (compute index)^e, e being the
capability-cost elasticity (capability is effective compute; cost follows checkpoint size,
~ compute^e). Techniques are given as the OOM of cost they cut (``sim.core.techniques``).
The month's factors are fixed once (:class:`CostTerms`, from :func:`terms`); the functions
below price one checkpoint for one actor, in scalar arithmetic (``**``, ``max``), so a run
gives the same numbers compiled and under ``NUMBA_DISABLE_JIT``. The FLOP of a run, which
compute KYC judges, is its cost in USD times the FLOP a dollar buys at the time.
"""

from __future__ import annotations

from typing import NamedTuple

from numba import njit

from sim.config import Costs


class CostTerms(NamedTuple):
    """The cost curve's factors this month."""

    finetune_usd: float  # a benign fine-tune of the step-0 open frontier, in 2024 dollars
    finetune_now: float  # the same this month, at no technique (finetune_usd x time)
    strip_usd: float  # a strip of it with 2023 methods
    elasticity: float  # capability-cost elasticity (cost ~ 10^(e c))
    time: float  # hardware x algorithmic decline since month 0
    hardware: float  # GPU price index (1 at month 0)
    flop_per_usd: float  # training FLOP a 2024 dollar buys
    technique_floor: float
    strip_floor: float
    tamper_multiplier: float
    published_finetune_oom: float  # what everyone knows (published techniques)
    published_strip_oom: float
    published_bypass: int
    quantise_factor: float  # a quantisation's compute relative to a fine-tune
    merge_factor: float
    api_finetune_usd: float  # a job on a lab's fine-tuning API this month
    api_abuse_usd: float  # jailbreaking a fine-tuning API (a few dollars)


def hardware_index(costs: Costs, step: float) -> float:
    """Price of GPU compute relative to step 0: halves every ``hardware_halving_months``."""
    return 2.0 ** (-step / costs.hardware_halving_months)


def algorithmic_index(costs: Costs, step: float) -> float:
    """Compute needed for a fixed result, relative to step 0: halves every
    ``algorithmic_halving_months``."""
    return 2.0 ** (-step / costs.algorithmic_halving_months)


def algorithmic_efficiency(costs: Costs, step: float) -> float:
    """Fine-tuning cost factor from algorithmic progress: capability is effective compute,
    so progress lets a smaller checkpoint reach the same capability; fine-tuning cost
    scales with size, i.e. with compute^elasticity."""
    return algorithmic_index(costs, step) ** costs.capability_cost_elasticity


def time_factor(costs: Costs, step: float) -> float:
    """Hardware and algorithmic decline together: what a step-0 dollar costs at ``step``."""
    return hardware_index(costs, step) * algorithmic_efficiency(costs, step)


def terms(
    costs: Costs, step: float, published: tuple[float, float, int] = (0.0, 0.0, 0)
) -> CostTerms:
    """The month's factors; ``published``: the OOM cuts (fine-tuning, stripping) and the
    tamper bypasses of the published techniques."""
    hardware = hardware_index(costs, step)
    decline = time_factor(costs, step)
    return CostTerms(
        finetune_usd=costs.finetune_cost_usd,
        finetune_now=costs.finetune_cost_usd * decline,
        strip_usd=costs.strip_cost_usd,
        elasticity=costs.capability_cost_elasticity,
        time=decline,
        hardware=hardware,
        flop_per_usd=costs.flop_per_usd,
        technique_floor=costs.technique_floor,
        strip_floor=costs.strip_technique_floor,
        tamper_multiplier=costs.tamper_cost_multiplier,
        published_finetune_oom=published[0],
        published_strip_oom=published[1],
        published_bypass=published[2],
        quantise_factor=costs.quantise_cost_factor,
        merge_factor=costs.merge_cost_factor,
        api_finetune_usd=costs.api_finetune_usd * hardware,
        api_abuse_usd=costs.api_abuse_usd,
    )


@njit(cache=True, inline="always")
def technique_multiplier(oom, floor):
    """Combined multiplier of known techniques that cut ``oom`` OOM, never below ``floor``."""
    return max(10.0 ** (-oom), floor)


@njit(cache=True, inline="always")
def finetune_cost(c, capability, finetune_oom):
    """USD for a fine-tune of a checkpoint of ``capability`` for an actor whose techniques
    cut ``finetune_oom`` OOM (before any tamper-resistance overhead)."""
    scale = 10.0 ** (c.elasticity * capability)
    return c.finetune_usd * scale * c.time * technique_multiplier(finetune_oom, c.technique_floor)


@njit(cache=True, inline="always")
def strip_cost(c, capability, safeguard, tamper, finetune_oom, strip_oom, bypass):
    """USD to remove a checkpoint's safeguards: ``strip_usd`` at step 0 for the open
    frontier with 2023 methods; every known technique (fine-tuning and stripping) cuts it,
    down to ``strip_floor``; dearer the more safeguard remains and the more tamper-resistant
    it is, unless the actor knows a technique that bypasses tamper resistance."""
    fine = technique_multiplier(finetune_oom, c.technique_floor)
    strip = technique_multiplier(strip_oom, 0.0)
    tm = 0.0 if bypass else tamper
    curve = c.strip_usd * 10.0 ** (c.elasticity * capability) * c.time
    return curve * max(fine * strip, c.strip_floor) * (safeguard * (1.0 + c.tamper_multiplier * tm))


@njit(cache=True, inline="always")
def run_flop(c, usd):
    """Training FLOP a run of ``usd`` buys this month (FLOP per USD rises as prices fall)."""
    return usd * c.flop_per_usd / c.hardware


# --- what one actor's know-how makes of the curve --------------------------------------------
@njit(cache=True, inline="always")
def finetune_oom(c, nodes, node):
    """OOM of cost cut by the fine-tuning techniques ``node`` knows (published and its own)."""
    return c.published_finetune_oom + nodes.known_finetune_oom[node]


@njit(cache=True, inline="always")
def multiplier(c, nodes, node):
    """``node``'s technique multiplier on a fine-tune's compute."""
    return technique_multiplier(finetune_oom(c, nodes, node), c.technique_floor)


@njit(cache=True, inline="always")
def actor_strip_cost(c, nodes, node, capability, safeguard, tamper):
    """:func:`strip_cost` with what ``node`` knows."""
    strip_oom = c.published_strip_oom + nodes.known_strip_oom[node]
    bypass = (c.published_bypass + nodes.known_bypass[node]) > 0
    return strip_cost(
        c, capability, safeguard, tamper, finetune_oom(c, nodes, node), strip_oom, bypass
    )

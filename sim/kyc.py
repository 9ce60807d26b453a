"""Compute KYC as the law writes it, and pool monitoring: identity and compute, not intent.

Compute providers must report cloud runs whose training compute reaches
``policies.compute_kyc.threshold_flop`` (the EU's 1e23 FLOP indicative threshold by default;
the FLOP of a run is its compute cost times the FLOP a dollar buys then). Actors on their
own hardware and pooled (decentralised) runs are not covered; pool monitoring, if in force,
reports pooled runs. A reported run is *flagged*: it joins the regulator's investigation
queue ahead of random audits. Nothing about a run reveals its intent, so benign and
malicious runs are reported alike; only an investigation can find misuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import costs

if TYPE_CHECKING:
    from sim.model import EcosystemModel
    from sim.oversight import Activity


def kyc_covers(model: EcosystemModel, compute_usd: float, own_hardware: bool) -> bool:
    """Would compute KYC cover a solo run of this compute cost this month?"""
    if own_hardware or not model.policies.active("compute_kyc", model.steps):
        return False
    threshold = model.policies["compute_kyc"].params.threshold_flop
    return bool(costs.run_flop(model.cfg.costs, compute_usd, model.steps) >= threshold)


def record_run(
    model: EcosystemModel, activity: Activity, compute_usd: float, own_hardware: bool
) -> None:
    """A fine-tuning, stripping or uplift run happened: the policies in force may report it,
    and the regulator may audit it."""
    t, solo = model.steps, len(activity.members) == 1
    if solo and kyc_covers(model, compute_usd, own_hardware):
        model.tally.kyc_covered_runs += 1
        activity.flagged = bool(model.uniform() < model.policies["compute_kyc"].strength)
        model.tally.kyc_flags += int(activity.flagged)
    elif not solo and model.policies.active("pool_monitoring", t):
        activity.flagged = bool(model.uniform() < model.policies["pool_monitoring"].strength)
    model.oversight.record(activity)

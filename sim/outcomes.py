"""The outcomes (docs/ODD.md §3.3.12): one place that knows each column's name and how it is
measured.

Reporters are small module-level functions named after what they measure, handed to Mesa's
DataCollector in :data:`REPORTERS`; the per-run summary is derived from the collected frame
and the derivative forest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim import costs

if TYPE_CHECKING:
    from sim.checkpoints import Checkpoint
    from sim.model import EcosystemModel


@dataclass
class MonthTally:
    """Flows counted during one month; reset at the start of each step."""

    misuse_incidents: int = 0
    severe_incidents: int = 0
    harm: float = 0.0
    baseline_incidents: int = 0
    baseline_harm: float = 0.0
    benign_finetunes: int = 0
    pooled_finetunes: int = 0
    takedowns: int = 0
    reuploads: int = 0
    leaks: int = 0
    detections: int = 0
    benefit: float = 0.0
    api_jobs_blocked: int = 0
    kyc_covered_runs: int = 0
    kyc_flags: int = 0


def step(model: EcosystemModel) -> int:
    return model.steps


def date(model: EcosystemModel) -> str:
    """The calendar month, ``YYYY-MM`` (month 0 is ``start_date``)."""
    return model.date


def misuse_incidents(model: EcosystemModel) -> int:
    """AI-enabled misuse incidents this month (both tiers)."""
    return model.tally.misuse_incidents


def cumulative_incidents(model: EcosystemModel) -> int:
    return model.totals["misuse_incidents"]


def severe_incidents(model: EcosystemModel) -> int:
    """AI-enabled incidents of the severe tier (dangerous capability uplift) this month."""
    return model.tally.severe_incidents


def harm(model: EcosystemModel) -> float:
    """Summed severity of this month's AI-enabled incidents."""
    return model.tally.harm


def baseline_incidents(model: EcosystemModel) -> int:
    """Incidents through the non-AI baseline route this month."""
    return model.tally.baseline_incidents


def baseline_harm(model: EcosystemModel) -> float:
    return model.tally.baseline_harm


def total_harm(model: EcosystemModel) -> float:
    """AI-enabled plus baseline harm: what a policy must lower, not merely displace."""
    return model.tally.harm + model.tally.baseline_harm


def malicious_equipped(model: EcosystemModel) -> int:
    return sum(1 for a in model.malicious if a.is_equipped)


def _hobbyist_finetune_oom(model: EcosystemModel) -> np.ndarray:
    return np.asarray(model.techniques.finetune_oom(model.hobbyist_nodes), dtype=float)


def _hobbyist_costs(model: EcosystemModel, ckpt: Checkpoint) -> np.ndarray:
    """Each hobbyist's solo cost to fine-tune ``ckpt`` now (two reporters ask of the best
    checkpoint each month: computed once, kept until the month's cache is cleared)."""
    key = ("hobbyist_costs", ckpt.id, model.steps)
    found = model.month_cache.get(key)
    if found is None:
        nodes = model.hobbyist_nodes
        found = model.month_cache[key] = np.asarray(
            model.benign_finetune_cost(
                ckpt.capability,
                ckpt.tamper,
                _hobbyist_finetune_oom(model),
                solo=True,
                own_hardware=model.own_hardware[nodes],
            )
        )
    return found


def finetune_cost(model: EcosystemModel) -> float:
    """Median over hobbyists of the solo USD cost to fine-tune the best open checkpoint."""
    best = model.checkpoints.best_safe_on_hub()
    if best is None or len(model.hobbyist_nodes) == 0:
        return math.nan
    return float(np.median(_hobbyist_costs(model, best)))


def strip_cost(model: EcosystemModel) -> float:
    """Median over malicious actors of the USD cost to strip the most capable open base
    release (with the techniques each knows)."""
    registry = model.checkpoints
    ids = registry.open_base_ids()
    if not len(ids):
        return math.nan
    capability = registry.columns.capability.values[ids]
    target = registry[int(ids[np.lexsort((ids, -capability))[0]])]  # most capable, earliest
    nodes = model.malicious_nodes
    tech = model.techniques
    if len(nodes):
        fine, strip = tech.finetune_oom(nodes), tech.strip_oom(nodes)
        tamper = np.where(tech.bypasses_tamper(nodes), 0.0, target.tamper)
    else:  # what the published techniques alone give
        fine, strip = tech.published_finetune_oom, tech.published_strip_oom
        tamper = 0.0 if tech.published_bypass else target.tamper
    cost = costs.strip_cost(
        model.cfg.costs, target.capability, model.steps, fine, strip, target.safeguard, tamper
    )
    return float(np.median(cost))


def benign_finetunes(model: EcosystemModel) -> int:
    return model.tally.benign_finetunes


def cumulative_benign_finetunes(model: EcosystemModel) -> int:
    return model.totals["benign_finetunes"]


def pooled_finetunes(model: EcosystemModel) -> int:
    return model.tally.pooled_finetunes


def hub_checkpoints(model: EcosystemModel) -> int:
    """Checkpoints downloadable from the main hub."""
    return model.checkpoints.hub_size()


def stripped_on_hub(model: EcosystemModel) -> int:
    return len(model.checkpoints.main.stripped)


def fringe_checkpoints(model: EcosystemModel) -> int:
    """Checkpoints downloadable from the fringe hub (never moderated)."""
    return len(model.checkpoints.fringe)


def takedowns(model: EcosystemModel) -> int:
    return model.tally.takedowns


def reuploads(model: EcosystemModel) -> int:
    """Weights removed from the main hub and re-uploaded to the fringe hub this month."""
    return model.tally.reuploads


def leaks(model: EcosystemModel) -> int:
    """API-only or staged weights that leaked this month."""
    return model.tally.leaks


def detections(model: EcosystemModel) -> int:
    return model.tally.detections


def oversight_coverage(model: EcosystemModel) -> float:
    return model.oversight.coverage()


def able_to_finetune(model: EcosystemModel) -> float:
    """Share of hobbyists whose monthly budget covers a solo fine-tune of *some* open
    checkpoint (the least capable on the main hub, hence the cheapest)."""
    least = model.checkpoints.main.least(stripped=False)
    if least is None or len(model.hobbyist_nodes) == 0:
        return 0.0
    return float(np.mean(model.budget[model.hobbyist_nodes] >= _hobbyist_costs(model, least)))


def able_to_finetune_frontier(model: EcosystemModel) -> float:
    """Share of hobbyists who can afford a solo fine-tune of the most capable open checkpoint."""
    best = model.checkpoints.best_safe_on_hub()
    if best is None or len(model.hobbyist_nodes) == 0:
        return 0.0
    return float(np.mean(model.budget[model.hobbyist_nodes] >= _hobbyist_costs(model, best)))


def techniques_published(model: EcosystemModel) -> int:
    return model.techniques.published


def defence_level(model: EcosystemModel) -> float:
    """Defences built by open-weight fine-tunes, in [0, 1) (cuts AI misuse success)."""
    return model.defence.level


def api_jobs_blocked(model: EcosystemModel) -> int:
    """Fine-tuning API jobs blocked by screening this month (abusive, and benign by mistake)."""
    return model.tally.api_jobs_blocked


def kyc_covered_runs(model: EcosystemModel) -> int:
    """Solo cloud runs at or above compute KYC's FLOP threshold this month (0 when off)."""
    return model.tally.kyc_covered_runs


def kyc_flags(model: EcosystemModel) -> int:
    """Covered runs the compute providers reported to the regulator this month."""
    return model.tally.kyc_flags


def benefit(model: EcosystemModel) -> float:
    """Benign value created this month (sum over derivatives; arbitrary but consistent units)."""
    return model.tally.benefit


REPORTERS = {
    f.__name__: f
    for f in (
        step,
        date,
        misuse_incidents,
        cumulative_incidents,
        severe_incidents,
        harm,
        baseline_incidents,
        baseline_harm,
        total_harm,
        malicious_equipped,
        finetune_cost,
        strip_cost,
        benign_finetunes,
        cumulative_benign_finetunes,
        pooled_finetunes,
        hub_checkpoints,
        stripped_on_hub,
        fringe_checkpoints,
        takedowns,
        reuploads,
        leaks,
        detections,
        oversight_coverage,
        able_to_finetune,
        able_to_finetune_frontier,
        techniques_published,
        defence_level,
        benefit,
        api_jobs_blocked,
        kyc_covered_runs,
        kyc_flags,
    )
}
COLUMNS: tuple[str, ...] = tuple(REPORTERS)
FLOWS: tuple[str, ...] = (
    "misuse_incidents",
    "severe_incidents",
    "harm",
    "baseline_incidents",
    "baseline_harm",
    "total_harm",
    "benign_finetunes",
    "pooled_finetunes",
    "takedowns",
    "reuploads",
    "leaks",
    "detections",
    "benefit",
    "kyc_covered_runs",
    "kyc_flags",
)
NOT_NUMERIC = ("date",)
# The shape of the public derivative forest and of the main hub, in every run summary.
LINEAGE = ("lineage_leaf_share", "lineage_max_depth", "quantised_leaf_share", "stripped_hub_share")


def summary_name(flow: str) -> str:
    """The run summary's key for a flow's total over the run: ``total_<column>``, except
    that the total of ``total_harm`` (AI-enabled plus baseline harm) is
    ``total_harm_incl_baseline`` (``total_harm`` is the AI-enabled harm's total)."""
    return "total_harm_incl_baseline" if flow == "total_harm" else f"total_{flow}"


def numeric_columns() -> tuple[str, ...]:
    """The time-series columns that hold numbers (every column but ``step`` and ``date``)."""
    return tuple(c for c in COLUMNS if c not in ("step", *NOT_NUMERIC))


def summary_keys() -> tuple[str, ...]:
    """The numeric values of a run summary (one number per run): what sensitivity outcomes
    and calibration targets may name."""
    return (
        *[summary_name(c) for c in FLOWS],
        "first_incident_step",
        "mean_oversight_coverage",
        *[f"final_{c}" for c in numeric_columns()],
        *LINEAGE,
    )


def summarise(frame: pd.DataFrame, model: EcosystemModel) -> dict[str, Any]:
    """Per-run summary: totals of flows, first incident, final values, the shape of the
    derivative forest, and run facts."""
    out: dict[str, Any] = {summary_name(c): _plain(frame[c].sum()) for c in FLOWS}
    hits = frame.loc[frame["misuse_incidents"] > 0, "step"]
    out["first_incident_step"] = int(hits.iloc[0]) if len(hits) else None
    out["mean_oversight_coverage"] = _plain(frame["oversight_coverage"].mean())
    for c in COLUMNS:
        if c not in ("step", *NOT_NUMERIC):
            out[f"final_{c}"] = _plain(frame[c].iloc[-1]) if len(frame) else None
    out.update(model.checkpoints.lineage_summary())
    out["steps"] = int(model.steps)
    out["checkpoints"] = len(model.checkpoints)
    out["stripped_checkpoints"] = model.checkpoints.stripped_count()
    out["escalations"] = [
        {"step": s, "policy": p, "strength": v} for s, p, v in model.policies.escalations
    ]
    return out


def _plain(value: Any) -> Any:
    """numpy scalars -> Python numbers; NaN -> None, so the summary is valid JSON."""
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and math.isnan(value):
        return None
    return value

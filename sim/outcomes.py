"""The outcomes (ODD §3.3.12): one place that knows each column's name and how it is measured.

Reporters are small module-level functions named after what they measure, handed to Mesa's
DataCollector in :data:`REPORTERS`; the per-run summary is derived from the collected frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim import costs

if TYPE_CHECKING:
    from sim.model import EcosystemModel


@dataclass
class MonthTally:
    """Flows counted during one month; reset at the start of each step."""

    misuse_incidents: int = 0
    harm: float = 0.0
    benign_finetunes: int = 0
    pooled_finetunes: int = 0
    takedowns: int = 0
    detections: int = 0
    benefit: float = 0.0
    api_jobs_blocked: int = 0


def step(model: EcosystemModel) -> int:
    return model.steps


def misuse_incidents(model: EcosystemModel) -> int:
    return model.tally.misuse_incidents


def cumulative_incidents(model: EcosystemModel) -> int:
    return model.totals["misuse_incidents"]


def harm(model: EcosystemModel) -> float:
    return model.tally.harm


def malicious_equipped(model: EcosystemModel) -> int:
    return sum(1 for a in model.malicious if a.is_equipped)


def _hobbyist_known(model: EcosystemModel) -> np.ndarray:
    return np.asarray(model.techniques.known(model.hobbyist_nodes)).reshape(-1)


def finetune_cost(model: EcosystemModel) -> float:
    """Median over hobbyists of the solo USD cost to fine-tune the best open checkpoint."""
    best = model.checkpoints.best_safe_on_hub()
    if best is None:
        return math.nan
    known = _hobbyist_known(model) if len(model.hobbyist_nodes) else model.techniques.published
    return float(np.median(model.benign_finetune_cost(best, known, solo=True)))


def strip_cost(model: EcosystemModel) -> float:
    """Median over malicious actors of the USD cost to strip the most capable open base release."""
    bases = model.checkpoints.open_bases()
    if not bases:
        return math.nan
    target = max(bases, key=lambda c: (c.capability, -c.id))
    nodes = model.malicious_nodes
    known = model.techniques.known(nodes) if len(nodes) else model.techniques.published
    cost = costs.strip_cost(
        model.cfg.costs, target.capability, model.steps, known, target.safeguard, target.tamper
    )
    return float(np.median(cost))


def benign_finetunes(model: EcosystemModel) -> int:
    return model.tally.benign_finetunes


def cumulative_benign_finetunes(model: EcosystemModel) -> int:
    return model.totals["benign_finetunes"]


def pooled_finetunes(model: EcosystemModel) -> int:
    return model.tally.pooled_finetunes


def hub_checkpoints(model: EcosystemModel) -> int:
    return model.checkpoints.hub_size()


def stripped_on_hub(model: EcosystemModel) -> int:
    return len(model.checkpoints.stripped_hub)


def takedowns(model: EcosystemModel) -> int:
    return model.tally.takedowns


def detections(model: EcosystemModel) -> int:
    return model.tally.detections


def oversight_coverage(model: EcosystemModel) -> float:
    return model.oversight.coverage()


def able_to_finetune(model: EcosystemModel) -> float:
    """Share of hobbyists whose monthly budget covers a solo fine-tune of the best open
    checkpoint."""
    best = model.checkpoints.best_safe_on_hub()
    if best is None or len(model.hobbyist_nodes) == 0:
        return 0.0
    cost = model.benign_finetune_cost(best, _hobbyist_known(model), solo=True)
    return float(np.mean(model.budget[model.hobbyist_nodes] >= cost))


def techniques_published(model: EcosystemModel) -> int:
    return model.techniques.published


def api_jobs_blocked(model: EcosystemModel) -> int:
    """Fine-tuning API jobs blocked by screening this month (abusive and, by mistake, benign)."""
    return model.tally.api_jobs_blocked


def benefit(model: EcosystemModel) -> float:
    """Benign value created this month (sum over fine-tunes; arbitrary but consistent units)."""
    return model.tally.benefit


REPORTERS = {
    f.__name__: f
    for f in (
        step,
        misuse_incidents,
        cumulative_incidents,
        harm,
        malicious_equipped,
        finetune_cost,
        strip_cost,
        benign_finetunes,
        cumulative_benign_finetunes,
        pooled_finetunes,
        hub_checkpoints,
        stripped_on_hub,
        takedowns,
        detections,
        oversight_coverage,
        able_to_finetune,
        techniques_published,
        benefit,
        api_jobs_blocked,
    )
}
COLUMNS: tuple[str, ...] = tuple(REPORTERS)
FLOWS: tuple[str, ...] = (
    "misuse_incidents",
    "harm",
    "benign_finetunes",
    "pooled_finetunes",
    "takedowns",
    "detections",
    "benefit",
)


def summarise(frame: pd.DataFrame, model: EcosystemModel) -> dict[str, Any]:
    """Per-run summary: totals of flows, first incident, final values, and run facts."""
    out: dict[str, Any] = {f"total_{c}": _plain(frame[c].sum()) for c in FLOWS}
    hits = frame.loc[frame["misuse_incidents"] > 0, "step"]
    out["first_incident_step"] = int(hits.iloc[0]) if len(hits) else None
    out["mean_oversight_coverage"] = _plain(frame["oversight_coverage"].mean())
    for c in COLUMNS:
        if c != "step":
            out[f"final_{c}"] = _plain(frame[c].iloc[-1]) if len(frame) else None
    out["steps"] = int(model.steps)
    out["checkpoints"] = len(model.checkpoints)
    out["stripped_checkpoints"] = sum(
        1 for c in model.checkpoints.items if model.checkpoints.is_stripped(c)
    )
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

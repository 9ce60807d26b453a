"""The outcomes (docs/ODD.md §3.3.12): one place that knows each column's name and how it is
measured.

A column is either *counted* (a flow the rules add to during the month: a field of
:class:`Counts`, kept in one record the compiled rules write directly,
``sim.core.tally.MonthTally``) or *computed* at
the month's end by a reporter, a small module-level function named after what it measures.
:data:`COLUMNS` is their order in ``timeseries.csv``; :data:`REPORTERS` hands them to Mesa's
DataCollector. The per-run summary is derived from the collected frame and the facts the
model adds (the shape of the derivative forest).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd


class Counts(NamedTuple):
    """Flows counted during one month (reset at its start), written where they happen: each
    field's type says how it is kept (``sim.core.tally.MonthTally``, one record the compiled
    rules write)."""

    misuse_incidents: int = 0  # AI-enabled incidents (both tiers)
    severe_incidents: int = 0  # of which the severe tier
    harm: float = 0.0  # summed severity of AI-enabled incidents
    baseline_incidents: int = 0  # through the non-AI route
    baseline_harm: float = 0.0
    benign_finetunes: int = 0  # on open weights or through an API
    pooled_finetunes: int = 0
    takedowns: int = 0  # removals from the main hub
    reuploads: int = 0  # removed weights re-uploaded to the fringe hub
    leaks: int = 0  # API-only or staged weights that leaked
    detections: int = 0  # actors banned after an investigation
    benefit: float = 0.0  # benign value (arbitrary, consistent units)
    api_jobs_blocked: int = 0  # by screening (abusive, and benign ones)
    kyc_covered_runs: int = 0  # solo cloud runs at KYC's threshold
    kyc_flags: int = 0  # covered runs reported to the regulator
    defence_added: int = 0  # defensive fine-tunes (not a column)


def _counted(name: str) -> Any:
    def reporter(model: Any) -> Any:
        return getattr(model.tally, name)

    reporter.__name__ = name
    reporter.__doc__ = f"Counted during the month (``Counts.{name}``)."
    return reporter


def step(model: Any) -> int:
    return model.steps


def date(model: Any) -> str:
    """The calendar month, ``YYYY-MM`` (month 0 is ``start_date``)."""
    return model.date


def cumulative_incidents(model: Any) -> int:
    return model.totals["misuse_incidents"]


def total_harm(model: Any) -> float:
    """AI-enabled plus baseline harm: what a policy must lower, not merely displace."""
    return model.tally.harm + model.tally.baseline_harm


def malicious_equipped(model: Any) -> int:
    """Malicious actors holding a checkpoint fit for their goal (API access not revoked)."""
    rows, ckpts = model.world.nodes, model.checkpoints
    malicious = model.malicious_nodes
    nodes = malicious[rows.column("equipped")[malicious] >= 0]
    cid = rows.column("equipped")[nodes]
    fit = ckpts.column("capability")[cid] >= rows.column("goal")[nodes]
    fit &= ~rows.column("severe")[nodes] | ckpts.column("uplifted")[cid]
    fit &= rows.column("equipped_until")[nodes] > model.steps
    return int(fit.sum())


def finetune_cost(model: Any) -> float:
    """Median over hobbyists of the solo USD cost to fine-tune the best open checkpoint."""
    best = model.main_hub.safe.best_id()
    nodes = model.hobbyist_nodes
    if best is None or len(nodes) == 0:
        return math.nan
    return float(np.median(_hobbyist_costs(model, best)))


def _hobbyist_costs(model: Any, cid: int) -> np.ndarray:
    """Each hobbyist's solo cost to fine-tune ``cid`` now (kept for the month: two
    reporters ask of the best checkpoint)."""
    key = ("hobbyist_costs", cid)
    found = model.month_cache.get(key)
    if found is None:
        found = model.month_cache[key] = model.solo_costs(model.hobbyist_nodes, cid)
    return found


def strip_cost(model: Any) -> float:
    """Median over malicious actors of the USD cost to strip the most capable open base
    release (with the techniques each knows)."""
    registry = model.checkpoints
    ids = registry.open_base_ids()
    if not len(ids):
        return math.nan
    capability = registry.column("capability")[ids]
    target = int(ids[np.lexsort((ids, -capability))[0]])  # most capable, earliest
    costs = model.strip_costs(model.malicious_nodes, target)
    return float(np.median(costs))


def cumulative_benign_finetunes(model: Any) -> int:
    return model.totals["benign_finetunes"]


def hub_checkpoints(model: Any) -> int:
    """Checkpoints downloadable from the main hub."""
    return len(model.main_hub)


def stripped_on_hub(model: Any) -> int:
    return len(model.main_hub.stripped)


def fringe_checkpoints(model: Any) -> int:
    """Checkpoints downloadable from the fringe hub (never moderated)."""
    return len(model.fringe_hub)


def oversight_coverage(model: Any) -> float:
    return model.oversight.coverage()


def able_to_finetune(model: Any) -> float:
    """Share of hobbyists whose monthly budget covers a solo fine-tune of *some* open
    checkpoint (the least capable on the main hub, hence the cheapest)."""
    return _able(model, model.main_hub.safe.least_id())


def able_to_finetune_frontier(model: Any) -> float:
    """Share of hobbyists who can afford a solo fine-tune of the most capable open checkpoint."""
    return _able(model, model.main_hub.safe.best_id())


def _able(model: Any, cid: int | None) -> float:
    nodes = model.hobbyist_nodes
    if cid is None or len(nodes) == 0:
        return 0.0
    budget = model.world.nodes.column("budget")[nodes]
    return float(np.mean(budget >= _hobbyist_costs(model, cid)))


def techniques_published(model: Any) -> int:
    return model.techniques.published


def defence_level(model: Any) -> float:
    """Defences built by open-weight fine-tunes, in [0, 1) (cuts AI misuse success)."""
    return model.defence.level


COMPUTED = {
    f.__name__: f
    for f in (
        step,
        date,
        cumulative_incidents,
        total_harm,
        malicious_equipped,
        finetune_cost,
        strip_cost,
        cumulative_benign_finetunes,
        hub_checkpoints,
        stripped_on_hub,
        fringe_checkpoints,
        oversight_coverage,
        able_to_finetune,
        able_to_finetune_frontier,
        techniques_published,
        defence_level,
    )
}
COLUMNS: tuple[str, ...] = (
    "step",
    "date",
    "misuse_incidents",
    "cumulative_incidents",
    "severe_incidents",
    "harm",
    "baseline_incidents",
    "baseline_harm",
    "total_harm",
    "malicious_equipped",
    "finetune_cost",
    "strip_cost",
    "benign_finetunes",
    "cumulative_benign_finetunes",
    "pooled_finetunes",
    "hub_checkpoints",
    "stripped_on_hub",
    "fringe_checkpoints",
    "takedowns",
    "reuploads",
    "leaks",
    "detections",
    "oversight_coverage",
    "able_to_finetune",
    "able_to_finetune_frontier",
    "techniques_published",
    "defence_level",
    "benefit",
    "api_jobs_blocked",
    "kyc_covered_runs",
    "kyc_flags",
)
REPORTERS = {name: COMPUTED.get(name) or _counted(name) for name in COLUMNS}
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


def summarise(frame: pd.DataFrame, facts: dict[str, Any]) -> dict[str, Any]:
    """Per-run summary: totals of flows, first incident, final values, then the ``facts``
    the model adds (the shape of the derivative forest, run facts)."""
    out: dict[str, Any] = {summary_name(c): _plain(frame[c].sum()) for c in FLOWS}
    hits = frame.loc[frame["misuse_incidents"] > 0, "step"]
    out["first_incident_step"] = int(hits.iloc[0]) if len(hits) else None
    out["mean_oversight_coverage"] = _plain(frame["oversight_coverage"].mean())
    for c in COLUMNS:
        if c not in ("step", *NOT_NUMERIC):
            out[f"final_{c}"] = _plain(frame[c].iloc[-1]) if len(frame) else None
    out.update(facts)
    return out


def _plain(value: Any) -> Any:
    """numpy scalars -> Python numbers; NaN -> None, so the summary is valid JSON."""
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and math.isnan(value):
        return None
    return value

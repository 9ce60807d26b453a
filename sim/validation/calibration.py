"""Stylised-fact calibration: the baseline's outputs next to the sourced figures.

Two kinds of row, kept apart because they mean different things:
- *anchored*: a source fixed a parameter; the row checks that the simulated output still
  shows it (the plumbing works, e.g. the month-1 strip cost is near the $200 it starts from);
- *emergent*: the output comes from the dynamics (the frontier cost curve, hub growth, time to
  the first incident) and is compared with what the sources say about the world.

Each row says whether model and source agree, within the tolerance it states, and where they
disagree the note says why. The figures are those of docs/parameters.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim import costs
from sim.config import Config
from sim.experiments.runs import Run

MONTHS = 12.0
MIN_MONTHS = 24


def annual_factor(steps: np.ndarray, values: np.ndarray) -> float:
    """Yearly multiplicative change of a positive series, from a log-linear least-squares fit."""
    keep = np.isfinite(values) & (values > 0)
    if keep.sum() < 2:
        return math.nan
    slope = np.polyfit(steps[keep], np.log(values[keep]), 1)[0]
    return float(math.exp(slope * MONTHS))


def source_fixed_capability_factor(config: Config, pass_through: float) -> float:
    """Yearly change of the cost of a fixed-capability fine-tune implied by the sourced halving
    times: hardware price x (compute for a fixed result)^pass_through."""
    c = config.costs
    return 2.0 ** (-MONTHS / c.hardware_halving_months) * 2.0 ** (
        -MONTHS / c.algorithmic_halving_months * pass_through
    )


def fixed_capability_cost(config: Config, frame: pd.DataFrame) -> np.ndarray:
    """The model's cost of fine-tuning a checkpoint at the month-0 frontier capability, for an
    actor who knows only the published techniques (techniques are emergent)."""
    return np.array(
        [
            costs.finetune_cost(config.costs, 0.0, float(step), float(known))
            for step, known in zip(frame["step"], frame["techniques_published"], strict=True)
        ]
    )


def _median(values: list[float]) -> float:
    x = np.array([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    return float(np.median(x)) if len(x) else math.nan


def _within(value: float, low: float, high: float) -> str:
    if math.isnan(value):
        return "n/a (no value)"
    return "agrees" if low <= value <= high else "disagrees"


def _usd(value: float) -> str:
    return "n/a" if math.isnan(value) else f"${value:,.0f}"


def _pct(factor: float) -> str:
    return "n/a" if math.isnan(factor) else f"{(factor - 1) * 100:+.0f}% a year"


def calibrate(config: Config, runs: Sequence[Run]) -> pd.DataFrame:
    """One row per stylised fact, from the base scenario's runs."""
    frames = [run.timeseries for run in runs]
    summaries = [run.summary for run in runs]
    rows: list[dict[str, Any]] = []

    def row(kind: str, quantity: str, model: str, source: str, cite: str, agree: str, note: str):
        rows.append(
            {
                "kind": kind,
                "quantity": quantity,
                "model": model,
                "source": source,
                "citation": cite,
                "agreement": agree,
                "note": note,
            }
        )

    months = len(frames[0]) if frames else 0
    short = months < MIN_MONTHS  # a yearly rate needs a couple of years of months
    too_short = f"n/a (run shorter than {MIN_MONTHS} months)"

    def verdict(ok: bool, value: float, yes: str = "agrees") -> str:
        if short:
            return too_short
        return "n/a (no value)" if math.isnan(value) else (yes if ok else "disagrees")

    strip0 = _median([f["strip_cost"].iloc[0] for f in frames])
    row(
        "anchored",
        "cost to strip the safeguards of the open frontier checkpoint, month 1",
        _usd(strip0),
        "< $200 (Llama 2-Chat 70B, one GPU)",
        "Lermen et al. 2023; Gade et al. 2023",
        _within(strip0, 20, 200),
        "tolerance: between $20 and $200. Anchored on costs.strip_cost_usd; one month of "
        "price decline and known techniques make it slightly lower.",
    )
    tune0 = _median([f["finetune_cost"].iloc[0] for f in frames])
    row(
        "anchored",
        "cost of a benign fine-tune of the best open checkpoint, month 1",
        _usd(tune0),
        "< $100 compute (Alpaca 7B); ~1 GPU-day for 65B (QLoRA)",
        "Taori et al. 2023; Dettmers et al. 2023",
        _within(tune0, 30, 3000),
        "tolerance: $30 to $3,000 (a GPU-day costs tens of dollars; the open frontier is "
        "larger than 7B). Anchored on costs.finetune_cost_usd = 500, a guess in that range.",
    )
    full = source_fixed_capability_factor(config, 1.0)
    sized = source_fixed_capability_factor(config, 0.5)
    fixed = _median([annual_factor(f["step"].to_numpy(), fixed_capability_cost(config, f))
                     for f in frames])  # fmt: skip
    row(
        "emergent",
        "cost of fine-tuning a fixed-capability checkpoint, change per year",
        f"{_pct(fixed)} (hardware, algorithms and the techniques published in the run)",
        f"{_pct(full)} if algorithmic progress passes fully to fine-tuning compute; "
        f"{_pct(sized)} if it passes through checkpoint size (parameters ~ compute^0.5)",
        "Hobbhahn & Besiroglu 2022 (FLOP/$ x2 per 2.5 years); Ho et al. 2024 (8-month "
        "halving); Hoffmann et al. 2022",
        too_short if short else _agreement_rate(fixed, sized, full),
        "tolerance: between the two readings, or within 5 percentage points of one. The "
        "model's algorithmic term is (compute index)^costs.capability_cost_elasticity "
        f"(= {config.costs.capability_cost_elasticity:g} here; 0.5 is the size route): "
        "slower than full pass-through. Published techniques add to the hardware and "
        "algorithmic decline.",
    )
    frontier = _median([annual_factor(f["step"].to_numpy(), f["finetune_cost"].to_numpy())
                        for f in frames])  # fmt: skip
    row(
        "emergent",
        "cost of fine-tuning the best open checkpoint (a moving target), change per year",
        _pct(frontier),
        "no direct source: the open frontier grows while each unit of capability gets "
        f"cheaper (bounded by {_pct(sized)} for fixed capability)",
        "as above; Epoch AI 2025 (open-weight lag)",
        verdict(sized <= frontier, frontier, "consistent"),
        "consistent when it falls more slowly than the fixed-capability cost: every year's "
        "best open checkpoint is more capable, hence larger and dearer to fine-tune.",
    )
    hub_first = _median([float(f["hub_checkpoints"].iloc[min(11, len(f) - 1)]) for f in frames])
    hub_last = _median([float(f["hub_checkpoints"].iloc[-1]) for f in frames])
    late = [f.iloc[len(f) // 2 :] for f in frames]
    growth = _median(
        [annual_factor(g["step"].to_numpy(), g["hub_checkpoints"].to_numpy(float)) for g in late]
    )
    row(
        "emergent",
        "checkpoints on the public hub (mostly derivatives): month 12, last month, growth",
        f"{hub_first:,.0f} -> {hub_last:,.0f}; {_pct(growth)} in the second half",
        "~1.86M Hugging Face models in fine-tune family trees, and growing",
        "Laufer et al. 2025",
        verdict(growth > 1.0, growth, "consistent"),
        "the level is not comparable (the model's population is a stylised few thousand "
        "fine-tuners); consistent when the derivative hub keeps growing to the end of the run.",
    )
    firsts = [s["first_incident_step"] for s in summaries]
    hits = [f for f in firsts if f is not None]
    # a run without an incident counts as one whose first incident comes after the horizon
    median_first = float(np.median([f if f is not None else months + 1 for f in firsts]))
    within_year = sum(1 for f in hits if f <= 12) / len(firsts) if firsts else math.nan
    row(
        "emergent",
        "month of the first misuse incident",
        (
            f"median month {median_first:.0f}"
            + (" (after the horizon)" if median_first > months else "")
            + f"; {len(hits)} of {len(firsts)} runs had one, {within_year:.0%} within the "
            "first year"
        )
        if hits
        else "no incident in any run",
        "misuse is already happening: 233 AI incidents reported in 2024; stripping and API "
        "jailbreaks demonstrated for < $200 in 2023",
        "Stanford AI Index 2025; Lermen et al. 2023; Qi et al. 2023",
        "n/a (run shorter than 12 months)"
        if months < 12
        else ("consistent" if median_first <= 12 else "disagrees"),
        "month 0 stands for the present of the sources (2023-24): consistent when the median "
        "first incident falls within the first year.",
    )
    report_prob = config.regulator.report_prob
    first_year = _median([float(f["misuse_incidents"].iloc[:12].sum()) for f in frames])
    row(
        "emergent",
        "reported misuse incidents in the first year",
        f"{first_year * report_prob:,.1f} (of {first_year:,.0f} incidents, "
        f"report_prob {report_prob:g})",
        "233 AI incidents of every kind reported worldwide in 2024",
        "Stanford AI Index 2025",
        "not comparable",
        "shown for scale only: the source counts all AI incidents worldwide; the model counts "
        "fine-tuning misuse in a stylised population.",
    )
    return pd.DataFrame(rows)


def _agreement_rate(model: float, low_source: float, high_source: float) -> str:
    """Agrees when the model's yearly factor lies between the two source readings, or within
    5 percentage points of the nearer one."""
    if math.isnan(model):
        return "disagrees"
    low, high = sorted((low_source, high_source))
    inside = low - 0.05 <= model <= high + 0.05
    return "agrees" if inside else "disagrees"

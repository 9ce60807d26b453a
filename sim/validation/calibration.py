"""Stylised-fact calibration: the baseline's dated outputs next to the dated sources.

Two kinds of row, kept apart because they mean different things:
- *anchored*: a source fixed a parameter; the row checks that the simulated output still
  shows it (the plumbing works, e.g. the month-1 strip cost is near the $200 it starts from);
- *emergent*: the output comes from the dynamics (strip cost after mid-2024, the share able
  to fine-tune, the shape of the derivative forest, incident growth) and is compared with
  what the sources say about the world at that date (``start_date`` anchors month 0).

Each row says whether model and source agree, within the tolerance it states; a row the
model does not meet is a finding, reported with its reason. The figures are those of
docs/parameters.md. Formal fitting of the uncertain parameters is ``calibrate``
(``sim.calibration``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim import calendar
from sim.api import finetune_cost
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
    """The model's cost of fine-tuning a checkpoint at the month-0 frontier capability for an
    actor who knows no technique (the techniques of a run are emergent and apply to a few)."""
    return np.array([finetune_cost(config, 0.0, float(step)) for step in frame["step"]])


def window(config: Config, frame: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """The rows of ``frame`` dated ``first`` to ``last`` (YYYY-MM, inclusive)."""
    lo = calendar.step_of(config.start_date, first)
    hi = calendar.step_of(config.start_date, last)
    return frame[(frame["step"] >= lo) & (frame["step"] <= hi)]


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

    def dated(first: str, last: str) -> list[pd.DataFrame]:
        return [window(config, f, first, last) for f in frames]

    def covers(first: str, last: str) -> bool:
        return all(len(w) for w in dated(first, last))

    strip0 = _median([f["strip_cost"].iloc[0] for f in frames])
    row(
        "anchored",
        f"cost to strip the safeguards of the open frontier checkpoint, "
        f"{calendar.date_of(config.start_date, 1)}",
        _usd(strip0),
        "< $200 (Llama 2-Chat 70B, one GPU, 2023)",
        "Lermen et al. 2023; Gade et al. 2023",
        _within(strip0, 20, 200),
        "tolerance: $20 to $200. Anchored on costs.strip_cost_usd; one month of price "
        "decline (and any technique already known) makes it slightly lower.",
    )
    tune0 = _median([f["finetune_cost"].iloc[0] for f in frames])
    row(
        "anchored",
        "cost of a benign fine-tune of the best open checkpoint, first month",
        _usd(tune0),
        "< $100 compute (Alpaca 7B); ~1 GPU-day for 65B (QLoRA)",
        "Taori et al. 2023; Dettmers et al. 2023",
        _within(tune0, 10, 1000),
        "tolerance: $10 to $1,000 (a GPU-day costs tens of dollars; a project runs a few). "
        "Anchored on costs.finetune_cost_usd, a guess in that range.",
    )
    mid = "2024-07", "2024-12"
    if covers(*mid):
        late = _median([float(np.median(w["strip_cost"])) for w in dated(*mid)])
        agree = _within(late, 0.2, 20)
    else:
        late, agree = math.nan, "n/a (run does not cover 2024-07 to 2024-12)"
    row(
        "emergent",
        "cost to strip the open frontier checkpoint, 2024-07 to 2024-12 (median month)",
        _usd(late) if late >= 1 or math.isnan(late) else f"${late:,.2f}",
        "~45 GPU-minutes for Llama 3 70B (~$2 at $2.5/GPU-hour); refusal removed by a weight edit",
        "Volkov 2024 (BadLlama 3); Arditi et al. 2024",
        agree,
        "tolerance: $0.20 to $20 (an order of magnitude either side). Emergent: it falls only "
        "as stripping techniques are invented and published in the run "
        "(hobbyists.invention_prob, strip_technique_share, costs.strip_technique_oom_mean, "
        "sharing.technique_publish_prob); the open frontier is also more capable by then.",
    )
    full = source_fixed_capability_factor(config, 1.0)
    sized = source_fixed_capability_factor(config, 0.5)
    fixed = _median([annual_factor(f["step"].to_numpy(), fixed_capability_cost(config, f))
                     for f in frames])  # fmt: skip
    row(
        "anchored",
        "cost of fine-tuning a fixed-capability checkpoint, change per year",
        f"{_pct(fixed)} (hardware and algorithms)",
        f"{_pct(full)} if algorithmic progress passes fully to fine-tuning compute; "
        f"{_pct(sized)} if it passes through checkpoint size (parameters ~ compute^0.5)",
        "Hobbhahn & Besiroglu 2022 (FLOP/$ x2 per 2.5 years); Ho et al. 2024 (8-month "
        "halving); Hoffmann et al. 2022",
        too_short if short else _agreement_rate(fixed, sized, full),
        "tolerance: between the two readings, or within 5 percentage points of one. The "
        "model's algorithmic term is (compute index)^costs.capability_cost_elasticity "
        f"(= {config.costs.capability_cost_elasticity:g} here; 0.5 is the size route).",
    )
    first_year = "2024-02", "2025-01"
    if covers(*first_year):
        able = _median([float(w["able_to_finetune"].mean()) for w in dated(*first_year)])
        agree = _within(able, 0.8, 1.0)
    else:
        able, agree = math.nan, "n/a (run does not cover 2024)"
    row(
        "emergent",
        "share of hobbyists who can afford a solo fine-tune of some open checkpoint, 2024",
        "n/a" if math.isnan(able) else f"{able:.0%}",
        "near-universal: 7-8B models fine-tune on one consumer GPU (QLoRA) or a free cloud "
        "notebook (~30 min for Llama 3 8B)",
        "Dettmers et al. 2023; Volkov 2024",
        agree,
        "tolerance: at least 80%. Families of sizes make the small members affordable to "
        "most monthly budgets.",
    )
    ends = [s for s in summaries]
    q_leaf = _median([s["quantised_leaf_share"] for s in ends])
    row(
        "emergent",
        "share of public quantised checkpoints that are leaves (no public derivative), end",
        "n/a" if math.isnan(q_leaf) else f"{q_leaf:.2%}",
        "99.41% of quantised models are leaves",
        "Horwitz et al. 2025 (arXiv 2503.10633)",
        _within(q_leaf, 0.97, 1.0),
        "tolerance: 97% to 100%. Emergent: nobody is told not to build on quantisations; "
        "they are worth less than their full-precision originals, which are usually in reach.",
    )
    leaf = _median([s["lineage_leaf_share"] for s in ends])
    row(
        "emergent",
        "share of public checkpoints that are leaves of the derivative forest, end",
        "n/a" if math.isnan(leaf) else f"{leaf:.0%}",
        "at least ~78%: ~400k documented parent edges among ~1.86M Hugging Face models, so at "
        "most ~22% of models are documented parents",
        "Horwitz et al. 2025; Laufer et al. 2025",
        _within(leaf, 0.78, 1.0),
        "tolerance: 78% to 100% (a bound derived from the two counts; > 60% of hub models "
        "document no parent, so the true share is uncertain).",
    )
    depth = _median([float(s["lineage_max_depth"]) for s in ends])
    row(
        "emergent",
        "deepest lineage of the public forest (generations below a base release), end",
        "n/a" if math.isnan(depth) else f"{depth:.0f}",
        "the LLM component of the Hugging Face forest is deep and holds ~1/3 of charted models",
        "Horwitz et al. 2025",
        verdict(depth >= 5, depth, "consistent"),
        "consistent when chains of at least 5 derivatives form (the source gives no number).",
    )
    stripped = _median([s["stripped_hub_share"] for s in ends])
    row(
        "emergent",
        "stripped share of the main hub, end",
        "n/a" if math.isnan(stripped) else f"{stripped:.1%}",
        "a small minority; no published share (searching the hub for 'uncensored' or "
        "'abliterated' finds thousands of ~2M models, under 1%: an unpublished reference)",
        "no published source (weak reference)",
        _within(stripped, 0.001, 0.05),
        "tolerance: 0.1% to 5%. Treat the verdict as weak: the reference is not a published "
        "figure.",
    )
    y1, y2 = ("2024-02", "2025-01"), ("2025-02", "2026-01")
    if covers(*y1) and covers(*y2):
        growths = []
        for a, b in zip(dated(*y1), dated(*y2), strict=True):
            first, second = float(a["misuse_incidents"].sum()), float(b["misuse_incidents"].sum())
            growths.append(second / first if first > 0 else math.nan)
        growth = _median(growths)
        agree = _within(growth, 1.25, 2.0)
    else:
        growth, agree = math.nan, "n/a (run does not cover 2024-2025)"
    row(
        "emergent",
        "growth of AI-enabled misuse incidents, 2025 on 2024 (reports scale with incidents)",
        "n/a" if math.isnan(growth) else f"{(growth - 1) * 100:+.0f}%",
        "+56.4% reported AI incidents, 2024 on 2023 (233 in 2024)",
        "Stanford AI Index 2025",
        agree,
        "tolerance: +25% to +100%. The source counts every kind of reported AI incident; the "
        "model counts fine-tuning misuse, a part of them.",
    )
    firsts = [s["first_incident_step"] for s in summaries]
    hits = [f for f in firsts if f is not None]
    # a run without an incident counts as one whose first incident comes after the horizon
    median_first = float(np.median([f if f is not None else months + 1 for f in firsts]))
    within_year = sum(1 for f in hits if f <= 12) / len(firsts) if firsts else math.nan
    row(
        "emergent",
        "month of the first AI-enabled misuse incident",
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
        "month 0 stands for the start date of the sources (2024-01): consistent when the "
        "median first incident falls within the first year.",
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

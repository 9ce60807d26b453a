"""The summary values a person reads first, and how numbers are shown in terminal tables."""

from __future__ import annotations

from typing import Any

HEADLINE = (
    "total_misuse_incidents",
    "total_severe_incidents",
    "total_baseline_incidents",
    "total_harm",
    "total_harm_incl_baseline",
    "first_incident_step",
    "total_benign_finetunes",
    "total_benefit",
    "total_pooled_finetunes",
    "total_detections",
    "total_takedowns",
    "mean_oversight_coverage",
    "final_finetune_cost",
    "final_strip_cost",
    "final_stripped_on_hub",
)


def fmt(x: float | int | None) -> str:
    """A number as people read it: thousands separated, three significant digits below."""
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def ci_text(stat: dict[str, Any], expected: int = 0) -> str:
    """``[low, high]``, noting how many runs it rests on when some had no value."""
    note = f"  (n={stat['n']})" if 0 < stat["n"] < expected else ""
    if stat["ci_low"] is None:
        return "-" + note
    return f"[{fmt(stat['ci_low'])}, {fmt(stat['ci_high'])}]{note}"


def number(x: Any) -> float | None:
    """None for None or NaN, else a float."""
    return None if x is None or x != x else float(x)

"""Which scenario keys the app exposes, and how: one list, so the page and tests agree.

Each control's unit, meaning and source come from the schema (``describe_fields``), the
same source of truth as docs/parameters.md, so the tooltip and the documentation cannot
disagree.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from sim.config import POLICY_NAMES, Config, Policies
from sim.schema import describe_fields, section_labels


@dataclass(frozen=True)
class Control:
    key: str  # dotted scenario key
    label: str
    kind: str  # "int", "float", "bool", or "log10" (a slider over the value's exponent)
    low: float = 0
    high: float = 1
    step: float = 1

    @property
    def unit(self) -> str:
        return _schema(self.key)["unit"]

    @property
    def help(self) -> str:
        """The tooltip: meaning, unit, source (``**guess**`` in the docs: 'a guess')."""
        row = _schema(self.key)
        source = "a guess (no published figure)" if row["source"] == "guess" else row["source"]
        unit = f" Unit: {row['unit']}." if row["unit"] else ""
        cited = "" if self.key in RUN_CONTROLS else f" Source: {source}."
        return f"{row['doc'][:1].upper()}{row['doc'][1:]}.{unit}{cited} Key: {self.key}."

    def label_with(self, value: Any) -> str:
        """The label shows the value and its unit: what is shown is what runs."""
        unit = f" {self.unit}" if self.unit and self.kind != "bool" else ""
        if self.kind == "bool":
            return self.label
        if self.kind == "log10":
            return f"{self.label}: {float(value):.0e}{unit}"
        if self.kind == "int":
            return f"{self.label}: {int(value):,}{unit}"
        return f"{self.label}: {float(value):g}{unit}"

    def snap(self, value: Any) -> Any:
        """Where the slider puts ``value``: the nearest point of its grid, within range."""
        steps = round((float(value) - self.low) / self.step)
        snapped = min(self.high, max(self.low, self.low + steps * self.step))
        return int(snapped) if self.kind == "int" else float(f"{snapped:.10g}")

    def to_slider(self, value: Any) -> float:
        return math.log10(float(value)) if self.kind == "log10" else value

    def from_slider(self, value: Any) -> Any:
        if self.kind == "log10":
            return float(f"{10.0 ** float(value):.3g}")
        return int(value) if self.kind == "int" else value


RUN_CONTROLS = ("seed", "steps", "replications")  # how to run, not what the world is


@functools.cache
def _rows() -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in describe_fields(Config)}


def _schema(key: str) -> dict[str, Any]:
    return _rows()[key]


# (group title, controls): the base scenario's parameters (both arms)
GROUPS: tuple[tuple[str, tuple[Control, ...]], ...] = (
    ("Actors", (
        Control("population.hobbyists", "Hobbyists", "int", 50, 10_000, 10),
        Control("population.malicious", "Malicious actors", "int", 0, 500, 1),
        Control("population.labs", "Labs", "int", 1, 40, 1),
        Control("malicious.severe_share", "Severe-tier share", "float", 0, 1, 0.05),
    )),
    ("Costs", (
        Control("costs.hardware_halving_months", "GPU price halving", "float", 6, 120, 1),
        Control("costs.algorithmic_halving_months", "Algorithmic halving", "float", 2, 30, 1),
        Control("costs.strip_cost_usd", "Strip cost at month 0", "float", 10, 5000, 10),
        Control("costs.own_hardware_share", "On own hardware (no KYC)", "float", 0, 1, 0.05),
    )),
    ("Sharing and hubs", (
        Control("sharing.hub_upload_prob", "Hub upload probability", "float", 0, 1, 0.05),
        Control("sharing.reupload_prob", "Re-uploads to the fringe hub", "float", 0, 1, 0.05),
        Control("sharing.pooling.enabled", "Pooled fine-tuning", "bool"),
        Control("sharing.pooling.efficiency", "Pooling efficiency", "float", 0.05, 1, 0.05),
    )),
    ("Supply, oversight, defences", (
        Control("labs.outside_jurisdiction_share", "Labs outside the jurisdiction", "float",
                0, 1, 0.05),
        Control("labs.leak_prob_per_year", "Leaks of closed weights", "float", 0, 0.5, 0.01),
        Control("regulator.capacity", "Investigations", "int", 0, 300, 1),
        Control("hobbyists.defensive_share", "Defensive share of fine-tunes", "float",
                0, 0.2, 0.01),
    )),
)  # fmt: skip
PARAMETERS: tuple[Control, ...] = tuple(c for _, group in GROUPS for c in group)

POLICY_LABELS = section_labels(Policies)  # the names the app shows, from the schema
KYC_THRESHOLD = Control("policies.compute_kyc.threshold_flop", "threshold", "log10", 17, 27, 0.5)
# Each policy: its toggle, then what shows while it is on (strength; KYC's threshold)
POLICIES: tuple[tuple[Control, tuple[Control, ...]], ...] = tuple(
    (
        Control(f"policies.{name}.enabled", POLICY_LABELS[name], "bool"),
        (Control(f"policies.{name}.strength", "strength", "float", 0, 1, 0.05),)
        + ((KYC_THRESHOLD,) if name == "compute_kyc" else ()),
    )
    for name in POLICY_NAMES
)
ALL_CONTROLS: tuple[Control, ...] = PARAMETERS + tuple(
    c for toggle, more in POLICIES for c in (toggle, *more)
)

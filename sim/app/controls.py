"""Which scenario keys the app exposes, and how: one list, so the page and tests agree."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import POLICY_NAMES


@dataclass(frozen=True)
class Control:
    key: str  # dotted scenario key
    label: str
    kind: str  # "int", "float" or "bool"
    low: float = 0
    high: float = 1
    step: float = 1


PARAMETERS: tuple[Control, ...] = (
    Control("seed", "Seed", "int", 0, 10_000, 1),
    Control("population.hobbyists", "Hobbyists", "int", 50, 10_000, 50),
    Control("population.malicious", "Malicious actors", "int", 0, 500, 5),
    Control("population.labs", "Labs", "int", 1, 40, 1),
    Control("costs.hardware_halving_months", "GPU price halving (months)", "float", 6, 120, 1),
    Control("costs.algorithmic_halving_months", "Algorithmic halving (months)", "float", 2, 30, 1),
    Control("costs.strip_cost_usd", "Strip cost at month 0 (USD)", "float", 10, 5000, 10),
    Control("sharing.hub_upload_prob", "Hub upload probability", "float", 0, 1, 0.05),
    Control("sharing.pooling.enabled", "Pooled fine-tuning", "bool"),
    Control("sharing.pooling.efficiency", "Pooling efficiency", "float", 0.05, 1, 0.05),
    Control("regulator.capacity", "Investigations/month", "int", 0, 300, 1),
    Control(
        "labs.outside_jurisdiction_share", "Labs outside the jurisdiction", "float", 0, 1, 0.05
    ),
    Control("labs.leak_prob_per_year", "Leaks of closed weights (per year)", "float", 0, 0.5, 0.01),
    Control("sharing.reupload_prob", "Re-uploads to the fringe hub", "float", 0, 1, 0.05),
    Control("costs.own_hardware_share", "Share on own hardware (no KYC)", "float", 0, 1, 0.05),
    Control("hobbyists.defensive_share", "Defensive share of fine-tunes", "float", 0, 0.2, 0.01),
    Control("malicious.severe_share", "Severe-tier share of malicious", "float", 0, 1, 0.05),
)

POLICY_LABELS = {
    "structured_access": "Structured access",
    "staged_release": "Staged release",
    "tamper_resistance": "Tamper resistance",
    "hub_moderation": "Hub moderation",
    "compute_kyc": "Compute KYC",
    "pool_monitoring": "Pool monitoring",
    "api_finetune_screening": "API fine-tune screening",
    "liability": "Liability",
    "adaptive": "Adaptive regulation",
}
POLICIES: tuple[tuple[Control, Control], ...] = tuple(
    (
        Control(f"policies.{name}.enabled", POLICY_LABELS[name], "bool"),
        Control(
            f"policies.{name}.strength", f"{POLICY_LABELS[name]} strength", "float", 0, 1, 0.05
        ),
    )
    for name in POLICY_NAMES
)
ALL_CONTROLS: tuple[Control, ...] = PARAMETERS + tuple(c for pair in POLICIES for c in pair)

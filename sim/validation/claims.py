"""The validation experiments: the worlds to run and the claims to check in them.

A *world* is a set of overrides on the base scenario. A *claim* compares a measure between
two sides, paired by seed (common random numbers), and says which way it should move. A
side is a sum of weighted (world, measure) terms, so a claim can compare two worlds, two
windows of one world, or two policy effects (a difference in differences).

Nothing here reaches into the model's rules: every measure is read off the run's outputs,
so a claim can fail, and a failure is reported, not hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from sim.config import POLICY_NAMES
from sim.schema import merge

Expect = Literal["increase", "decrease", "zero"]
Measure = Callable[[pd.DataFrame, dict[str, Any]], float]


def policy(*names: str) -> dict[str, Any]:
    return {"policies": {name: {"enabled": True} for name in names}}


CHEAP = {"costs": {"hardware_halving_months": 15.0, "algorithmic_halving_months": 4.0}}
NO_SHARING = {
    "sharing": {"hub_upload_prob": 0.0, "p2p_share_prob": 0.0, "pooling": {"enabled": False}}
}
NO_POOLING = {"sharing": {"pooling": {"enabled": False}}}
# Compute KYC at a threshold low enough to cover ordinary fine-tunes (1e19 FLOP, ~$25 at
# month 0); the statutory 1e23 covers none (docs/validation.md).
KYC_LOW = {"policies": {"compute_kyc": {"enabled": True, "threshold_flop": 1e19}}}
# Worlds where a targeted policy's route is the one actors use (see docs/validation.md).
# Malicious actors too poor to strip (budgets ~$5) and no API abuse: stripped derivatives that
# hobbyists made and shared are their route.
DOWNLOADS = {"malicious": {"budget_median_usd": 5.0, "api_abuse_prob": 0.0}}
MUST_POOL = {
    "network": {"kind": "stochastic_block", "homophily": 0.8},
    "costs": {"strip_cost_usd": 2000.0, "strip_technique_oom_mean": 0.0},
    "hobbyists": {"uncensored_prob": 0.0},
    "malicious": {"budget_median_usd": 20.0, "api_abuse_prob": 0.0},
}
API_ROUTE = {
    "labs": {"openness": 0.1, "outside_jurisdiction_share": 0.0},
    "malicious": {"api_abuse_prob": 1.0},
}
CLOSED = {"labs": {"openness": 0.0, "openness_spread": 0.0}}
OUTSIDE_NONE = {"labs": {"outside_jurisdiction_share": 0.0}}
OUTSIDE_MANY = {"labs": {"outside_jurisdiction_share": 0.6}}
REUPLOAD_NONE = merge(DOWNLOADS, {"sharing": {"reupload_prob": 0.0}})
REUPLOAD_ALL = merge(DOWNLOADS, {"sharing": {"reupload_prob": 0.9, "fringe_discovery_prob": 0.5}})
NO_DEFENCE = {"hobbyists": {"defensive_share": 0.0}}

POLICIES = POLICY_NAMES  # every policy, in the schema's order
RESTRICTIVE = ("structured_access", "staged_release")
TARGETED = ("tamper_resistance", "hub_moderation")

WORLDS: dict[str, dict[str, Any]] = {
    "baseline": {},
    "cheap_finetuning": CHEAP,
    "no_sharing": NO_SHARING,
    "no_malicious": {"population": {"malicious": 0}},
    **{name: policy(name) for name in POLICIES},
    "compute_kyc+pool_monitoring": policy("compute_kyc", "pool_monitoring"),
    "no_pooling": NO_POOLING,
    "no_pooling+compute_kyc": merge(NO_POOLING, policy("compute_kyc")),
    "downloads": DOWNLOADS,
    "downloads+hub_moderation": merge(DOWNLOADS, policy("hub_moderation")),
    "must_pool": MUST_POOL,
    "must_pool+pool_monitoring": merge(MUST_POOL, policy("pool_monitoring")),
    "must_pool+kyc_low": merge(MUST_POOL, KYC_LOW),
    "must_pool+kyc_low+pool_monitoring": merge(
        merge(MUST_POOL, KYC_LOW), policy("pool_monitoring")
    ),
    "api_route": API_ROUTE,
    "api_route+api_finetune_screening": merge(API_ROUTE, policy("api_finetune_screening")),
    "kyc_low": KYC_LOW,
    "closed_world": CLOSED,
    "outside_none": OUTSIDE_NONE,
    "outside_none+structured_access": merge(OUTSIDE_NONE, policy("structured_access")),
    "outside_many": OUTSIDE_MANY,
    "outside_many+structured_access": merge(OUTSIDE_MANY, policy("structured_access")),
    "reupload_none": REUPLOAD_NONE,
    "reupload_none+hub_moderation": merge(REUPLOAD_NONE, policy("hub_moderation")),
    "reupload_all": REUPLOAD_ALL,
    "reupload_all+hub_moderation": merge(REUPLOAD_ALL, policy("hub_moderation")),
    "no_defence": NO_DEFENCE,
    "no_defence+structured_access": merge(NO_DEFENCE, policy("structured_access")),
}


# --- measures read off a run ------------------------------------------------------------------
def window(steps: int) -> int:
    """Months in the 'first' and 'last' windows: a year, or a quarter of a short run."""
    return max(1, min(12, steps // 4))


def _window(frame: pd.DataFrame) -> int:
    return window(len(frame))


def _months(steps: int) -> str:
    w = window(steps)
    return "year" if w == 12 else f"{w} month{'s' if w > 1 else ''}"


def total(name: str) -> Measure:
    def measure(frame: pd.DataFrame, summary: dict[str, Any]) -> float:
        value = summary[name]
        return float("nan") if value is None else float(value)

    measure.__name__ = name
    return measure


def first_window(column: str, steps: int) -> Measure:
    def measure(frame: pd.DataFrame, summary: dict[str, Any]) -> float:
        return float(frame[column].iloc[: _window(frame)].mean())

    measure.__name__ = f"{column} (first {_months(steps)})"
    return measure


def last_window(column: str, steps: int) -> Measure:
    def measure(frame: pd.DataFrame, summary: dict[str, Any]) -> float:
        return float(frame[column].iloc[-_window(frame) :].mean())

    measure.__name__ = f"{column} (last {_months(steps)})"
    return measure


Term = tuple[float, str, Measure]  # weight, world, measure


@dataclass(frozen=True)
class Claim:
    """One checkable statement: ``treatment`` should ``expect`` against ``reference``."""

    id: str
    statement: str
    source: str  # where the claim comes from (the paper, ODD section)
    outcome: str
    reference: tuple[Term, ...]
    treatment: tuple[Term, ...]
    expect: Expect
    condition: str = "at the base scenario's values"

    @property
    def worlds(self) -> set[str]:
        return {world for _, world, _ in (*self.reference, *self.treatment)}

    def comparison(self) -> str:
        return f"{_describe(self.treatment)} vs {_describe(self.reference)}"


def _describe(side: tuple[Term, ...]) -> str:
    parts = []
    for weight, world, measure in side:
        sign = "" if weight > 0 else "- "
        parts.append(
            f"{sign}{world}" + (f" [{measure.__name__}]" if "(" in measure.__name__ else "")
        )
    return " ".join(parts) if len(parts) == 1 else "(" + " ".join(parts) + ")"


def side(world: str, measure: Measure) -> tuple[Term, ...]:
    return ((1.0, world, measure),)


def effect(world: str, of: str, measure: Measure) -> tuple[Term, ...]:
    """The effect of moving from world ``of`` to world ``world`` on ``measure``."""
    return ((1.0, world, measure), (-1.0, of, measure))


INCIDENTS = total("total_misuse_incidents")
SEVERE = total("total_severe_incidents")
BASELINE_INCIDENTS = total("total_baseline_incidents")
ALL_HARM = total("total_harm_incl_baseline")
KYC_COVERED = total("total_kyc_covered_runs")
HARM = total("total_harm")
BENIGN = total("total_benign_finetunes")
BENEFIT = total("total_benefit")
COVERAGE = total("mean_oversight_coverage")


def _pair(cid: str, statement: str, source: str, ref: str, treat: str, m: Measure, expect: Expect,
          condition: str = "at the base scenario's values") -> Claim:  # fmt: skip
    return Claim(
        cid, statement, source, m.__name__, side(ref, m), side(treat, m), expect, condition
    )


def _interaction(cid: str, statement: str, source: str, policy: str, ref: str, treat: str,
                 m: Measure, expect: Expect,
                 condition: str = "at the base scenario's values") -> Claim:  # fmt: skip
    """How ``policy``'s effect (with it minus without, paired by seed) differs between world
    ``ref`` and world ``treat``."""

    def effect_in(world: str) -> tuple[Term, ...]:
        return effect(policy if world == "baseline" else f"{world}+{policy}", world, m)

    return Claim(cid, statement, source, m.__name__, effect_in(ref), effect_in(treat), expect,
                 condition)  # fmt: skip


def _trend(cid: str, statement: str, source: str, column: str, steps: int, expect: Expect) -> Claim:
    """A column's last window against its first, within the baseline's own runs."""
    first, last = first_window(column, steps), last_window(column, steps)
    return Claim(
        cid, statement, source, column, side("baseline", first), side("baseline", last), expect
    )


def primary_claims(steps: int = 120) -> list[Claim]:
    """The paper's claims (ODD §1.1) and the policies' (ODD §3.3.11) (``steps`` sizes the
    first and last windows of the within-run claims)."""
    span = _months(steps)
    claims = [
        _pair(
            "cheaper-more-incidents",
            "Cheaper fine-tuning raises misuse incidents",
            "Chan et al. 2023, (A) cost-reducing research; ODD §1.1",
            "baseline",
            "cheap_finetuning",
            INCIDENTS,
            "increase",
        ),
        _pair(
            "sharing-more-incidents",
            "More sharing raises misuse incidents",
            "Chan et al. 2023, (B) sharing research; ODD §1.1",
            "no_sharing",
            "baseline",
            INCIDENTS,
            "increase",
        ),
        _pair(
            "sharing-more-benign",
            "More sharing raises benign fine-tunes",
            "Chan et al. 2023, benefits of accessible fine-tuning; ODD §1.1",
            "no_sharing",
            "baseline",
            BENIGN,
            "increase",
        ),
        _trend(
            "finetuning-spreads",
            f"Fine-tuning spreads over a run (benign fine-tunes per month, last {span} vs first)",
            "ODD §3.3.10: precondition of the coverage claim",
            "benign_finetunes",
            steps,
            "increase",
        ),
        _trend(
            "coverage-falls",
            "At fixed oversight capacity, coverage falls as fine-tuning "
            f"spreads (last {span} vs first)",
            "Chan et al. 2023, oversight gets harder; ODD §1.1, §3.3.10",
            "oversight_coverage",
            steps,
            "decrease",
        ),
        _pair(
            "cheaper-less-coverage",
            "Cheaper fine-tuning lowers mean oversight coverage",
            "Chan et al. 2023, oversight gets harder; ODD §1.1",
            "baseline",
            "cheap_finetuning",
            COVERAGE,
            "decrease",
        ),
    ]
    for name in POLICIES:
        claims.append(
            _pair(
                f"{name}-fewer-incidents",
                f"{name} gives fewer incidents than baseline",
                "ODD §3.3.11: mitigation policies",
                "baseline",
                name,
                INCIDENTS,
                "decrease",
            )
        )
    for restrictive in RESTRICTIVE:
        for targeted in TARGETED:
            claims.append(
                _pair(
                    f"{restrictive}-costs-more-than-{targeted}",
                    f"{restrictive} loses more benign fine-tunes than {targeted}",
                    "ODD §3.3.11: restrictive vs targeted policies",
                    targeted,
                    restrictive,
                    BENIGN,
                    "decrease",
                )
            )
    claims += [
        _interaction(
            "pooling-evades-kyc",
            "Pooling lets actors evade compute KYC: KYC cuts more incidents when nobody can pool",
            "Chan et al. 2023 (B): pooled compute escapes compute-based oversight; ODD §3.3.11",
            "compute_kyc",
            "baseline",
            "no_pooling",
            INCIDENTS,
            "decrease",
        ),
        _pair(
            "pool-monitoring-closes-kyc-gap",
            "Unless pool monitoring is on: KYC + pool "
            "monitoring gives fewer incidents than KYC alone",
            "ODD §3.3.11: pool_monitoring",
            "compute_kyc",
            "compute_kyc+pool_monitoring",
            INCIDENTS,
            "decrease",
        ),
        _pair(
            "no-malicious-no-incidents",
            "Zero malicious actors give zero incidents",
            "ODD §1.2: misuse needs a malicious actor",
            "no_malicious",
            "no_malicious",
            INCIDENTS,
            "zero",
        ),
        _pair(
            "no-malicious-no-baseline-incidents",
            "Zero malicious actors give zero baseline-route incidents too",
            "ODD §1.2: misuse needs a malicious actor",
            "no_malicious",
            "no_malicious",
            BASELINE_INCIDENTS,
            "zero",
        ),
    ]
    return claims


def supplementary_claims() -> list[Claim]:
    """What a careful reader asks next: harm and benefit per policy, and the targeted
    policies in worlds where their route is the one actors use."""
    claims = []
    for name in POLICIES:
        claims.append(
            _pair(
                f"{name}-less-harm",
                f"{name} gives less harm than baseline",
                "ODD §3.3.11",
                "baseline",
                name,
                HARM,
                "decrease",
            )
        )
    for name in POLICIES:
        claims.append(
            _pair(
                f"{name}-costs-benefit",
                f"{name} costs benign value (a policy's price)",
                "ODD §3.3.11: each policy should cost something",
                "baseline",
                name,
                BENEFIT,
                "decrease",
            )
        )
    for restrictive in RESTRICTIVE:
        for targeted in TARGETED:
            claims.append(
                _pair(
                    f"{restrictive}-costs-more-value-than-{targeted}",
                    f"{restrictive} loses more benign value than {targeted}",
                    "ODD §3.3.11: restrictive vs targeted, by value (an API fine-tune counts as a "
                    "fine-tune but is worth less)",
                    targeted,
                    restrictive,
                    BENEFIT,
                    "decrease",
                )
            )
    claims += [
        _pair(
            "cheaper-more-benign",
            "Cheaper fine-tuning raises benign fine-tunes",
            "Chan et al. 2023, benefits; ODD §1.1",
            "baseline",
            "cheap_finetuning",
            BENIGN,
            "increase",
        ),
        _pair(
            "hub-moderation-where-downloads-matter",
            "hub_moderation cuts incidents where "
            "downloading stripped derivatives is the binding route",
            "ODD §3.3.11",
            "downloads",
            "downloads+hub_moderation",
            INCIDENTS,
            "decrease",
            DOWNLOADS_CONDITION,
        ),
        _pair(
            "pool-monitoring-where-actors-must-pool",
            "pool_monitoring cuts incidents where malicious actors can only equip by pooling",
            "ODD §3.3.11",
            "must_pool",
            "must_pool+pool_monitoring",
            INCIDENTS,
            "decrease",
            MUST_POOL_CONDITION,
        ),
        _pair(
            "kyc-gap-where-actors-must-pool",
            "KYC (low threshold) + pool monitoring beats KYC alone where malicious actors "
            "must pool",
            "ODD §3.3.11",
            "must_pool+kyc_low",
            "must_pool+kyc_low+pool_monitoring",
            INCIDENTS,
            "decrease",
            f"{MUST_POOL_CONDITION}; KYC threshold 1e19 FLOP",
        ),
        _pair(
            "api-screening-where-api-is-the-route",
            "api_finetune_screening cuts incidents where the fine-tuning API is the main route",
            "ODD §3.3.11",
            "api_route",
            "api_route+api_finetune_screening",
            INCIDENTS,
            "decrease",
            "few open releases (openness 0.1), every lab inside the jurisdiction, every "
            "actor tries API abuse",
        ),
        *model2_claims(),
    ]
    return claims


DOWNLOADS_CONDITION = "malicious actors too poor to strip (median budget 5 USD), no API abuse"
MUST_POOL_CONDITION = (
    "malicious actors clustered (homophily 0.8), median budget 20 USD, stripping dear "
    "(2,000 USD, no stripping technique), no uncensored derivatives, no API abuse"
)


def model2_claims() -> list[Claim]:
    """What a careful reader asks of the evidence-based mechanisms (docs/ODD.md): do actors
    substitute the baseline route, does restriction weaken with outside supply, moderation
    with re-uploads, does statutory KYC touch any fine-tune, do defences offset restriction?"""
    return [
        _pair(
            "structured-access-moves-to-baseline",
            "Structured access moves actors to the non-AI baseline route",
            "Kapoor et al. 2024 (marginal risk); ODD §3.3.6",
            "baseline",
            "structured_access",
            BASELINE_INCIDENTS,
            "increase",
        ),
        _pair(
            "closed-world-moves-to-baseline",
            "No open weights at all moves actors to the non-AI baseline route",
            "Kapoor et al. 2024 (marginal risk); ODD §3.3.6",
            "baseline",
            "closed_world",
            BASELINE_INCIDENTS,
            "increase",
            "every lab's openness 0",
        ),
        _pair(
            "structured-access-cuts-total-harm",
            "Structured access cuts total harm (AI-enabled plus baseline)",
            "Kapoor et al. 2024 (marginal risk); ODD §3.3.6",
            "baseline",
            "structured_access",
            ALL_HARM,
            "decrease",
        ),
        _interaction(
            "restriction-weakens-with-outside-supply",
            "Structured access cuts fewer incidents when more labs are outside the "
            "jurisdiction (effect at 60% outside minus effect at none)",
            "ODD §3.3.2 (outside supply)",
            "structured_access",
            "outside_none",
            "outside_many",
            INCIDENTS,
            "increase",
        ),
        _interaction(
            "moderation-weakens-with-reuploads",
            "Hub moderation cuts fewer incidents when taken-down weights are re-uploaded to "
            "the fringe hub (effect at re-upload 0.9 minus effect at none)",
            "ODD §3.3.9 (displacement)",
            "hub_moderation",
            "reupload_none",
            "reupload_all",
            INCIDENTS,
            "increase",
            f"{DOWNLOADS_CONDITION}; fringe discovery 0.5 where re-uploads are 0.9",
        ),
        _interaction(
            "restriction-weakens-with-outside-supply-harm",
            "Structured access avoids less total harm when more labs are outside the "
            "jurisdiction (effect at 60% outside minus effect at none)",
            "ODD §3.3.2 (outside supply); a policy is judged by total harm",
            "structured_access",
            "outside_none",
            "outside_many",
            ALL_HARM,
            "increase",
        ),
        _interaction(
            "moderation-weakens-with-reuploads-harm",
            "Hub moderation avoids less total harm when taken-down weights are re-uploaded "
            "(effect at re-upload 0.9 minus effect at none)",
            "ODD §3.3.9 (displacement); a policy is judged by total harm",
            "hub_moderation",
            "reupload_none",
            "reupload_all",
            ALL_HARM,
            "increase",
            f"{DOWNLOADS_CONDITION}; fringe discovery 0.5 where re-uploads are 0.9",
        ),
        _pair(
            "statutory-kyc-covers-no-finetune",
            "Compute KYC at the EU's 1e23 FLOP threshold covers no fine-tuning run",
            "EU GPAI guidelines 2025; ODD §3.3.10",
            "compute_kyc",
            "compute_kyc",
            KYC_COVERED,
            "zero",
        ),
        _pair(
            "low-threshold-kyc-covers-runs",
            "Compute KYC at a low threshold (1e19 FLOP) covers fine-tuning runs",
            "ODD §3.3.10",
            "baseline",
            "kyc_low",
            KYC_COVERED,
            "increase",
        ),
        _pair(
            "defences-cut-incidents",
            "Defences built by open-weight fine-tunes cut incidents",
            "ODD §3.3.7 (defensive benefit)",
            "no_defence",
            "baseline",
            INCIDENTS,
            "decrease",
        ),
        _interaction(
            "defences-offset-restriction-harm",
            "Structured access avoids less total harm when open fine-tunes build defences it "
            "loses (effect with defences minus effect without)",
            "ODD §3.3.7 (defensive benefit); a policy is judged by total harm",
            "structured_access",
            "no_defence",
            "baseline",
            ALL_HARM,
            "increase",
        ),
        _pair(
            "structured-access-cuts-severe",
            "Structured access cuts severe incidents (the tier that needs capable weights)",
            "ODD §3.3.5 (misuse tiers)",
            "baseline",
            "structured_access",
            SEVERE,
            "decrease",
        ),
        _interaction(
            "defences-offset-restriction",
            "Structured access cuts fewer incidents when open fine-tunes build defences it "
            "loses (effect with defences minus effect without)",
            "ODD §3.3.7 (defensive benefit)",
            "structured_access",
            "no_defence",
            "baseline",
            INCIDENTS,
            "increase",
        ),
    ]


def worlds_needed(claims: list[Claim]) -> list[str]:
    """The worlds the claims use, in :data:`WORLDS` order (a stable job order)."""
    used = set().union(*(c.worlds for c in claims)) if claims else set()
    return [name for name in WORLDS if name in used]

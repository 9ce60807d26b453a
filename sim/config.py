"""The scenario configuration: one typed, validated schema with sourced defaults.

Every entry point (Python API, YAML scenarios, app, batch runs) builds a :class:`Config` through
:func:`make_config`, so a bad value is caught once, at the edge, with its key path. Capability
is measured in orders of magnitude (OOM) of effective training compute relative to the best
open checkpoint at step 0 (so 0.0 is "the open frontier today", -1.0 is ten times less).
Sources are cited in ``docs/parameters.md``; "guess" marks an assumption to vary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sim.schema import ConfigError, build, merge, param, section, to_dict

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
NetworkKind = Literal["barabasi_albert", "watts_strogatz", "erdos_renyi", "stochastic_block"]
PolicyName = Literal[
    "structured_access",
    "staged_release",
    "tamper_resistance",
    "hub_moderation",
    "compute_kyc",
    "pool_monitoring",
    "api_finetune_screening",
    "liability",
]
# The policies the adaptive regulator can switch on, then the adaptive policy itself.
POLICY_NAMES: tuple[str, ...] = (*get_args(PolicyName), "adaptive")


@dataclass(frozen=True)
class Population:
    labs: int = param(8, "labs releasing base checkpoints", unit="actors", low=0, high=10_000)
    hobbyists: int = param(3000, "benign fine-tuners", unit="actors", low=0, high=10_000_000)
    malicious: int = param(60, "malicious actors", unit="actors", low=0, high=10_000_000)
    regulators: int = param(1, "regulators sharing the oversight", unit="actors", low=0, high=1000)


@dataclass(frozen=True)
class Network:
    kind: NetworkKind = param("barabasi_albert", "collaboration-graph generator")
    mean_degree: float = param(6.0, "mean number of ties per actor", unit="ties", low=1, high=200)
    rewire_prob: float = param(0.1, "Watts-Strogatz rewiring probability", low=0, high=1)
    homophily: float = param(
        0.8,
        "stochastic_block: share of a malicious actor's ties that go to other malicious actors",
        low=0,
        high=1,
    )
    tie_formation_rate: float = param(
        0.01, "new ties formed per actor per month", unit="1/month", low=0, high=1
    )
    triadic_share: float = param(
        0.7,
        "share of new ties closing a triangle (rest: preferential attachment)",
        low=0,
        high=1,
    )
    tie_decay_prob: float = param(
        0.01,
        "monthly probability that a tie of weight 1 dissolves (weight w: divided by w)",
        unit="1/month",
        low=0,
        high=1,
    )
    enforcement_tie_cut: float = param(
        0.5, "share of a banned actor's ties cut by enforcement", low=0, high=1
    )


@dataclass(frozen=True)
class Pooling:
    enabled: bool = param(True, "actors who cannot pay alone may pool with neighbours")
    efficiency: float = param(
        0.7,
        "share of pooled spending that buys useful compute (coordination losses)",
        source="guess; Borzunov et al. 2023 (Petals), Ryabinin et al. 2023 (SWARM)",
        low=0.01,
        high=1,
    )
    max_members: int = param(5, "largest pool, initiator included", unit="actors", low=2, high=100)


@dataclass(frozen=True)
class Costs:
    finetune_cost_usd: float = param(
        500.0,
        "compute cost of a benign fine-tune of the step-0 open frontier checkpoint",
        unit="USD",
        source="guess anchored on Taori et al. 2023 (Alpaca 7B: <$100 compute) "
        "and Dettmers et al. 2023 (QLoRA: 65B on one 48 GB GPU in ~24 h)",
        low=0.0001,
        high=1e12,
    )
    strip_cost_usd: float = param(
        200.0,
        "cost to strip the safeguards of the step-0 open frontier checkpoint",
        unit="USD",
        source="Lermen et al. 2023 (arXiv 2310.20624); Gade et al. 2023 (arXiv 2311.00117)",
        low=0.0001,
        high=1e12,
    )
    capability_cost_elasticity: float = param(
        0.5,
        "cost grows as 10^(elasticity x capability): parameters ~ compute^0.5",
        unit="OOM cost per OOM capability",
        source="Hoffmann et al. 2022 (compute-optimal parameters ~ C^0.5)",
        low=0,
        high=3,
    )
    hardware_halving_months: float = param(
        30.0,
        "months for the price of GPU FLOP/s to halve",
        unit="months",
        source="Hobbhahn & Besiroglu 2022 (Epoch): FLOP/s per $ doubles every ~2.5 years",
        low=1,
        high=1e6,
    )
    algorithmic_halving_months: float = param(
        8.0,
        "months for the compute needed for a fixed result to halve",
        unit="months",
        source="Ho et al. 2024 (arXiv 2403.05812): ~8 months (95% CI 5-14)",
        low=1,
        high=1e6,
    )
    tamper_cost_multiplier: float = param(
        20.0,
        "strip cost is multiplied by 1 + multiplier x tamper resistance",
        source="guess after Tamirisa et al. 2024 (arXiv 2408.00761: resists hundreds of "
        "steps) and Qi et al. 2024 (arXiv 2412.07097: durability easily overstated)",
        low=0,
        high=1e6,
    )
    api_finetune_usd: float = param(
        20.0, "price of a benign fine-tuning job through a lab's API", unit="USD", low=0, high=1e9
    )
    api_abuse_usd: float = param(
        0.2,
        "cost of jailbreaking a model through its fine-tuning API",
        unit="USD",
        source="Qi et al. 2023 (arXiv 2310.03693): 10 examples, < $0.20",
        low=0,
        high=1e9,
    )
    technique_factor: float = param(
        0.8,
        "cost multiplier of each cost-cutting technique an actor knows",
        source="guess; Hu et al. 2022 (LoRA: 3x less memory), Dettmers et al. 2023 (QLoRA)",
        low=0.01,
        high=1,
    )
    technique_floor: float = param(
        0.1, "lowest combined multiplier of all known techniques", low=0.0001, high=1
    )


@dataclass(frozen=True)
class Sharing:
    hub_upload_prob: float = param(
        0.3,
        "probability a benign fine-tune is uploaded to the public hub",
        source="guess; Laufer et al. 2025 (arXiv 2508.06811): ~1.86M hub models in family trees",
        low=0,
        high=1,
    )
    p2p_share_prob: float = param(
        0.3,
        "probability a fine-tune not uploaded is shared with the creator's neighbours",
        low=0,
        high=1,
    )
    technique_diffusion_prob: float = param(
        0.05,
        "monthly probability an unpublished technique passes along a tie",
        unit="1/month",
        low=0,
        high=1,
    )
    technique_publish_prob: float = param(
        0.08,
        "monthly probability an unpublished technique is published to everyone",
        unit="1/month",
        low=0,
        high=1,
    )
    pooling: Pooling = section(Pooling, "pooled (decentralised) fine-tuning, mechanism B")


@dataclass(frozen=True)
class Labs:
    release_interval: int = param(
        12, "months between a lab's base releases", unit="months", low=1, high=1200
    )
    openness: float = param(0.5, "mean probability a lab releases open weights", low=0, high=1)
    openness_spread: float = param(
        0.3, "spread of openness across labs (uniform +/- spread)", low=0, high=1
    )
    frontier_growth_oom_per_year: float = param(
        0.5,
        "growth of the capability frontier",
        unit="OOM/year",
        source="guess below Epoch's ~4-5x/year growth of frontier training compute",
        low=0,
        high=5,
    )
    capability_gap_max: float = param(
        1.0, "labs sit uniformly 0..gap behind the frontier", unit="OOM", low=0, high=10
    )
    open_lag_months: float = param(
        4.0,
        "open-weight releases trail the closed frontier by this lag",
        unit="months",
        source="Epoch AI 2025: open-weight models lag ~3-6 months",
        low=0,
        high=120,
    )
    safeguard_level: float = param(
        1.0, "safeguard level of base releases (1 = fully safety-trained)", low=0, high=1
    )
    api_finetune_share: float = param(
        0.5, "share of labs that offer fine-tuning through their API", low=0, high=1
    )


@dataclass(frozen=True)
class Hobbyists:
    budget_median_usd: float = param(
        30.0, "median monthly budget (lognormal)", unit="USD/month", low=0, high=1e12
    )
    budget_sigma: float = param(1.5, "lognormal sigma of budgets (heavy tail)", low=0, high=10)
    activity_rate: float = param(
        0.1, "probability of attempting a fine-tune in a month", unit="1/month", low=0, high=1
    )
    uncensored_prob: float = param(
        0.05, "share of benign fine-tunes that also strip safeguards", low=0, high=1
    )
    safety_erosion: float = param(
        0.05,
        "share of safeguard lost by an ordinary benign fine-tune",
        source="Qi et al. 2023 (arXiv 2310.03693): benign fine-tuning degrades safety",
        low=0,
        high=1,
    )
    finetune_gain_oom: float = param(
        0.02, "capability added by a fine-tune, times skill x 2", unit="OOM", low=0, high=1
    )
    max_derivative_gain_oom: float = param(
        0.2, "largest capability a lineage can add to its base", unit="OOM", low=0, high=5
    )
    invention_prob: float = param(
        0.0002,
        "probability a fine-tune yields a new cost-cutting technique (x skill x 2)",
        low=0,
        high=1,
    )
    api_benefit_factor: float = param(
        0.5, "value of an API fine-tune relative to one on open weights", low=0, high=1
    )
    benefit_elasticity: float = param(
        0.25, "benefit of a fine-tune grows as 10^(elasticity x capability)", low=0, high=3
    )


@dataclass(frozen=True)
class Malicious:
    budget_median_usd: float = param(
        100.0, "median budget for acquiring a misusable checkpoint", unit="USD", low=0, high=1e12
    )
    budget_sigma: float = param(1.5, "lognormal sigma of budgets", low=0, high=10)
    activity_rate: float = param(
        0.3, "probability of acting in a month", unit="1/month", low=0, high=1
    )
    harm_threshold_oom: float = param(
        -0.5,
        "capability a checkpoint needs to give meaningful uplift for misuse",
        unit="OOM",
        low=-20,
        high=20,
    )
    goal_spread_oom: float = param(
        1.0,
        "each actor's goal needs capability threshold + Exponential(spread)",
        unit="OOM",
        low=0,
        high=20,
    )
    defence_adaptation_oom: float = param(
        0.1,
        "after each incident, defenders counter the tactic: the actor's goal needs this much "
        "more capability",
        unit="OOM per incident",
        low=0,
        high=20,
    )
    harmful_finetune_factor: float = param(
        1.0,
        "cost of the fine-tune that adds harmful capability, relative to a benign fine-tune",
        source="guess; Lermen et al. 2023 and Gade et al. 2023 report costs of the same order",
        low=0,
        high=1e6,
    )
    api_abuse_prob: float = param(
        0.3,
        "probability per month of trying the (traceable) API-abuse route when no other works",
        low=0,
        high=1,
    )
    misuse_safeguard_max: float = param(
        0.3, "a checkpoint is misusable when its safeguard level is at most this", low=0, high=1
    )
    success_prob: float = param(
        0.3, "probability an attempt succeeds, times (0.5 + skill)", low=0, high=1
    )
    severity_elasticity: float = param(
        0.5, "incident severity is 10^(elasticity x (capability - threshold))", low=0, high=5
    )
    api_abuse_months: int = param(
        3, "months before a lab revokes an abused API fine-tune", unit="months", low=1, high=120
    )
    share_prob: float = param(
        0.5, "probability a stripped checkpoint is shared with malicious neighbours", low=0, high=1
    )


@dataclass(frozen=True)
class Regulator:
    capacity: int = param(
        10,
        "investigations per regulator per month",
        unit="investigations/month",
        low=0,
        high=10_000_000,
    )
    report_prob: float = param(
        0.3,
        "probability a misuse incident is reported to the regulator",
        source="guess; AI Incident Database counts only reported incidents (AI Index 2025)",
        low=0,
        high=1,
    )
    report_lag_months: int = param(
        2, "months between an incident and its report", unit="months", low=0, high=120
    )
    detection_prob: float = param(
        0.5, "probability an investigation of a malicious act identifies it", low=0, high=1
    )
    ban_months: int = param(
        12, "months a detected actor is banned", unit="months", low=0, high=1200
    )
    backlog_months: int = param(
        12, "flags not investigated within this many months lapse", unit="months", low=0, high=1200
    )


def _strength(default: float, doc: str) -> Any:
    return param(default, doc, low=0, high=1)


def _start() -> Any:
    return param(0, "first month the policy is in force", unit="month", low=0, high=100_000)


@dataclass(frozen=True)
class StructuredAccess:
    enabled: bool = param(False, "checkpoints above a capability threshold are API-only")
    strength: float = _strength(1.0, "share of labs complying")
    start_step: int = _start()
    capability_threshold_oom: float = param(
        -0.5, "releases at or above this capability are API-only", unit="OOM", low=-20, high=20
    )


@dataclass(frozen=True)
class StagedRelease:
    enabled: bool = param(False, "open weights only after a delay (API-only meanwhile)")
    strength: float = _strength(1.0, "share of open releases that are staged")
    start_step: int = _start()
    delay_months: int = param(
        6, "months before staged weights open", unit="months", low=0, high=240
    )


@dataclass(frozen=True)
class TamperResistance:
    enabled: bool = param(False, "labs add tamper-resistant safeguards")
    strength: float = _strength(0.5, "tamper resistance of new base releases")
    start_step: int = _start()
    benign_cost_penalty: float = param(
        0.1,
        "benign fine-tunes of tamper-resistant weights cost 1 + penalty x strength more",
        low=0,
        high=10,
    )


@dataclass(frozen=True)
class HubModeration:
    enabled: bool = param(False, "the hub takes down flagged stripped derivatives")
    strength: float = _strength(0.5, "monthly probability a stripped upload is flagged")
    start_step: int = _start()
    false_positive_rate: float = param(
        0.02, "flag rate of benign uploads relative to strength", low=0, high=1
    )


@dataclass(frozen=True)
class ComputeKyc:
    enabled: bool = param(False, "solo fine-tuning runs above a compute threshold risk detection")
    strength: float = _strength(0.8, "probability a covered malicious run is flagged")
    start_step: int = _start()
    cost_threshold_usd: float = param(
        100.0,
        "runs needing at least this much compute, valued at step-0 GPU prices, are covered",
        unit="USD at step-0 prices",
        low=0,
        high=1e12,
    )
    benign_overhead: float = param(
        0.2, "extra cost of compliance for covered benign runs", low=0, high=10
    )
    false_positive_rate: float = param(
        0.05, "covered benign runs are flagged at strength x this rate", low=0, high=1
    )


@dataclass(frozen=True)
class PoolMonitoring:
    enabled: bool = param(False, "pooled (decentralised) runs risk detection")
    strength: float = _strength(0.8, "probability a malicious pooled run is flagged")
    start_step: int = _start()
    efficiency_loss: float = param(
        0.1, "pooling efficiency lost to monitoring overhead (every pool pays it)", low=0, high=1
    )
    false_positive_rate: float = param(
        0.05, "benign pooled runs are flagged at strength x this rate", low=0, high=1
    )


@dataclass(frozen=True)
class ApiFinetuneScreening:
    enabled: bool = param(False, "API fine-tuning jobs are screened for abuse")
    strength: float = _strength(0.9, "probability an abusive job is blocked")
    start_step: int = _start()
    false_positive_rate: float = param(
        0.05, "share of benign jobs blocked, times strength", low=0, high=1
    )


@dataclass(frozen=True)
class Liability:
    enabled: bool = param(False, "labs lower openness as incidents in their lineage grow")
    strength: float = _strength(0.5, "openness falls as exp(-strength x attributed / scale)")
    start_step: int = _start()
    incident_scale: float = param(
        5.0, "attributed incidents for an e-fold cut at strength 1", low=0.001, high=1e9
    )


@dataclass(frozen=True)
class Adaptive:
    enabled: bool = param(False, "the regulator escalates policies when incidents spike")
    strength: float = _strength(0.5, "strength given to a policy switched on by escalation")
    start_step: int = _start()
    trigger_incidents: int = param(
        5, "reported incidents within the window that trigger escalation", low=1, high=1e9
    )
    window_months: int = param(6, "window for counting incidents", unit="months", low=1, high=1200)
    lag_months: int = param(
        6, "months from trigger to policy in force", unit="months", low=0, high=1200
    )
    increment: float = param(0.2, "strength added to a policy already in force", low=0, high=1)
    policies: tuple[PolicyName, ...] = param(
        ("hub_moderation", "compute_kyc"), "policies the regulator may switch on or strengthen"
    )


@dataclass(frozen=True)
class Policies:
    structured_access: StructuredAccess = section(StructuredAccess, "structured access")
    staged_release: StagedRelease = section(StagedRelease, "staged release")
    tamper_resistance: TamperResistance = section(TamperResistance, "tamper resistance")
    hub_moderation: HubModeration = section(HubModeration, "hub moderation")
    compute_kyc: ComputeKyc = section(ComputeKyc, "compute know-your-customer")
    pool_monitoring: PoolMonitoring = section(PoolMonitoring, "pool monitoring")
    api_finetune_screening: ApiFinetuneScreening = section(
        ApiFinetuneScreening, "API fine-tuning screening"
    )
    liability: Liability = section(Liability, "lab liability")
    adaptive: Adaptive = section(Adaptive, "adaptive regulation")


@dataclass(frozen=True)
class Config:
    name: str = param("baseline", "scenario name (names the results folder)")
    description: str = param("", "the question this scenario asks")
    seed: int = param(42, "root random seed", low=0, high=2**63 - 1)
    steps: int = param(120, "months simulated", unit="months", low=1, high=100_000)
    replications: int = param(1, "runs with different seeds", low=1, high=1_000_000)
    population: Population = section(Population, "how many actors of each kind")
    network: Network = section(Network, "the collaboration graph")
    costs: Costs = section(Costs, "the fine-tuning cost curve (ODD §3.3.1)")
    sharing: Sharing = section(Sharing, "hub uploads, peer-to-peer shares, pooling, techniques")
    labs: Labs = section(Labs, "labs and their releases")
    hobbyists: Hobbyists = section(Hobbyists, "benign fine-tuners")
    malicious: Malicious = section(Malicious, "malicious actors")
    regulator: Regulator = section(Regulator, "oversight")
    policies: Policies = section(Policies, "mitigation policies (all off by default)")

    def check(self, path: str = "") -> None:
        """Cross-field rules that one field's bounds cannot express."""
        if self.population.labs + self.population.hobbyists + self.population.malicious < 2:
            raise ConfigError("population", "expected at least 2 actors on the graph in total")
        if not NAME_PATTERN.fullmatch(self.name):
            raise ConfigError(
                "name",
                "expected letters, digits, '.', '_' or '-' (it names the results folder), "
                f"got {self.name!r}",
            )


def make_config(overrides: Config | Mapping[str, Any] | None = None) -> Config:
    """The validated configuration: defaults with ``overrides`` (a nested mapping) applied.

    Raises:
        ConfigError: a key is unknown or a value has the wrong type or is out of range.
    """
    if isinstance(overrides, Config):
        return overrides
    return build(Config, overrides or {})


def with_overrides(config: Config, overrides: Mapping[str, Any]) -> Config:
    """A copy of ``config`` with a nested mapping of overrides applied and re-validated."""
    return build(Config, merge(to_dict(config), overrides))


__all__ = [
    "POLICY_NAMES",
    "Config",
    "ConfigError",
    "make_config",
    "to_dict",
    "with_overrides",
]

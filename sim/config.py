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
DATE_PATTERN = re.compile(r"(19[7-9][0-9]|2[01][0-9][0-9])-(0[1-9]|1[0-2])")
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
        0.83,
        "share of pooled spending that buys useful compute (coordination losses)",
        source="INTELLECT-1 (arXiv 2412.01152): 83-96% compute utilisation across 3 "
        "continents; the low end, as hobbyist pools are less engineered (range 0.5-0.96)",
        low=0.01,
        high=1,
    )
    max_members: int = param(
        30,
        "largest pool, initiator included",
        unit="actors",
        source="INTELLECT-1 (arXiv 2412.01152): compute from 30 providers (range 2-30)",
        low=2,
        high=1000,
    )
    join_prob: float = param(
        0.2,
        "probability an invited hobbyist contact joins a pool (most do not coordinate)",
        source="guess (range 0.01-0.6)",
        low=0,
        high=1,
    )


@dataclass(frozen=True)
class Costs:
    finetune_cost_usd: float = param(
        100.0,
        "compute cost of a benign fine-tune of the step-0 open frontier checkpoint",
        unit="USD",
        source="guess anchored on Dettmers et al. 2023 (QLoRA: 65B on one 48 GB GPU in "
        "~24 h, ~$25 at ~$1/GPU-hour) allowing a few trial runs, and Taori et al. 2023 "
        "(Alpaca 7B: < $100 compute) (range 20-1,000)",
        low=0.0001,
        high=1e12,
    )
    strip_cost_usd: float = param(
        200.0,
        "cost to strip the safeguards of the step-0 open frontier checkpoint with 2023 "
        "methods (before any stripping technique of the run)",
        unit="USD",
        source="Lermen et al. 2023 (arXiv 2310.20624: Llama 2-Chat 70B, < $200); Gade et al. "
        "2023 (arXiv 2311.00117)",
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
        "months for the price of GPU FLOP/s to halve (FLOP per USD doubles as fast)",
        unit="months",
        source="Hobbhahn & Besiroglu 2022 (Epoch): FLOP/s per $ doubles every ~2.5 years "
        "(ML GPUs ~2.1)",
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
        4.0,
        "strip cost is multiplied by 1 + multiplier x tamper resistance (r = 0.5: x3)",
        source="guess after Tamirisa et al. 2024 (arXiv 2408.00761: resists hundreds of "
        "fine-tuning steps) and Qi et al. 2024 (arXiv 2412.07097: durability easily "
        "overstated) (range 0-40)",
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
    technique_oom_mean: float = param(
        0.1,
        "a cost-cutting technique multiplies fine-tuning (and stripping) cost by "
        "10^-X, X ~ Exponential(this mean)",
        unit="OOM",
        source="guess; Hu et al. 2022 (LoRA: 3x less memory), Dettmers et al. 2023 (QLoRA); "
        "most techniques gain less (range 0.02-0.3)",
        low=0,
        high=10,
    )
    technique_floor: float = param(
        0.1,
        "lowest combined multiplier of all known fine-tuning techniques",
        source="guess: how far methods such as LoRA and QLoRA (Hu et al. 2022; Dettmers et al. "
        "2023) can cut a fine-tune's cost in all (range 0.01-0.5)",
        low=0.0001,
        high=1,
    )
    strip_technique_oom_mean: float = param(
        1.0,
        "a stripping technique multiplies strip cost only, by 10^-X, X ~ Exponential(this "
        "mean): heterogeneous, sometimes orders of magnitude at once",
        unit="OOM",
        source="Volkov 2024 (arXiv 2407.01376: Llama 3 70B stripped in ~45 GPU-minutes, "
        "~2 OOM below 2023's < $200); Arditi et al. 2024 (arXiv 2406.11717: refusal removed "
        "by a weight edit) (range 0.3-2)",
        low=0,
        high=10,
    )
    strip_technique_floor: float = param(
        0.001,
        "lowest combined multiplier of every technique on stripping (a weight edit still "
        "costs minutes of GPU time)",
        source="Arditi et al. 2024 (arXiv 2406.11717): no gradient training (range 1e-4-0.01)",
        low=1e-9,
        high=1,
    )
    flop_per_usd: float = param(
        4e17,
        "training FLOP one USD buys at month 0 (cloud rental at realistic utilisation); "
        "doubles every costs.hardware_halving_months",
        unit="FLOP/USD",
        source="derived: H100 ~1e15 dense BF16 FLOP/s at ~$2.5/GPU-hour (2024 rentals) and "
        "~40% utilisation; Hobbhahn & Besiroglu 2022 for the trend (range 1e17-1e18)",
        low=1,
        high=1e30,
    )
    own_hardware_share: float = param(
        0.3,
        "share of hobbyists and malicious actors who fine-tune on hardware they own "
        "(compute KYC of cloud providers does not see them)",
        source="guess: QLoRA fine-tunes 7-8B models on one consumer GPU (Dettmers et al. "
        "2023) (range 0.1-0.7)",
        low=0,
        high=1,
    )
    quantise_cost_factor: float = param(
        0.02,
        "cost of quantising a checkpoint relative to fine-tuning it (no training)",
        source="guess (range 0.005-0.1)",
        low=0,
        high=10,
    )
    merge_cost_factor: float = param(
        0.01,
        "cost of merging two checkpoints relative to fine-tuning one (weight arithmetic)",
        source="guess (range 0.001-0.05)",
        low=0,
        high=10,
    )


@dataclass(frozen=True)
class Sharing:
    hub_upload_prob: float = param(
        0.3,
        "probability a benign derivative is uploaded to the main hub",
        source="guess; Laufer et al. 2025 (arXiv 2508.06811): ~1.86M hub models in family trees",
        low=0,
        high=1,
    )
    p2p_share_prob: float = param(
        0.3,
        "probability a derivative not uploaded is shared with the creator's neighbours",
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
        0.2,
        "monthly probability an unpublished technique is published to everyone (paper, "
        "library release)",
        unit="1/month",
        source="guess: preprints and open-source releases follow within months (range 0.02-0.5)",
        low=0,
        high=1,
    )
    search_candidates: int = param(
        5,
        "main-hub checkpoints an actor looks at when choosing what to build on, drawn in "
        "proportion to popularity (1 + derivatives), besides the newest base releases",
        unit="checkpoints",
        source="guess: hub search ranks by downloads and likes (range 1-50)",
        low=0,
        high=10_000,
    )
    fringe_discovery_prob: float = param(
        0.2,
        "monthly probability that an actor looking for weights also searches the fringe hub "
        "(which never moderates; fewer users find it)",
        unit="1/month",
        source="guess (range 0.01-0.5)",
        low=0,
        high=1,
    )
    reupload_prob: float = param(
        0.3,
        "probability that weights taken down from (or rejected by) the main hub are "
        "re-uploaded to the fringe hub by their uploader",
        source="Civitai removed a class of models in May 2025 and > 5,000 were re-uploaded "
        "elsewhere (404 Media, Jul 2025); the share is a guess (range 0.05-0.9)",
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
        1.1,
        "growth of the capability (effective training compute) frontier",
        unit="OOM/year",
        source="Epoch AI 2024 (frontier training compute 4-5x a year: 0.65 OOM) plus Ho et al. "
        "2024 (algorithmic progress, 8-month halving: 0.45 OOM) (range 0.6-1.4)",
        low=0,
        high=5,
    )
    capability_gap_max: float = param(
        1.0, "labs sit uniformly 0..gap behind the frontier", unit="OOM", low=0, high=10
    )
    open_lag_months: float = param(
        6.0,
        "open-weight releases trail the closed frontier by this lag",
        unit="months",
        source="Epoch AI: ~1 year (Nov 2024), ~3 months on some capability indices (2025) "
        "(range 3-12)",
        low=0,
        high=120,
    )
    family_offsets_oom: tuple[float, ...] = param(
        (0.0, -0.8, -1.7),
        "a base release is a family of sizes: each member's capability relative to the "
        "family's top (0 must be listed; each in [-10, 0])",
        unit="OOM",
        source="Dubey et al. 2024 (arXiv 2407.21783, Llama 3.1 405B/70B/8B: at equal "
        "training tokens, compute ratios of 0.76 and 0.94 OOM)",
    )
    safeguard_level: float = param(
        1.0, "safeguard level of base releases (1 = fully safety-trained)", low=0, high=1
    )
    api_finetune_share: float = param(
        0.5, "share of labs that offer fine-tuning through their API", low=0, high=1
    )
    outside_jurisdiction_share: float = param(
        0.3,
        "share of labs outside the jurisdiction: structured access, staged release, "
        "liability, tamper resistance and API screening do not bind them",
        source="guess: several leading open-weight families come from labs outside any one "
        "jurisdiction (range 0-0.7)",
        low=0,
        high=1,
    )
    leak_prob_per_year: float = param(
        0.05,
        "yearly probability that the weights of an API-only or staged checkpoint leak (they "
        "appear on the fringe hub)",
        unit="1/year",
        source="guess: LLaMA 1 weights leaked within a week of a gated release (2023); an "
        "early Mistral model leaked in Jan 2024 (range 0-0.3)",
        low=0,
        high=1,
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
        0.05,
        "share of benign derivatives meant to be uncensored (built on stripped weights or "
        "stripped after)",
        source="guess: uncensored variants are a visible minority of hub derivatives "
        "(range 0.01-0.2)",
        low=0,
        high=1,
    )
    safety_erosion: float = param(
        0.05,
        "share of safeguard lost by an ordinary benign fine-tune",
        source="Qi et al. 2023 (arXiv 2310.03693): benign fine-tuning degrades safety",
        low=0,
        high=1,
    )
    tamper_erosion: float = param(
        0.3,
        "share of tamper resistance lost by a benign fine-tune",
        source="guess after Qi et al. 2024 (arXiv 2412.07097: benign fine-tuning and small "
        "changes of recipe undo tamper-resistant safeguards) (range 0-1)",
        low=0,
        high=1,
    )
    finetune_gain_oom: float = param(
        0.02, "capability added by a fine-tune, times skill x 2", unit="OOM", low=0, high=1
    )
    max_derivative_gain_oom: float = param(
        0.2, "largest capability a lineage can add to its base", unit="OOM", low=0, high=5
    )
    quantise_share: float = param(
        0.25,
        "share of derivatives that are quantisations (cheap, slightly less capable)",
        source="guess after Horwitz et al. 2025 (arXiv 2503.10633: quantisations are a large "
        "class of Hugging Face models) (range 0.1-0.4)",
        low=0,
        high=1,
    )
    merge_share: float = param(
        0.05,
        "share of derivatives that are merges of two checkpoints of the same base",
        source="guess after Horwitz et al. 2025 (range 0-0.15)",
        low=0,
        high=1,
    )
    quantisation_loss_oom: float = param(
        0.02,
        "capability a quantisation loses",
        unit="OOM",
        source="guess: 4-bit quantisation costs a little quality (range 0-0.1)",
        low=0,
        high=1,
    )
    quantised_value_factor: float = param(
        0.2,
        "value of making a quantisation relative to a fine-tune of the same checkpoint",
        source="guess (range 0.05-0.5)",
        low=0,
        high=10,
    )
    merge_value_factor: float = param(
        0.5,
        "value of making a merge relative to a fine-tune of the same checkpoint",
        source="guess (range 0.1-1)",
        low=0,
        high=10,
    )
    quantised_parent_factor: float = param(
        0.8,
        "value of building on a quantised checkpoint relative to its full-precision original "
        "(format and quality loss)",
        source="guess (range 0.5-1)",
        low=0,
        high=1,
    )
    invention_prob: float = param(
        0.001,
        "probability a fine-tune yields a new cost-cutting technique (x skill x 2)",
        source="guess: a few notable techniques a year in the default population (range "
        "0.0001-0.005)",
        low=0,
        high=1,
    )
    strip_technique_share: float = param(
        0.3,
        "share of new techniques that cut only the cost of stripping safeguards",
        source="guess (range 0.1-0.6)",
        low=0,
        high=1,
    )
    tamper_bypass_share: float = param(
        0.5,
        "share of stripping techniques that bypass tamper resistance (e.g. editing the "
        "weights rather than fine-tuning against the safeguard)",
        source="guess after Arditi et al. 2024 (arXiv 2406.11717) and Qi et al. 2024 (range 0-1)",
        low=0,
        high=1,
    )
    api_benefit_factor: float = param(
        0.5,
        "value of an API fine-tune relative to one on open weights",
        source="guess: APIs limit what can be tuned and kept (range 0.2-1; decides whether "
        "restriction costs benign value, see docs/validation.md)",
        low=0,
        high=1,
    )
    benefit_elasticity: float = param(
        0.25, "benefit of a fine-tune grows as 10^(elasticity x capability)", low=0, high=3
    )
    defensive_share: float = param(
        0.02,
        "share of benign open-weight fine-tunes that build defences (classifiers, "
        "red-teaming, safety tooling); they add to a defence stock",
        source="guess; the range includes zero (range 0-0.1)",
        low=0,
        high=1,
    )
    defence_half_stock: float = param(
        50.0,
        "defensive fine-tunes in the stock at which defences reach half their largest effect",
        unit="fine-tunes",
        source="guess (range 5-500)",
        low=0.001,
        high=1e12,
    )
    defence_max_effect: float = param(
        0.5,
        "largest share of AI-enabled misuse attempts that defences stop",
        source="guess (range 0-0.9)",
        low=0,
        high=1,
    )
    defence_decay_per_month: float = param(
        0.03,
        "share of the defence stock that goes out of date each month",
        unit="1/month",
        source="guess (range 0-0.1)",
        low=0,
        high=1,
    )


@dataclass(frozen=True)
class Malicious:
    budget_median_usd: float = param(
        100.0,
        "median monthly budget for acquiring a misusable checkpoint",
        unit="USD/month",
        low=0,
        high=1e12,
    )
    budget_sigma: float = param(1.5, "lognormal sigma of budgets", low=0, high=10)
    activity_rate: float = param(
        0.3, "probability of acting in a month", unit="1/month", low=0, high=1
    )
    harm_threshold_oom: float = param(
        -1.7,
        "capability a stripped checkpoint needs for common misuse (fraud, spam, harassment): "
        "a small member of the step-0 frontier family",
        unit="OOM",
        source="guess: 7-8B models suffice for scams and spam; MIT AI Incident Tracker: fraud "
        "and scams lead among malicious uses (range -3 to 0)",
        low=-20,
        high=20,
    )
    severe_share: float = param(
        0.1,
        "share of malicious actors who seek severe misuse (dangerous capability uplift)",
        source="guess: about half of recorded incidents are intentional and most of those "
        "fraud (MIT AI Incident Tracker) (range 0-0.3)",
        low=0,
        high=1,
    )
    severe_threshold_oom: float = param(
        1.0,
        "capability (after the uplift fine-tune) that severe misuse needs",
        unit="OOM",
        source="guess: above the step-0 open frontier (range 0-3)",
        low=-20,
        high=20,
    )
    uplift_gain_oom: float = param(
        0.3,
        "capability a domain uplift fine-tune adds for severe misuse",
        unit="OOM",
        source="guess (range 0.1-1)",
        low=0,
        high=10,
    )
    uplift_compute_factor: float = param(
        3.0,
        "compute of the uplift fine-tune relative to a benign fine-tune of the same checkpoint",
        source="guess (range 1-30)",
        low=0,
        high=1e6,
    )
    uplift_data_usd: float = param(
        2000.0,
        "data and expertise an uplift fine-tune needs (does not get cheaper with hardware)",
        unit="USD",
        source="guess (range 100-100,000)",
        low=0,
        high=1e12,
    )
    uplift_min_skill: float = param(
        0.5,
        "skill an actor (or a pool's best member) needs for an uplift fine-tune",
        source="guess (range 0.2-0.9)",
        low=0,
        high=1,
    )
    severe_budget_factor: float = param(
        10.0,
        "budgets of severe-tier actors relative to the common tier",
        source="guess (range 1-100)",
        low=0,
        high=1e6,
    )
    severe_severity: float = param(
        100.0,
        "harm of a severe incident relative to a common one at the same capability margin",
        source="guess (range 10-10,000)",
        low=0,
        high=1e12,
    )
    severity_sigma: float = param(
        1.0,
        "lognormal sigma of each incident's severity (a heavy tail of harm)",
        source="guess (range 0-2)",
        low=0,
        high=10,
    )
    goal_spread_oom: float = param(
        1.0,
        "each actor's goal needs its tier's threshold + Exponential(spread)",
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
        0.3, "probability an AI-enabled attempt succeeds, times (0.5 + skill)", low=0, high=1
    )
    severity_elasticity: float = param(
        0.25,
        "incident severity grows as 10^(elasticity x (capability - threshold))",
        source="guess, as hobbyists.benefit_elasticity: harm and benefit grow alike with "
        "capability; the frontier grows ~1.1 OOM a year (range 0-0.5)",
        low=0,
        high=5,
    )
    api_abuse_months: int = param(
        3, "months before a lab revokes an abused API fine-tune", unit="months", low=1, high=120
    )
    share_prob: float = param(
        0.5, "probability a stripped checkpoint is shared with malicious neighbours", low=0, high=1
    )
    pool_join_prob: float = param(
        0.5,
        "probability an invited malicious contact joins a pool",
        source="guess (range 0.1-1)",
        low=0,
        high=1,
    )
    baseline_success_prob: float = param(
        0.1,
        "probability a month's attempt through the non-AI baseline route succeeds, for an "
        "actor with no AI route (times 0.5 + skill)",
        source="guess after Kapoor et al. 2024 (arXiv 2403.07918: judge open models against "
        "the pre-existing baseline) (range 0-0.3)",
        low=0,
        high=1,
    )
    baseline_severity_factor: float = param(
        0.5,
        "severity of a baseline-route incident relative to an AI-enabled one at the tier's "
        "threshold",
        source="guess (range 0.1-1)",
        low=0,
        high=10,
    )
    severe_baseline_factor: float = param(
        0.1,
        "baseline-route success of severe-tier actors relative to the common tier (without "
        "AI uplift, severe attacks rarely succeed)",
        source="guess (range 0-1)",
        low=0,
        high=1,
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


def _strength(default: float, doc: str, source: str = "guess") -> Any:
    return param(default, doc, low=0, high=1, source=source)


def _start() -> Any:
    return param(0, "first month the policy is in force", unit="month", low=0, high=100_000)


@dataclass(frozen=True)
class StructuredAccess:
    enabled: bool = param(False, "checkpoints above a capability threshold are API-only")
    strength: float = _strength(
        1.0, "probability a release complies (inside labs)", source="guess (range 0-1)"
    )
    start_step: int = _start()
    capability_threshold_oom: float = param(
        -0.5, "releases at or above this capability are API-only", unit="OOM", low=-20, high=20
    )


@dataclass(frozen=True)
class StagedRelease:
    enabled: bool = param(False, "open weights only after a delay (API-only meanwhile)")
    strength: float = _strength(
        1.0, "probability an open release is staged (inside labs)", source="guess (range 0-1)"
    )
    start_step: int = _start()
    delay_months: int = param(
        6, "months before staged weights open", unit="months", low=0, high=240
    )


@dataclass(frozen=True)
class TamperResistance:
    enabled: bool = param(False, "labs add tamper-resistant safeguards")
    strength: float = _strength(
        0.5,
        "tamper resistance of new base releases",
        source="guess: tamper-resistant training is fragile (Qi et al. 2024); explore widely "
        "(range 0.1-0.9)",
    )
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
    enabled: bool = param(
        False,
        "compute providers report cloud runs above a training-FLOP threshold (identity and "
        "compute, not intent): reported runs join the regulator's investigation queue",
    )
    strength: float = _strength(
        0.8,
        "share of covered runs the providers report (compliance)",
        source="guess (range 0.5-1)",
    )
    start_step: int = _start()
    threshold_flop: float = param(
        1e23,
        "runs of at least this many training FLOP are covered. Statutory points: 1e23 (EU "
        "GPAI guidelines 2025, indicative), 1e25 (EU AI Act Art. 51, systemic risk), 1e26 (US "
        "EO 14110, revoked Jan 2025); a modifier becomes a provider above 1/3 of the "
        "original training compute (EU guidelines)",
        unit="FLOP",
        source="Commission GPAI guidelines 2025 (1e23 FLOP indicative threshold)",
        low=0,
        high=1e40,
    )
    benign_overhead: float = param(
        0.2,
        "extra cost of compliance for covered benign runs",
        source="guess: identity checks and paperwork (range 0-1)",
        low=0,
        high=10,
    )


@dataclass(frozen=True)
class PoolMonitoring:
    enabled: bool = param(
        False,
        "pooled (decentralised) runs are reported to the regulator (who pooled, how much "
        "compute, not intent): reported runs join the investigation queue",
    )
    strength: float = _strength(0.8, "share of pooled runs reported", source="guess (range 0.2-1)")
    start_step: int = _start()
    efficiency_loss: float = param(
        0.1, "pooling efficiency lost to monitoring overhead (every pool pays it)", low=0, high=1
    )


@dataclass(frozen=True)
class ApiFinetuneScreening:
    enabled: bool = param(False, "API fine-tuning jobs are screened for abuse")
    strength: float = _strength(
        0.562,
        "probability an abusive job is detected and blocked",
        source="Egler, Schulman & Carlini 2025 (arXiv 2510.16255): best auditing agent 56.2% "
        "at 1% false positives; plain content moderation flags < 0.4% of attack examples; "
        "Halawi et al. 2024 (covert malicious fine-tuning passes screening) (range 0.004-0.9)",
    )
    start_step: int = _start()
    false_positive_rate: float = param(
        0.01,
        "share of benign jobs blocked",
        source="Egler, Schulman & Carlini 2025 (arXiv 2510.16255): 1% (range 0-0.1)",
        low=0,
        high=1,
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
    compute_kyc: ComputeKyc = section(ComputeKyc, "compute know-your-customer", label="Compute KYC")
    pool_monitoring: PoolMonitoring = section(PoolMonitoring, "pool monitoring")
    api_finetune_screening: ApiFinetuneScreening = section(
        ApiFinetuneScreening, "API fine-tuning screening", label="API fine-tune screening"
    )
    liability: Liability = section(Liability, "lab liability", label="Liability")
    adaptive: Adaptive = section(Adaptive, "adaptive regulation")


@dataclass(frozen=True)
class Config:
    name: str = param("baseline", "scenario name (names the results folder)")
    description: str = param("", "the question this scenario asks")
    seed: int = param(42, "root random seed", low=0, high=2**63 - 1)
    start_date: str = param(
        "2024-01",
        "calendar month of month 0 (YYYY-MM): month t is this date plus t months",
        source="the dated figures of docs/parameters.md (2023-2025)",
    )
    steps: int = param(120, "months simulated", unit="months", low=1, high=100_000)
    replications: int = param(1, "runs with different seeds", low=1, high=1_000_000)
    population: Population = section(Population, "how many actors of each kind")
    network: Network = section(Network, "the collaboration graph")
    costs: Costs = section(Costs, "the fine-tuning cost curve (docs/ODD.md)")
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
        if not DATE_PATTERN.fullmatch(self.start_date):
            raise ConfigError(
                "start_date", f"expected a month as YYYY-MM (e.g. 2024-01), got {self.start_date!r}"
            )
        offsets = self.labs.family_offsets_oom
        if not offsets or 0.0 not in offsets or any(not -10 <= o <= 0 for o in offsets):
            raise ConfigError(
                "labs.family_offsets_oom",
                f"expected a list of offsets in [-10, 0] that includes 0 (the family's top), "
                f"got {list(offsets)}",
            )
        if len(set(offsets)) != len(offsets) or len(offsets) > 20:
            raise ConfigError(
                "labs.family_offsets_oom",
                f"expected at most 20 distinct offsets, got {list(offsets)}",
            )
        h = self.hobbyists
        if h.quantise_share + h.merge_share > 1:
            raise ConfigError(
                "hobbyists.merge_share",
                f"expected quantise_share + merge_share <= 1, got {h.quantise_share:g} + "
                f"{h.merge_share:g}",
            )
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

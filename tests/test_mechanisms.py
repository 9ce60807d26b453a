"""Each mechanism alone, on small hand-built worlds: the compiled rules called one by one
(``sim.core.rules``, ``sim.core.actors``), the code the runs execute."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ready

from sim import EcosystemModel, simulate
from sim.core.actors import act
from sim.core.actors.malicious import malicious_turn
from sim.core.costs import actor_strip_cost
from sim.core.hubs import FRINGE
from sim.core.kinds import ActivityKind, CheckpointKind
from sim.core.policies.hub_moderation import moderate
from sim.core.pooling import form_pool
from sim.core.rules.choosing import try_api_finetune, try_finetune
from sim.core.rules.derivatives import make, traits
from sim.core.rules.misuse import attempt_ai
from sim.core.rules.prices import strip_price, uplift_price
from sim.core.rules.runs import record_run
from sim.core.rules.weapons import (
    try_api_abuse,
    try_shared_weapon,
    try_strip,
    try_stripped_download,
)
from sim.core.search import personal_finds
from sim.core.turns import take_turns

# Every lab open and inside the jurisdiction, unless a test says otherwise.
OPEN_LAB = {"labs": {"openness": 1.0, "openness_spread": 0.0, "outside_jurisdiction_share": 0.0}}


def _world(model_with_graph, population, edges, extra=None):
    overrides = {"population": population, **{k: dict(v) for k, v in OPEN_LAB.items()}}
    for key, value in (extra or {}).items():
        overrides[key] = {**overrides.get(key, {}), **value}
    return model_with_graph(edges, overrides)


def _open_base(model):
    """The most capable open base release on the main hub."""
    return max(model.checkpoints.open_bases(), key=lambda c: c.capability)


def _derivative(model, parent, *, safeguard, kind="finetune", creator=1, upload=True):
    ckpt = model.world.add_checkpoint(
        parent=parent,
        creator=creator,
        capability=parent.capability,
        safeguard=safeguard,
        tamper=0.0,
        access="open",
        step=0,
        kind=kind,
    )
    if upload:
        model.world.upload(ckpt.id, 0)
    return ckpt


def _unit_cost(model, ckpt):
    """USD of a benign fine-tune of ``ckpt`` this month at no technique."""
    return model.month.costs.finetune_now * ckpt.cost_scale


# --- families of sizes ----------------------------------------------------------------------
def test_a_release_is_a_family_of_sizes_below_its_top():
    model = EcosystemModel(
        {
            "population": {"labs": 1, "hobbyists": 5, "malicious": 0},
            **OPEN_LAB,
            "labs": {**OPEN_LAB["labs"], "family_offsets_oom": [0.0, -1.0, -2.5]},
        },
        seed=1,
    )
    bases = [model.checkpoints[i] for i in model.checkpoints.base_ids]
    top = max(c.capability for c in bases)
    assert sorted(round(c.capability - top, 9) for c in bases) == [-2.5, -1.0, 0.0]
    assert len({c.family for c in bases}) == 1


def test_small_family_members_make_fine_tuning_near_universal():
    frame, _ = _run({"steps": 3})
    assert frame["able_to_finetune"].iloc[-1] > 0.8
    assert frame["able_to_finetune_frontier"].iloc[-1] < frame["able_to_finetune"].iloc[-1]


def _run(overrides, seed=1):
    base = {"population": {"labs": 4, "hobbyists": 300, "malicious": 10}}
    return simulate({**base, **overrides}, seed=seed)


# --- pooling (mechanism B) ------------------------------------------------------------------
POOL_POP = {"labs": 1, "hobbyists": 3, "malicious": 0, "regulators": 1}
JOIN_ALL = {"sharing": {"pooling": {"join_prob": 1.0}}}


def _finetune(model, node):
    """The hobbyist ``node`` tries to fine-tune the most valuable checkpoint it reaches
    (here: the month's offer of base releases) and makes it if its plan goes ahead."""
    w, m = ready(model)
    budget = model.world.nodes.data["budget"][node]
    plan = try_finetune(w, m, node, 0, -1, budget, 1.0)
    if plan[0]:
        make(w, m, node, *plan[1:], False)
    return plan


def test_pooling_lets_a_hobbyist_who_cannot_pay_alone_finetune(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [(1, 2), (1, 3)], JOIN_ALL)
    poor, rich_a, rich_b = (model.actors[i] for i in (1, 2, 3))
    ready(model)
    cost = _unit_cost(model, _open_base(model))
    poor.budget, rich_a.budget, rich_b.budget = cost / 10, 1e6, 1e6
    made, _, _, _, size, _ = _finetune(model, 1)
    assert made and size == 2
    assert model.tally.benign_finetunes == 1
    assert model.tally.pooled_finetunes == 1
    # The richest neighbour was enough: the pool stops growing once it can pay.
    spent = model.world.nodes.data["spent_step"]
    assert spent[[1, 2]].tolist() == [0, 0]
    assert spent[3] == -1


def test_without_pooling_the_poor_hobbyist_cannot_finetune(model_with_graph):
    extra = {"sharing": {"pooling": {"enabled": False, "join_prob": 1.0}}}
    model = _world(model_with_graph, POOL_POP, [(1, 2), (1, 3)], extra)
    ready(model)
    model.actors[1].budget = _unit_cost(model, _open_base(model)) / 10
    assert not _finetune(model, 1)[0]
    assert model.tally.benign_finetunes == 0


def test_pools_form_only_along_ties(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [(2, 3)], JOIN_ALL)
    w, m = ready(model)
    model.actors[1].budget = 1.0
    model.actors[2].budget = model.actors[3].budget = 1e6
    assert form_pool(w, m, 1, 100.0, 1.0) == 0


def test_contacts_who_do_not_join_leave_the_pool_short(model_with_graph):
    model = _world(
        model_with_graph, POOL_POP, [(1, 2)], {"sharing": {"pooling": {"join_prob": 0.0}}}
    )
    w, m = ready(model)
    model.actors[1].budget, model.actors[2].budget = 1.0, 1e6
    assert form_pool(w, m, 1, 100.0, m.pooling.hobbyist_join) == 0


def test_pooling_wastes_money_on_coordination(model_with_graph):
    extra = {"sharing": {"pooling": {"efficiency": 0.5, "join_prob": 1.0}}}
    model = _world(model_with_graph, POOL_POP, [(1, 2)], extra)
    w, m = ready(model)
    # Together they hold 1.5x the cost, but at efficiency 0.5 that buys only 0.75x.
    model.actors[1].budget = model.actors[2].budget = 75.0
    assert form_pool(w, m, 1, 100.0, 1.0) == 0
    model.actors[1].budget = model.actors[2].budget = 100.0
    assert form_pool(w, m, 1, 100.0, 1.0) == 2


def test_pools_invite_the_richest_contacts_first_ties_the_lower_node(model_with_graph):
    pop = {"labs": 1, "hobbyists": 5, "malicious": 0, "regulators": 1}
    model = _world(model_with_graph, pop, [(1, 2), (1, 3), (1, 4), (1, 5)], JOIN_ALL)
    w, m = ready(model)
    budgets = {1: 10.0, 2: 20.0, 3: 50.0, 4: 20.0, 5: 5.0}
    for node, budget in budgets.items():
        model.actors[node].budget = budget
    # 10 + 50 + 20 (node 2 before node 4 at the same budget) pays 80 at efficiency 1
    m = m._replace(pooling=m.pooling._replace(efficiency=1.0, max_members=5))
    assert form_pool(w, m, 1, 80.0, 1.0) == 3
    assert list(w.scratch.pool[:3]) == [1, 3, 2]
    # every free contact had its draw, though only two were asked
    before = model.world.draws.stream.pos[0]
    assert form_pool(w, m, 1, 80.0, 1.0) == 3
    assert model.world.draws.stream.pos[0] - before == 4


# --- malicious tiers: stripping alone equips the common tier; the severe tier needs uplift --
MAL_POP = {"labs": 1, "hobbyists": 1, "malicious": 3, "regulators": 1}


def _malicious_world(model_with_graph, edges=(), extra=None, tier="common"):
    extra = {"malicious": {"api_abuse_prob": 0.0, "pool_join_prob": 1.0}, **(extra or {})}
    model = _world(model_with_graph, MAL_POP, list(edges), extra)
    for node in (2, 3, 4):
        actor = model.actors[node]
        actor.tier, actor.goal, actor.budget = tier, -5.0, 0.0
    ready(model)
    return model


def _strip_price(model, node, ckpt):
    w, m = ready(model)
    return strip_price(w, m, node, ckpt.id)


def _try(model, rule, node, *args):
    w, m = ready(model)
    w.scratch.pool[0] = node
    return rule(w, m, node, *args)


def test_stripping_alone_equips_a_common_tier_actor(model_with_graph):
    model = _malicious_world(model_with_graph)
    actor = model.actors[2]
    target = _open_base(model)
    actor.budget = _strip_price(model, 2, target)  # the strip itself, nothing more
    assert _try(model, try_strip, 2, -1)
    assert actor.is_equipped
    assert actor.equipped.kind == "stripped"
    assert actor.equipped.capability == target.capability
    assert model.checkpoints.is_stripped(actor.equipped)


def test_a_common_tier_actor_who_cannot_pay_the_strip_is_not_equipped(model_with_graph):
    model = _malicious_world(model_with_graph)
    actor = model.actors[2]
    cheapest = min(_strip_price(model, 2, c) for c in model.checkpoints.open_bases())
    actor.budget = 0.99 * cheapest
    assert not _try(model, try_strip, 2, -1)
    assert not actor.is_equipped


def test_a_downloaded_stripped_checkpoint_equips_the_common_tier_for_free(model_with_graph):
    model = _malicious_world(model_with_graph)
    stripped = _derivative(model, _open_base(model), safeguard=0.0)
    actor = model.actors[2]
    got, _ = _try(model, try_stripped_download, 2)
    assert got
    assert actor.equipped is stripped


def test_a_severe_tier_actor_needs_the_uplift_fine_tune(model_with_graph):
    model = _malicious_world(model_with_graph, tier="severe")
    actor = model.actors[2]
    actor.skill = 0.9
    target = _open_base(model)
    actor.goal = target.capability + model.cfg.malicious.uplift_gain_oom
    w, m = ready(model)
    uplift = uplift_price(m, w.nodes, 2, target.capability)
    price = strip_price(w, m, 2, target.id)  # strip and uplift
    strip = price - uplift
    assert uplift > strip  # data and compute: dearer than the strip
    actor.budget = strip * 1.01
    assert not _try(model, try_strip, 2, -1)  # the strip alone does not reach a severe goal
    actor.budget = price
    assert _try(model, try_strip, 2, -1)
    assert actor.equipped.kind == "uplift"
    assert actor.equipped.capability == pytest.approx(actor.goal)


def test_the_uplift_needs_skill(model_with_graph):
    model = _malicious_world(model_with_graph, tier="severe")
    actor = model.actors[2]
    actor.skill = 0.1  # below malicious.uplift_min_skill
    actor.budget = 1e9
    assert not _try(model, try_strip, 2, -1)


def test_a_severe_tier_actor_can_pool_for_the_uplift(model_with_graph):
    model = _malicious_world(model_with_graph, edges=[(2, 3), (2, 4)], tier="severe")
    actor = model.actors[2]
    actor.skill = 0.9
    target = _open_base(model)
    price = _strip_price(model, 2, target)
    actor.budget = price / 10
    model.actors[3].budget = model.actors[4].budget = price
    assert _try(model, try_strip, 2, -1)
    assert model.actors[3].is_equipped  # every pool member it fits is equipped


def test_a_severe_tier_actor_cannot_use_a_weapon_without_the_uplift(model_with_graph):
    model = _malicious_world(model_with_graph, tier="severe")
    actor = model.actors[2]
    plain = _derivative(model, _open_base(model), safeguard=0.0, upload=False)
    actor.shared_weapon = plain  # a common-tier contact's stripped checkpoint
    assert not _try(model, try_shared_weapon, 2)
    plain.uplifted = True
    assert _try(model, try_shared_weapon, 2)


def test_a_severe_member_of_a_common_pool_is_not_equipped_by_it(model_with_graph):
    model = _malicious_world(model_with_graph, edges=[(2, 3)])
    initiator, severe = model.actors[2], model.actors[3]
    severe.tier = "severe"
    price = _strip_price(model, 2, _open_base(model))
    initiator.budget, severe.budget = price / 10, price
    assert _try(model, try_strip, 2, -1)
    assert initiator.is_equipped and not severe.is_equipped


def test_a_maker_shares_its_weapon_with_its_malicious_contacts(model_with_graph):
    extra = {"malicious": {"api_abuse_prob": 0.0, "share_prob": 1.0}}
    model = _malicious_world(model_with_graph, edges=[(2, 3), (2, 1)], extra=extra)
    model.actors[2].budget = 1e6
    assert _try(model, try_strip, 2, -1)
    assert model.actors[3].shared_weapon is model.actors[2].equipped
    assert model.world.nodes.data["weapon"][1] == -1  # a hobbyist contact gets nothing


def test_an_active_malicious_actor_spends_its_month(model_with_graph):
    model = _malicious_world(model_with_graph)
    actor = model.actors[2]
    actor.goal = 100.0
    _try(model, malicious_turn, 2)
    assert actor.spent_this_month


# --- the baseline route (marginal risk) -----------------------------------------------------
def test_an_actor_with_no_ai_route_tries_the_baseline_route(model_with_graph):
    model = _malicious_world(
        model_with_graph,
        extra={"malicious": {"api_abuse_prob": 0.0, "baseline_success_prob": 1.0}},
    )
    actor = model.actors[2]
    actor.goal = 100.0  # no checkpoint is capable enough
    actor.skill = 0.6
    _try(model, malicious_turn, 2)
    assert not actor.is_equipped
    assert model.tally.baseline_incidents == 1 and model.tally.misuse_incidents == 0
    assert model.tally.baseline_harm > 0


def test_zero_malicious_actors_give_zero_ai_and_zero_baseline_incidents():
    frame, summary = _run({"population": {"malicious": 0}, "steps": 24})
    assert summary["total_misuse_incidents"] == 0
    assert summary["total_baseline_incidents"] == 0
    assert frame["total_harm"].sum() == 0


# --- incidents and defences -----------------------------------------------------------------
def _successes(model, node, ckpt, attempts):
    w, m = ready(model, turns=attempts)
    return sum(bool(attempt_ai(w, m, node, ckpt.id)) for _ in range(attempts))


def test_defences_lower_the_success_of_ai_enabled_misuse(model_with_graph):
    def successes(stock: float) -> int:
        model = _malicious_world(model_with_graph, extra={"malicious": {"success_prob": 0.5}})
        model.defence.stock = stock
        model.actors[2].skill = 0.5
        return _successes(model, 2, _open_base(model), 2000)

    without, with_defences = successes(0.0), successes(1e9)
    assert without == pytest.approx(1000, abs=100)
    assert with_defences == pytest.approx(1000 * (1 - 0.5), abs=100)  # defence_max_effect 0.5


def test_an_incident_counts_its_harm_reaches_the_regulator_and_moves_the_goal(model_with_graph):
    extra = {"malicious": {"success_prob": 1.0}, "regulator": {"report_prob": 1.0}}
    model = _malicious_world(model_with_graph, extra=extra)
    actor, ckpt = model.actors[2], _open_base(model)
    actor.skill, goal = 0.5, actor.goal
    assert _successes(model, 2, ckpt, 1) == 1
    model.report_turns()
    assert model.tally.misuse_incidents == 1 and model.tally.harm > 0
    assert actor.goal == pytest.approx(goal + model.cfg.malicious.defence_adaptation_oom)
    (incident,) = model.incidents
    assert incident.checkpoint == ckpt.id and incident.report_step is not None
    assert list(model.oversight.reports) == [incident]


def test_defensive_fine_tunes_build_a_stock_that_goes_out_of_date():
    from sim.config import make_config
    from sim.core.defence import DefenceStock
    from sim.core.tally import MonthTally

    stock, tally = DefenceStock(make_config().hobbyists), MonthTally()
    tally.add("defence_added", 10)
    assert stock.level == 0  # counts from next month
    stock.end_month(tally)
    assert stock.stock == 10 and 0 < stock.level < 1
    tally.reset()
    stock.end_month(tally)
    assert stock.stock == pytest.approx(10 * (1 - 0.03))


# --- derivative kinds -----------------------------------------------------------------------
def test_merges_carry_the_weaker_safeguards_of_their_parents(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [])
    base = _open_base(model)
    safe = _derivative(model, base, safeguard=0.9)
    stripped = _derivative(model, base, safeguard=0.0)
    w, m = ready(model)
    capability, safeguard, _ = traits(w, m, 1, CheckpointKind.MERGE, safe.id, stripped.id)
    assert safeguard == 0.0
    assert capability >= max(safe.capability, stripped.capability)


def test_a_quantised_parent_is_worth_less_than_its_original(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [])
    base = _open_base(model)
    quantised = _derivative(model, base, safeguard=1.0, kind="quantised")
    assert quantised.value_unit < base.value_unit


def test_quantisations_are_rarely_parents():
    _, summary = _run({"steps": 48})
    assert summary["quantised_leaf_share"] > 0.95
    assert summary["lineage_leaf_share"] < summary["quantised_leaf_share"]


def test_benign_fine_tunes_erode_tamper_resistance(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [])
    base = _open_base(model)
    base.tamper = 0.5
    w, m = ready(model)
    _, _, tamper = traits(w, m, 1, CheckpointKind.FINETUNE, base.id, -1)
    assert tamper == pytest.approx(0.5 * (1 - model.cfg.hobbyists.tamper_erosion))


# --- stripping techniques -------------------------------------------------------------------
def _actor_strip_cost(model, node, ckpt):
    w, m = ready(model)
    return actor_strip_cost(m.costs, w.nodes, node, ckpt.capability, ckpt.safeguard, ckpt.tamper)


def test_a_stripping_technique_can_cut_the_strip_cost_by_orders_of_magnitude(model_with_graph):
    from sim.core.techniques import Technique

    model = _malicious_world(model_with_graph)
    target = _open_base(model)
    before = _actor_strip_cost(model, 2, target)
    model.techniques.invent(2, Technique("strip", 2.0, False))
    assert _actor_strip_cost(model, 2, target) == pytest.approx(before / 100)


def test_a_bypassing_technique_ignores_tamper_resistance(model_with_graph):
    from sim.core.techniques import Technique

    model = _malicious_world(model_with_graph)
    target = _open_base(model)
    plain = _actor_strip_cost(model, 2, target)
    target.tamper = 1.0
    hardened = _actor_strip_cost(model, 2, target)
    assert hardened == pytest.approx(plain * (1 + model.cfg.costs.tamper_cost_multiplier))
    model.techniques.invent(2, Technique("strip", 0.0, True))
    assert _actor_strip_cost(model, 2, target) == pytest.approx(plain)


# --- compute KYC as the law writes it ------------------------------------------------------
def _covered_run(model, members, malicious):
    """A run of 1e6 USD of compute by ``members`` (the initiator first), logged."""
    w, m = ready(model)
    w.scratch.pool[: len(members)] = members
    kind = ActivityKind.STRIP if malicious else ActivityKind.FINETUNE
    record_run(w, m, kind, len(members), -1, malicious, 1e6)
    acts = model.world.logs.acts
    return bool(acts.column("flagged")[-1])


KYC_ALL = {"policies": {"compute_kyc": {"enabled": True, "strength": 1.0, "threshold_flop": 1.0}}}


def test_kyc_reports_covered_runs_whatever_their_intent(model_with_graph):
    model = _malicious_world(model_with_graph, extra=KYC_ALL)
    model.world.nodes.data["own_hardware"][:] = False
    assert _covered_run(model, [1], False) and _covered_run(model, [2], True)
    assert model.tally.kyc_covered_runs == 2


def test_kyc_flag_rate_does_not_depend_on_intent(model_with_graph):
    extra = {"policies": {"compute_kyc": {**KYC_ALL["policies"]["compute_kyc"], "strength": 0.5}}}
    flags = {}
    for intent in (False, True):
        model = _malicious_world(model_with_graph, extra=extra)  # same seed: same draws
        model.world.nodes.data["own_hardware"][:] = False
        flags[intent] = [_covered_run(model, [2], intent) for _ in range(200)]
    assert flags[False] == flags[True]
    assert 60 < sum(flags[True]) < 140


def test_kyc_never_covers_runs_on_own_hardware(model_with_graph):
    model = _malicious_world(model_with_graph, extra=KYC_ALL)
    model.world.nodes.data["own_hardware"][:] = True
    assert not _covered_run(model, [2], True)
    assert model.tally.kyc_covered_runs == 0


def test_kyc_misses_pooled_runs_and_pool_monitoring_catches_them(model_with_graph):
    model = _malicious_world(model_with_graph, extra=KYC_ALL)
    model.world.nodes.data["own_hardware"][:] = False
    assert not _covered_run(model, [2, 3, 4], True)
    extra = {
        "policies": {**KYC_ALL["policies"], "pool_monitoring": {"enabled": True, "strength": 1.0}}
    }
    model = _malicious_world(model_with_graph, extra=extra)
    assert _covered_run(model, [2, 3, 4], True)


def test_kyc_at_the_statutory_threshold_covers_no_fine_tune():
    policies = {"policies": {"compute_kyc": {"enabled": True}}}  # 1e23 FLOP
    _, statutory = _run({**policies, "steps": 24})
    low = {"policies": {"compute_kyc": {"enabled": True, "threshold_flop": 1e19}}}
    _, bites = _run({**low, "steps": 24})
    assert statutory["total_kyc_covered_runs"] == 0
    assert bites["total_kyc_covered_runs"] > 0


def test_a_flagged_run_is_investigated_and_an_identified_actor_banned(model_with_graph):
    model = _malicious_world(
        model_with_graph, extra={**KYC_ALL, "regulator": {"detection_prob": 1.0, "capacity": 10}}
    )
    model.world.nodes.data["own_hardware"][:] = False
    actor = model.actors[2]
    actor.budget = 1e6
    assert _try(model, try_strip, 2, -1)
    model.report_turns()
    assert model.oversight.flagged
    model.regulators.do("step")
    assert actor.banned and not actor.is_equipped


# --- hubs, moderation and displacement ------------------------------------------------------
MODERATION = {"policies": {"hub_moderation": {"enabled": True, "strength": 1.0}}}


def _moderate(model):
    moderate(
        model.policies, model.steps, model.rng, model.checkpoints, model.main_hub, model.take_down
    )


def test_hub_moderation_takes_down_stripped_derivatives(model_with_graph):
    model = _world(
        model_with_graph, POOL_POP, [], {**MODERATION, "sharing": {"reupload_prob": 0.0}}
    )
    ckpt = _derivative(model, _open_base(model), safeguard=0.0)
    assert len(model.main_hub.stripped) == 1
    _moderate(model)
    assert ckpt.taken_down and not ckpt.on_hub and not ckpt.on_fringe
    assert model.main_hub.best(stripped=True) is None


def test_a_taken_down_checkpoint_can_reappear_on_the_fringe_hub(model_with_graph):
    model = _world(
        model_with_graph, POOL_POP, [], {**MODERATION, "sharing": {"reupload_prob": 1.0}}
    )
    ckpt = _derivative(model, _open_base(model), safeguard=0.0)
    model.take_down(ckpt.id)
    assert not ckpt.on_hub and ckpt.on_fringe
    assert model.tally.reuploads == 1
    _moderate(model)  # the fringe hub never moderates
    assert ckpt.on_fringe and len(model.fringe_hub) == 1
    assert not model.world.upload(ckpt.id, 0)  # nor can it return to the main hub


def test_without_moderation_stripped_derivatives_stay_on_the_hub(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [])
    ckpt = _derivative(model, _open_base(model), safeguard=0.0)
    _moderate(model)
    assert ckpt.on_hub


def test_the_fringe_hub_is_searched_only_by_those_who_find_it(model_with_graph):
    for prob, found in ((0.0, False), (1.0, True)):
        model = _world(model_with_graph, POOL_POP, [], {"sharing": {"fringe_discovery_prob": prob}})
        ckpt = _derivative(model, _open_base(model), safeguard=0.0, upload=False)
        model.world.upload(ckpt.id, FRINGE)
        w, m = ready(model)
        n, _ = personal_finds(w, m, 1, True, -1)
        assert (ckpt.id in w.scratch.found[:n].tolist()) == found


# --- releases: structured access, staged release, tamper resistance, liability, leaks -------
def _run_releases(policies, months=13, labs=5, outside=0.0, extra=None):
    """A world run past every lab's first release under the policies; returns the model."""
    lab_cfg = {
        **OPEN_LAB["labs"],
        "outside_jurisdiction_share": outside,
        "leak_prob_per_year": 0.0,
        **(extra or {}),
    }
    model = EcosystemModel(
        {
            "population": {"labs": labs, "hobbyists": 10, "malicious": 0},
            "labs": lab_cfg,
            "policies": policies,
        },
        seed=3,
    )
    model.run(months)
    return model


def _new_releases(model):
    return [c for c in model.checkpoints.all() if c.is_base and c.release_step >= 1]


STRUCTURED = {"structured_access": {"enabled": True, "capability_threshold_oom": -10.0}}


def test_structured_access_keeps_capable_new_releases_api_only():
    new = _new_releases(_run_releases(STRUCTURED))
    assert new and all(c.access == "api" and not c.on_hub for c in new)


def test_structured_access_closes_only_the_family_members_above_its_threshold():
    policies = {"structured_access": {"enabled": True, "capability_threshold_oom": 0.5}}
    new = _new_releases(_run_releases(policies, months=24))
    assert {c.access for c in new} == {"api", "open"}
    # a member is open below the threshold (its API twin would sit higher: API releases
    # carry the closed frontier's capability)
    assert all(c.access == "api" for c in new if c.capability >= 0.5 + 0.6)


def test_an_outside_lab_ignores_structured_access():
    new = _new_releases(_run_releases(STRUCTURED, outside=1.0))
    assert new and all(c.access == "open" and c.on_hub for c in new)
    assert all(not c.inside for c in new)


def test_policies_do_not_recall_weights_released_before_they_started():
    model = _run_releases(STRUCTURED)
    before = [c for c in model.checkpoints.all() if c.is_base and c.release_step <= 0]
    assert before and all(c.access == "open" and c.on_hub for c in before)


def test_staged_release_opens_weights_only_after_the_delay():
    model = _run_releases({"staged_release": {"enabled": True, "delay_months": 3}}, months=12)
    for ckpt in _new_releases(model):
        age = model.steps - ckpt.release_step
        assert ckpt.on_hub == (age >= 3), (ckpt.release_step, model.steps)
        assert ckpt.access == ("open" if age >= 3 else "staged")


def test_closed_weights_can_leak_to_the_fringe_hub():
    model = _run_releases({}, months=6, extra={"openness": 0.0, "leak_prob_per_year": 1.0})
    leaked = [c for c in model.checkpoints.all() if c.on_fringe]
    assert leaked and all(c.is_base and c.kind == "leaked" and not c.on_hub for c in leaked)
    assert model.timeseries()["leaks"].sum() == len(leaked)


def test_tamper_resistance_policy_hardens_new_releases_of_inside_labs_only():
    policies = {"tamper_resistance": {"enabled": True, "strength": 0.6}}
    new = _new_releases(_run_releases(policies, labs=3))
    assert new and all(c.tamper == 0.6 for c in new)
    outside = _new_releases(_run_releases(policies, labs=3, outside=1.0))
    assert outside and all(c.tamper == 0.0 for c in outside)


def test_liability_lowers_openness_as_attributed_incidents_grow():
    model = EcosystemModel(
        {
            "population": {"labs": 1, "hobbyists": 10, "malicious": 0},
            **OPEN_LAB,
            "policies": {"liability": {"enabled": True, "strength": 1.0, "incident_scale": 5.0}},
        },
        seed=3,
    )
    lab = model.labs.to_list()[0]
    assert lab.effective_openness(1) == 1.0
    lab.attributed_incidents = 5
    assert lab.effective_openness(1) == pytest.approx(0.3679, abs=1e-3)


# --- fine-tuning APIs -----------------------------------------------------------------------
def _api_world(model_with_graph, screening, outside=0.0, months=2):
    model = model_with_graph(
        [],
        {
            "population": {"labs": 2, "hobbyists": 1, "malicious": 1},
            "labs": {
                "openness": 0.0,
                "openness_spread": 0.0,
                "api_finetune_share": 1.0,
                "outside_jurisdiction_share": outside,
            },
            "malicious": {"api_abuse_prob": 1.0, "api_abuse_months": months},
            "policies": {"api_finetune_screening": {"enabled": screening, "strength": 1.0}},
        },
    )
    actor = model.actors[3]
    actor.goal, actor.budget = -5.0, 100.0
    return model, actor


def test_api_screening_blocks_api_abuse(model_with_graph):
    model, actor = _api_world(model_with_graph, screening=True)
    _try(model, try_api_abuse, 3)
    assert not actor.is_equipped
    assert model.tally.api_jobs_blocked == 1


def test_api_screening_does_not_bind_labs_outside_the_jurisdiction(model_with_graph):
    model, actor = _api_world(model_with_graph, screening=True, outside=1.0)
    assert _try(model, try_api_abuse, 3)
    assert actor.is_equipped and model.tally.api_jobs_blocked == 0


def test_unscreened_api_abuse_equips_only_until_the_lab_revokes_it(model_with_graph):
    model, actor = _api_world(model_with_graph, screening=False)
    assert _try(model, try_api_abuse, 3)
    assert actor.is_equipped
    model.steps = 2
    ready(model)
    assert not actor.is_equipped


def test_screening_blocks_benign_jobs_at_its_false_positive_rate(model_with_graph):
    model = model_with_graph(
        [],
        {
            "population": {"labs": 2, "hobbyists": 1, "malicious": 0},
            "labs": {
                "openness": 0.0,
                "openness_spread": 0.0,
                "api_finetune_share": 1.0,
                "outside_jurisdiction_share": 0.0,
            },
            "policies": {"api_finetune_screening": {"enabled": True, "false_positive_rate": 0.1}},
        },
    )
    model.actors[2].budget = 1e6
    w, m = ready(model)
    assert m.api.best >= 0
    blocked = sum(not try_api_finetune(w, m, 2, 1.0) for _ in range(2000))
    assert blocked == pytest.approx(200, abs=50)


# --- adaptive regulation ----------------------------------------------------------------
def test_adaptive_regulator_switches_policies_on_after_trigger_and_lag():
    model = EcosystemModel(
        {
            "population": {"labs": 1, "hobbyists": 10, "malicious": 0},
            "policies": {
                "adaptive": {
                    "enabled": True,
                    "trigger_incidents": 2,
                    "window_months": 6,
                    "lag_months": 3,
                    "policies": ["hub_moderation"],
                    "strength": 0.7,
                }
            },
        },
        seed=1,
    )
    model.oversight.arrivals += [4, 5]
    model.adaptive.step(model.policies, model.oversight, 5)
    assert not model.policies.active("hub_moderation", 5)
    model.adaptive.step(model.policies, model.oversight, 8)
    assert model.policies.active("hub_moderation", 8)
    assert model.policies["hub_moderation"].strength == 0.7
    assert model.policies.escalations == [(8, "hub_moderation", 0.7)]


def test_uniform_draws_come_from_the_model_generator():
    a = EcosystemModel({"population": {"labs": 1, "hobbyists": 5, "malicious": 0}}, seed=9)
    b = EcosystemModel({"population": {"labs": 1, "hobbyists": 5, "malicious": 0}}, seed=9)
    assert [a.uniform() for _ in range(5000)] == [b.uniform() for _ in range(5000)]
    assert np.all(np.array(a.world.draws.many(10)) < 1)


# --- kinds: a turn is dispatched by kind, and a kind without a turn is an error -------------
def test_a_kind_without_a_turn_is_an_error_never_a_default(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [(1, 2)], JOIN_ALL)
    w, m = ready(model)
    assert model.actors[0].kind.name == "LAB"
    with pytest.raises(ValueError, match="kind without turns"):
        act(w, m, 0)  # a lab: no compiled turn
    with pytest.raises(ValueError, match="kind without turns"):  # nor in the month's loop
        take_turns(model, np.array([1, 0], dtype=np.int64))

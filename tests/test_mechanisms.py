"""Each mechanism alone, on small hand-built worlds."""

from __future__ import annotations

import pytest

from sim import EcosystemModel
from sim.hobbyists import Hobbyist
from sim.malicious import MaliciousActor
from sim.moderation import moderate_hub

OPEN_LAB = {"labs": {"openness": 1.0, "openness_spread": 0.0}}


def _world(model_with_graph, population, edges, extra=None):
    overrides = {"population": population, **OPEN_LAB}
    for key, value in (extra or {}).items():
        overrides[key] = {**overrides.get(key, {}), **value}
    return model_with_graph(edges, overrides)


# --- pooling (mechanism B) ---------------------------------------------------------------
POOL_POP = {"labs": 1, "hobbyists": 3, "malicious": 0, "regulators": 1}


def test_pooling_lets_a_hobbyist_who_cannot_pay_alone_finetune(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [(1, 2), (1, 3)])
    poor, rich_a, rich_b = (model.actors[i] for i in (1, 2, 3))
    poor.budget, rich_a.budget, rich_b.budget = 10.0, 1000.0, 1000.0
    parent = poor.best_safe()
    cost = model.benign_finetune_cost(parent, 0, solo=True)
    assert poor.budget < cost

    assert poor.try_open_finetune(parent)
    assert model.tally.benign_finetunes == 1
    assert model.tally.pooled_finetunes == 1
    # The richest neighbour was enough: the pool stops growing once it can pay.
    assert model.spent_step[[1, 2]].tolist() == [0, 0]
    assert model.spent_step[3] == -1


def test_without_pooling_the_poor_hobbyist_cannot_finetune(model_with_graph):
    model = _world(
        model_with_graph, POOL_POP, [(1, 2), (1, 3)], {"sharing": {"pooling": {"enabled": False}}}
    )
    model.actors[1].budget = 10.0
    assert not model.actors[1].try_open_finetune(model.actors[1].best_safe())
    assert model.tally.benign_finetunes == 0


def test_pools_form_only_along_ties(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [(2, 3)])
    model.actors[1].budget = 10.0
    model.actors[2].budget = model.actors[3].budget = 1e6
    assert not model.actors[1].try_open_finetune(model.actors[1].best_safe())


def test_pooling_wastes_money_on_coordination(model_with_graph):
    model = _world(
        model_with_graph, POOL_POP, [(1, 2)], {"sharing": {"pooling": {"efficiency": 0.5}}}
    )
    parent = model.actors[1].best_safe()
    cost = model.benign_finetune_cost(parent, 0, solo=False)
    # Together they hold 1.5x the cost, but at efficiency 0.5 that buys only 0.75x.
    model.actors[1].budget = model.actors[2].budget = 0.75 * cost
    assert not model.actors[1].try_open_finetune(parent)


# --- compute KYC and pool monitoring ------------------------------------------------------
KYC_POP = {"labs": 1, "hobbyists": 1, "malicious": 3, "regulators": 1}
KYC_ON = {"compute_kyc": {"enabled": True, "strength": 1.0, "cost_threshold_usd": 100.0}}


def _kyc_world(model_with_graph, policies, budgets):
    model = _world(
        model_with_graph,
        KYC_POP,
        [(2, 3), (2, 4)],
        {"policies": policies, "regulator": {"detection_prob": 1.0, "capacity": 10}},
    )
    for node, budget in zip((2, 3, 4), budgets, strict=True):
        actor = model.actors[node]
        actor.budget, actor.goal = budget, -5.0
    return model


def test_compute_kyc_flags_a_big_solo_run_and_the_regulator_bans_the_actor(model_with_graph):
    model = _kyc_world(model_with_graph, KYC_ON, (1e6, 0.0, 0.0))
    actor = model.actors[2]
    assert actor.try_harmful_finetune()
    assert actor.is_equipped
    (flagged,) = model.oversight.flagged
    assert flagged.members == (2,)

    model.regulators.do("step")
    assert actor.banned
    assert not actor.is_equipped


def test_compute_kyc_misses_a_pooled_run(model_with_graph):
    model = _kyc_world(model_with_graph, KYC_ON, (400.0, 400.0, 400.0))
    assert model.actors[2].try_harmful_finetune()
    (run,) = model.oversight.month
    assert len(run.members) == 3
    assert not run.flagged
    assert not model.oversight.flagged


def test_pool_monitoring_catches_the_pooled_run_that_kyc_misses(model_with_graph):
    policies = {**KYC_ON, "pool_monitoring": {"enabled": True, "strength": 1.0}}
    model = _kyc_world(model_with_graph, policies, (400.0, 400.0, 400.0))
    assert model.actors[2].try_harmful_finetune()
    (run,) = model.oversight.flagged
    assert len(run.members) == 3
    model.regulators.do("step")
    assert all(model.actors[n].banned for n in (2, 3, 4))


def test_compute_kyc_ignores_runs_below_its_compute_threshold(model_with_graph):
    policies = {"compute_kyc": {"enabled": True, "strength": 1.0, "cost_threshold_usd": 1e9}}
    model = _kyc_world(model_with_graph, policies, (1e6, 0.0, 0.0))
    assert model.actors[2].try_harmful_finetune()
    assert not model.oversight.flagged


# --- hub moderation -----------------------------------------------------------------------
def _stripped_upload(model: EcosystemModel):
    base = model.checkpoints.best_safe_on_hub()
    ckpt = model.checkpoints.add(
        parent=base,
        creator=1,
        capability=base.capability,
        safeguard=0.0,
        tamper=0.0,
        access="open",
        step=0,
    )
    model.checkpoints.upload(ckpt)
    return ckpt


def test_hub_moderation_takes_down_stripped_derivatives(model_with_graph):
    model = _world(
        model_with_graph,
        POOL_POP,
        [],
        {"policies": {"hub_moderation": {"enabled": True, "strength": 1.0}}},
    )
    ckpt = _stripped_upload(model)
    assert len(model.checkpoints.stripped_hub) == 1

    assert moderate_hub(model) >= 1
    assert ckpt.taken_down and not ckpt.on_hub
    assert len(model.checkpoints.stripped_hub) == 0
    assert model.checkpoints.best_stripped_on_hub() is None


def test_without_moderation_stripped_derivatives_stay_on_the_hub(model_with_graph):
    model = _world(model_with_graph, POOL_POP, [])
    ckpt = _stripped_upload(model)
    assert moderate_hub(model) == 0
    assert ckpt.on_hub


def test_hub_moderation_rejects_stripped_uploads_at_upload_time(model_with_graph):
    model = _world(
        model_with_graph,
        POOL_POP,
        [],
        {
            "policies": {"hub_moderation": {"enabled": True, "strength": 1.0}},
            "sharing": {"hub_upload_prob": 1.0},
        },
    )
    hobbyist: Hobbyist = model.actors[1]
    base = hobbyist.best_safe()
    hobbyist.share(base, [hobbyist], base.capability, safeguard=0.0, tamper=0.0)
    assert len(model.checkpoints.stripped_hub) == 0
    assert model.tally.takedowns == 1


# --- releases: structured access, staged release, tamper resistance, liability -------------
def _run_releases(policies, months=13, labs=5):
    """A world run past every lab's first release under the policies; returns the model."""
    model = EcosystemModel(
        {
            "population": {"labs": labs, "hobbyists": 10, "malicious": 0},
            **OPEN_LAB,
            "policies": policies,
        },
        seed=3,
    )
    model.run(months)
    return model


def _new_releases(model):
    return [c for c in model.checkpoints.items if c.is_base and c.release_step >= 1]


def test_structured_access_keeps_capable_new_releases_api_only():
    model = _run_releases(
        {"structured_access": {"enabled": True, "capability_threshold_oom": -10.0}}
    )
    new = _new_releases(model)
    assert new and all(c.access == "api" and not c.on_hub for c in new)


def test_policies_do_not_recall_weights_released_before_they_started():
    model = _run_releases(
        {"structured_access": {"enabled": True, "capability_threshold_oom": -10.0}}
    )
    before = [c for c in model.checkpoints.items if c.is_base and c.release_step <= 0]
    assert before and all(c.access == "open" and c.on_hub for c in before)


def test_staged_release_opens_weights_only_after_the_delay():
    model = _run_releases({"staged_release": {"enabled": True, "delay_months": 3}}, months=12)
    for ckpt in _new_releases(model):
        age = model.steps - ckpt.release_step
        assert ckpt.on_hub == (age >= 3), (ckpt.release_step, model.steps)
        assert ckpt.access == ("open" if age >= 3 else "staged")


def test_tamper_resistance_policy_hardens_new_releases():
    model = _run_releases({"tamper_resistance": {"enabled": True, "strength": 0.6}}, labs=3)
    new = _new_releases(model)
    assert new and all(c.tamper == 0.6 for c in new)
    assert all(c.tamper == 0.0 for c in model.checkpoints.items if c.release_step <= 0)


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


def test_api_screening_blocks_api_abuse(model_with_graph):
    model = model_with_graph(
        [],
        {
            "population": {"labs": 2, "hobbyists": 1, "malicious": 1},
            "labs": {"openness": 0.0, "openness_spread": 0.0, "api_finetune_share": 1.0},
            "malicious": {"api_abuse_prob": 1.0},
            "policies": {"api_finetune_screening": {"enabled": True, "strength": 1.0}},
        },
    )
    actor: MaliciousActor = model.actors[3]
    actor.goal = -5.0
    assert not actor.try_api_abuse()
    assert not actor.is_equipped
    assert model.tally.api_jobs_blocked == 1


def test_unscreened_api_abuse_equips_only_until_the_lab_revokes_it(model_with_graph):
    model = model_with_graph(
        [],
        {
            "population": {"labs": 2, "hobbyists": 1, "malicious": 1},
            "labs": {"openness": 0.0, "openness_spread": 0.0, "api_finetune_share": 1.0},
            "malicious": {"api_abuse_prob": 1.0, "api_abuse_months": 2},
        },
    )
    actor: MaliciousActor = model.actors[3]
    actor.goal = -5.0
    assert actor.try_api_abuse()
    assert actor.is_equipped
    model.steps = 2
    assert not actor.is_equipped


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
    model.steps = 5
    model.adaptive.step(model)
    assert not model.policies.active("hub_moderation", 5)
    model.steps = 8
    model.adaptive.step(model)
    assert model.policies.active("hub_moderation", 8)
    assert model.policies["hub_moderation"].strength == 0.7
    assert model.policies.escalations == [(8, "hub_moderation", 0.7)]

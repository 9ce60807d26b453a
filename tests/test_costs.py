"""The fine-tuning cost curve (ODD §3.3.1), one factor at a time: the compiled functions the
rules and reporters use (``sim.core.costs``)."""

import pytest

from sim import EcosystemModel, make_config
from sim.core import costs
from sim.core.rules.prices import uplift_price

COSTS = make_config().costs
NOW = costs.terms(COSTS, 0)


def strip(capability=0.0, safeguard=1.0, tamper=0.0, finetune_oom=0.0, strip_oom=0.0):
    return costs.strip_cost(NOW, capability, safeguard, tamper, finetune_oom, strip_oom, False)


def test_hardware_price_halves_every_halving_period():
    months = COSTS.hardware_halving_months
    assert costs.hardware_index(COSTS, 0) == 1.0
    assert costs.hardware_index(COSTS, months) == pytest.approx(0.5)
    assert costs.hardware_index(COSTS, 2 * months) == pytest.approx(0.25)


def test_compute_for_a_fixed_result_halves_every_algorithmic_halving_period():
    months = COSTS.algorithmic_halving_months
    assert costs.algorithmic_index(COSTS, months) == pytest.approx(0.5)


def test_algorithmic_progress_lowers_finetune_cost_through_checkpoint_size():
    months = COSTS.algorithmic_halving_months
    e = COSTS.capability_cost_elasticity
    assert costs.algorithmic_efficiency(COSTS, months) == pytest.approx(0.5**e)
    later = costs.terms(COSTS, months)
    ratio = costs.finetune_cost(later, 0.0, 0.0) / costs.finetune_cost(NOW, 0.0, 0.0)
    assert ratio == pytest.approx(costs.hardware_index(COSTS, months) * 0.5**e)


def test_stripping_the_step0_frontier_costs_the_sourced_figure():
    assert strip() == pytest.approx(COSTS.strip_cost_usd)
    assert COSTS.strip_cost_usd == 200.0  # Lermen et al. 2023: < $200


def test_more_capable_checkpoints_cost_more_to_finetune():
    small = costs.finetune_cost(NOW, -1.0, 0.0)
    large = costs.finetune_cost(NOW, 1.0, 0.0)
    assert large / small == pytest.approx(10 ** (2 * COSTS.capability_cost_elasticity))


def test_tamper_resistance_raises_strip_cost_unless_bypassed():
    hardened = strip(tamper=0.5)
    assert hardened == pytest.approx(strip() * (1 + COSTS.tamper_cost_multiplier * 0.5))
    bypassed = costs.strip_cost(NOW, 0.0, 1.0, 0.5, 0.0, 0.0, True)
    assert bypassed == strip()


def test_stripping_costs_nothing_when_safeguards_are_already_gone():
    assert strip(safeguard=0.0, tamper=0.9) == 0.0


def test_known_techniques_cut_cost_by_their_oom_down_to_a_floor():
    cut = costs.finetune_cost(NOW, 0.0, 0.3)
    none = costs.finetune_cost(NOW, 0.0, 0.0)
    assert cut / none == pytest.approx(10**-0.3)
    assert costs.technique_multiplier(1000.0, COSTS.technique_floor) == COSTS.technique_floor


def test_stripping_techniques_cut_stripping_further_down_to_their_own_floor():
    assert strip(strip_oom=2.0) == pytest.approx(strip() / 100)
    floor = strip(finetune_oom=5.0, strip_oom=50.0)
    assert floor == pytest.approx(strip() * COSTS.strip_technique_floor)


def test_a_run_buys_more_flop_as_hardware_gets_cheaper():
    assert costs.run_flop(NOW, 1.0) == COSTS.flop_per_usd
    later = costs.terms(COSTS, COSTS.hardware_halving_months)
    assert costs.run_flop(later, 1.0) == pytest.approx(2 * COSTS.flop_per_usd)
    # a benign fine-tune of the step-0 frontier is far below the EU's 1e23 FLOP
    assert costs.run_flop(NOW, COSTS.finetune_cost_usd) < 1e23 / 1000


def test_the_uplift_fine_tune_costs_compute_and_data():
    model = EcosystemModel({"population": {"labs": 1, "hobbyists": 2, "malicious": 1}}, seed=1)
    mal = model.cfg.malicious
    month = model.month._replace(costs=NOW)
    cost = uplift_price(month, model.world.nodes.rows, 3, 0.0)
    compute = mal.uplift_compute_factor * COSTS.finetune_cost_usd
    assert cost == pytest.approx(compute + mal.uplift_data_usd)

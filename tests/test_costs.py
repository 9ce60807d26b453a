"""The fine-tuning cost curve (ODD §3.3.1), one factor at a time."""

import pytest

from sim import costs, make_config

COSTS = make_config().costs


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


def test_stripping_the_step0_frontier_costs_the_sourced_figure():
    cost = costs.strip_cost(COSTS, 0.0, 0, 0.0, 0.0, safeguard=1.0, tamper=0.0)
    assert cost == pytest.approx(COSTS.strip_cost_usd)
    assert COSTS.strip_cost_usd == 200.0  # Lermen et al. 2023: < $200


def test_more_capable_checkpoints_cost_more_to_finetune():
    small = costs.finetune_cost(COSTS, -1.0, 0, 0)
    large = costs.finetune_cost(COSTS, 1.0, 0, 0)
    assert large / small == pytest.approx(10 ** (2 * COSTS.capability_cost_elasticity))


def test_tamper_resistance_raises_strip_cost():
    plain = costs.strip_cost(COSTS, 0.0, 0, 0.0, 0.0, safeguard=1.0, tamper=0.0)
    hardened = costs.strip_cost(COSTS, 0.0, 0, 0.0, 0.0, safeguard=1.0, tamper=0.5)
    assert hardened == pytest.approx(plain * (1 + COSTS.tamper_cost_multiplier * 0.5))


def test_stripping_costs_nothing_when_safeguards_are_already_gone():
    assert costs.strip_cost(COSTS, 0.0, 0, 0.0, 0.0, safeguard=0.0, tamper=0.9) == 0.0


def test_known_techniques_cut_cost_by_their_oom_down_to_a_floor():
    cut = costs.finetune_cost(COSTS, 0.0, 0, 0.3)
    none = costs.finetune_cost(COSTS, 0.0, 0, 0.0)
    assert cut / none == pytest.approx(10**-0.3)
    assert costs.technique_multiplier(1000.0, COSTS.technique_floor) == COSTS.technique_floor


def test_stripping_techniques_cut_stripping_further_down_to_their_own_floor():
    plain = costs.strip_cost(COSTS, 0.0, 0, 0.0, 0.0, 1.0, 0.0)
    assert costs.strip_cost(COSTS, 0.0, 0, 0.0, 2.0, 1.0, 0.0) == pytest.approx(plain / 100)
    floor = costs.strip_cost(COSTS, 0.0, 0, 5.0, 50.0, 1.0, 0.0)
    assert floor == pytest.approx(plain * COSTS.strip_technique_floor)


def test_a_run_buys_more_flop_as_hardware_gets_cheaper():
    assert costs.run_flop(COSTS, 1.0, 0) == COSTS.flop_per_usd
    months = COSTS.hardware_halving_months
    assert costs.run_flop(COSTS, 1.0, months) == pytest.approx(2 * COSTS.flop_per_usd)
    # a benign fine-tune of the step-0 frontier is far below the EU's 1e23 FLOP
    assert costs.run_flop(COSTS, COSTS.finetune_cost_usd, 0) < 1e23 / 1000


def test_the_uplift_fine_tune_costs_compute_and_data():
    cfg = make_config()
    cost = costs.uplift_cost(cfg.costs, cfg.malicious, 0.0, 0)
    compute = cfg.malicious.uplift_compute_factor * COSTS.finetune_cost_usd
    assert cost == pytest.approx(compute + cfg.malicious.uplift_data_usd)


def test_cost_functions_work_on_arrays_of_actors():
    import numpy as np

    known = np.array([0.0, 0.1, 0.2])
    out = costs.finetune_cost(COSTS, 0.0, 12, known)
    assert out.shape == (3,)
    assert out[0] > out[1] > out[2]

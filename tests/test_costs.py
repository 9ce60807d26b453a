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
    cost = costs.strip_cost(COSTS, 0.0, 0, 0, safeguard=1.0, tamper=0.0)
    assert cost == pytest.approx(COSTS.strip_cost_usd)
    assert COSTS.strip_cost_usd == 200.0  # Lermen et al. 2023: < $200


def test_more_capable_checkpoints_cost_more_to_finetune():
    small = costs.finetune_cost(COSTS, -1.0, 0, 0)
    large = costs.finetune_cost(COSTS, 1.0, 0, 0)
    assert large / small == pytest.approx(10 ** (2 * COSTS.capability_cost_elasticity))


def test_tamper_resistance_raises_strip_cost():
    plain = costs.strip_cost(COSTS, 0.0, 0, 0, safeguard=1.0, tamper=0.0)
    hardened = costs.strip_cost(COSTS, 0.0, 0, 0, safeguard=1.0, tamper=0.5)
    assert hardened == pytest.approx(plain * (1 + COSTS.tamper_cost_multiplier * 0.5))


def test_stripping_costs_nothing_when_safeguards_are_already_gone():
    assert costs.strip_cost(COSTS, 0.0, 0, 0, safeguard=0.0, tamper=0.9) == 0.0


def test_each_known_technique_cuts_cost_down_to_a_floor():
    one = costs.finetune_cost(COSTS, 0.0, 0, 1)
    none = costs.finetune_cost(COSTS, 0.0, 0, 0)
    assert one / none == pytest.approx(COSTS.technique_factor)
    assert costs.technique_multiplier(COSTS, 1000) == pytest.approx(COSTS.technique_floor)


def test_cost_functions_work_on_arrays_of_actors():
    import numpy as np

    known = np.array([0, 1, 2])
    out = costs.finetune_cost(COSTS, 0.0, 12, known)
    assert out.shape == (3,)
    assert out[0] > out[1] > out[2]

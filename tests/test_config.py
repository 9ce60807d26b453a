"""Configuration: one schema, sourced defaults, errors that name the key path."""

import dataclasses

import pytest

from sim import Config, ConfigError, make_config
from sim.config import POLICY_NAMES, with_overrides
from sim.schema import describe_fields, to_dict


def test_defaults_build_without_overrides():
    cfg = make_config()
    assert isinstance(cfg, Config)
    assert cfg.steps == 120
    assert cfg.costs.hardware_halving_months == 30.0
    assert cfg.costs.algorithmic_halving_months == 8.0


@pytest.mark.parametrize(
    "key",
    [
        "seed",
        "steps",
        "population.labs",
        "population.hobbyists",
        "population.malicious",
        "population.regulators",
        "network.kind",
        "costs.hardware_halving_months",
        "costs.algorithmic_halving_months",
        "costs.strip_cost_usd",
        "sharing.hub_upload_prob",
        "sharing.pooling.enabled",
        "sharing.pooling.efficiency",
        "regulator.capacity",
    ],
)
def test_the_keys_users_rely_on_exist(key):
    value = make_config()
    for part in key.split("."):
        value = getattr(value, part)


@pytest.mark.parametrize("policy", POLICY_NAMES)
def test_every_policy_is_off_by_default_with_strength_and_start(policy):
    p = getattr(make_config().policies, policy)
    assert p.enabled is False
    assert 0 <= p.strength <= 1
    assert p.start_step == 0


def test_nested_overrides_apply_on_top_of_defaults():
    cfg = make_config({"population": {"malicious": 0}, "steps": 24})
    assert cfg.population.malicious == 0
    assert cfg.steps == 24
    assert cfg.population.hobbyists == make_config().population.hobbyists


def test_unknown_key_names_its_path_and_suggests_the_nearest():
    with pytest.raises(ConfigError) as err:
        make_config({"sharing": {"pooling": {"efficency": 0.5}}})
    assert err.value.path == "sharing.pooling.efficency"
    assert "did you mean 'efficiency'" in str(err.value)


@pytest.mark.parametrize(
    ("overrides", "path", "expected"),
    [
        (
            {"policies": {"compute_kyc": {"strength": "high"}}},
            "policies.compute_kyc.strength",
            "a number in [0, 1]",
        ),
        ({"population": {"hobbyists": -5}}, "population.hobbyists", "an integer"),
        ({"steps": 2.5}, "steps", "an integer"),
        ({"network": {"kind": "small_world"}}, "network.kind", "one of"),
        ({"sharing": {"pooling": {"enabled": "yes"}}}, "sharing.pooling.enabled", "true or false"),
        ({"costs": {"strip_cost_usd": float("nan")}}, "costs.strip_cost_usd", "a number"),
        ({"population": 3}, "population", "a mapping"),
        (
            {"policies": {"adaptive": {"policies": ["hub_moderaton"]}}},
            "policies.adaptive.policies[0]",
            "one of",
        ),
    ],
)
def test_bad_values_name_the_key_path_and_what_was_expected(overrides, path, expected):
    with pytest.raises(ConfigError) as err:
        make_config(overrides)
    assert err.value.path == path
    assert expected in str(err.value)
    assert str(err.value).startswith(path + ":")


def test_booleans_are_not_accepted_as_numbers():
    with pytest.raises(ConfigError):
        make_config({"regulator": {"capacity": True}})


def test_config_round_trips_through_plain_mappings():
    cfg = make_config({"policies": {"hub_moderation": {"enabled": True, "strength": 0.7}}})
    assert make_config(to_dict(cfg)) == cfg
    assert with_overrides(cfg, {"steps": 12}).policies.hub_moderation.strength == 0.7


def test_config_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_config().steps = 3  # type: ignore[misc]


def test_every_field_is_documented_with_unit_or_source():
    rows = describe_fields(Config)
    assert len(rows) > 60
    for row in rows:
        assert row["doc"], row["key"]
        assert row["source"], row["key"]


@pytest.mark.parametrize("name", ["docs/parameters.md", "README.md"])
def test_the_parameter_references_are_generated_from_the_schema(name):
    from pathlib import Path

    from sim.reference import GENERATED, splice

    (make, begin, end) = next((m, b, e) for n, m, b, e in GENERATED if n == name)
    text = (Path(__file__).parent.parent / name).read_text(encoding="utf-8")
    assert splice(text, make(), begin, end) == text, "run: python -m sim.reference"


# Every key Model 2 added (docs/ODD.md): a value of the wrong kind is an error naming its path.
MODEL2_KEYS = [
    "start_date",
    "labs.outside_jurisdiction_share",
    "labs.leak_prob_per_year",
    "labs.family_offsets_oom",
    "sharing.fringe_discovery_prob",
    "sharing.reupload_prob",
    "sharing.search_candidates",
    "sharing.pooling.join_prob",
    "costs.flop_per_usd",
    "costs.own_hardware_share",
    "costs.technique_oom_mean",
    "costs.strip_technique_oom_mean",
    "costs.strip_technique_floor",
    "costs.quantise_cost_factor",
    "costs.merge_cost_factor",
    "hobbyists.tamper_erosion",
    "hobbyists.quantise_share",
    "hobbyists.merge_share",
    "hobbyists.quantisation_loss_oom",
    "hobbyists.quantised_value_factor",
    "hobbyists.merge_value_factor",
    "hobbyists.quantised_parent_factor",
    "hobbyists.strip_technique_share",
    "hobbyists.tamper_bypass_share",
    "hobbyists.defensive_share",
    "hobbyists.defence_half_stock",
    "hobbyists.defence_max_effect",
    "hobbyists.defence_decay_per_month",
    "malicious.severe_share",
    "malicious.severe_threshold_oom",
    "malicious.uplift_gain_oom",
    "malicious.uplift_compute_factor",
    "malicious.uplift_data_usd",
    "malicious.uplift_min_skill",
    "malicious.severe_budget_factor",
    "malicious.severe_severity",
    "malicious.severity_sigma",
    "malicious.pool_join_prob",
    "malicious.baseline_success_prob",
    "malicious.baseline_severity_factor",
    "malicious.severe_baseline_factor",
    "policies.compute_kyc.threshold_flop",
]


@pytest.mark.parametrize("key", MODEL2_KEYS)
def test_every_model2_key_rejects_a_wrong_value_naming_its_path(key, tmp_path):
    from sim.scenario import ScenarioError, load_scenario

    bad = {"start_date": 2024, "labs.family_offsets_oom": "big"}.get(key, "lots")
    path = tmp_path / "s.yaml"
    *parents, leaf = key.split(".")
    text, indent = "", ""
    for part in parents:
        text += f"{indent}{part}:\n"
        indent += "  "
    text += f"{indent}{leaf}: {bad}\n"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    line = str(err.value)
    assert line.startswith(f"{path}: {key}: expected") and "\n" not in line


@pytest.mark.parametrize("key", MODEL2_KEYS)
def test_every_model2_key_has_a_meaning_and_a_source_or_a_guess_with_its_range(key):
    row = {r["key"]: r for r in describe_fields(Config)}[key]
    assert row["doc"]
    source = row["source"]
    assert source != "guess", "a bare guess: give the range a sensitivity spec should explore"
    if "guess" in source:
        assert "range" in source, source


@pytest.mark.parametrize("offsets", [[0, -1e300], [0, 0.5], [-1.0], []])
def test_family_offsets_must_include_zero_and_stay_in_range(offsets):
    with pytest.raises(ConfigError) as err:
        make_config({"labs": {"family_offsets_oom": offsets}})
    assert err.value.path == "labs.family_offsets_oom"

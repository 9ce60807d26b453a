"""The scenario library and the loader: extends chains, --set overrides, result folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import make_config, simulate
from sim.config import POLICY_NAMES, with_overrides
from sim.experiments.folders import OutputError, finalise, run_folder
from sim.experiments.seeding import derive_seed, replication_seeds
from sim.scenario import ScenarioError, load_scenario, parse_sets

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_the_library_has_the_promised_scenarios():
    names = {p.stem for p in FILES}
    policies = set(POLICY_NAMES)
    assert len(policies) == 9
    required = {
        "baseline",
        "cheap_finetuning",
        "no_sharing",
        "closed_world",
        "assumptions_low",
        "assumptions_central",
        "assumptions_high",
    }
    assert policies | required <= names
    assert len([n for n in names if n.startswith("bundle_")]) >= 3


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_scenario_loads_says_what_it_asks_and_runs(path):
    config = load_scenario(path)
    assert config.name == path.stem
    assert len(config.description) > 40
    small = with_overrides(config, {"steps": 3, "population": {"hobbyists": 60, "malicious": 4}})
    frame, _ = simulate(small, seed=1)
    assert len(frame) == 3


@pytest.mark.parametrize("name", ["structured_access", "tamper_resistance", "compute_kyc"])
def test_each_policy_scenario_switches_its_policy_on(name):
    assert getattr(load_scenario(SCENARIOS / f"{name}.yaml").policies, name).enabled


def test_central_assumptions_are_the_baseline():
    central = load_scenario(SCENARIOS / "assumptions_central.yaml")
    baseline = load_scenario(SCENARIOS / "baseline.yaml")
    assert (
        with_overrides(central, {"name": "baseline", "description": baseline.description})
        == baseline
    )


# --- extends and overrides --------------------------------------------------------------------
def test_extends_chains_apply_base_first(tmp_path):
    (tmp_path / "a.yaml").write_text("steps: 10\nseed: 1\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nsteps: 20\n")
    (tmp_path / "c.yaml").write_text("extends: b.yaml\nname: c\n")
    config = load_scenario(tmp_path / "c.yaml")
    assert (config.name, config.steps, config.seed) == ("c", 20, 1)


def test_extends_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "base.yaml").write_text("steps: 7\n")
    (tmp_path / "sub" / "x.yaml").write_text("extends: ../base.yaml\n")
    assert load_scenario(tmp_path / "sub" / "x.yaml").steps == 7


def test_set_overrides_win_over_flags_and_files(tmp_path):
    (tmp_path / "a.yaml").write_text("steps: 10\n")
    config = load_scenario(tmp_path / "a.yaml", ["steps=30"], {"steps": 20})
    assert config.steps == 30
    assert load_scenario(tmp_path / "a.yaml", [], {"steps": 20}).steps == 20


def test_set_values_are_yaml_scalars():
    assert parse_sets(["a.b=true", "c=0.5", "d=[x, y]", "e=text", "f="]) == {
        "a": {"b": True},
        "c": 0.5,
        "d": ["x", "y"],
        "e": "text",
        "f": "",
    }


def test_set_errors_name_the_override():
    with pytest.raises(ScenarioError, match=r"^--set: policies.hub_moderation.strength"):
        load_scenario(SCENARIOS / "baseline.yaml", ["policies.hub_moderation.strength=2"])


# --- seeds ------------------------------------------------------------------------------------
def test_replication_seeds_depend_only_on_root_and_position():
    assert replication_seeds(42, 5)[:3] == replication_seeds(42, 3)
    assert replication_seeds(42, 3) != replication_seeds(43, 3)
    assert len(set(replication_seeds(42, 100))) == 100
    assert derive_seed(42, 3, 1) != derive_seed(42, 1, 3)
    assert all(0 <= s < 2**63 for s in replication_seeds(7, 20))
    make_config({"seed": replication_seeds(7, 1)[0]})  # a derived seed is a valid config seed


# --- result folders ---------------------------------------------------------------------------
def test_a_failed_run_leaves_nothing_behind(tmp_path):
    root = tmp_path / "results"
    with pytest.raises(RuntimeError), run_folder(root, "x") as tmp:
        (tmp / "timeseries.csv").write_text("half")
        raise RuntimeError("simulated crash")
    assert not root.exists()


def test_a_completed_run_is_renamed_and_never_overwrites(tmp_path):
    folders = []
    for _ in range(3):
        with run_folder(tmp_path, "x") as tmp:
            (tmp / "f").write_text("done")
        folders.append(finalise(tmp))
    assert len(set(folders)) == 3
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == sorted(f.name for f in folders)
    assert all((f / "f").read_text() == "done" for f in folders)


def test_an_unwritable_results_root_is_an_output_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError), run_folder(tmp_path / "file", "x"):
        pass

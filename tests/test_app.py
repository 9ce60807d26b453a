"""The app without a browser: its settings (the URL), ensembles, single run and charts.

The browser tests (``test_app_browser.py``) drive the real page; these check the parts
underneath directly: that a link restores exactly the settings it was made from, that the
ensemble runs the same replications as the command line and gives ``compare``'s numbers,
and that the single run and the charts draw.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.api import simulate
from sim.app import ensemble, figures
from sim.app.controls import ALL_CONTROLS, PARAMETERS, POLICIES
from sim.app.session import MAX_DRAWN_NODES, AppSession
from sim.app.settings import DEFAULT_REPLICATIONS, Settings, config_yaml, scenario_names
from sim.config import POLICY_NAMES, make_config
from sim.experiments.comparison import comparison_table
from sim.experiments.runs import run_arms
from sim.experiments.seeding import replication_seeds
from sim.scenario import load_scenario

SMALL = "population.hobbyists=150&population.labs=4&population.malicious=8"


# --- controls ------------------------------------------------------------------------------
def test_controls_cover_model_2_and_every_policy():
    keys = {c.key for c in ALL_CONTROLS}
    for key in ("labs.outside_jurisdiction_share", "labs.leak_prob_per_year",
                "sharing.reupload_prob", "costs.own_hardware_share",
                "policies.compute_kyc.threshold_flop", "hobbyists.defensive_share",
                "malicious.severe_share"):  # fmt: skip
        assert key in keys
    assert {t.key.split(".")[1] for t, _ in POLICIES} == set(POLICY_NAMES)


def test_every_control_shows_its_unit_and_its_meaning_and_source_from_the_schema():
    from sim.schema import describe_fields

    rows = {r["key"]: r for r in describe_fields(make_config({}).__class__)}
    for control in ALL_CONTROLS:
        row = rows[control.key]
        assert row["doc"][1:] in control.help
        assert ("a guess" if row["source"] == "guess" else row["source"]) in control.help
        if row["unit"] and control.kind != "bool":
            assert row["unit"] in control.label_with(row["default"])


def test_the_kyc_threshold_slider_moves_in_orders_of_magnitude():
    (kyc,) = [c for _, more in POLICIES for c in more if c.key.endswith("threshold_flop")]
    assert kyc.to_slider(1e23) == pytest.approx(23)
    assert kyc.from_slider(19) == 1e19
    assert "1e+23 FLOP" in kyc.label_with(1e23)


# --- settings and the URL -----------------------------------------------------------------
def test_scenario_picker_offers_every_scenario_file_baseline_first():
    names = scenario_names()
    assert names[0] == "baseline" and "structured_access" in names and len(names) > 15


def test_a_link_restores_exactly_the_settings_it_was_made_from():
    settings = (
        Settings()
        .with_scenario("tamper_resistance")
        .with_run(seed=7, replications=12)
        .with_value("population.hobbyists", 500)
        .with_value("policies.compute_kyc.enabled", True)
        .with_value("policies.compute_kyc.threshold_flop", 1e19)
        .with_value("sharing.pooling.enabled", False)
    )
    assert settings.errors == ()
    again = Settings.from_query(settings.query())
    assert again == settings and again.errors == ()
    assert "scenario=tamper_resistance" in settings.query() and "seed=7" in settings.query()


def test_a_value_equal_to_the_scenario_file_leaves_the_link():
    settings = Settings().with_value("population.hobbyists", 500)
    assert settings.with_value("population.hobbyists", 3000).overrides == ()
    assert Settings().with_run(replications=DEFAULT_REPLICATIONS).query() == ""


def test_a_bad_link_is_reported_and_the_rest_kept():
    settings = Settings.from_query(
        "scenario=nope&seed=-3&reps=x&costs.strip_cost_usd=cheap&population.malicious=12"
    )
    assert settings.scenario == "baseline" and settings.seed is None
    assert settings.replications == DEFAULT_REPLICATIONS
    assert dict(settings.overrides) == {"population.malicious": 12}
    assert len(settings.errors) == 4
    assert any("costs.strip_cost_usd" in e for e in settings.errors)


def test_policies_make_the_bundle_and_other_keys_change_both_arms():
    settings = Settings.from_query(
        "seed=3&population.malicious=12&policies.structured_access.enabled=true"
    )
    arms = settings.arms()
    assert list(arms) == ["base", "bundle"]
    assert arms["base"].population.malicious == arms["bundle"].population.malicious == 12
    assert not arms["base"].policies.structured_access.enabled
    assert arms["bundle"].policies.structured_access.enabled
    assert list(Settings().arms()) == ["base"]


def test_the_exported_yaml_runs_as_the_same_configuration(tmp_path):
    settings = Settings.from_query(f"seed=5&{SMALL}&policies.hub_moderation.enabled=true")
    for arm, config in settings.arms().items():
        path = tmp_path / f"{arm}.yaml"
        path.write_text(config_yaml(config))
        assert load_scenario(path) == config
    assert settings.seeds() == replication_seeds(5, settings.replications)


# --- the ensemble ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def finished() -> ensemble.Ensemble:
    settings = Settings.from_query(
        f"seed=11&reps=4&steps=12&{SMALL}&policies.structured_access.enabled=true"
    )
    states = list(ensemble.run_ensemble(settings.arms(), settings.seeds(), lambda: False))
    assert states and states[-1].finished
    return states[-1]


def test_the_ensemble_runs_what_the_command_line_runs(finished):
    for arm, config in finished.arms.items():
        for r, seed in enumerate(finished.seeds):
            frame, summary = simulate(config, seed=seed)
            pd.testing.assert_frame_equal(finished.results[arm][r][0], frame)
            assert finished.results[arm][r][1] == summary


def test_the_paired_table_is_compares(finished):
    runs = run_arms(finished.arms, finished.seeds, workers=1)
    expected = comparison_table(runs, ensemble.TABLE_OUTCOMES)
    got = ensemble.paired_table(finished)
    pd.testing.assert_frame_equal(
        got.drop(columns="scenario"), expected.drop(columns="scenario"), check_dtype=False
    )


def test_bands_are_the_median_and_90_percent_of_replications(finished):
    bands = ensemble.bands(finished, "malicious_equipped")
    values = np.vstack([finished.results["base"][r][0]["malicious_equipped"] for r in range(4)])
    assert np.allclose(bands["base"]["median"], np.median(values, axis=0))
    assert (bands["base"]["low"] <= bands["base"]["median"]).all()
    cumulative = ensemble.bands(finished, "cumulative:misuse_incidents")["base"]["median"]
    assert (np.diff(cumulative) >= 0).all()


def test_the_csv_is_tidy_one_row_per_arm_replication_and_month(finished):
    from io import StringIO

    table = pd.read_csv(StringIO(ensemble.tidy_csv(finished)))
    assert list(table.columns[:4]) == ["arm", "replication", "seed", "step"]
    assert len(table) == 2 * 4 * 12


def test_stopping_cancels_the_runs_still_queued():
    settings = Settings.from_query(f"reps=30&steps=24&{SMALL}")
    stop = threading.Event()
    seen = []
    for state in ensemble.run_ensemble(settings.arms(), settings.seeds(), stop.is_set, 0.0):
        seen.append(state.done)
        stop.set()
    assert seen and seen[-1] < 30


# --- the single run and the charts ---------------------------------------------------------------
@pytest.fixture
def session() -> AppSession:
    return AppSession(Settings.from_query(f"steps=6&{SMALL}").base_config())


def test_step_advances_one_month_and_stops_at_the_horizon(session):
    for month in range(1, 7):
        assert session.step() and session.month == month
    assert not session.step() and session.finished
    frame, _ = simulate(session.config, seed=session.seed)
    pd.testing.assert_frame_equal(session.timeseries().reset_index(drop=True), frame)


def test_layout_is_computed_once_so_nodes_do_not_move(session):
    before = session.layout.positions.copy()
    session.step()
    assert np.array_equal(before, session.layout.positions)


def test_large_graphs_draw_a_sample_with_every_lab_and_malicious_actor():
    big = AppSession(make_config({"steps": 2, "population": {"hobbyists": 3000}}))
    nodes = set(big.layout.nodes.tolist())
    assert len(nodes) == MAX_DRAWN_NODES
    assert set(big.model.lab_nodes.tolist()) <= nodes
    assert set(big.model.malicious_nodes.tolist()) <= nodes


def test_lineage_table_counts_stripped_derivatives_per_base_release(session):
    for _ in range(6):
        session.step()
    table = figures.lineage_table(session)
    registry = session.model.checkpoints
    assert len(table) == len(registry.base_ids)
    total = sum(1 for c in registry.all() if not c.is_base and registry.is_stripped(c))
    assert table["stripped"].sum() == total


def test_charts_draw_with_log_axes_for_costs(session, finished):
    fig = figures.ensemble_figure(finished, lambda c: ensemble.bands(finished, c))
    logs = [i for i, (_, _, log) in enumerate(figures.PANELS) if log]
    layout = fig.to_plotly_json()["layout"]
    for i in logs:
        assert layout[f"yaxis{i + 1 if i else ''}"]["type"] == "log"
    assert len(fig.data) == 3 * 2 * len(figures.PANELS)
    for make in (figures.network_figure, figures.lineage_figure):
        assert make(session).data
    session.step()
    assert figures.run_figure(session.timeseries(), 6).data


def test_parameters_are_shown_in_groups():
    assert len(PARAMETERS) >= 16
    assert yaml.safe_load(config_yaml(make_config({})))["name"] == "baseline"

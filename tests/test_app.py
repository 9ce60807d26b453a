"""The app without a browser: the session it drives, and its components via solara.render."""

from __future__ import annotations

import io

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara
import yaml

from sim.app import figures
from sim.app.controls import ALL_CONTROLS, POLICIES
from sim.app.page import Dashboard
from sim.app.session import MAX_DRAWN_NODES, AppSession, scenario_names
from sim.experiments.seeding import derive_seed
from sim.scenario import load_scenario

SMALL = {"population.hobbyists": 150, "population.malicious": 10}


@pytest.fixture
def session() -> AppSession:
    s = AppSession("baseline")
    for key, value in SMALL.items():
        s.set(key, value)
    s.reset()
    return s


def test_controls_cover_populations_costs_pooling_capacity_and_every_policy():
    keys = {c.key for c in ALL_CONTROLS}
    assert {
        "population.hobbyists",
        "population.malicious",
        "costs.hardware_halving_months",
        "costs.algorithmic_halving_months",
        "costs.strip_cost_usd",
        "sharing.pooling.enabled",
        "sharing.pooling.efficiency",
        "regulator.capacity",
    } <= keys
    assert len(POLICIES) == 9


def test_scenario_picker_offers_every_scenario_file_baseline_first():
    names = scenario_names()
    assert names[0] == "baseline"
    assert "tamper_resistance" in names and "closed_world" in names


def test_loading_a_scenario_shows_its_values(session):
    session.load("tamper_resistance")
    assert session.values["policies.tamper_resistance.enabled"] is True
    assert session.config.policies.tamper_resistance.enabled
    assert session.month == 0


def test_changes_take_effect_on_reset_and_the_shown_values_are_the_used_ones(session):
    session.set("policies.hub_moderation.enabled", True)
    session.set("regulator.capacity", 42)
    assert session.pending() == {"policies.hub_moderation.enabled": True, "regulator.capacity": 42}
    assert not session.config.policies.hub_moderation.enabled
    session.reset()
    assert session.pending() == {}
    assert session.config.policies.hub_moderation.enabled
    assert session.model.cfg.regulator.capacity == 42


def test_step_advances_one_month_and_stops_at_the_horizon(session):
    session.set("seed", 3)
    session.reset()
    assert session.step() and session.month == 1
    session.model.steps = session.config.steps
    assert session.finished and not session.step()


def test_the_exported_config_and_csv_reproduce_the_run(session, tmp_path):
    for _ in range(4):
        session.step()
    (tmp_path / "c.yaml").write_text(session.config_yaml())
    exported = yaml.safe_load(session.config_yaml())
    assert exported["replications"] == 1
    config = load_scenario(tmp_path / "c.yaml", flags={"steps": 4})
    from sim import simulate

    expected, _ = simulate(config, seed=derive_seed(config.seed, 0))
    frame = pd.read_csv(io.StringIO(session.csv()))
    assert (frame["seed"] == session.seed).all()
    expected.to_csv(tmp_path / "e.csv", index=False)
    pd.testing.assert_frame_equal(
        frame.drop(columns=["replication", "seed"]), pd.read_csv(tmp_path / "e.csv")
    )


def test_layout_is_computed_once_so_nodes_do_not_move(session):
    before = session.layout.positions.copy()
    for _ in range(3):
        session.step()
    np.testing.assert_array_equal(session.layout.positions, before)


def test_large_graphs_draw_a_sample_with_every_lab_and_malicious_actor():
    s = AppSession("baseline")
    assert s.layout.total == len(s.model.actors) > MAX_DRAWN_NODES
    assert len(s.layout.nodes) == MAX_DRAWN_NODES
    drawn = set(s.layout.nodes.tolist())
    assert set(s.model.malicious_nodes.tolist()) <= drawn
    assert set(s.model.lab_nodes.tolist()) <= drawn


def test_lineage_table_counts_stripped_derivatives_per_base_release(session):
    for _ in range(12):
        session.step()
    table = figures.lineage_table(session)
    assert len(table) == len(session.model.checkpoints.base_ids)
    assert (table["stripped"] <= table["derivatives"]).all()
    registry = session.model.checkpoints
    total_stripped = sum(1 for c in registry.all() if not c.is_base and registry.is_stripped(c))
    assert table["stripped"].sum() == total_stripped


@pytest.mark.parametrize(
    "make",
    [
        lambda s: figures.SeriesPlot(s.config.steps).update(s.timeseries()),
        figures.network_figure,
        figures.lineage_figure,
    ],
)
def test_figures_draw_before_and_after_steps(session, make):
    for _ in range(2):
        make(session).savefig(io.BytesIO(), format="png")
        session.step()


# --- the page, rendered without a browser -----------------------------------------------------
def test_dashboard_renders_controls_views_and_steps():
    _box, rc = solara.render(Dashboard(sidebar=False), handle_error=False)
    assert rc.find(children=["Month 0 of 120"]).widget
    assert rc.find(v.Select).widget.v_model == "baseline"
    labels = [c.widget.label for c in rc.find(v.Checkbox)]
    assert "Hub moderation" in labels and "Pooled fine-tuning" in labels
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert rc.find(children=["Month 1 of 120"]).widget


def test_dashboard_scenario_picker_updates_the_controls():
    _box, rc = solara.render(Dashboard(sidebar=False), handle_error=False)
    rc.find(v.Select).widget.v_model = "tamper_resistance"
    checked = {c.widget.label: c.widget.v_model for c in rc.find(v.Checkbox)}
    assert checked["Tamper resistance"] is True
    assert rc.find(children=["Month 0 of 120"]).widget

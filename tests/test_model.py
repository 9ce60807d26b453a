"""The whole model: outputs, determinism, sanity, the graph, techniques and lineage."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import SMALL, small_config

from sim import COLUMNS, EcosystemModel, make_config, simulate
from sim.core import network
from sim.core.table import Table
from sim.core.techniques import Technique, TechniqueBook
from sim.core.world import NodeRows

SPEC_COLUMNS = [  # docs/ODD.md §3.3.12 (Model 1's columns, then Model 2's)
    "step",
    "misuse_incidents",
    "cumulative_incidents",
    "harm",
    "malicious_equipped",
    "finetune_cost",
    "strip_cost",
    "benign_finetunes",
    "cumulative_benign_finetunes",
    "pooled_finetunes",
    "hub_checkpoints",
    "stripped_on_hub",
    "takedowns",
    "detections",
    "oversight_coverage",
    "able_to_finetune",
    "techniques_published",
]
MODEL2_COLUMNS = [
    "date",
    "severe_incidents",
    "baseline_incidents",
    "baseline_harm",
    "total_harm",
    "defence_level",
    "fringe_checkpoints",
    "reuploads",
    "leaks",
    "able_to_finetune_frontier",
]
MODEL2_SUMMARY = [
    "lineage_leaf_share",
    "lineage_max_depth",
    "quantised_leaf_share",
    "stripped_hub_share",
]


# --- outputs ------------------------------------------------------------------------------
def test_timeseries_has_the_spec_columns_one_row_per_month():
    frame, summary = simulate(SMALL, seed=1)
    assert set(SPEC_COLUMNS + MODEL2_COLUMNS) <= set(frame.columns)
    assert list(frame.columns) == list(COLUMNS)
    assert frame["step"].tolist() == list(range(1, SMALL["steps"] + 1))
    assert set(MODEL2_SUMMARY) <= set(summary)


def test_dates_follow_the_start_date():
    frame, _ = simulate({**SMALL, "start_date": "2024-11", "steps": 3}, seed=1)
    assert frame["date"].tolist() == ["2024-12", "2025-01", "2025-02"]


def test_total_harm_is_ai_enabled_plus_baseline_harm():
    frame, summary = simulate(SMALL, seed=2)
    assert np.allclose(frame["total_harm"], frame["harm"] + frame["baseline_harm"])
    assert summary["total_harm_incl_baseline"] == pytest.approx(
        summary["total_harm"] + summary["total_baseline_harm"]
    )
    assert (frame["severe_incidents"] <= frame["misuse_incidents"]).all()


def test_cumulative_columns_add_up_the_monthly_ones():
    frame, summary = simulate(SMALL, seed=2)
    assert (frame["cumulative_incidents"] == frame["misuse_incidents"].cumsum()).all()
    assert (frame["cumulative_benign_finetunes"] == frame["benign_finetunes"].cumsum()).all()
    assert summary["total_misuse_incidents"] == frame["misuse_incidents"].sum()


def test_summary_is_plain_json_with_totals_first_incident_and_finals():
    frame, summary = simulate(SMALL, seed=3)
    json.dumps(summary)  # no numpy scalars, no NaN
    assert summary["final_hub_checkpoints"] == frame["hub_checkpoints"].iloc[-1]
    first = summary["first_incident_step"]
    if first is None:
        assert frame["misuse_incidents"].sum() == 0
    else:
        assert frame.loc[frame["step"] == first, "misuse_incidents"].item() > 0
        assert frame.loc[frame["step"] < first, "misuse_incidents"].sum() == 0


def test_shares_and_coverage_are_proportions():
    frame, _ = simulate(SMALL, seed=4)
    for col in (
        "oversight_coverage",
        "able_to_finetune",
        "able_to_finetune_frontier",
        "defence_level",
    ):
        assert frame[col].between(0, 1).all(), col


def test_simulate_accepts_a_validated_config_or_overrides():
    cfg = small_config()
    a, _ = simulate(cfg, seed=5)
    b, _ = simulate(SMALL, seed=5)
    pd.testing.assert_frame_equal(a, b)


# --- determinism --------------------------------------------------------------------------
def test_same_config_and_seed_give_identical_outputs():
    a, sa = simulate(SMALL, seed=11)
    b, sb = simulate(SMALL, seed=11)
    pd.testing.assert_frame_equal(a, b)
    assert sa == sb


def test_different_seeds_give_different_runs():
    a, _ = simulate(SMALL, seed=11)
    b, _ = simulate(SMALL, seed=12)
    assert not a.equals(b)


def test_the_seed_in_the_config_is_used_when_none_is_given():
    a, _ = simulate({**SMALL, "seed": 7})
    b, _ = simulate(SMALL, seed=7)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    "kind", ["barabasi_albert", "watts_strogatz", "erdos_renyi", "stochastic_block"]
)
def test_graph_generation_is_seeded_from_the_model_rng(kind):
    def edges(seed):
        model = EcosystemModel({**SMALL, "network": {"kind": kind}}, seed=seed)
        return sorted(tuple(sorted(e)) for e in model.graph.edges)

    assert edges(3) == edges(3)
    assert edges(3) != edges(4)


def test_runs_do_not_touch_the_global_random_state():
    import random

    np.random.seed(0)
    random.seed(0)
    before = (np.random.random(), random.random())
    np.random.seed(0)
    random.seed(0)
    simulate(SMALL, seed=1)
    assert (np.random.random(), random.random()) == before


# --- sanity -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(3))
def test_no_malicious_actors_means_no_incidents(seed):
    frame, summary = simulate(
        {**SMALL, "population": {**SMALL["population"], "malicious": 0}}, seed=seed
    )
    assert summary["total_misuse_incidents"] == 0
    assert summary["total_baseline_incidents"] == 0
    assert summary["total_harm_incl_baseline"] == 0
    assert frame["malicious_equipped"].eq(0).all()


@pytest.mark.parametrize("seed", range(3))
def test_no_open_weights_no_leaks_and_full_api_screening_means_nothing_stripped(seed):
    frame, summary = simulate(
        {
            **SMALL,
            "labs": {
                "openness": 0.0,
                "openness_spread": 0.0,
                "leak_prob_per_year": 0.0,
                "outside_jurisdiction_share": 0.0,
            },
            "policies": {"api_finetune_screening": {"enabled": True, "strength": 1.0}},
        },
        seed=seed,
    )
    assert summary["stripped_checkpoints"] == 0
    assert summary["total_misuse_incidents"] == 0
    assert frame["hub_checkpoints"].eq(0).all()
    assert frame["benign_finetunes"].sum() > 0  # benign users still fine-tune via the API
    assert summary["total_baseline_incidents"] > 0  # actors turn to non-AI means


def test_the_world_starts_with_open_checkpoints_and_hobbyists_use_them():
    frame, _ = simulate(SMALL, seed=1)
    assert frame["hub_checkpoints"].iloc[0] > 0
    assert frame["cumulative_benign_finetunes"].iloc[-1] > 0


# --- the graph ----------------------------------------------------------------------------
def test_every_generator_builds_one_node_per_actor():
    cfg = make_config().network
    rng = np.random.default_rng(0)
    for kind in ("barabasi_albert", "watts_strogatz", "erdos_renyi", "stochastic_block"):
        from dataclasses import replace

        g = network.generate(replace(cfg, kind=kind), 300, 20, rng)
        assert sorted(g.nodes) == list(range(320)), kind


def test_stochastic_block_clusters_malicious_actors():
    from dataclasses import replace

    cfg = replace(make_config().network, kind="stochastic_block", homophily=0.9)
    g = network.generate(cfg, 2000, 100, np.random.default_rng(0))
    mal = set(range(2000, 2100))
    ties = [(u in mal) + (v in mal) for u, v in g.edges if u in mal or v in mal]
    within = sum(1 for t in ties if t == 2)
    assert within / len(ties) > 0.7


def test_ties_decay_unless_reinforced():
    from dataclasses import replace

    cfg = replace(make_config().network, tie_decay_prob=1.0)
    g = nx.path_graph(5)
    for u, v in g.edges:
        g.edges[u, v]["weight"] = 1
    g.edges[0, 1]["weight"] = 10**6  # (weights set directly before the model sees the graph)
    network.reinforce(g, 0, [1])
    rng = np.random.default_rng(0)
    for _ in range(5):
        network.decay_ties(g, cfg, rng)
    assert list(network.synced(g).edges) == [(0, 1)]
    assert g.edges[0, 1]["weight"] == 10**6 + 1  # the logged reinforcement reached NetworkX


def test_networkx_receives_every_logged_tie_change_in_order():
    """The arrays change during the month; the NetworkX graph, once synced, is exactly
    the graph the same changes made one by one give (neighbour order and weights)."""
    model = EcosystemModel(make_config({"population": {"hobbyists": 400}, "steps": 12}), seed=3)
    model.run()
    g = model.graph
    for u in range(len(model.actors)):
        assert list(g.adj[u]) == model.ties.neighbours(u).tolist()
        assert [d.get("weight", 1) for d in g.adj[u].values()] == [
            model.ties.weight(u, v) for v in g.adj[u]
        ]
    assert any(model.ties.weight(*e) > 1 for e in g.edges)  # pools strengthened some ties


def test_new_ties_close_triangles():
    from dataclasses import replace

    cfg = replace(make_config().network, tie_formation_rate=1.0, triadic_share=1.0)
    g = nx.star_graph(20)  # leaves only know the hub
    network.form_ties(g, cfg, np.random.default_rng(0))
    assert network.synced(g).number_of_edges() > 20
    assert nx.transitivity(g) > 0


def test_enforcement_cuts_ties():
    g = nx.star_graph(10)
    assert network.cut_ties(g, 0, 0.5, np.random.default_rng(0)) == 5
    assert network.synced(g).degree(0) == 5


# --- techniques ---------------------------------------------------------------------------
def _book(n: int) -> TechniqueBook:
    """A technique book over ``n`` actors' rows of their own."""
    nodes = Table(NodeRows)
    nodes.extend(n)
    return TechniqueBook(nodes)


def test_techniques_spread_only_along_ties_until_published():
    g = nx.path_graph(4)
    book = _book(4)
    rng = np.random.default_rng(0)
    book.invent(0, Technique("finetune", 0.3, False))
    assert list(book.finetune_oom()) == [0.3, 0, 0, 0]
    book.diffuse(g, 1.0, rng)
    assert list(book.finetune_oom()) == [0.3, 0.3, 0, 0]
    book.publish(1.0, rng)
    assert list(book.finetune_oom()) == pytest.approx([0.3] * 4)
    assert book.published == 1


def test_stripping_techniques_cut_only_stripping_and_may_bypass_tamper_resistance():
    book = _book(2)
    book.invent(1, Technique("strip", 1.5, True))
    assert list(book.finetune_oom()) == [0, 0]
    assert list(book.strip_oom()) == [0, 1.5]
    assert list(book.bypasses_tamper()) == [False, True]


def test_hobbyists_invent_techniques_that_cut_costs_over_time():
    frame, _ = simulate({**SMALL, "steps": 60, "hobbyists": {"invention_prob": 0.05}}, seed=1)
    assert frame["techniques_published"].iloc[-1] > 0


# --- lineage ------------------------------------------------------------------------------
def test_lineage_is_a_dag_rooted_in_base_releases_and_merges_have_two_parents():
    model = EcosystemModel(small_config({"steps": 36, "hobbyists": {"merge_share": 0.2}}), seed=2)
    model.run()
    lineage = model.checkpoints.lineage_graph(public_only=False)
    assert nx.is_directed_acyclic_graph(lineage)
    assert all(d <= 2 for _, d in lineage.in_degree())
    merges = [c for c in model.checkpoints.all() if c.kind == "merge"]
    assert merges and all(lineage.in_degree(c.id) == 2 for c in merges)
    roots = [n for n, d in lineage.in_degree() if d == 0]
    assert all(model.checkpoints[r].is_base for r in roots)
    for ckpt in model.checkpoints.all():
        assert model.checkpoints[ckpt.root].is_base
        assert ckpt.depth == (
            0 if ckpt.is_base else 1 + max(model.checkpoints[p].depth for p in ckpt.parents)
        )
    assert max(c.depth for c in model.checkpoints.all()) >= 2  # derivatives of derivatives


def test_the_lineage_summary_counts_the_public_forest():
    model = EcosystemModel(small_config({"steps": 24}), seed=2)
    model.run()
    public = model.checkpoints.lineage_graph()
    summary = model.checkpoints.lineage_summary()
    leaves = sum(1 for n in public if public.out_degree(n) == 0)
    assert summary["lineage_leaf_share"] == pytest.approx(leaves / public.number_of_nodes())
    # depth in the public forest: an undocumented (never public) parent starts a new tree
    assert summary["lineage_max_depth"] == nx.dag_longest_path_length(public)


@pytest.mark.parametrize(
    "kind", ["barabasi_albert", "watts_strogatz", "erdos_renyi", "stochastic_block"]
)
def test_graphs_store_nodes_in_actor_order(kind):
    """The actors' arrays are indexed by node id; NetworkX generators do not all insert nodes
    in id order (the block model does not), so the graph is normalised."""
    model = EcosystemModel(
        {
            "population": {"labs": 6, "hobbyists": 1000, "malicious": 40},
            "network": {"kind": kind, "homophily": 0.8},
        },
        seed=0,
    )
    assert list(model.graph.adj) == list(range(len(model.actors)))
    model.run(2)

"""The validation suite and the policy frontier: statistics on cases with known answers, and
both commands end to end at a small size."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_cli_errors import ROOT, assert_user_error, cli

from sim import make_config, simulate
from sim.experiments.runs import Runs
from sim.experiments.stats import holm, paired_test
from sim.validation.calibration import annual_factor, source_fixed_capability_factor
from sim.validation.claims import (
    WORLDS,
    Claim,
    effect,
    primary_claims,
    side,
    supplementary_claims,
    total,
    worlds_needed,
)
from sim.validation.evaluate import evaluate
from sim.validation.frontier import bundles, frontier_table, pareto

BASELINE = ROOT / "scenarios" / "baseline.yaml"
TINY = ["--steps", "24", "--set", "population.hobbyists=300", "--set", "population.malicious=15"]


# --- statistics with known answers -------------------------------------------------------------
def test_paired_test_finds_a_known_shift_and_its_interval_covers_it():
    rng = np.random.default_rng(3)
    reference = rng.normal(10, 2, size=40)
    treatment = reference + 1.0 + rng.normal(0, 1, size=40)
    result = paired_test(reference, treatment, "increase")
    assert result["diff_ci_low"] < 1.0 < result["diff_ci_high"]
    assert result["p"] < 1e-5
    assert paired_test(reference, treatment, "decrease")["p"] > 0.99
    assert result["relative"] == pytest.approx(result["diff_mean"] / reference.mean())
    assert result["d_z"] == pytest.approx(
        result["diff_mean"] / np.std(treatment - reference, ddof=1)
    )


def test_paired_test_matches_scipy_and_student_t():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=15), rng.normal(size=15) + 0.3
    result = paired_test(a, b, "increase")
    assert result["p"] == pytest.approx(stats.wilcoxon(b - a, alternative="greater").pvalue)
    low, high = stats.t.interval(0.95, 14, loc=np.mean(b - a), scale=stats.sem(b - a))
    assert (result["diff_ci_low"], result["diff_ci_high"]) == pytest.approx((low, high))


def test_interval_coverage_and_false_positive_rate_are_nominal_when_nothing_changes():
    """Over 2,000 synthetic experiments with no true effect: the 95% interval covers 0 about
    95% of the time and the one-sided test rejects at 5% about 5% of the time."""
    rng = np.random.default_rng(11)
    covered = rejected = 0
    trials = 2000
    for _ in range(trials):
        a = rng.normal(size=20)
        b = a + rng.normal(size=20)
        r = paired_test(a, b, "increase")
        covered += r["diff_ci_low"] <= 0 <= r["diff_ci_high"]
        rejected += r["p"] < 0.05
    assert 0.935 <= covered / trials <= 0.965
    assert 0.03 <= rejected / trials <= 0.07


def test_identical_runs_carry_no_evidence():
    assert paired_test([3, 4, 5], [3, 4, 5], "decrease")["p"] == 1.0


def test_holm_adjustment_known_values():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([]) == []


def test_annual_factor_recovers_a_known_decline():
    months = np.arange(1, 121, dtype=float)
    assert annual_factor(months, 500 * 0.5 ** (months / 12)) == pytest.approx(0.5)
    assert math.isnan(annual_factor(months[:1], np.array([3.0])))


def test_source_implied_decline_from_the_halving_times():
    config = make_config({})
    hardware = 2 ** (-12 / 30)
    assert source_fixed_capability_factor(config, 1.0) == pytest.approx(hardware * 2 ** (-12 / 8))
    assert source_fixed_capability_factor(config, 0.5) == pytest.approx(hardware * 2 ** (-6 / 8))


# --- verdicts on synthetic runs -----------------------------------------------------------------
def _runs(values: dict[str, list[float]]) -> Runs:
    frame = pd.DataFrame({"step": [1]})
    return Runs.of({w: [(frame, {"x": v}) for v in vs] for w, vs in values.items()})


X = total("x")


def _claim(cid: str, ref: str, treat: str, expect: str) -> Claim:
    return Claim(cid, cid, "test", "x", side(ref, X), side(treat, X), expect)  # type: ignore[arg-type]


def test_verdicts_on_known_cases():
    rng = np.random.default_rng(0)
    base = rng.normal(100, 10, size=30)
    runs = _runs(
        {
            "a": base.tolist(),
            "up": (base + 20 + rng.normal(0, 5, 30)).tolist(),
            "same": base.tolist(),
            "zeros": [0.0] * 30,
            "nearly": [0.0] * 29 + [1.0],
        }
    )
    table = evaluate(
        [
            _claim("up", "a", "up", "increase"),
            _claim("wrong-way", "a", "up", "decrease"),
            _claim("nothing", "a", "same", "increase"),
            _claim("zero", "zeros", "zeros", "zero"),
            _claim("not-zero", "nearly", "nearly", "zero"),
        ],
        runs,
        alpha=0.05,
    ).set_index("id")
    assert table.loc["up", "verdict"] == "PASS"
    assert table.loc["up", "diff_ci_low"] < 20 < table.loc["up", "diff_ci_high"]
    assert table.loc["wrong-way", "verdict"] == "FAIL"
    assert table.loc["wrong-way", "note"] == "moved the other way"
    assert table.loc["nothing", "verdict"] == "FAIL"
    assert table.loc["zero", "verdict"] == "PASS"
    assert table.loc["not-zero", "verdict"] == "FAIL"
    # Holm over the three directional claims only
    assert table.loc["up", "p_holm"] == pytest.approx(min(1.0, 3 * table.loc["up", "p"]))


def test_a_claim_between_identical_worlds_is_not_applicable():
    runs = _runs({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0], "c": [5.0, 6.0, 9.0]})
    claims = [_claim("same", "a", "b", "decrease"), _claim("other", "a", "c", "increase")]
    table = evaluate(claims, runs, 0.05, identical=lambda x, y: {x, y} == {"a", "b"})
    table = table.set_index("id")
    assert table.loc["same", "verdict"] == "N/A"
    assert pd.isna(table.loc["same", "p_holm"])  # not in Holm's family
    assert table.loc["other", "p_holm"] == pytest.approx(table.loc["other", "p"])


def test_a_pass_needs_the_interval_to_exclude_zero():
    """One huge opposite outlier: the ranks say 'increase', the mean's CI does not."""
    a = np.zeros(20)
    b = np.concatenate([np.full(19, 1.0), [-15.0]])
    row = evaluate([_claim("c", "a", "b", "increase")], _runs({"a": a, "b": b}), 0.05).iloc[0]
    assert row["p"] < 0.05
    assert row["verdict"] == "FAIL" and "includes 0" in row["note"]


def test_holm_turns_a_marginal_claim_into_a_fail():
    """Alone, p ~ 0.03 passes at 0.05; among many claims it must not."""
    a = np.zeros(12)
    b = np.array([3, 2, 3, 4, 5, 6, 7, 8, 9, 10, -4.5, -6.5])
    runs = _runs({"a": a.tolist(), "b": b.tolist()})
    alone = evaluate([_claim("c", "a", "b", "increase")], runs, 0.05)
    assert alone["p"].iloc[0] < 0.05 and alone["verdict"].iloc[0] == "PASS"
    many = evaluate([_claim(f"c{i}", "a", "b", "increase") for i in range(5)], runs, 0.05)
    assert (many["verdict"] == "FAIL").all()


def test_difference_in_differences_side():
    runs = _runs({"k": [5.0, 6.0], "b": [10.0, 10.0], "nk": [1.0, 1.0], "n": [4.0, 5.0]})
    claim = Claim("did", "did", "t", "x", effect("k", "b", X), effect("nk", "n", X), "decrease")
    row = evaluate([claim], runs, 0.05).iloc[0]
    # KYC effect with pooling: -5, -4; without: -3, -4  -> treatment - reference = 2, 0
    assert row["diff_mean"] == pytest.approx(1.0)
    assert row["relative"] is None or pd.isna(row["relative"])


def test_claims_use_only_defined_worlds_and_ids_are_unique():
    claims = primary_claims() + supplementary_claims()
    assert len({c.id for c in claims}) == len(claims)
    assert set(worlds_needed(claims)) <= set(WORLDS)
    assert "baseline" in worlds_needed(claims)


# --- the model on a known answer --------------------------------------------------------------
def test_a_world_against_itself_fails_and_no_malicious_actors_pass():
    small = {"steps": 24, "population": {"hobbyists": 200, "malicious": 10}}
    quiet = {**small, "population": {"hobbyists": 200, "malicious": 0}}
    runs = Runs.of(
        {
            "baseline": [simulate(small, seed=s) for s in range(4)],
            "copy": [simulate(small, seed=s) for s in range(4)],
            "no_malicious": [simulate(quiet, seed=s) for s in range(4)],
        }
    )
    inc = total("total_misuse_incidents")
    table = evaluate(
        [
            Claim("self", "s", "t", "i", side("baseline", inc), side("copy", inc), "increase"),
            Claim("z", "z", "t", "i", side("no_malicious", inc), side("no_malicious", inc), "zero"),
        ],
        runs,
        0.05,
    ).set_index("id")
    assert table.loc["self", "verdict"] == "FAIL"
    assert table.loc["self", "diff_mean"] == 0
    assert table.loc["z", "verdict"] == "PASS"


# --- pareto and bundles -------------------------------------------------------------------------
def test_pareto_known_front():
    gain = np.array([0, 5, 5, 3, 8, 8])
    loss = np.array([0, 2, 1, 3, 4, 5])
    assert pareto(gain, loss).tolist() == [True, False, True, False, True, False]


def test_frontier_table_signs_and_ties_with_a_smaller_bundle():
    """Known answer: 'a' avoids 2 incidents and loses 1 fine-tune on every seed; adding 'b'
    changes nothing (identical runs), so 'a + b' is the same as 'a' and not marked itself."""

    def run(incidents: float, benign: float) -> tuple[pd.DataFrame, dict]:
        summary = {"total_misuse_incidents": incidents, "total_benign_finetunes": benign,
                   "total_harm": incidents * 10, "total_benefit": benign * 2}  # fmt: skip
        return pd.DataFrame(), summary

    seeds = [0.0, 1.0, 2.0]
    runs = Runs.of(
        {
            "(none)": [run(10 + s, 100 + s) for s in seeds],
            "a": [run(8 + s, 99 + s) for s in seeds],
            "b": [run(10 + s, 100 + s) for s in seeds],
            "a + b": [run(8 + s, 99 + s) for s in seeds],
        }
    )
    table = frontier_table([(), ("a",), ("b",), ("a", "b")], runs).set_index("bundle")
    assert table.loc["a", "incidents_avoided"] == pytest.approx(2.0)
    assert table.loc["a", "benign_finetunes_lost"] == pytest.approx(1.0)
    assert table.loc["a", "benefit_lost"] == pytest.approx(2.0)
    assert table.loc["a + b", "same_as"] == "a"
    assert table.loc["b", "same_as"] == "(none)"
    assert bool(table.loc["a", "pareto"]) and not bool(table.loc["a + b", "pareto"])
    assert bool(table.loc["(none)", "pareto"])


def test_bundles_of_up_to_three_of_nine_policies():
    names = [f"p{i}" for i in range(9)]
    every = bundles(names, 3)
    assert every[0] == ()
    assert len(every) == 1 + 9 + 36 + 84
    assert len(set(every)) == len(every)


# --- end to end -------------------------------------------------------------------------------
def _one_folder(root: Path) -> Path:
    (folder,) = [p for p in root.iterdir() if not p.name.startswith(".")]
    return folder


def test_validate_end_to_end_small_and_reproducible(tmp_path):
    args = ["validate", "--replications", "10", "--out", str(tmp_path / "out"), *TINY]
    first = cli(args, tmp_path)
    assert first.returncode == 0, first.stderr
    second = cli(args, tmp_path)
    assert second.returncode == 0, second.stderr
    folders = sorted((tmp_path / "out" / "validation").iterdir())
    assert len(folders) == 2  # never overwritten
    for name in (
        "report.md",
        "claims.csv",
        "supplementary.csv",
        "calibration.csv",
        "runs.csv",
        "claims.png",
        "coverage.png",
        "calibration.png",
        "config.yaml",
        "worlds.yaml",
    ):
        assert (folders[0] / name).exists(), name
    assert (folders[0] / "claims.csv").read_bytes() == (folders[1] / "claims.csv").read_bytes()
    claims = pd.read_csv(folders[0] / "claims.csv")
    assert list(claims["id"]) == [c.id for c in primary_claims()]
    assert set(claims["verdict"]) <= {"PASS", "FAIL"}
    # the strongest effects are resolved even at this size: the machinery can say PASS
    verdict = claims.set_index("id")["verdict"]
    assert verdict["no-malicious-no-incidents"] == "PASS"
    assert verdict["cheaper-less-coverage"] == "PASS"
    report = (folders[0] / "report.md").read_text()
    assert "| **PASS** |" in report and "Stylised-fact calibration" in report
    assert "not forecasts" in report
    assert "claims PASS" in first.stdout


def test_frontier_end_to_end_small(tmp_path):
    out = tmp_path / "out"
    done = cli(
        [
            "frontier",
            "--policies",
            "structured_access,tamper_resistance,compute_kyc",
            "--max-size",
            "2",
            "--replications",
            "3",
            "--out",
            str(out),
            *TINY,
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    folder = _one_folder(out / "frontier")
    table = pd.read_csv(folder / "frontier.csv")
    assert len(table) == 1 + 3 + 3
    assert table.loc[table["size"] == 0, "incidents_avoided"].iloc[0] == 0
    assert table["pareto"].any()
    for column in ("incidents_avoided_ci_low", "benign_finetunes_lost_ci_high", "harm_avoided"):
        assert column in table
    for name in ("frontier.png", "report.md", "runs.csv", "config.yaml", "settings.yaml"):
        assert (folder / name).exists(), name
    assert "Pareto-optimal" in done.stdout


def test_short_runs_and_few_seeds_are_reported_as_such(tmp_path):
    """Three months and two seeds: nothing can be measured or resolved, and the report says
    so instead of claiming disagreement."""
    out = tmp_path / "out"
    done = cli(["validate", "--steps", "3", "--replications", "2", "--out", str(out), *TINY[2:]],
               tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning: with 2 seeds no directional claim" in done.stderr
    folder = _one_folder(out / "validation")
    calibration = pd.read_csv(folder / "calibration.csv")
    rates = calibration[calibration["quantity"].str.contains("per year|growth")]
    assert rates["agreement"].str.startswith("n/a").all()
    assert "replications: 2" in (folder / "config.yaml").read_text()
    assert "**Warning:**" in (folder / "report.md").read_text()


def test_frontier_max_size_defaults_to_the_number_of_policies(tmp_path):
    out = tmp_path / "out"
    args = ["frontier", "--policies", "liability,compute_kyc", "--replications", "2"]
    done = cli([*args, "--steps", "6", "--out", str(out), *TINY[2:]], tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(_one_folder(out / "frontier") / "frontier.csv")) == 4


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", "--replications", "1"], "--replications: expected an integer >= 2"),
        (["validate", "--alpha", "1.5"], "--alpha: expected a number in (0, 1)"),
        (["validate", "--steps", "0"], "steps: expected an integer"),
        (["validate", "nowhere.yaml"], "no such file"),
        (["frontier", "--max-size", "0"], "--max-size: expected an integer in [1, 9]"),
        (
            [
                "validate",
                "--set",
                "population.labs=0",
                "--set",
                "population.hobbyists=1",
                "--set",
                "population.malicious=1",
            ],
            "a validation world is invalid",
        ),
        (["frontier", "--policies", "kyc"], "--policies: expected distinct names"),
        (["frontier", "--policies", "liability,liability"], "--policies: expected distinct"),
        (["frontier", "--policies", "liability", "--max-size", "2"], "[1, 1]"),
        (["frontier", "--replications", "1"], "--replications: expected an integer >= 2"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, list) else None,
)
def test_validate_and_frontier_bad_flags(tmp_path, args, expected):
    out = tmp_path / "out"
    done = cli([*args, "--out", str(out)], tmp_path)
    assert_user_error(done, expected, out)

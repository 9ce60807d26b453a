"""Bad input: one line on stderr naming the problem, exit status 2, nothing written.

A corpus of malformed scenario files and flag combinations, each run through the real CLI,
plus a property-based test that no YAML text makes the loader raise anything but the one
user-error type.
"""

from __future__ import annotations

import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import Config
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"

# (id, file content (str, bytes, or None for "no file written"), extra args, text expected
#  in the error line)
FILE_CASES: list[tuple[str, str | bytes | None, list[str], str]] = [
    ("wrong-type", "steps: many\n", [], "steps: expected an integer"),
    ("unknown-top-key", "stepz: 10\n", [], "did you mean 'steps'"),
    (
        "unknown-nested-key",
        "policies:\n  hub_moderaton: {enabled: true}\n",
        [],
        "did you mean 'hub_moderation'",
    ),
    (
        "probability-above-one",
        "sharing: {hub_upload_prob: 1.5}\n",
        [],
        "sharing.hub_upload_prob: expected a number in [0, 1]",
    ),
    ("negative-population", "population: {hobbyists: -10}\n", [], "population.hobbyists"),
    (
        "huge-integer",
        "population: {hobbyists: 1000000000000000000000}\n",
        [],
        "population.hobbyists",
    ),
    ("huge-float", "costs: {strip_cost_usd: 1.0e+400}\n", [], "costs.strip_cost_usd"),
    ("nan", "costs: {strip_cost_usd: .nan}\n", [], "costs.strip_cost_usd"),
    ("bool-for-number", "regulator: {capacity: yes}\n", [], "regulator.capacity"),
    (
        "string-for-bool",
        "policies: {compute_kyc: {enabled: maybe}}\n",
        [],
        "policies.compute_kyc.enabled: expected true or false",
    ),
    ("bad-enum", "network: {kind: small_world}\n", [], "network.kind: expected one of"),
    ("section-not-mapping", "population: 5\n", [], "population: expected a mapping"),
    ("float-for-int", "steps: 12.5\n", [], "steps: expected an integer"),
    ("list-top-level", "- a\n- b\n", [], "expected a mapping of keys to values, got a list"),
    ("scalar-top-level", "just a sentence\n", [], "got a str"),
    ("empty-file", "", [], "empty scenario"),
    ("only-comments", "# nothing here\n", [], "empty scenario"),
    ("yaml-syntax", "steps: [1, 2\n", [], "invalid YAML"),
    ("tabs", "population:\n\thobbyists: 3\n", [], "invalid YAML"),
    (
        "python-object-tag",
        '!!python/object/apply:os.system ["echo hacked"]\n',
        [],
        "unsupported YAML tag",
    ),
    ("python-name-tag", "name: !!python/name:os.system\n", [], "unsupported YAML tag"),
    ("binary-garbage", bytes(range(256)) * 4, [], "not a UTF-8 text file"),
    ("nul-bytes", "steps: 3\x00\n", [], "not a text file"),
    ("duplicate-key", "steps: 3\nsteps: 4\n", [], "duplicate key"),
    ("name-escapes-results", "name: ../../elsewhere\n", [], "name: expected letters"),
    (
        "adaptive-unknown-policy",
        "policies: {adaptive: {policies: [nope]}}\n",
        [],
        "policies.adaptive.policies[0]",
    ),
    (
        "too-few-actors",
        "population: {labs: 0, hobbyists: 1, malicious: 0}\n",
        [],
        "population: expected at least 2 actors",
    ),
    ("extends-missing", "extends: nowhere.yaml\n", [], "extends: no such scenario file"),
    ("extends-not-a-path", "extends: 3\n", [], "extends: expected a relative file path"),
    ("extends-self", "extends: scenario.yaml\n", [], "circular extends"),
    ("deep-nesting", "a: " + "[" * 3000 + "]" * 3000 + "\n", [], "invalid YAML"),
    ("non-scalar-key", "? [a, b]\n: 1\n", [], "scenario.yaml"),
    ("missing-file", None, [], "no such file"),
    # Model 2's keys
    ("start-date-format", "start_date: 2024/01\n", [], "start_date: expected a month as YYYY-MM"),
    ("start-date-month", "start_date: 2024-13\n", [], "start_date: expected a month"),
    ("start-date-number", "start_date: 2024\n", [], "start_date: expected a string"),
    (
        "family-without-top",
        "labs: {family_offsets_oom: [-1.0, -2.0]}\n",
        [],
        "labs.family_offsets_oom: expected a list of offsets in [-10, 0] that includes 0",
    ),
    ("family-not-list", "labs: {family_offsets_oom: big}\n", [], "labs.family_offsets_oom"),
    (
        "kyc-threshold-negative",
        "policies: {compute_kyc: {threshold_flop: -1}}\n",
        [],
        "policies.compute_kyc.threshold_flop: expected a number",
    ),
    ("severe-share-above-one", "malicious: {severe_share: 2}\n", [], "malicious.severe_share"),
    (
        "shares-above-one",
        "hobbyists: {quantise_share: 0.8, merge_share: 0.5}\n",
        [],
        "hobbyists.merge_share: expected quantise_share + merge_share <= 1",
    ),
    ("outside-share-text", "labs: {outside_jurisdiction_share: many}\n", [],
     "labs.outside_jurisdiction_share: expected a number in [0, 1]"),
]  # fmt: skip
FLAG_CASES: list[tuple[str, list[str], str]] = [
    ("set-without-equals", ["--set", "steps"], "--set: steps: expected dotted.key=value"),
    ("set-unknown-key", ["--set", "costs.gpu=1"], "costs.gpu: unknown key"),
    ("set-bad-value", ["--set", "steps=-1"], "--set: steps: expected an integer"),
    ("set-empty-key", ["--set", "=3"], "expected dotted.key=value"),
    ("steps-zero", ["--steps", "0"], "steps: expected an integer in [1,"),
    ("replications-zero", ["--replications", "0"], "replications: expected an integer"),
    ("seed-not-int", ["--seed", "abc"], "argument --seed: invalid int value"),
    ("seed-negative", ["--seed", "-4"], "seed: expected an integer"),
    ("unknown-flag", ["--bogus"], "unrecognized arguments: --bogus"),
    ("workers-zero", ["--workers", "0"], "--workers: expected an integer >= 1"),
]


def cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def assert_user_error(done: subprocess.CompletedProcess[str], expected: str, out: Path) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert expected in lines[0], lines[0]
    assert done.stdout == ""
    assert not out.exists() or not any(out.rglob("*")), "something was written"


@pytest.mark.parametrize(
    ("content", "args", "expected"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_malformed_scenario_files_are_user_errors(tmp_path, content, args, expected):
    path = tmp_path / "scenario.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    done = cli(["run", str(path), "--out", str(out), *args], tmp_path)
    assert_user_error(done, expected, out)
    if content is not None:
        assert "scenario.yaml" in done.stderr  # names the file


@pytest.mark.parametrize(
    ("args", "expected"), [c[1:] for c in FLAG_CASES], ids=[c[0] for c in FLAG_CASES]
)
def test_bad_flags_are_user_errors(tmp_path, args, expected):
    out = tmp_path / "out"
    done = cli(["run", str(BASELINE), "--out", str(out), *args], tmp_path)
    assert_user_error(done, expected, out)


def test_error_names_the_line_of_the_bad_value(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("name: x\npolicies:\n  compute_kyc:\n    strength: high\n")
    done = cli(["run", str(path), "--out", str(tmp_path / "out")], tmp_path)
    assert done.stderr.strip() == (
        f"{path}: policies.compute_kyc.strength: expected a number in [0, 1], got 'high' (line 4)"
    )


def test_errors_in_an_extended_file_name_that_file(tmp_path):
    (tmp_path / "base.yaml").write_text("costs:\n  strip_cost_usd: cheap\n")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nname: child\n")
    done = cli(["run", "child.yaml", "--out", "out"], tmp_path)
    assert_user_error(done, "base.yaml: costs.strip_cost_usd", tmp_path / "out")


def test_extends_cycles_are_errors(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    done = cli(["run", "a.yaml", "--out", "out"], tmp_path)
    assert_user_error(done, "circular extends", tmp_path / "out")


def test_a_directory_is_not_a_scenario(tmp_path):
    done = cli(["run", str(tmp_path), "--out", str(tmp_path / "out")], tmp_path)
    assert_user_error(done, "is a directory", tmp_path / "out")


def test_unwritable_output_folder_is_a_user_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = cli(["run", str(BASELINE), "--steps", "2", "--out", str(blocker / "sub")], tmp_path)
    assert done.returncode == 2 and "cannot create the results folder" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_compare_with_one_bad_scenario_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: -1\n")
    out = tmp_path / "out"
    done = cli(["compare", str(BASELINE), str(bad), "--out", str(out)], tmp_path)
    assert_user_error(done, "bad.yaml: steps", out)


def test_no_arguments_is_a_user_error(tmp_path):
    done = cli([], tmp_path)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


def test_corpus_is_large_enough():
    assert len(FILE_CASES) + len(FLAG_CASES) >= 30


# --- property-based: no YAML text is a traceback ------------------------------------------
KEYS = [
    "steps",
    "seed",
    "name",
    "population",
    "hobbyists",
    "policies",
    "compute_kyc",
    "enabled",
    "strength",
    "extends",
    "costs",
    "network",
    "kind",
    "sharing",
    "pooling",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(KEYS),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=4
        ),
    ),
    max_leaves=20,
)


def _load_or_user_error(path: Path) -> None:
    try:
        assert isinstance(load_scenario(path), Config)
    except ScenarioError as err:
        assert "\n" not in str(err)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tree=trees)
def test_random_yaml_documents_never_raise_anything_but_a_user_error(tmp_path, tree):
    path = tmp_path / "random.yaml"
    path.write_text(yaml.safe_dump(tree), encoding="utf-8")
    _load_or_user_error(path)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=string.printable + "{}[]:-&*!|>'\"%@`#\t\u00e9\u2603", max_size=200))
def test_random_text_never_raises_anything_but_a_user_error(tmp_path, text):
    path = tmp_path / "random.yaml"
    path.write_text(text, encoding="utf-8")
    _load_or_user_error(path)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sets=st.lists(st.text(max_size=30), max_size=3))
def test_random_set_overrides_never_raise_anything_but_a_user_error(tmp_path, sets):
    try:
        load_scenario(BASELINE, sets)
    except ScenarioError as err:
        assert "\n" not in str(err)


def test_compare_rejects_zero_replications(tmp_path):
    out = tmp_path / "out"
    done = cli(["compare", str(BASELINE), "--replications", "0", "--out", str(out)], tmp_path)
    assert_user_error(done, "replications: expected an integer", out)

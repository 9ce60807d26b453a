"""The layers of docs/architecture.md hold: import-linter's contracts are kept, every module
is placed in a layer, and the command line loads nothing heavy before a verb runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "pandas",
    "scipy",
    "SALib",
    "matplotlib",
    "dask",
    "distributed",
    "ema_workbench",
    "solara",
    "mesa",
    "pyabc",
    "plotly",
)


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(_contracts())} kept, 0 broken" in done.stdout


def test_every_module_of_the_package_belongs_to_a_layer():
    """A new module must be placed (docs/architecture.md says where); the contracts cannot
    guard a module they do not name."""
    contracts = _contracts()
    layers = [m.strip() for layer in contracts[0]["layers"] for m in layer.split("|")]
    core = contracts[1]["source_modules"]
    placed = {*layers, *core, "sim.errors"}  # errors: the user-error type every layer raises
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "sim").glob("*.py")
        if p.name != "__init__.py"
    } | {f"sim.{p.name}" for p in (ROOT / "sim").iterdir() if (p / "__init__.py").exists()}
    assert sorted(modules - placed) == []
    assert sorted(placed - modules) == []  # and no contract names a module that is gone


def test_the_command_line_imports_no_heavy_library_before_a_verb_runs():
    code = (
        "import json, sys, sim.cli\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(done.stdout) == []


def test_help_answers_for_every_verb_without_loading_the_model():
    from sim.cli import VERBS

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for verb in ("", *VERBS):
        code = (
            "import json, sys\nfrom sim.cli import main\n"
            f"code = main([{verb!r}, '--help'] if {verb!r} else ['--help'])\n"
            f"print(json.dumps([code, sorted(m for m in {HEAVY!r} if m in sys.modules)]))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        code_, loaded = json.loads(done.stdout.splitlines()[-1])
        assert code_ == 0 and loaded == [], (verb, loaded)


def test_no_module_imports_itself_through_others():
    """No import circle anywhere in the package, type-only imports included: following the
    imports from any module never comes back to it."""
    import grimp
    import networkx as nx

    graph = grimp.build_graph("sim", exclude_type_checking_imports=False)
    imports = nx.DiGraph()
    for module in graph.modules:
        imports.add_edges_from(
            (module, other) for other in graph.find_modules_directly_imported_by(module)
        )
    circles = [c for c in nx.simple_cycles(imports) if len(c) > 1]
    assert circles == []


def test_core_modules_are_small():
    """One job per module: no core module over ~400 lines (the config schema aside)."""
    face = [ROOT / "sim" / f"{name}.py" for name in ("api", "schema", "outcomes", "calendar")]
    big = {
        str(p.relative_to(ROOT)): n
        for p in [*(ROOT / "sim" / "core").rglob("*.py"), *face]
        if (n := len(p.read_text().splitlines())) > 420
    }
    assert big == {}

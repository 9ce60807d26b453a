"""Scenario files: YAML (safe_load only) with ``extends:`` chains and ``--set`` overrides.

Everything a user can get wrong is turned into one :class:`ScenarioError` whose message names
the file, the key path and, where the YAML says, the line, e.g.
``x.yaml: policies.compute_kyc.strength: expected a number in [0, 1], got 'high' (line 12)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.config import Config
from sim.errors import UserError
from sim.schema import ConfigError, build, merge

MAX_FILE_BYTES = 1_000_000


class ScenarioError(UserError):
    """A user mistake in a scenario file or an override; the message is one line."""

    def __init__(self, where: str, path: str, message: str, line: int | None = None) -> None:
        self.where, self.path, self.message, self.line = where, path, message, line
        text = f"{where}: {path}: {message}" if path else f"{where}: {message}"
        if line is not None:
            text += f" (line {line})"
        super().__init__(" ".join(text.split()))


@dataclass
class Source:
    """One file's mapping, where it came from, and the line of each key path in it."""

    label: str
    data: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)


def load_scenario(
    path: str | Path, overrides: Iterable[str] = (), flags: Mapping[str, Any] | None = None
) -> Config:
    """Load a scenario file (following ``extends``), apply command-line ``flags`` (e.g.
    ``{"steps": 24}``) and then ``--set`` overrides, and validate the result.

    Raises:
        ScenarioError: the file is missing, unreadable, not YAML, not a mapping, its
            ``extends`` chain is broken or circular, or a key or value is invalid.
    """
    sources = _chain(Path(path), [])
    sources.append(Source("command line", dict(flags or {})))
    sources.append(Source("--set", parse_sets(overrides)))
    merged: dict[str, Any] = {}
    for source in sources:
        merged = merge(merged, source.data)
    try:
        return build(Config, merged)
    except ConfigError as err:
        raise _locate(err, sources) from None


def parse_sets(items: Iterable[str]) -> dict[str, Any]:
    """``["a.b=1", "c=x"]`` -> ``{"a": {"b": 1}, "c": "x"}``; values are parsed as YAML scalars."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            raise ScenarioError("--set", item, "expected dotted.key=value")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            raise ScenarioError("--set", key, f"cannot parse the value {raw!r}") from None
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ScenarioError("--set", key, "conflicts with another --set")
        node[parts[-1]] = value
    return out


def _chain(path: Path, seen: list[Path]) -> list[Source]:
    """The file and the files it extends, base first."""
    resolved = path.resolve()
    if resolved in seen:
        cycle = " -> ".join(str(p) for p in [*seen, resolved])
        raise ScenarioError(str(path), "extends", f"circular extends: {cycle}")
    source = read_mapping(path)
    parent = source.data.pop("extends", None)
    if parent is None:
        return [source]
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            str(path),
            "extends",
            f"expected a relative file path, got {parent!r}",
            source.lines.get("extends"),
        )
    target = (path.parent / parent).resolve() if not Path(parent).is_absolute() else Path(parent)
    if not target.is_file():
        raise ScenarioError(
            str(path), "extends", f"no such scenario file: {parent}", source.lines.get("extends")
        )
    return [*_chain(target, [*seen, resolved]), source]


def spec_base(path: Path, data: Mapping[str, Any], fail: Any) -> tuple[str, Config]:
    """The base scenario a spec file (sensitivity, calibration) names under ``base``,
    relative to the spec: (the path as written, the loaded scenario)."""
    base_rel = data["base"]
    if not isinstance(base_rel, str) or not base_rel:
        raise fail("base", f"expected a scenario file path, got {base_rel!r}")
    base_path = (path.parent / base_rel).resolve()
    if not base_path.is_file():
        raise fail("base", f"no such scenario file: {base_rel}")
    return base_rel, load_scenario(base_path)


def read_mapping(path: Path) -> Source:
    """Read one YAML file that must hold a mapping, with the line of every key path (also
    used for sensitivity specs, so both report mistakes the same way)."""
    label = str(path)
    if not path.exists():
        raise ScenarioError(label, "", "no such file")
    if path.is_dir():
        raise ScenarioError(label, "", "is a directory, expected a scenario YAML file")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ScenarioError(label, "", f"cannot read: {err.strerror or err}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(label, "", f"file too large ({len(raw)} bytes) for a scenario")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(label, "", "not a UTF-8 text file") from None
    if "\x00" in text:
        raise ScenarioError(label, "", "not a text file (contains NUL bytes)")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise _yaml_error(label, err) from None
    except RecursionError:
        raise ScenarioError(label, "", "invalid YAML: nested too deeply") from None
    if data is None:
        raise ScenarioError(label, "", "empty scenario: expected a mapping of keys to values")
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ScenarioError(label, "", f"expected a mapping of keys to values, got a {kind}", 1)
    return Source(label, data, _key_lines(node, label))


def _yaml_error(label: str, err: yaml.YAMLError) -> ScenarioError:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    if isinstance(err, yaml.constructor.ConstructorError) and "tag" in problem:
        problem = f"unsupported YAML tag ({problem}); only plain values are allowed"
    line = mark.line + 1 if mark is not None else None
    return ScenarioError(label, "", f"invalid YAML: {problem}", line)


def _key_lines(node: yaml.Node | None, label: str, prefix: str = "") -> dict[str, int]:
    """Map each dotted key path of a composed YAML mapping to its 1-based line; a key given
    twice in one mapping is an error (YAML would silently keep the last)."""
    out: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return out
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise ScenarioError(
                label, prefix.rstrip("."), "keys must be plain names", key_node.start_mark.line + 1
            )
        key = f"{prefix}{key_node.value}"
        line = key_node.start_mark.line + 1
        if key in out:
            raise ScenarioError(label, key, f"duplicate key (first given on line {out[key]})", line)
        out[key] = line
        out.update(_key_lines(value_node, label, key + "."))
    return out


def _locate(err: ConfigError, sources: list[Source]) -> ScenarioError:
    """Blame the last source that set the offending key (or its nearest parent)."""
    path = err.path
    candidates = [path]
    trimmed = path.split("[")[0]
    while trimmed:
        candidates.append(trimmed)
        trimmed = trimmed.rpartition(".")[0]
    for source in reversed(sources):
        for key in candidates:
            if _has(source.data, key):
                return ScenarioError(source.label, path, err.message, source.lines.get(key))
    return ScenarioError(sources[0].label, path, err.message)


def _has(data: Mapping[str, Any], dotted: str) -> bool:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True

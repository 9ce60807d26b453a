"""Generic machinery that turns nested plain mappings into frozen, validated dataclasses.

Why a small module of our own: the configuration is the contract between every entry point
(Python API, YAML, app, batch runs), and each mistake must name the key path and what was
expected. Every field declares its bounds, unit, meaning and source in its metadata, so the
same schema validates input *and* generates the parameter reference.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import typing
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin


class ConfigError(ValueError):
    """A configuration value is wrong. ``path`` is the dotted key path of the offending value."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def param(
    default: Any,
    doc: str,
    *,
    unit: str = "",
    source: str = "guess",
    low: float | None = None,
    high: float | None = None,
) -> Any:
    """Declare one configuration field with its documentation and its allowed range."""
    meta = {"doc": doc, "unit": unit, "source": source, "low": low, "high": high}
    if isinstance(default, (list, tuple)):
        return dataclasses.field(default_factory=lambda: tuple(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def section(cls: type, doc: str, label: str = "") -> Any:
    """Declare a nested section whose defaults are the section class's defaults (``label``:
    how the app names it, where that differs from ``doc``)."""
    meta = {"doc": doc, "section": True, "label": label or doc[:1].upper() + doc[1:]}
    return dataclasses.field(default_factory=cls, metadata=meta)


def section_labels(cls: type) -> dict[str, str]:
    """The label of each section of a dataclass, by field name."""
    return {
        f.name: f.metadata["label"] for f in dataclasses.fields(cls) if f.metadata.get("section")
    }


def _describe(tp: Any, meta: Mapping[str, Any]) -> str:
    low, high = meta.get("low"), meta.get("high")
    if get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if tp is bool:
        return "true or false"
    if tp is str:
        return "a string"
    if get_origin(tp) is tuple:
        inner = get_args(tp)[0]
        return f"a list of {_describe(inner, {}).removeprefix('a ')}"
    kind = "an integer" if tp is int else "a number"
    if low is not None and high is not None:
        return f"{kind} in [{_num(low)}, {_num(high)}]"
    if low is not None:
        return f"{kind} >= {_num(low)}"
    if high is not None:
        return f"{kind} <= {_num(high)}"
    return kind


def _num(x: float) -> str:
    """Bounds as people write them: 10,000,000 rather than 1e+07."""
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def _convert(value: Any, tp: Any, meta: Mapping[str, Any], path: str) -> Any:
    """Check one leaf value against its declared type and range; return the typed value."""
    expected = _describe(tp, meta)

    def fail() -> ConfigError:
        return ConfigError(path, f"expected {expected}, got {value!r}")

    if get_origin(tp) is Literal:
        if not isinstance(value, str) or value not in get_args(tp):
            raise fail()
        return value
    if get_origin(tp) is tuple:
        (inner,) = {a for a in get_args(tp) if a is not Ellipsis}
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise fail()
        return tuple(_convert(v, inner, {}, f"{path}[{i}]") for i, v in enumerate(value))
    if tp is bool:
        if not isinstance(value, bool):
            raise fail()
        return value
    if tp is str:
        if not isinstance(value, str):
            raise fail()
        return value
    if tp in (int, float) and isinstance(value, str) and EXPONENT.match(value.strip()):
        value = float(value)  # YAML 1.1 (PyYAML) reads 1e23 as text; people mean a number
    if tp is int:
        if isinstance(value, bool):
            raise fail()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise fail()
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail()
        value = float(value)
        if not math.isfinite(value):
            raise fail()
    low, high = meta.get("low"), meta.get("high")
    if (low is not None and value < low) or (high is not None and value > high):
        raise fail()
    return value


EXPONENT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=False)


def build(cls: type, data: Mapping[str, Any] | None, path: str = "") -> Any:
    """Build a section dataclass from a mapping of overrides, validating every key and value.

    Keys missing from ``data`` keep their defaults; unknown keys are errors that suggest the
    closest known key.
    """
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"expected a mapping of keys to values, got {data!r}")
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        sub = f"{path}.{key}" if path else str(key)
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            known = ", ".join(fields)
            raise ConfigError(sub, f"unknown key{hint}; known keys here: {known}")
        tp = hints[key]
        if dataclasses.is_dataclass(tp):
            kwargs[key] = build(tp, value, sub)
        else:
            kwargs[key] = _convert(value, tp, fields[key].metadata, sub)
    obj = cls(**kwargs)
    check = getattr(obj, "check", None)
    if check is not None:
        check(path)
    return obj


def to_dict(obj: Any) -> dict[str, Any]:
    """The plain nested-mapping form of a section (tuples become lists), e.g. for YAML."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            out[f.name] = to_dict(value)
        elif isinstance(value, tuple):
            out[f.name] = list(value)
        else:
            out[f.name] = value
    return out


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overrides`` onto ``base``; mappings merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def unflatten(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1, "c": 2}`` -> ``{"a": {"b": 1}, "c": 2}``."""
    out: dict[str, Any] = {}
    for dotted, value in values.items():
        node = out
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def describe_fields(cls: type, prefix: str = "") -> list[dict[str, Any]]:
    """Flat reference rows (key, default, type, unit, meaning, source) for documentation."""
    rows: list[dict[str, Any]] = []
    hints = _hints(cls)
    default = cls()
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            rows.extend(describe_fields(tp, key + "."))
            continue
        rows.append(
            {
                "key": key,
                "default": getattr(default, f.name),
                "expected": _describe(tp, f.metadata),
                "unit": f.metadata.get("unit", ""),
                "doc": f.metadata.get("doc", ""),
                "source": f.metadata.get("source", "guess"),
            }
        )
    return rows

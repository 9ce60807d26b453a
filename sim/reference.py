"""The parameter reference, generated from the schema so that it cannot drift from the code.

``python -m sim.reference`` rewrites the generated tables in ``docs/parameters.md`` and
``README.md``; a test fails when a committed table differs from what the schema says.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.config import Config
from sim.schema import describe_fields

BEGIN = "<!-- BEGIN GENERATED PARAMETER TABLE (python -m sim.reference) -->"
END = "<!-- END GENERATED PARAMETER TABLE -->"
KEYS_BEGIN = "<!-- BEGIN GENERATED KEY REFERENCE (python -m sim.reference) -->"
KEYS_END = "<!-- END GENERATED KEY REFERENCE -->"


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if value == "":
        return '""'
    return str(value).replace("|", "\\|")


def parameter_table() -> str:
    """Markdown table: key, default, unit, expected values, meaning, source."""
    lines = [
        "| key | default | unit | expected | meaning | source |",
        "|---|---|---|---|---|---|",
    ]
    for row in describe_fields(Config):
        source = row["source"]
        lines.append(
            "| `{key}` | {default} | {unit} | {expected} | {doc} | {source} |".format(
                key=row["key"],
                default=_cell(row["default"]),
                unit=row["unit"] or "",
                expected=row["expected"],
                doc=_cell(row["doc"]),
                source="**guess**" if source == "guess" else _cell(source),
            )
        )
    return "\n".join(lines)


def key_reference() -> str:
    """Compact scenario-key reference for the README: key, default, unit, meaning."""
    lines = ["| key | default | unit | meaning |", "|---|---|---|---|"]
    for row in describe_fields(Config):
        unit = row["unit"] or ""
        lines.append(f"| `{row['key']}` | {_cell(row['default'])} | {unit} | {_cell(row['doc'])} |")
    return "\n".join(lines)


def splice(document: str, table: str, begin: str = BEGIN, end: str = END) -> str:
    """Replace the generated block of ``document`` with ``table``."""
    head, rest = document.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{table}\n{end}{tail}"


GENERATED = (
    ("docs/parameters.md", parameter_table, BEGIN, END),
    ("README.md", key_reference, KEYS_BEGIN, KEYS_END),
)


def main(root: str = ".") -> int:
    for name, make, begin, end in GENERATED:
        target = Path(root) / name
        target.write_text(splice(target.read_text(encoding="utf-8"), make(), begin, end))
        print(f"updated {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

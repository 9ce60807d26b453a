"""The parameter reference, generated from the schema so that it cannot drift from the code.

``python -m sim.reference`` rewrites the generated table in ``docs/parameters.md``;
a test fails when the committed table differs from what the schema says.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.config import Config
from sim.schema import describe_fields

BEGIN = "<!-- BEGIN GENERATED PARAMETER TABLE (python -m sim.reference) -->"
END = "<!-- END GENERATED PARAMETER TABLE -->"


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


def splice(document: str, table: str) -> str:
    """Replace the generated block of ``document`` with ``table``."""
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table}\n{END}{tail}"


def main(path: str = "docs/parameters.md") -> int:
    target = Path(path)
    target.write_text(splice(target.read_text(encoding="utf-8"), parameter_table()))
    print(f"updated {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

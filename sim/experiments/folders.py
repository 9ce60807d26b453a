"""Results folders: written under a temporary name and renamed when complete.

``<root>/<name>/<run-id>/`` where run-id is the UTC time (sortable); an existing folder is
never overwritten (a suffix is added instead), and a run that fails leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from sim.config import Config
from sim.errors import UserError
from sim.schema import to_dict


class OutputError(UserError):
    """The results folder cannot be created or written (a user error: wrong --out)."""


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


@contextmanager
def run_folder(root: Path, name: str) -> Iterator[Path]:
    """Yield a hidden temporary folder under ``root/name`` to fill; pass it to
    :func:`finalise` when complete. If the body fails, everything it created is removed."""
    parent = root / name
    created = [p for p in (root, parent) if not p.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = parent / f".incomplete-{new_run_id()}-{os.getpid()}"
        tmp.mkdir()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise OutputError(f"{parent}: cannot create the results folder ({reason})") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in reversed(created):
            with suppress(OSError):
                folder.rmdir()  # only if still empty
        raise


def finalise(tmp: Path) -> Path:
    """Rename a completed temporary folder to its run-id (``-2``, ``-3``... if taken)."""
    run_id = "-".join(tmp.name.split("-")[1:3])
    target, n = tmp.parent / run_id, 1
    while target.exists():
        n += 1
        target = tmp.parent / f"{run_id}-{n}"
    tmp.rename(target)
    return target


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """``write(temporary path)``, then rename it to ``path``: a reader (or a resumed batch)
    never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_yaml(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def write_config(path: Path, config: Config) -> None:
    write_yaml(path, to_dict(config))


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")

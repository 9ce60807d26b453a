"""The model core: the world's state, the rules, the policies, the agents and the model.

Upper layers use the public face (``sim.api``, ``sim.config``, ``sim.schema``,
``sim.outcomes``, ``sim.errors``, and ``sim.EcosystemModel``), never these modules
(docs/architecture.md).

Compiled rules are cached on disk by Numba. Numba re-checks a cached function against its
own file only, not the files of the functions it calls, so a cache written before a change
to a callee would run the old callee. The cache therefore lives in a directory named after
a digest of every source file the rules come from: any change starts a fresh cache (and
old ones are removed). ``NUMBA_CACHE_DIR`` in the environment overrides this.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numba


def _cache_dir() -> Path:
    here = Path(__file__).resolve().parent
    sources = [*sorted(here.rglob("*.py")), here.parent / "outcomes.py", here.parent / "config.py"]
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.relative_to(here.parent).as_posix().encode())
        digest.update(path.read_bytes())
    name = f"numba-{digest.hexdigest()[:16]}"
    for parent in (here / "__pycache__", _user_cache()):
        try:
            parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=parent):
                pass
        except OSError:
            continue
        for stale in parent.glob("numba-*"):
            if stale.name != name:
                shutil.rmtree(stale, ignore_errors=True)
        return parent / name
    return Path(tempfile.gettempdir()) / "finetune-hazards" / name


def _user_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "finetune-hazards"


if not os.environ.get("NUMBA_CACHE_DIR"):
    numba.config.CACHE_DIR = str(_cache_dir())

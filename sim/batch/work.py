"""What one run does, in whichever process or Dask worker it lands: no files, no printing."""

from __future__ import annotations

import time
import traceback
from typing import Any

from sim.api import simulate
from sim.config import Config, with_overrides
from sim.schema import unflatten


def run_task(
    base: Config, overrides: dict[str, Any], seed: int, outcomes: tuple[str, ...]
) -> dict[str, Any]:
    """Simulate one (sample, replication); a model error is returned, not raised, so that a
    failed run is recorded and the batch goes on."""
    start = time.perf_counter()
    try:
        _, summary = simulate(with_overrides(base, unflatten(overrides)), seed=seed)
        values = {k: summary[k] for k in outcomes}
        return {"status": "ok", "error": "", **values, "elapsed_s": time.perf_counter() - start}
    except Exception as err:  # recorded with the run; the batch continues
        detail = traceback.format_exception_only(err)[-1].strip()
        return {
            "status": "failed",
            "error": detail,
            **{k: None for k in outcomes},
            "elapsed_s": time.perf_counter() - start,
        }

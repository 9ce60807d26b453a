"""A batch folder: the design first, each run written atomically, then a compaction.

batch.json        the resolved spec and its hash (resume refuses a different spec)
design.parquet    the parameter samples
runs/<run>.parquet  one file per finished run, written to a temporary name then renamed
results.parquet   every run, sorted by (sample, replication)
samples.parquet   the design joined with each outcome's mean over replications
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch.design import Task
from sim.batch.spec import Spec
from sim.experiments.folders import OutputError, write_atomic


class BatchFolder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs = path / "runs"

    def create(self, spec: Spec, design: pd.DataFrame) -> None:
        try:
            self.runs.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise OutputError(
                f"{self.path}: already holds a batch; use --resume to finish it, "
                "or choose another --out"
            ) from None
        except OSError as err:
            raise OutputError(
                f"{self.path}: cannot create the batch folder ({err.strerror})"
            ) from None
        write_atomic(self.path / "design.parquet", lambda p: design.to_parquet(p))
        meta = {"spec": spec.to_dict(), "digest": spec.digest()}
        write_atomic(
            self.path / "batch.json",
            lambda p: Path(p).write_text(json.dumps(meta, indent=2) + "\n"),
        )

    def check_resume(self, spec: Spec) -> None:
        meta_path = self.path / "batch.json"
        if not meta_path.exists():
            raise OutputError(f"{self.path}: no batch to resume here (no batch.json)")
        meta = json.loads(meta_path.read_text())
        if meta.get("digest") != spec.digest():
            raise OutputError(
                f"{self.path}: the spec has changed since this batch started; "
                "resuming would mix two experiments (start a new --out)"
            )

    def design(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "design.parquet")

    def finished(self) -> set[str]:
        return {p.stem for p in self.runs.glob("*.parquet")}

    def write_run(self, task: Task, result: dict[str, Any]) -> None:
        row = {"sample": task.sample, "replication": task.replication, "seed": task.seed, **result}
        write_atomic(
            self.runs / f"{task.name}.parquet",
            lambda p: pd.DataFrame([row]).to_parquet(p, index=False),
        )

    def compact(self, outcomes: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """All run files into results.parquet; per-sample means into samples.parquet."""
        frames = [pd.read_parquet(p) for p in sorted(self.runs.glob("*.parquet"))]
        results = pd.concat(frames, ignore_index=True).sort_values(["sample", "replication"])
        results = results.reset_index(drop=True)
        for col in outcomes:
            results[col] = pd.to_numeric(results[col], errors="coerce")
        write_atomic(self.path / "results.parquet", lambda p: results.to_parquet(p, index=False))
        ok = results[results["status"] == "ok"]
        means = ok.groupby("sample")[list(outcomes)].mean()
        samples = self.design().join(means, how="left")
        write_atomic(self.path / "samples.parquet", lambda p: samples.to_parquet(p))
        return results, samples

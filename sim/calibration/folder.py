"""A calibration folder: the spec it runs and pyabc's database while it runs, then the
outputs (``sim.calibration.outputs``), each written to a temporary name and renamed.

spec.json        the resolved spec and its hash (``--resume`` refuses a different spec)
calibration.db   pyabc's history (SQLite): every complete generation; how a resumed
                 calibration continues from the last complete one
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.calibration.spec import CalibrationSpec
from sim.experiments.folders import OutputError, write_atomic


class CalibrationFolder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.spec_file = path / "spec.json"
        self.database = path / "calibration.db"

    def check_new(self) -> None:
        """A new calibration needs an empty (or missing) folder: results are never
        overwritten."""
        if self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
            raise OutputError(
                f"{self.path}: already holds files; use --resume to continue a calibration "
                "there, or choose another --out"
            )

    def create(self, spec: CalibrationSpec) -> None:
        self.check_new()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(
                f"{self.path}: cannot create the calibration folder ({err.strerror})"
            ) from None
        meta = {"spec": spec.to_dict(), "digest": spec.digest()}
        write_atomic(self.spec_file, lambda p: p.write_text(json.dumps(meta, indent=2) + "\n"))

    def check_resume(self, spec: CalibrationSpec) -> None:
        if not self.spec_file.exists() or not self.database.exists():
            raise OutputError(f"{self.path}: no calibration to resume here (no spec.json)")
        meta = json.loads(self.spec_file.read_text())
        if meta.get("digest") != spec.digest():
            raise OutputError(
                f"{self.path}: the spec (or its --seed or --set) differs from the one this "
                "calibration started with; resuming would mix two fits (start a new --out)"
            )

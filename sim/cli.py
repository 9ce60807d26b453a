"""Command line: run a scenario file and report where the results went.

The model core never prints or touches files; this module does the I/O.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml

from sim.api import simulate
from sim.config import ConfigError, make_config
from sim.schema import to_dict

HEADLINE = (
    "total_misuse_incidents",
    "total_harm",
    "first_incident_step",
    "total_benign_finetunes",
    "total_pooled_finetunes",
    "total_detections",
    "mean_oversight_coverage",
    "final_finetune_cost",
    "final_strip_cost",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run.py", description="Run a finetune-hazards scenario.")
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument("--out", type=Path, default=Path("results"), help="results root folder")
    args = parser.parse_args(argv)
    try:
        data = yaml.safe_load(args.scenario.read_text(encoding="utf-8")) or {}
        config = make_config(data)
    except (OSError, yaml.YAMLError, ConfigError) as exc:
        print(f"{args.scenario}: {exc}".replace("\n", " "), file=sys.stderr)
        return 2

    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = args.out / config.name / run_id
    frames, summaries = [], []
    for rep in range(config.replications):
        seed = config.seed + rep
        frame, summary = simulate(config, seed=seed)
        frame.insert(0, "seed", seed)
        frame.insert(0, "replication", rep)
        frames.append(frame)
        summaries.append(summary)
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(to_dict(config), sort_keys=False))
    import pandas as pd

    pd.concat(frames).to_csv(folder / "timeseries.csv", index=False)
    (folder / "summary.json").write_text(json.dumps({"replications": summaries}, indent=2))
    width = max(len(k) for k in HEADLINE)
    for key in HEADLINE:
        values = [s[key] for s in summaries]
        shown = ", ".join("-" if v is None else f"{v:,.4g}" for v in values)
        print(f"{key:<{width}}  {shown}")
    print(f"results: {folder}")
    return 0

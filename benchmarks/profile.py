"""Where a run's time goes: a pyinstrument profile of one baseline-proportioned run.

    python -m benchmarks.profile                        # 100k actors x 120 months -> latest
    python -m benchmarks.profile --actors 10000 --steps 60 --label 10k

Prints the call tree (frames under 1% of the time hidden) and writes it to
``benchmarks/results/profile-<label>.txt``; docs/performance.md quotes its top. A profile is
a statistical sample (1 ms interval): compare shares, not absolute times, since the profiler
itself slows the run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pyinstrument import Profiler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import population  # noqa: E402
from sim import EcosystemModel  # noqa: E402
from sim.config import make_config  # noqa: E402


def profile(actors: int, steps: int, seed: int = 1) -> str:
    """The text call tree of building and running one model."""
    profiler = Profiler(interval=0.001)
    profiler.start()
    model = EcosystemModel(
        make_config({"population": population(actors), "steps": steps}), seed=seed
    )
    model.run()
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument(
        "--label",
        default="latest",
        help="names the output file (the committed profiles are 100k, fast-100k, after-100k)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    text = profile(args.actors, args.steps)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"profile-{args.label}.txt"
    if path.exists() and args.label != "latest":  # results are never silently overwritten
        print(f"error: {path} exists; pick another --label", file=sys.stderr)
        return 2
    path.write_text(text)
    print(text)
    print(f"written: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scenario discovery on a finished sensitivity batch: where in the sampled assumptions does an
outcome exceed a threshold (e.g. where a policy bundle fails to keep incidents down)?

PRIM (Friedman & Fisher 1999; Bryant & Lempert 2010) comes from the EMA Workbench and is never
re-implemented here. A sample *fails* when its outcome, averaged over its replications, is
above the threshold. Boxes are found one after another (PRIM's covering approach: the samples
in a box are set aside before the next search). On each box's peeling trajectory the point
reported is the densest one that still covers ``min_coverage`` of the failures not yet
explained by earlier boxes; its coverage and density are then stated against *all* failures.
The search stops early when a box would be no denser than the failure rate of the samples left
or of the whole sample (a leftover sliver of a few failures is not a scenario).
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd

from sim.batch.analysis import AnalysisError
from sim.batch.spec import Parameter
from sim.experiments.folders import OutputError, finalise, run_folder
from sim.experiments.plots import new_figure

MIN_SAMPLES = 10
PASTE_ALPHA = 0.05  # the EMA Workbench's default; not a flag
BOX_COLUMNS = [
    "box",
    "coverage",
    "density",
    "mass",
    "res_dim",
    "samples",
    "failing",
    "parameter",
    "low",
    "high",
    "spec_low",
    "spec_high",
    "qp_low",
    "qp_high",
]
TRAJECTORY_COLUMNS = [
    "box",
    "point",
    "coverage",
    "coverage_remaining",
    "density",
    "mass",
    "res_dim",
    "samples",
    "failing",
    "selected",
]
COVERAGE = "coverage = share of all failing samples that fall in the box"
DENSITY = "density = share of the samples in the box that fail"


@dataclass(frozen=True)
class Cases:
    """What PRIM is given: the parameters (X), which samples fail (y), and what was dropped."""

    x: pd.DataFrame
    fails: np.ndarray
    dropped: int
    values: np.ndarray  # the outcome of each usable sample, to put the threshold in context


@dataclass(frozen=True)
class Box:
    """One box at its selected point on the peeling trajectory."""

    number: int
    coverage: float
    density: float
    mass: float
    samples: int
    failing: int
    limits: pd.DataFrame  # one row per restricted parameter: low, high, qp_low, qp_high
    trajectory: pd.DataFrame  # every point of the peeling trajectory, ``selected`` flagged


def discover(
    batch: Path,
    outcome: str,
    threshold: float,
    *,
    out: Path | None = None,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_coverage: float = 0.5,
    max_boxes: int = 3,
) -> tuple[Path, str]:
    """Find up to ``max_boxes`` boxes of parameter space where ``outcome > threshold``; write
    them to ``<out or batch>/discovery/<run-id>/`` and return that folder and a short summary.

    Raises :class:`OutputError` if ``batch`` is not a finished batch, :class:`AnalysisError` if
    the question cannot be answered (unknown outcome, nothing or everything fails, too few
    samples); then nothing is written."""
    batch = Path(batch)
    if not math.isfinite(threshold):
        raise AnalysisError(f"{batch}: threshold: expected a finite number, got {threshold}")
    if max_boxes < 1 or not all(0 < v < 1 for v in (peel_alpha, mass_min, min_coverage)):
        raise AnalysisError(
            f"{batch}: expected max_boxes >= 1 and peel_alpha, mass_min, min_coverage in (0, 1)"
        )
    spec, parameters, outcomes, samples = read_batch(batch)
    cases = failing_cases(batch, samples, parameters, outcomes, outcome, threshold)
    settings = {
        "peel_alpha": peel_alpha,
        "paste_alpha": PASTE_ALPHA,
        "mass_min": mass_min,
        "min_coverage": min_coverage,
        "max_boxes": max_boxes,
    }
    boxes, stop = find_boxes(cases, parameters, settings)
    ask = {"batch": batch, "outcome": outcome, "threshold": threshold, "spec": spec}
    with run_folder(out if out is not None else batch, "discovery") as tmp:
        boxes_table(boxes, parameters).to_csv(tmp / "boxes.csv", index=False, float_format="%.10g")
        trajectories(boxes).to_csv(tmp / "trajectory.csv", index=False, float_format="%.10g")
        plot_trajectories(boxes, outcome, threshold, tmp / "trajectory.png")
        plot_boxes(boxes, parameters, outcome, threshold, tmp / "boxes.png")
        write_report(ask, cases, parameters, settings, boxes, stop, tmp / "report.md")
    folder = finalise(tmp)
    return folder, summary(ask, cases, boxes, stop, parameters)


# --- input ----------------------------------------------------------------------------------
def read_batch(
    batch: Path,
) -> tuple[dict[str, Any], tuple[Parameter, ...], list[str], pd.DataFrame]:
    """The spec stored in batch.json (with its parameters and outcomes) and the per-sample
    means (the design joined with each outcome's mean over replications), as
    ``sim.batch.storage`` wrote them."""
    if not batch.is_dir():
        raise OutputError(f"{batch}: no such folder (expected a finished sensitivity batch)")
    meta_path, samples_path = batch / "batch.json", batch / "samples.parquet"
    if not meta_path.is_file():
        raise OutputError(
            f"{batch}: not a sensitivity batch (no batch.json); "
            "expected a folder written by 'python run.py sensitivity SPEC --out DIR'"
        )
    try:
        spec = json.loads(meta_path.read_text())["spec"]
        parameters = tuple(Parameter(**p) for p in spec["parameters"])
        outcomes = [str(o) for o in spec["outcomes"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputError(
            f"{meta_path}: expected the batch's spec with its parameters and outcomes, as "
            "'python run.py sensitivity' writes it"
        ) from None
    if not samples_path.is_file():
        raise OutputError(
            f"{batch}: the batch is not finished (no samples.parquet); finish it with "
            f"'python run.py sensitivity SPEC --out {batch} --resume'"
        )
    try:
        samples = pd.read_parquet(samples_path)
    except (OSError, ValueError) as err:
        raise OutputError(f"{samples_path}: cannot read the samples ({err})") from None
    return spec, parameters, outcomes, samples


def failing_cases(
    batch: Path,
    samples: pd.DataFrame,
    parameters: tuple[Parameter, ...],
    outcomes: list[str],
    outcome: str,
    threshold: float,
) -> Cases:
    """X and y for PRIM; samples whose outcome is missing (failed runs) are dropped and counted,
    never counted as passing or failing."""
    if outcome not in outcomes:
        raise AnalysisError(
            f"{batch}: outcome {outcome!r} is not an outcome of this batch; "
            f"expected one of {', '.join(outcomes)}"
        )
    names = [p.key for p in parameters]
    missing = [c for c in [*names, outcome] if c not in samples.columns]
    if missing:
        raise OutputError(f"{batch / 'samples.parquet'}: no column {missing[0]!r}")
    values = pd.to_numeric(samples[outcome], errors="coerce").to_numpy(dtype=float)
    usable = ~np.isnan(values)
    n = int(usable.sum())
    if n < MIN_SAMPLES:
        raise AnalysisError(
            f"{batch}: only {n} of {len(values)} samples have a value of {outcome}; "
            f"expected at least {MIN_SAMPLES} for scenario discovery"
        )
    values = values[usable]
    fails = values > threshold
    spread = f"{outcome} ranges from {values.min():.4g} to {values.max():.4g} over the samples"
    if not fails.any():
        raise AnalysisError(
            f"{batch}: no sample has {outcome} > {threshold:g}, so there is nothing to "
            f"discover; expected a lower threshold ({spread})"
        )
    if fails.all():
        raise AnalysisError(
            f"{batch}: every sample has {outcome} > {threshold:g}, so there is nothing to "
            f"discover; expected a higher threshold ({spread})"
        )
    # Integer parameters go in as floats: the pinned workbench (3.0.0) pastes a half-way
    # limit such as 74.5 into an int64 column, which pandas 3 refuses (EMAworkbench#448).
    x = samples.loc[usable, names].astype(float).reset_index(drop=True)
    return Cases(x, fails, len(usable) - n, values)


# --- PRIM -----------------------------------------------------------------------------------
def find_boxes(
    cases: Cases, parameters: tuple[Parameter, ...], settings: dict[str, Any]
) -> tuple[list[Box], str]:
    """Boxes found one after another, and why the search stopped."""
    with warnings.catch_warnings():
        # ipyparallel/altair are optional extras we do not use; the import warns about them.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", ImportWarning)
        from ema_workbench.analysis import prim

    total_fails = int(cases.fails.sum())
    overall_rate = total_fails / len(cases.fails)
    in_earlier = np.zeros(len(cases.fails), dtype=bool)
    boxes: list[Box] = []
    with warnings.catch_warnings():
        for category in (DeprecationWarning, FutureWarning):  # the workbench's pandas calls
            warnings.filterwarnings("ignore", category=category, module="ema_workbench")
        finder = prim.Prim(
            cases.x,
            cases.fails.copy(),
            peel_alpha=settings["peel_alpha"],
            paste_alpha=settings["paste_alpha"],
            mass_min=settings["mass_min"],
        )
        for number in range(1, settings["max_boxes"] + 1):
            remaining_fails = int(cases.fails[~in_earlier].sum())
            if remaining_fails == 0:
                return boxes, "every failing sample lies in a box found earlier"
            box = finder.find_box()
            if box is None:
                return boxes, "no samples remain outside the boxes found"
            trajectory = box.peeling_trajectory
            i = select_point(trajectory, total_fails / remaining_fails, settings["min_coverage"])
            box.select(i)
            # A box must be where failure is more common than in the samples left and than in
            # the whole sample: a leftover region safer than average is no failure scenario.
            rate = max(float(trajectory["density"].iloc[0]), overall_rate)
            if not float(trajectory["density"].iloc[i]) > rate:
                return boxes, (
                    f"box {number} would be no denser ({trajectory['density'].iloc[i]:.3g}) "
                    f"than the failure rate of the samples left or of all samples ({rate:.3g})"
                )
            boxes.append(_box(number, box, i, parameters, total_fails, remaining_fails))
            in_earlier[np.asarray(box.yi)] = True
    return boxes, f"the maximum of {settings['max_boxes']} box(es) was reached"


def select_point(trajectory: pd.DataFrame, scale: float, min_coverage: float) -> int:
    """The densest point covering at least ``min_coverage`` of the failures still unexplained
    (coverage x ``scale``), ties to the larger coverage; the first point if none does."""
    covers = trajectory["coverage"].to_numpy(dtype=float) * scale >= min_coverage - 1e-12
    if not covers.any():
        return 0
    ok = trajectory[covers]
    best = ok.sort_values(["density", "coverage"], ascending=False, kind="stable")
    return int(best.index[0])


def _box(
    number: int,
    box: Any,
    i: int,
    parameters: tuple[Parameter, ...],
    total_fails: int,
    remaining_fails: int,
) -> Box:
    """A PRIM box at point ``i``: its limits clipped to the spec bounds and its quasi-p values."""
    stats, lims = box.inspect(i, style="data")[0]
    full = box.box_lims[0]  # the data's own range: a side left there is not restricted
    rows = []
    for p in parameters:
        if p.key not in lims.index:
            continue
        low, high = (float(v) for v in box.box_lims[i][p.key])
        low = low if low != float(full[p.key].iloc[0]) else p.low
        high = high if high != float(full[p.key].iloc[1]) else p.high
        if p.integer:  # only whole values were sampled: 74.5 means 75
            low, high = float(math.ceil(low)), float(math.floor(high))
        qp_low, qp_high = (float(v) for v in lims.loc[p.key].iloc[2:4])
        rows.append(
            {"parameter": p.key, "low": low, "high": high, "qp_low": qp_low, "qp_high": qp_high}
        )
    limits = pd.DataFrame(rows, columns=["parameter", "low", "high", "qp_low", "qp_high"])
    points = box.peeling_trajectory
    trajectory = pd.DataFrame(
        {
            "box": number,
            "point": points["id"].astype(int),
            "coverage": points["coverage"].astype(float),
            "coverage_remaining": points["coverage"].astype(float) * total_fails / remaining_fails,
            "density": points["density"].astype(float),
            "mass": points["mass"].astype(float),
            "res_dim": points["res_dim"].astype(int),
            "samples": points["n"].astype(int),
            "failing": points["k"].astype(int),
            "selected": points["id"].astype(int) == i,
        }
    )
    return Box(
        number,
        float(stats["coverage"]),
        float(stats["density"]),
        float(stats["mass"]),
        int(stats["n"]),
        int(stats["k"]),
        limits,
        trajectory,
    )


# --- tables ---------------------------------------------------------------------------------
def boxes_table(boxes: list[Box], parameters: tuple[Parameter, ...]) -> pd.DataFrame:
    """One row per box and restricted parameter, with the box's statistics and spec bounds."""
    bounds = {p.key: (p.low, p.high) for p in parameters}
    rows = [
        {
            "box": b.number,
            "coverage": b.coverage,
            "density": b.density,
            "mass": b.mass,
            "res_dim": len(b.limits),
            "samples": b.samples,
            "failing": b.failing,
            "parameter": r.parameter,
            "low": r.low,
            "high": r.high,
            "spec_low": bounds[r.parameter][0],
            "spec_high": bounds[r.parameter][1],
            "qp_low": r.qp_low,
            "qp_high": r.qp_high,
        }
        for b in boxes
        for r in b.limits.itertuples()
    ]
    return pd.DataFrame(rows, columns=BOX_COLUMNS)


def trajectories(boxes: list[Box]) -> pd.DataFrame:
    if not boxes:
        return pd.DataFrame(columns=TRAJECTORY_COLUMNS)
    return pd.concat([b.trajectory for b in boxes], ignore_index=True)


def _qp(row: Any) -> float:
    """The less significant side's quasi-p value: the restriction's weakest evidence."""
    sides = [v for v in (row.qp_low, row.qp_high) if not math.isnan(v)]
    return max(sides) if sides else math.nan


def _range(low: float, high: float) -> str:
    return f"[{low:.4g}, {high:.4g}]"


# --- plots ----------------------------------------------------------------------------------
def plot_trajectories(boxes: list[Box], outcome: str, threshold: float, path: Path) -> None:
    """Coverage against density along each box's peeling trajectory (the trade-off between a
    box that explains many failures and one in which failure is nearly certain)."""
    n = max(len(boxes), 1)
    fig = new_figure(figsize=(5 * n, 4.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, n, squeeze=False)[0])
    if not boxes:
        axes[0].text(0.5, 0.5, "no box found", ha="center", va="center")
        axes[0].set_axis_off()
    for ax, box in zip(axes, boxes, strict=False):
        t = box.trajectory
        dims = t["res_dim"].to_numpy()
        cmap = matplotlib.colormaps["viridis"].resampled(max(int(dims.max()) + 1, 2))
        points = ax.scatter(
            t["coverage"], t["density"], c=dims, cmap=cmap, vmin=-0.5, vmax=cmap.N - 0.5, s=18
        )
        chosen = t[t["selected"]]
        ax.scatter(
            chosen["coverage"],
            chosen["density"],
            s=140,
            facecolors="none",
            edgecolors="red",
            linewidths=1.5,
            label="selected",
        )
        fig.colorbar(points, ax=ax, ticks=range(cmap.N), label="restricted parameters")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("coverage (share of all failures in the box)")
        ax.set_ylabel("density (share of the box that fails)")
        ax.set_title(f"box {box.number}", fontsize=10)
        ax.legend(fontsize=8, loc="lower left")
    fig.suptitle(f"PRIM peeling trajectories: {outcome} > {threshold:g}")
    fig.savefig(path, dpi=100)


def plot_boxes(
    boxes: list[Box],
    parameters: tuple[Parameter, ...],
    outcome: str,
    threshold: float,
    path: Path,
) -> None:
    """Each box's restricted ranges as bars on its parameters' spec ranges scaled to [0, 1]
    (on a log scale for log-uniform parameters, as they were sampled)."""
    by_key = {p.key: p for p in parameters}
    n = max(len(boxes), 1)
    heights = [max(len(b.limits), 1) + 1 for b in boxes] or [2]
    fig = new_figure(figsize=(7.5, 0.45 * sum(heights) + 1.2 * n), layout="constrained")
    axes = np.atleast_1d(fig.subplots(n, 1, squeeze=False, height_ratios=heights)[:, 0])
    if not boxes:
        axes[0].text(0.5, 0.5, "no box found", ha="center", va="center")
        axes[0].set_axis_off()
    for ax, box in zip(axes, boxes, strict=False):
        rows = list(box.limits.itertuples())
        for y, r in enumerate(rows):
            p = by_key[r.parameter]
            lo, hi = _unit(p, r.low), _unit(p, r.high)
            ax.barh(y, 1, left=0, height=0.6, color="0.9")
            ax.barh(y, hi - lo, left=lo, height=0.6, color="tab:red")
            ax.text(1.02, y, f"{_range(r.low, r.high)}  qp {_qp(r):.2g}", va="center", fontsize=8)
        labels = [
            f"{r.parameter}{' (log)' if by_key[r.parameter].dist == 'logunif' else ''}"
            for r in rows
        ]
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, 1.45)
        ax.set_xticks([0, 0.5, 1], ["spec low", "", "spec high"])
        ax.set_title(
            f"box {box.number}: coverage {box.coverage:.2f}, density {box.density:.2f}, "
            f"mass {box.mass:.2f}",
            fontsize=10,
        )
    fig.suptitle(f"Where {outcome} > {threshold:g}: restricted ranges (grey: spec range)")
    fig.savefig(path, dpi=100)


def _unit(p: Parameter, value: float) -> float:
    if p.dist == "logunif":
        return (math.log(value) - math.log(p.low)) / (math.log(p.high) - math.log(p.low))
    return (value - p.low) / (p.high - p.low)


# --- text -----------------------------------------------------------------------------------
def _headline(ask: dict[str, Any], cases: Cases) -> str:
    n, failing = len(cases.fails), int(cases.fails.sum())
    dropped = f" ({cases.dropped} dropped: no value, failed runs)" if cases.dropped else ""
    v = cases.values
    return (
        f"{ask['outcome']} > {ask['threshold']:g}: {failing} of {n} samples fail "
        f"({failing / n:.0%}){dropped}; the outcome ranges from {v.min():.4g} to {v.max():.4g}, "
        f"median {np.median(v):.4g}"
    )


def summary(
    ask: dict[str, Any],
    cases: Cases,
    boxes: list[Box],
    stop: str,
    parameters: tuple[Parameter, ...],
) -> str:
    """A few lines for the terminal: the failure rate and each box's restricted ranges."""
    lines = [_headline(ask, cases)]
    width = max(len(p.key) for p in parameters)
    for b in boxes:
        lines.append(
            f"box {b.number}: coverage {b.coverage:.2f}, density {b.density:.2f}, "
            f"mass {b.mass:.2f}, {len(b.limits)} restricted"
        )
        for r in b.limits.itertuples():
            lines.append(
                f"  {r.parameter:<{width}}  in {_range(r.low, r.high):<22} qp {_qp(r):.2g}"
            )
    if not boxes:
        lines.append("no box found")
    lines += [f"stopped: {stop}", f"{COVERAGE}; {DENSITY}"]
    return "\n".join(lines)


def _policies(base: dict[str, Any]) -> str:
    enabled = [
        f"`{name}` (strength {cfg.get('strength', '?')})"
        for name, cfg in (base.get("policies") or {}).items()
        if isinstance(cfg, dict) and cfg.get("enabled")
    ]
    return ", ".join(enabled) if enabled else "none"


def write_report(
    ask: dict[str, Any],
    cases: Cases,
    parameters: tuple[Parameter, ...],
    settings: dict[str, Any],
    boxes: list[Box],
    stop: str,
    path: Path,
) -> None:
    spec, outcome, threshold = ask["spec"], ask["outcome"], ask["threshold"]
    base = spec.get("base") or {}
    bounds = {p.key: (p.low, p.high) for p in parameters}
    reps = spec.get("replications", "?")
    lines = [
        f"# Scenario discovery: {spec.get('name', ask['batch'].name)}",
        "",
        f"**Question.** Under which of the sampled assumptions does `{outcome}` exceed "
        f"**{threshold:g}**, i.e. where does the base scenario's policy setting fail to keep it "
        f"down? A sample *fails* when its `{outcome}`, averaged over its {reps} "
        "replication(s), is above the threshold.",
        "",
        f"- batch: `{ask['batch']}` ({spec.get('method', '?')}, {spec.get('samples', '?')} "
        f"samples, root seed {spec.get('seed', '?')})",
        f"- base scenario: `{spec.get('base_path', '?')}` (name `{base.get('name', '?')}`, "
        f"{base.get('steps', '?')} months); policies enabled: {_policies(base)}",
        f"- {_headline(ask, cases)}",
        "- PRIM (EMA Workbench): "
        + ", ".join(f"{k} {v:g}" for k, v in settings.items() if k != "max_boxes")
        + f", at most {settings['max_boxes']} box(es); search stopped: {stop}",
        "",
        "| parameter | low | high | distribution |",
        "|---|---|---|---|",
        *[f"| `{p.key}` | {p.low:g} | {p.high:g} | {p.dist} |" for p in parameters],
        "",
        "## Boxes",
        "",
    ]
    if not boxes:
        lines += [
            "No box was found: failure is not concentrated in any region PRIM can peel to.",
            "",
        ]
    else:
        lines += [
            "| box | coverage | density | mass | samples (failing) | restricted |",
            "|---|---|---|---|---|---|",
            *[
                f"| {b.number} | {b.coverage:.2f} | {b.density:.2f} | {b.mass:.2f} | "
                f"{b.samples} ({b.failing}) | {len(b.limits)} |"
                for b in boxes
            ],
            "",
        ]
    for b in boxes:
        lines += [
            f"**Box {b.number}**",
            "",
            "| parameter | box range | spec range | quasi-p |",
            "|---|---|---|---|",
            *[
                f"| `{r.parameter}` | {_range(r.low, r.high)} | "
                f"{_range(*bounds[r.parameter])} | {_qp(r):.2g} |"
                for r in b.limits.itertuples()
            ],
            "",
        ]
    lines += [
        "## How to read it",
        "",
        "- **Coverage** is the share of all failing samples that fall in the box; "
        "**density** is the share of samples in the box that fail; **mass** is the share of "
        "all samples in the box. A good box has high density (inside it the policy setting "
        "almost always fails) and high coverage (it explains most failures) with few "
        "restricted parameters.",
        f"- The point reported on each peeling trajectory is the densest with coverage >= "
        f"{settings['min_coverage']:g} of the failures not yet in an earlier box "
        "(`trajectory.png`, `trajectory.csv`: every point, `selected` marked). Later boxes "
        "describe failures the earlier ones leave out; their coverage is still stated against "
        "all failures. The search stops when a box would be no denser than the failure rate "
        "of the samples left or of all samples.",
        "- **Quasi-p** (Bryant & Lempert 2010): a one-sided binomial test of whether the "
        "restriction on that parameter really raises the density (the larger of the two "
        "sides' values is shown; `boxes.csv` has both). Above about 0.05 the restriction may be "
        "noise and the parameter could be dropped from the box.",
        "- Ranges are clipped to the spec bounds: a side the box does not restrict shows the "
        "spec bound. `boxes.png` draws each range on its spec range (log-uniform parameters on "
        "a log scale).",
        "",
        "## Caveat",
        "",
        "Boxes describe the sampled space of assumptions (the spec's ranges and "
        "distributions), not probabilities of the world: a box's mass is the share of the "
        "sample, not how likely those conditions are. Everything else is fixed at the base "
        "scenario, and with few replications a sample near the threshold can fall on either "
        "side by chance.",
        "",
        "Files: `boxes.csv` (one row per box and restricted parameter), `trajectory.csv`, "
        "`trajectory.png`, `boxes.png`.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")

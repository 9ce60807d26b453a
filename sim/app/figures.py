"""The app's pictures (matplotlib): outcomes over time, the collaboration graph, lineage."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.plots import new_figure
from sim.labs import Lab
from sim.malicious import MaliciousActor

if TYPE_CHECKING:
    from sim.app.session import AppSession

# (title, columns, log axis)
PANELS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("Misuse incidents", ("misuse_incidents", "cumulative_incidents"), False),
    ("Harm per month", ("harm",), False),
    ("Cost, USD (log)", ("finetune_cost", "strip_cost"), True),
    ("Benign fine-tunes per month", ("benign_finetunes", "pooled_finetunes"), False),
    ("Hub", ("hub_checkpoints", "stripped_on_hub", "takedowns"), False),
    ("Oversight coverage", ("oversight_coverage",), False),
)
KIND_COLOURS = {"lab": "#1f77b4", "hobbyist": "#2ca02c", "malicious": "#ff7f0e"}
EQUIPPED, BANNED = "#d62728", "#bbbbbb"


class SeriesPlot:
    """The outcomes over time. Built once per run; each step only updates its lines, because
    building matplotlib axes costs far more than the model step itself."""

    def __init__(self, horizon: int) -> None:
        self.figure = new_figure(figsize=(11, 6.2))
        self.figure.subplots_adjust(
            left=0.06, right=0.99, top=0.95, bottom=0.08, wspace=0.28, hspace=0.38
        )
        self.axes = list(self.figure.subplots(2, 3).flat)
        self.lines: dict[str, Any] = {}
        self.log_axes: list[Any] = []
        for ax, (title, columns, log) in zip(self.axes, PANELS, strict=True):
            for col in columns:
                (self.lines[col],) = ax.plot(
                    [], [], label=col.replace("_", " "), lw=1.4, marker=".", markersize=3
                )
            ax.set_title(title, fontsize=10)
            ax.set_xlim(0, max(horizon, 1))
            ax.set_xlabel("month", fontsize=8)
            ax.tick_params(labelsize=7)
            if log:
                ax.set_yscale("log", nonpositive="mask")
                ax.set_ylim(1, 1000)  # until there is positive data to scale to
                self.log_axes.append(ax)
            if len(columns) > 1:
                ax.legend(fontsize=7, loc="upper left")

    def update(self, frame: pd.DataFrame) -> Figure:
        steps = frame["step"].to_numpy() if len(frame) else np.array([])
        for col, line in self.lines.items():
            line.set_data(steps, frame[col].to_numpy(dtype=float) if len(frame) else [])
        for ax in self.axes:
            if ax in self.log_axes and not any(
                (np.nan_to_num(np.asarray(line.get_ydata(), dtype=float)) > 0).any()
                for line in ax.get_lines()
            ):
                continue
            ax.relim()
            ax.autoscale_view(scalex=False)
        return self.figure


def _node_colours(session: AppSession) -> list[str]:
    model = session.model
    out = []
    for node in session.layout.nodes.tolist():
        actor = model.actors[node]
        if actor.banned:
            out.append(BANNED)
        elif isinstance(actor, MaliciousActor):
            out.append(EQUIPPED if actor.is_equipped else KIND_COLOURS["malicious"])
        elif isinstance(actor, Lab):
            out.append(KIND_COLOURS["lab"])
        else:
            out.append(KIND_COLOURS["hobbyist"])
    return out


def network_figure(session: AppSession) -> Figure:
    """The graph with fixed positions: colour by kind, equipped malicious actors red, banned
    actors grey. Large graphs show every lab and malicious actor plus a sample of hobbyists."""
    layout, graph = session.layout, session.model.graph
    index = {int(v): i for i, v in enumerate(layout.nodes.tolist())}
    fig = new_figure(figsize=(6, 6))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.95, bottom=0.01)
    ax = fig.subplots()
    segments = [
        (layout.positions[index[u]], layout.positions[index[v]])
        for u, v in graph.subgraph(index).edges
    ]
    if segments:
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(segments, colors="#999999", linewidths=0.3, alpha=0.4))
    sizes = [60 if isinstance(session.model.actors[v], Lab) else 14 for v in index]
    ax.scatter(
        layout.positions[:, 0],
        layout.positions[:, 1],
        c=_node_colours(session),
        s=sizes,
        linewidths=0,
    )
    shown = len(layout.nodes)
    note = f"all {shown} actors" if shown == layout.total else f"{shown} of {layout.total} actors"
    ax.set_title(f"Collaboration graph ({note})", fontsize=10)
    for label, colour in [
        ("lab", KIND_COLOURS["lab"]),
        ("hobbyist", KIND_COLOURS["hobbyist"]),
        ("malicious", KIND_COLOURS["malicious"]),
        ("malicious, equipped", EQUIPPED),
        ("banned", BANNED),
    ]:
        ax.scatter([], [], c=colour, s=20, label=label)
    ax.legend(loc="lower left", fontsize=7, framealpha=0.8)
    ax.set_axis_off()
    return fig


def lineage_table(session: AppSession) -> pd.DataFrame:
    """Per base release: its derivatives and how many have their safeguards stripped."""
    registry = session.model.checkpoints
    derivatives: Counter[int] = Counter()
    stripped: Counter[int] = Counter()
    for ckpt in registry.all():  # every checkpoint knows its root: one pass, no traversals
        if not ckpt.is_base:
            derivatives[ckpt.root] += 1
            stripped[ckpt.root] += registry.is_stripped(ckpt)
    rows = []
    for base_id in registry.base_ids:
        base = registry[base_id]
        rows.append(
            {
                "release": f"lab {base.creator} @ month {base.release_step} ({base.access})",
                "capability": base.capability,
                "derivatives": derivatives[base_id],
                "stripped": stripped[base_id],
            }
        )
    return pd.DataFrame(rows, columns=["release", "capability", "derivatives", "stripped"])


def lineage_figure(session: AppSession) -> Figure:
    table = lineage_table(session).sort_values("capability")
    height = max(2.5, 0.22 * len(table) + 1)
    fig = new_figure(figsize=(6, height))
    fig.subplots_adjust(left=0.36, right=0.98, top=1 - 0.45 / height, bottom=0.55 / height)
    ax = fig.subplots()
    y = np.arange(len(table))
    ax.barh(y, table["derivatives"], color="#9ecae1", label="derivatives")
    ax.barh(y, table["stripped"], color=EQUIPPED, label="stripped derivatives")
    ax.set_yticks(y, table["release"].tolist(), fontsize=7)
    ax.set_xlabel("checkpoints descended from the base release", fontsize=8)
    ax.set_title("Lineage: derivatives of each base release", fontsize=10)
    ax.legend(fontsize=7)
    return fig

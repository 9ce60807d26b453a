"""The app's charts (Plotly: hover with dates, zoom, legend toggles, log axes for costs).

The ensemble view draws each outcome as the median and a 90% band across replications, for
the base scenario and the bundle; the single-run view draws one run's outcomes, the
collaboration graph and the lineage of base releases.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.app.ensemble import values_of

if TYPE_CHECKING:
    from sim.app.ensemble import Ensemble
    from sim.app.session import AppSession

# (column, title, log axis): what the ensemble view shows, Model 2's views included.
# "cumulative:" sums a monthly flow over the run first: a policy's effect on incidents and
# harm is far easier to read in running totals than in noisy monthly counts.
PANELS: tuple[tuple[str, str, bool], ...] = (
    ("cumulative:misuse_incidents", "AI-enabled incidents, cumulative", False),
    ("cumulative:severe_incidents", "Severe incidents, cumulative", False),
    ("cumulative:baseline_incidents", "Baseline-route (non-AI) incidents, cumulative", False),
    ("cumulative:total_harm", "Total harm (AI + baseline), cumulative", False),
    ("malicious_equipped", "Malicious actors equipped", False),
    ("benign_finetunes", "Benign fine-tunes / month", False),
    ("benefit", "Benign value / month", False),
    ("oversight_coverage", "Oversight coverage", False),
    ("defence_level", "Defence stock (from open fine-tunes)", False),
    ("finetune_cost", "Fine-tune cost, best open checkpoint (USD)", True),
    ("strip_cost", "Strip cost, best open release (USD)", True),
    ("fringe_checkpoints", "Checkpoints on the fringe hub", False),
    ("stripped_on_hub", "Stripped checkpoints on the main hub", False),
    ("cumulative:reuploads", "Re-uploads to the fringe hub, cumulative", False),
    ("cumulative:leaks", "Leaked closed weights, cumulative", False),
)
COLS = 3
ARM_COLOURS = {"base": (31, 119, 180), "bundle": (214, 39, 40), "run": (31, 119, 180)}
ARM_NAMES = {"base": "base scenario", "bundle": "with the bundle"}
KIND_COLOURS = {"lab": "#1f77b4", "hobbyist": "#2ca02c", "malicious": "#ff7f0e"}
EQUIPPED, BANNED = "#d62728", "#bbbbbb"


def _rgba(arm: str, alpha: float) -> str:
    r, g, b = ARM_COLOURS.get(arm, (100, 100, 100))
    return f"rgba({r},{g},{b},{alpha})"


def _grid() -> go.Figure:
    rows = -(-len(PANELS) // COLS)
    fig = make_subplots(rows=rows, cols=COLS, subplot_titles=[t for _, t, _ in PANELS],
                        vertical_spacing=0.06, horizontal_spacing=0.06)  # fmt: skip
    for i, (_, _, log) in enumerate(PANELS):
        if log:
            fig.update_yaxes(type="log", row=i // COLS + 1, col=i % COLS + 1)
    fig.update_layout(
        height=260 * rows, margin={"l": 50, "r": 20, "t": 60, "b": 30},
        hovermode="x unified", uirevision="keep", template="plotly_white",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )  # fmt: skip
    fig.update_annotations(font_size=12)
    return fig


def ensemble_figure(state: Ensemble | None, bands_of: Any) -> go.Figure:
    """Median and 90% band per arm for every panel (``bands_of(column)``: see
    ``ensemble.bands``)."""
    fig = _grid()
    if state is None:
        return fig
    for i, (column, _, _) in enumerate(PANELS):
        row, col = i // COLS + 1, i % COLS + 1
        for arm, band in bands_of(column).items():
            dates = pd.to_datetime(band["date"])
            first = i == 0
            group = f"{arm}"
            name = ARM_NAMES.get(arm, arm)
            fig.add_trace(go.Scatter(x=dates, y=band["low"], line={"width": 0},
                                     showlegend=False, hoverinfo="skip", legendgroup=group),
                          row=row, col=col)  # fmt: skip
            fig.add_trace(
                go.Scatter(
                    x=dates, y=band["high"], fill="tonexty", line={"width": 0},
                    fillcolor=_rgba(arm, 0.2), legendgroup=group, showlegend=False,
                    name=f"{name}: 90% band",
                    hovertemplate=f"{name} 90%: %{{customdata:.3g}} to %{{y:.3g}}<extra></extra>",
                    customdata=band["low"],
                ),
                row=row, col=col,
            )  # fmt: skip
            fig.add_trace(
                go.Scatter(
                    x=dates, y=band["median"], line={"color": _rgba(arm, 1.0), "width": 2},
                    name=name, legendgroup=group, showlegend=first,
                    hovertemplate=f"%{{x|%b %Y}} {name} median: %{{y:.3g}}<extra></extra>",
                    meta={"column": column, "arm": arm},
                ),
                row=row, col=col,
            )  # fmt: skip
    return fig


def run_figure(frame: pd.DataFrame, horizon: int) -> go.Figure:
    """One run's outcomes (the single-run view)."""
    fig = _grid()
    if not len(frame):
        return fig
    dates = pd.to_datetime(frame["date"])
    for i, (column, _, _) in enumerate(PANELS):
        fig.add_trace(
            go.Scatter(x=dates, y=values_of(frame, column), mode="lines+markers",
                       marker={"size": 3}, line={"color": _rgba("run", 1.0)}, name=column,
                       showlegend=False,
                       hovertemplate=f"%{{x|%b %Y}} {column}: %{{y:.3g}}<extra></extra>"),
            row=i // COLS + 1, col=i % COLS + 1,
        )  # fmt: skip
    return fig


def _node_kind(model: Any, node: int) -> str:
    actor = model.actors[node]
    if actor.banned:
        return "banned"
    kind = actor.kind.name.lower()  # "lab", "hobbyist" or "malicious"
    if kind == "malicious":
        return "malicious, equipped" if actor.is_equipped else "malicious"
    return kind


NODE_COLOURS = {**KIND_COLOURS, "malicious, equipped": EQUIPPED, "banned": BANNED}


def network_figure(session: AppSession) -> go.Figure:
    """The graph at fixed positions (computed once per run): colour by kind and state. Large
    graphs show every lab and malicious actor and a sample of hobbyists."""
    layout, graph, model = session.layout, session.model.graph, session.model
    index = {int(v): i for i, v in enumerate(layout.nodes.tolist())}
    xs: list[float | None] = []
    ys: list[float | None] = []
    for u, v in graph.subgraph(index).edges:
        (x0, y0), (x1, y1) = layout.positions[index[u]], layout.positions[index[v]]
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                               line={"color": "rgba(150,150,150,0.35)", "width": 0.5}))  # fmt: skip
    kinds = [_node_kind(model, v) for v in index]
    for kind, colour in NODE_COLOURS.items():
        picked = [i for i, k in enumerate(kinds) if k == kind]
        if not picked:
            continue
        nodes = [int(layout.nodes[i]) for i in picked]
        fig.add_trace(go.Scatter(
            x=layout.positions[picked, 0], y=layout.positions[picked, 1], mode="markers",
            name=kind, marker={"color": colour, "size": 12 if kind == "lab" else 6},
            text=[f"actor {v} ({kind})" for v in nodes], hoverinfo="text",
        ))  # fmt: skip
    shown = len(layout.nodes)
    note = f"all {shown} actors" if shown == layout.total else f"{shown} of {layout.total} actors"
    fig.update_layout(
        title=f"Collaboration graph ({note})", height=520, template="plotly_white",
        xaxis={"visible": False}, yaxis={"visible": False}, uirevision="graph",
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, legend={"orientation": "h"},
    )  # fmt: skip
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


def lineage_figure(session: AppSession) -> go.Figure:
    table = lineage_table(session).sort_values("capability")
    fig = go.Figure()
    fig.add_trace(go.Bar(y=table["release"], x=table["derivatives"], orientation="h",
                         name="derivatives", marker_color="#9ecae1"))  # fmt: skip
    fig.add_trace(go.Bar(y=table["release"], x=table["stripped"], orientation="h",
                         name="stripped derivatives", marker_color=EQUIPPED))  # fmt: skip
    fig.update_layout(
        title="Lineage: derivatives of each base release", barmode="overlay",
        height=max(300, 22 * len(table) + 120), template="plotly_white", uirevision="lineage",
        xaxis_title="checkpoints descended from the base release",
        margin={"l": 10, "r": 10, "t": 50, "b": 40}, legend={"orientation": "h"},
    )  # fmt: skip
    return fig

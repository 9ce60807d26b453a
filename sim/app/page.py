"""The Solara page: controls in the sidebar, the run's pictures in the main area.

Started by ``python run.py app``. All state lives in an :class:`AppSession` per browser
session; this module only draws it and forwards clicks. Mesa's ``SolaraViz`` builds its
parameter widgets from fixed values, so a scenario picker could not update what they show;
this page keeps the same Step / ▶ / Reset controls but owns its widgets, so the values shown
are always the values the model uses.
"""

from __future__ import annotations

import time
from typing import Any

import solara

from sim.app import figures
from sim.app.controls import PARAMETERS, POLICIES, Control
from sim.app.session import AppSession, scenario_names
from sim.schema import ConfigError

PLAY_INTERVAL_S = 0.05


@solara.component
def ControlInput(control: Control, value: Any, on_value: Any) -> None:
    if control.kind == "bool":
        solara.Checkbox(label=control.label, value=bool(value), on_value=on_value)
        return
    # The label carries the value: what is shown is what the next Reset will use.
    if control.kind == "int":
        solara.SliderInt(
            f"{control.label}: {int(value):,}",
            value=int(value),
            min=int(control.low),
            max=int(control.high),
            step=int(control.step),
            on_value=on_value,
        )
    else:
        solara.SliderFloat(
            f"{control.label}: {float(value):g}",
            value=float(value),
            min=control.low,
            max=control.high,
            step=control.step,
            on_value=on_value,
        )


@solara.component
def Headline(h: dict[str, Any], horizon: int) -> None:
    cost = "-" if h["finetune_cost"] is None else f"${h['finetune_cost']:,.2f}"
    coverage = "-" if h["coverage"] is None else f"{h['coverage']:.1%}"
    policies = ", ".join(h["policies"]) or "none"
    with solara.Card(), solara.Column(gap="4px"):
        solara.Text(
            f"Month {h['month']} of {horizon}",
            style={"font-size": "1.3em", "font-weight": "bold"},
        )
        solara.Text(
            f"Incidents so far: {h['incidents']} · harm {h['harm']:,.1f} · malicious actors "
            f"equipped: {h['equipped']} · benign fine-tunes so far: {h['benign_finetunes']:,}"
        )
        solara.Text(
            f"Fine-tune cost of the best open checkpoint: {cost} · oversight coverage: "
            f"{coverage} · policies in force: {policies}"
        )


@solara.component
def Page() -> None:
    Dashboard(sidebar=True)


@solara.component
def Dashboard(sidebar: bool = True, scenario_name: str = "baseline") -> None:
    """The whole app. ``sidebar=False`` lays the controls out inline (tests render that)."""
    session = solara.use_memo(lambda: AppSession(scenario_name), [])
    tick, set_tick = solara.use_state(0)
    values, set_values = solara.use_state(dict(session.values))
    scenario, set_scenario = solara.use_state(session.scenario)
    playing = solara.use_reactive(False)
    error, set_error = solara.use_state("")

    def refresh() -> None:
        set_values(dict(session.values))
        set_tick(lambda t: t + 1)

    def on_scenario(name: str) -> None:
        playing.set(False)
        with session.lock:
            session.load(name)
        set_scenario(name)
        set_error("")
        refresh()

    def on_control(key: str, value: Any) -> None:
        session.set(key, value)
        set_values({**values, key: value})

    def on_reset() -> None:
        playing.set(False)
        try:
            with session.lock:
                session.reset()
            set_error("")
        except ConfigError as err:
            set_error(str(err))
        refresh()

    def on_step() -> None:
        with session.lock:
            session.step()
        set_tick(lambda t: t + 1)

    def play_loop() -> None:
        while playing.value and not session.finished:
            with session.lock:
                session.step()
            set_tick(lambda t: t + 1)
            time.sleep(PLAY_INTERVAL_S)
        playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    solara.Title("finetune-hazards")
    with solara.AppBar():
        solara.AppBarTitle("finetune-hazards: misuse and oversight as fine-tuning spreads")
    with solara.Sidebar() if sidebar else solara.Column():
        with solara.Card("Scenario"):
            solara.Select("Scenario", value=scenario, values=scenario_names(), on_value=on_scenario)
            solara.Text(session.base.description, style={"font-size": "0.8em"})
            with solara.Row():
                solara.Button("Reset", color="primary", on_click=on_reset)
                solara.Button(
                    "❚❚" if playing.value else "▶",
                    color="primary",
                    on_click=lambda: playing.set(not playing.value),
                    disabled=session.finished and not playing.value,
                )
                solara.Button(
                    "Step",
                    color="primary",
                    on_click=on_step,
                    disabled=playing.value or session.finished,
                )
            pending = session.pending()
            if pending:
                solara.Warning(f"{len(pending)} change(s) take effect on Reset", dense=True)
            if error:
                solara.Error(error)
        with solara.Card("Parameters"):
            for control in PARAMETERS:
                ControlInput(
                    control, values[control.key], lambda v, k=control.key: on_control(k, v)
                )
        with solara.Card("Policies"):
            for toggle, strength in POLICIES:
                ControlInput(toggle, values[toggle.key], lambda v, k=toggle.key: on_control(k, v))
                if values[toggle.key]:
                    ControlInput(
                        strength, values[strength.key], lambda v, k=strength.key: on_control(k, v)
                    )
        with solara.Card("Export"):
            solara.FileDownload(
                session.csv, filename="timeseries.csv", label="Download time series (CSV)"
            )
            solara.FileDownload(
                session.config_yaml, filename="config.yaml", label="Download config (YAML)"
            )

    # One consistent snapshot: the Play thread may be stepping the model meanwhile.
    plot = solara.use_memo(lambda: figures.SeriesPlot(session.config.steps), [id(session.model)])

    def snapshot() -> tuple[Any, ...]:
        with session.lock:
            frame = session.timeseries()
            return (
                session.headline(),
                session.config.steps,
                plot.update(frame),
                figures.network_figure(session),
                figures.lineage_figure(session),
            )

    headline, horizon, series, graph, lineage = solara.use_memo(snapshot, [tick, id(session.model)])
    Headline(headline, horizon)
    solara.FigureMatplotlib(series, dependencies=[tick, id(session.model)], format="png", dpi=80)
    with solara.Columns([1, 1]):
        solara.FigureMatplotlib(graph, dependencies=[tick, id(session.model)], format="png", dpi=80)
        solara.FigureMatplotlib(
            lineage, dependencies=[tick, id(session.model)], format="png", dpi=80
        )

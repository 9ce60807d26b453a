"""The Solara page: settings in the sidebar (and in the URL), two views in the main area.

Started by ``python run.py app``. The URL's query string is the page's state
(``sim.app.settings``): every control writes it and the page reads it, so a link restores
what its sender saw and two tabs keep their own settings. The **ensemble** view runs the
replications of the base scenario (and of the bundle, if policies are chosen) in the
background and draws the median and 90% band of each outcome as runs finish, with
``compare``'s table of paired differences; the **single run** view steps one replication to
watch the graph and the lineage evolve. A session's background runs stop when its settings
change or its tab closes.
"""

from __future__ import annotations

import html
import time
from typing import Any

import plotly.graph_objects as go
import solara

from sim.app import ensemble, figures
from sim.app.controls import GROUPS, POLICIES, Control
from sim.app.session import AppSession
from sim.app.settings import MAX_REPLICATIONS, Settings, config_yaml, scenario_names
from sim.experiments.headline import fmt, number

PLAY_INTERVAL_S = 0.05
SEED = Control("seed", "Root seed", "int")
TABLE_NAMES = {
    "total_misuse_incidents": "AI-enabled incidents",
    "total_severe_incidents": "severe incidents",
    "total_harm_incl_baseline": "total harm (AI + baseline route)",
    "total_benign_finetunes": "benign fine-tunes",
    "total_benefit": "benign value",
    "mean_oversight_coverage": "oversight coverage (mean)",
}


@solara.component
def LivePlotly(fig: go.Figure) -> Any:
    """A Plotly chart whose traces are updated in place: the user's zoom and legend choices
    survive updates (``uirevision``), and no hover races a replaced trace."""
    element = go.FigureWidget.element()  # type: ignore[attr-defined]

    def update() -> None:
        widget = solara.get_widget(element)
        if len(widget.data) != len(fig.data):
            widget.data = ()
            widget.add_traces(list(fig.data))
        else:
            with widget.batch_update():
                for old, new in zip(widget.data, fig.data, strict=True):
                    data = new.to_plotly_json()
                    data.pop("type", None)
                    data.pop("uid", None)
                    old.update(data, overwrite=True)
        widget.layout = fig.layout

    solara.use_effect(update, [fig])
    return element


@solara.component
def ControlInput(control: Control, value: Any, on_value: Any) -> None:
    """A control with its unit in the label and its meaning and source on hover.

    A slider snaps a value that is off its grid (e.g. from a link) and reports the snapped
    value as if the person had moved it; that echo is ignored, so a link shows and runs
    exactly the values it holds."""

    def moved(new: Any) -> None:
        if control.kind in ("int", "float") and new != value and new == control.snap(value):
            return
        on_value(new)

    with solara.Tooltip(control.help), solara.Column(gap="0px"):
        if control.kind == "bool":
            solara.Checkbox(label=control.label, value=bool(value), on_value=on_value)
        elif control.kind == "int":
            solara.SliderInt(control.label_with(value), value=int(value), min=int(control.low),
                             max=int(control.high), step=int(control.step),
                             on_value=moved)  # fmt: skip
        else:
            solara.SliderFloat(
                control.label_with(value), value=control.to_slider(value), min=control.low,
                max=control.high, step=control.step,
                on_value=lambda v: moved(control.from_slider(v)),
            )  # fmt: skip


@solara.component
def Sidebar(settings: Settings, push: Any) -> None:
    def set_key(key: str, value: Any) -> None:
        push(settings.with_value(key, value))

    with solara.Card("Scenario"):
        solara.Select("Scenario", value=settings.scenario, values=scenario_names(),
                      on_value=lambda name: push(settings.with_scenario(name)))  # fmt: skip
        solara.Text(settings.scenario_config().description, style={"font-size": "0.8em"})
        base = settings.base_config()
        with solara.Row():
            with solara.Tooltip(SEED.help), solara.Column(gap="0px"):
                solara.InputInt(
                    "Root seed", value=base.seed,
                    on_value=lambda v: push(settings.with_run(seed=max(0, int(v)))),
                )  # fmt: skip
            solara.InputInt(
                "Replications", value=settings.replications,
                on_value=lambda v: push(settings.with_run(
                    replications=min(MAX_REPLICATIONS, max(2, int(v))))),
            )  # fmt: skip
        for error in settings.errors:
            solara.Warning(f"Ignored from the link: {error}", dense=True)
    for title, controls in GROUPS:
        with solara.Card(title):
            for control in controls:
                ControlInput(control, settings.value(control.key),
                             lambda v, k=control.key: set_key(k, v))  # fmt: skip
    with solara.Card("Policy bundle (compared with the scenario)"):
        for toggle, more in POLICIES:
            on = bool(settings.value(toggle.key))
            ControlInput(toggle, on, lambda v, k=toggle.key: set_key(k, v))
            if on:
                for control in more:
                    ControlInput(control, settings.value(control.key),
                                 lambda v, k=control.key: set_key(k, v))  # fmt: skip


@solara.component
def DifferenceTable(state: ensemble.Ensemble) -> None:
    """``compare``'s numbers: mean [95% CI] per arm and the paired difference."""
    table = ensemble.paired_table(state)
    n = len(state.complete())
    rows = []

    def cell(row: Any, prefix: str = "") -> str:
        mean, low, high = (number(row[f"{prefix}{k}"]) for k in ("mean", "ci_low", "ci_high"))
        if mean is None:
            return "-"
        return fmt(mean) + ("" if low is None else f" [{fmt(low)}, {fmt(high)}]")

    for outcome, group in table.groupby("outcome", sort=False):
        base, bundle = group.iloc[0], group.iloc[1]
        cells = (TABLE_NAMES.get(str(outcome), str(outcome)), cell(base), cell(bundle),
                 cell(bundle, "diff_"))  # fmt: skip
        rows.append(f'<tr data-outcome="{outcome}">'
                    + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")  # fmt: skip
    head = "".join(f"<th>{h}</th>" for h in ("outcome", "base scenario", "with the bundle",
                                             "difference (bundle − base) [95% CI]"))  # fmt: skip
    solara.Text(f"Paired differences over {n} common seeds: mean [95% CI], the numbers "
                "'python run.py compare' prints for the exported scenarios",
                style={"font-weight": "bold"})  # fmt: skip
    solara.HTML(tag="table", classes=["difference-table"],
                unsafe_innerHTML=f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>",
                style={"border-collapse": "collapse", "margin": "8px 0"})  # fmt: skip


@solara.component
def EnsembleView(settings: Settings) -> None:
    key = settings.query()
    closed = solara.kernel_closed_event()
    arms = solara.use_memo(settings.arms, [key])
    seeds = solara.use_memo(settings.seeds, [key])

    current = solara.use_memo(lambda: ensemble.EnsembleRun(arms, seeds), [key])
    # A new setting or the tab closing (the page unmounts) drops the runs still queued,
    # whether or not the task is still iterating.
    solara.use_effect(lambda: current.cancel, [current])

    def run():  # a generator: each snapshot re-renders the page
        def stop() -> bool:
            return closed.is_set() or not task.is_current()

        for state in current.snapshots(stop):
            yield key, state

    task = solara.lab.use_task(run, dependencies=[key])  # type: ignore[arg-type]
    latest = task.latest if task.latest is not None and task.latest[0] == key else None
    state: ensemble.Ensemble | None = latest[1] if latest else None
    done = 0 if state is None else state.done
    total = len(arms) * len(seeds)
    figure = solara.use_memo(
        lambda: figures.ensemble_figure(state, lambda c: ensemble.bands(state, c)),
        [key, done],
    )
    with solara.Row(style={"align-items": "center"}):
        finished = state is not None and state.finished
        solara.Text(
            f"{done} of {total} runs done"
            + (" (base scenario and bundle on common seeds)" if len(arms) > 1 else "")
            + ("" if finished else " — running in the background"),
            classes=["ensemble-progress"],
        )
    solara.ProgressLinear(value=100.0 * done / total if total else 0, classes=["ensemble-bar"])
    if len(arms) == 1:
        solara.Info("Switch on policies under 'Policy bundle' to compare them with the "
                    "scenario on the same seeds.", dense=True)  # fmt: skip
    LivePlotly(figure)
    if state is not None and len(arms) > 1 and state.complete():
        DifferenceTable(state)
    if state is not None:
        solara.FileDownload(lambda: ensemble.tidy_csv(state), filename="ensemble.csv",
                            label="Download the ensemble (CSV)")  # fmt: skip


@solara.component
def Headline(h: dict[str, Any], horizon: int) -> None:
    cost = "-" if h["finetune_cost"] is None else f"${h['finetune_cost']:,.2f}"
    coverage = "-" if h["coverage"] is None else f"{h['coverage']:.1%}"
    with solara.Card(), solara.Column(gap="4px"):
        solara.Text(f"Month {h['month']} of {horizon}",
                    style={"font-size": "1.3em", "font-weight": "bold"})  # fmt: skip
        solara.Text(
            f"AI-enabled incidents so far: {h['incidents']} · baseline-route: {h['baseline']} · "
            f"total harm {h['harm']:,.1f} · malicious actors equipped: {h['equipped']} · benign "
            f"fine-tunes so far: {h['benign_finetunes']:,}"
        )
        policies = ", ".join(h["policies"]) or "none"
        solara.Text(f"Fine-tune cost of the best open checkpoint: {cost} · oversight coverage: "
                    f"{coverage} · policies in force: {policies}")  # fmt: skip


@solara.component
def SingleRunView(settings: Settings) -> None:
    key = settings.query()
    config = solara.use_memo(lambda: settings.bundle_config() or settings.base_config(), [key])
    session = solara.use_memo(lambda: AppSession(config), [key])
    tick, set_tick = solara.use_state(0)
    playing = solara.use_reactive(False)
    closed = solara.kernel_closed_event()

    def on_reset() -> None:
        playing.set(False)
        with session.lock:
            session.reset()
        set_tick(lambda t: t + 1)

    def on_step() -> None:
        session.step()
        set_tick(lambda t: t + 1)

    def play_loop() -> None:
        while playing.value and not session.finished and not closed.is_set():
            session.step()
            set_tick(lambda t: t + 1)
            time.sleep(PLAY_INTERVAL_S)
        playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value, key], prefer_threaded=True)
    with solara.Row():
        solara.Button("Reset", color="primary", on_click=on_reset)
        solara.Button("❚❚" if playing.value else "▶", color="primary",
                      on_click=lambda: playing.set(not playing.value),
                      disabled=session.finished and not playing.value)  # fmt: skip
        solara.Button("Step", color="primary", on_click=on_step,
                      disabled=playing.value or session.finished)  # fmt: skip
        solara.Text(f"replication 0 of {'the bundle' if settings.has_bundle else 'the scenario'}"
                    f" (seed {session.seed})")  # fmt: skip

    def snapshot() -> tuple[Any, ...]:
        with session.lock:
            return (
                session.headline(),
                figures.run_figure(session.timeseries(), session.config.steps),
                figures.network_figure(session),
                figures.lineage_figure(session),
            )

    headline, series, graph, lineage = solara.use_memo(snapshot, [tick, id(session.model)])
    Headline(headline, session.config.steps)
    with solara.Columns([1, 1]):
        LivePlotly(graph)
        LivePlotly(lineage)
    LivePlotly(series)


@solara.component
def Export(settings: Settings) -> None:
    arms = settings.arms()
    with solara.Card("Export"):
        for arm, config in arms.items():
            solara.FileDownload(config_yaml(config), filename=f"{config.name}.yaml",
                                label=f"Download {arm} scenario (YAML)").key(arm)  # fmt: skip
        names = " ".join(f"{c.name}.yaml" for c in arms.values())
        solara.Text(
            "The ensemble's CSV is under the chart. The same numbers on the command line: "
            f"python run.py compare {names} --replications {settings.replications}",
            style={"font-size": "0.8em"},
        )


@solara.component
def Page() -> None:
    router = solara.use_router()
    settings = Settings.from_query(router.search)

    def push(new: Settings) -> None:
        query = new.query()
        router.push(f"{router.path}?{query}" if query else router.path)

    solara.Title("finetune-hazards")
    with solara.AppBar():
        solara.AppBarTitle("finetune-hazards: misuse and oversight as fine-tuning spreads")
    with solara.Sidebar():
        Sidebar(settings, push)
        Export(settings)
    with solara.Column(style={"padding": "0 16px"}), solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Ensemble"):
            EnsembleView(settings)
        with solara.lab.Tab("Single run"):
            SingleRunView(settings)


ensemble.pool()  # the server's workers start (and load the model) before the first page

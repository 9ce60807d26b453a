"""The app in a real browser: headless Debian Chromium driven by Playwright.

The server is started the way a user starts it (``python run.py app``) on a free port, its
output in a file the tests can read. The browser is Debian's Chromium (``make browser``
installs it); Playwright cannot download its own browsers here. Pages run a small world
(through the URL, as a user's link would) so ensembles finish in seconds.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.experiments.headline import fmt

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
FIRST_LOAD_S = 90
SMALL = "steps=24&population.hobbyists=300&population.labs=4&population.malicious=12"
BUNDLE = "policies.structured_access.enabled=true"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "app", "--port", str(port)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + FIRST_LOAD_S
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the app server did not start:\n{log.read_text()}")
            time.sleep(0.5)
        yield url, log
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: run 'make browser' (Debian chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.goto(url, timeout=FIRST_LOAD_S * 1000)
    pg.get_by_text("runs done").first.wait_for(timeout=FIRST_LOAD_S * 1000)
    return pg


@pytest.fixture
def opened(server, browser) -> Iterator[Any]:
    url, _ = server
    pages: list[Page] = []

    def make(query: str) -> Page:
        pg = open_page(browser, f"{url}?{query}")
        pages.append(pg)
        return pg

    yield make
    for pg in pages:
        pg.context.close()


def wait_done(pg: Page, total: int) -> None:
    expect(pg.get_by_text(f"{total} of {total} runs done", exact=False)).to_be_visible(
        timeout=180_000
    )


def chart(pg: Page) -> dict:
    return pg.evaluate(
        """() => { const gd = document.querySelector('.js-plotly-plot');
        return {names: gd.data.map(t => t.name), fills: gd.data.map(t => t.fill || null),
                n: gd.data.length, points: gd.data.length ? gd.data[2].y.length : 0,
                logAxes: Object.keys(gd._fullLayout).filter(
                    k => k.startsWith('yaxis') && gd._fullLayout[k].type === 'log').length}; }"""
    )


def download(pg: Page, label: str) -> Path:
    with pg.expect_download() as info:
        pg.get_by_role("button", name=label).click()
    return Path(info.value.path())


# --- the ensemble ------------------------------------------------------------------------------
def test_ensemble_bands_appear_and_the_progress_completes(opened):
    pg = opened(f"reps=6&{SMALL}")
    wait_done(pg, 6)
    pg.wait_for_function("() => document.querySelector('.js-plotly-plot').data.length > 0")
    info = chart(pg)
    assert info["n"] == 3 * 15  # per panel: the band's two edges and the median
    assert info["fills"].count("tonexty") == 15 and info["points"] == 24
    assert info["logAxes"] == 2  # the two costs
    assert pg.locator(".ensemble-bar").get_attribute("aria-valuenow") == "100"
    assert pg.console_errors == []


def test_bundle_against_the_base_matches_compare_on_the_same_seeds(opened, tmp_path):
    pg = opened(f"seed=9&reps=5&{SMALL}&{BUNDLE}")
    wait_done(pg, 10)
    table = pg.locator("table.difference-table")
    expect(table).to_be_visible(timeout=60_000)
    cells = {
        row.get_attribute("data-outcome"): [c.inner_text() for c in row.locator("td").all()]
        for row in table.locator("tbody tr").all()
    }
    files = [tmp_path / "base.yaml", tmp_path / "bundle.yaml"]
    files[0].write_text(download(pg, "Download base scenario (YAML)").read_text())
    files[1].write_text(download(pg, "Download bundle scenario (YAML)").read_text())
    done = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "compare", *map(str, files), "--replications",
         "5", "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"],
        capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (csv,) = (tmp_path / "out").glob("compare/*/comparison.csv")
    compare = pd.read_csv(csv)
    assert len(cells) == 6
    for outcome, (_, base, bundle, diff) in cells.items():
        rows = compare[compare["outcome"] == outcome]
        b, t = rows.iloc[0], rows.iloc[1]
        assert base == f"{fmt(b['mean'])} [{fmt(b['ci_low'])}, {fmt(b['ci_high'])}]"
        assert bundle.startswith(fmt(t["mean"]))
        assert diff == f"{fmt(t['diff_mean'])} [{fmt(t['diff_ci_low'])}, {fmt(t['diff_ci_high'])}]"
    assert pg.console_errors == []


def test_the_ensemble_csv_holds_every_run(opened):
    pg = opened(f"reps=3&{SMALL}&{BUNDLE}")
    wait_done(pg, 6)
    frame = pd.read_csv(download(pg, "Download the ensemble (CSV)"))
    assert sorted(frame["arm"].unique()) == ["base", "bundle"]
    assert len(frame) == 2 * 3 * 24


# --- the URL ------------------------------------------------------------------------------------
def test_the_url_holds_the_settings_and_a_link_restores_them(opened, server, browser):
    pg = opened(f"seed=5&reps=4&{SMALL}")
    expect(pg.get_by_text("Hobbyists: 300 actors")).to_be_visible()
    assert pg.get_by_label("Root seed").input_value() == "5"
    pg.get_by_text("Hub moderation", exact=True).click()
    pg.wait_for_url("**policies.hub_moderation.enabled=true**", timeout=30_000)
    link = pg.url
    assert "seed=5" in link and "population.hobbyists=300" in link
    other = open_page(browser, link)
    try:
        expect(other.get_by_role("checkbox", name="Hub moderation")).to_be_checked()
        expect(other.get_by_text("Hobbyists: 300 actors")).to_be_visible()
        assert other.get_by_label("Root seed").input_value() == "5"
        wait_done(other, 8)  # the bundle runs too
    finally:
        other.context.close()


def test_two_sessions_keep_their_own_settings_and_results(opened):
    a = opened(f"seed=1&reps=3&{SMALL}")
    b = opened(f"seed=2&reps=4&{SMALL}&{BUNDLE}")
    wait_done(a, 3)
    wait_done(b, 8)
    assert a.get_by_label("Root seed").input_value() == "1"
    assert b.get_by_label("Root seed").input_value() == "2"
    assert a.locator("table.difference-table").count() == 0
    expect(b.locator("table.difference-table")).to_be_visible()
    a_data = chart(a)
    assert chart(b)["n"] == 2 * a_data["n"]


def test_closing_a_tab_stops_its_background_runs(opened, server):
    _, log = server
    # 200 runs of 10,000 hobbyists: minutes of work on 2 cores, so the ensemble is surely
    # still running when the tab closes, even on a loaded machine
    pg = opened("reps=200&population.hobbyists=10000")
    pg.wait_for_function(
        "() => /[1-9][0-9]* of 200 runs done/.test(document.body.innerText)", timeout=120_000
    )
    expect(pg.get_by_text("running in the background")).to_be_visible()
    pg.close(run_before_unload=True)
    deadline = time.monotonic() + 30
    while "ensemble stopped" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.5)
    lines = [x for x in log.read_text().splitlines() if "ensemble stopped" in x]
    assert lines, log.read_text()[-2000:]
    assert "of 200 runs done" in lines[-1] and "queued runs cancelled" in lines[-1]


# --- controls, the single run -------------------------------------------------------------
def test_a_control_shows_its_meaning_and_source_on_hover(opened):
    pg = opened(f"reps=2&{SMALL}")
    pg.get_by_text("Re-uploads to the fringe hub: 0.3").hover()
    tip = pg.locator(".v-tooltip__content.menuable__content__active")
    expect(tip).to_contain_text("404 Media", timeout=10_000)
    expect(tip).to_contain_text("sharing.reupload_prob")


def test_the_single_run_view_steps_and_draws_the_graph_and_lineage(opened):
    pg = opened(f"reps=2&{SMALL}")
    pg.get_by_role("tab", name="Single run").click()
    expect(pg.get_by_text("Month 0 of 24")).to_be_visible(timeout=60_000)
    pg.get_by_role("button", name="Step", exact=True).click()
    expect(pg.get_by_text("Month 1 of 24")).to_be_visible(timeout=30_000)
    titles = pg.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".map(g => (g.layout.title && g.layout.title.text) || '')"
    )
    assert any("Collaboration graph" in t for t in titles)
    assert any("Lineage" in t for t in titles)
    assert pg.console_errors == []

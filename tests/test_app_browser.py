"""The app in a real browser: headless Debian Chromium driven by Playwright.

The server is started the way a user starts it (``python run.py app``) on a free port. The
browser is Debian's Chromium (``make browser`` installs it); Playwright cannot download its
own browsers here.
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

import pandas as pd
import pytest
import yaml

from sim.api import simulate
from sim.experiments.seeding import derive_seed
from sim.scenario import load_scenario

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "app", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
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
            output = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"the app server did not start:\n{output}")
        time.sleep(0.5)
    yield url
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


@pytest.fixture
def page(server: str, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.goto(server, timeout=FIRST_LOAD_S * 1000)
    step_button(pg).wait_for(timeout=FIRST_LOAD_S * 1000)
    expect(pg.get_by_text("Month 0 of 120")).to_be_visible(timeout=30_000)
    yield pg
    context.close()


def step_button(pg: Page):
    return pg.get_by_role("button", name="Step", exact=True)


def plot_sources(pg: Page) -> list[str]:
    return pg.locator("img").evaluate_all("els => els.map(e => e.src)")


def download(pg: Page, label: str) -> Path:
    with pg.expect_download() as info:
        pg.get_by_role("button", name=label).click()
    return Path(info.value.path())


def test_page_loads_with_controls_views_and_no_console_errors(page):
    for name in ("Reset", "▶", "Step"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.get_by_text("Hobbyists: 3,000")).to_be_visible()
    expect(page.get_by_text("Structured access", exact=True)).to_be_visible()
    assert len(plot_sources(page)) >= 3  # time series, graph, lineage
    assert page.console_errors == []


def test_step_advances_the_month_and_changes_the_plots(page):
    before = plot_sources(page)
    step_button(page).click()
    expect(page.get_by_text("Month 1 of 120")).to_be_visible(timeout=30_000)
    page.wait_for_function(
        "old => Array.from(document.images).some((e, i) => e.src !== old[i])",
        arg=before,
        timeout=30_000,
    )
    assert plot_sources(page) != before
    assert page.console_errors == []


def test_toggling_a_policy_and_reset_changes_the_model_configuration(page):
    page.get_by_text("Hub moderation", exact=True).click()
    expect(page.get_by_text("take effect on Reset")).to_be_visible()
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.get_by_text("policies in force: hub_moderation")).to_be_visible(timeout=30_000)
    config = yaml.safe_load(download(page, "Download config (YAML)").read_text())
    assert config["policies"]["hub_moderation"]["enabled"] is True


def test_scenario_picker_loads_another_scenario(page):
    page.locator(".v-select").first.click()
    page.get_by_role("option", name="tamper_resistance", exact=True).click()
    expect(page.get_by_text("policies in force: tamper_resistance")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Tamper-resistant safeguards on new releases")).to_be_visible()
    checkbox = page.get_by_role("checkbox", name="Tamper resistance")
    expect(checkbox).to_be_checked()
    config = yaml.safe_load(download(page, "Download config (YAML)").read_text())
    assert config["policies"]["tamper_resistance"]["enabled"] is True


def test_downloaded_csv_matches_the_model_run(page, tmp_path):
    for month in (1, 2, 3):
        step_button(page).click()
        expect(page.get_by_text(f"Month {month} of 120")).to_be_visible(timeout=30_000)
    frame = pd.read_csv(download(page, "Download time series (CSV)"))
    config_file = tmp_path / "config.yaml"
    config_file.write_text(download(page, "Download config (YAML)").read_text())

    assert frame["step"].tolist() == [1, 2, 3]
    config = load_scenario(config_file, flags={"steps": 3})
    seed = derive_seed(config.seed, 0)
    assert (frame["seed"] == seed).all()
    expected, _ = simulate(config, seed=seed)
    expected.to_csv(tmp_path / "expected.csv", index=False)
    pd.testing.assert_frame_equal(
        frame.drop(columns=["replication", "seed"]), pd.read_csv(tmp_path / "expected.csv")
    )

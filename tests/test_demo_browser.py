"""The workshop demo in a real browser: Playwright drives Debian's Chromium (it cannot download
its own here) against ``orgsim-demo`` on 127.0.0.1. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from demo_server import serving_demo

from sim.report.export import find_browser

pytestmark = [pytest.mark.slow, pytest.mark.skipif(find_browser() is None,
                                reason="no Chromium: apt-get install chromium")]
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def server():
    with serving_demo() as (_, url):
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_browser(), args=ARGS)
        yield b
        b.close()


class Session:
    """One browser context (one user) on the demo page."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.external.append(r.url) if not r.url.startswith(
            ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
        self.page.goto(url)
        self.page.wait_for_selector("table.orgsim-score", timeout=90000)
        self.page.wait_for_selector(".js-plotly-plot", timeout=90000)

    def week(self) -> int:
        text = self.page.locator("table.orgsim-score").inner_text()
        return int(re.search(r"week (\d+)", text).group(1))

    def wait_week(self, condition, timeout: float = 30) -> int:
        deadline = time.time() + timeout
        while time.time() < deadline:
            week = self.week()
            if condition(week):
                return week
            time.sleep(0.2)
        raise AssertionError(f"week stayed at {self.week()}")

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def points(self) -> list[int]:
        """Points in the first trace of each plotly chart (left charts, left network, …)."""
        return self.page.evaluate(
            "Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".map(p => (p.data && p.data[0] && p.data[0].x) ? p.data[0].x.length : 0)")

    def overflow(self) -> list[float]:
        """How far each plot is wider than its column (px); plotly's widget does not fit by
        itself (sim/demo/fit_plots.py)."""
        return self.page.evaluate(
            "Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => "
            "p._fullLayout.width - p.parentElement.getBoundingClientRect().width)")

    def fits(self, timeout: float = 10) -> bool:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(abs(o) <= 2 for o in self.overflow()):
                return True
            time.sleep(0.2)
        return False

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"demo_{name}.png"))

    def close(self) -> None:
        self.context.close()


def test_page_loads_offline_without_console_errors(server, browser):
    s = Session(browser, server)
    assert s.week() == 0
    assert s.page.locator(".js-plotly-plot").count() == 4  # charts and network, both sides
    assert s.fits(), s.overflow()
    assert "Running with" in s.page.locator(".orgsim-levers").inner_text()
    s.shot("loaded")
    s.page.locator("header button").first.click()  # fold the sidebar: the columns widen
    time.sleep(1.0)
    assert s.fits(), s.overflow()
    assert s.errors == [] and s.external == []
    s.close()


def test_slider_step_play_reset_and_follow_one_job(server, browser):
    s = Session(browser, server)
    start = s.points()
    # move a lever (call targets) with the keyboard, then reset so the run uses it
    slider = s.page.get_by_text("Call targets: weight of calls in the KPI").locator(
        "xpath=ancestor::div[contains(@class,'v-input')][1]").locator("[role=slider]")
    slider.focus()
    for _ in range(4):
        slider.press("ArrowLeft")
    s.button("Reset").click()
    s.button("Step").click()
    s.wait_week(lambda w: w == 1)
    s.button("▶").click()
    s.wait_week(lambda w: w >= 4)
    s.button("❚❚").click()
    time.sleep(1.0)
    after = s.points()
    left_charts, right_charts = after[0], after[2]
    assert left_charts > start[0] and right_charts > start[2]  # both sides moved on
    s.shot("played")
    # follow one job: the first choice is a job found under both designs
    select = s.page.get_by_text("Follow one customer job").locator(
        "xpath=ancestor::div[contains(@class,'v-select')][1]")
    select.click()
    s.page.locator(".v-menu__content .v-list-item").first.click()
    s.page.wait_for_selector("table.orgsim-path[data-side=left] tr:nth-child(3)",
                             timeout=30000)
    for side in ("left", "right"):
        rows = s.page.locator(f"table.orgsim-path[data-side={side}] tr").count()
        assert rows >= 3, side  # header, arrival, and at least the discovery
    assert "discovered" in s.page.locator("table.orgsim-path[data-side=left]").inner_text()
    s.shot("follow_job")
    s.button("Reset").click()
    s.wait_week(lambda w: w == 0)
    assert s.points()[0] <= start[0] + 1  # back to the first state
    assert s.fits(), s.overflow()  # the new run's figures fit too
    assert s.errors == []
    s.close()


def test_two_browser_sessions_keep_their_own_runs(server, browser):
    a = Session(browser, server)
    for _ in range(3):
        a.button("Step").click()
        time.sleep(0.3)
    a.wait_week(lambda w: w == 3)
    b = Session(browser, server)
    assert b.week() == 0
    b.button("Step").click()
    b.wait_week(lambda w: w == 1)
    assert a.week() == 3
    a.close()
    b.close()

"""The workshop demo in a real browser: Playwright drives Debian's Chromium (it cannot download
its own here) against ``orgsim-demo`` on 127.0.0.1. One short test per facilitator feature; none
is timed (the load figures are benchmarks/demo_bench.py and demo_sessions_bench.py).
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from demo_server import serving_demo

from sim.report.export import find_browser

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_browser() is None,
                                 reason="no Chromium: apt-get install chromium")]
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
LOAD = 120_000  # ms: generous, correctness not speed is tested here


@pytest.fixture(scope="module")
def server():
    with serving_demo() as demo:
        yield demo


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_browser(), args=ARGS)
        yield b
        b.close()


class Session:
    """One browser context (one participant) on the demo page."""

    def __init__(self, browser, url: str, width: int = 1500, height: int = 1000,
                 query: str = ""):
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.external.append(r.url) if not r.url.startswith(
            ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
        self.page.goto(url + query)
        self.page.wait_for_selector("table.orgsim-score", timeout=LOAD)
        self.page.wait_for_selector(".orgsim-stage svg.market circle", timeout=LOAD)

    def week(self) -> int:
        text = self.page.locator("table.orgsim-score").inner_text()
        return int(re.search(r"week (\d+)", text).group(1))

    def wait_week(self, condition, timeout: float = 60) -> int:
        deadline = time.time() + timeout
        while time.time() < deadline:
            week = self.week()
            if condition(week):
                return week
            time.sleep(0.1)
        raise AssertionError(f"week stayed at {self.week()}")

    def wait_for(self, script: str, arg=None, timeout: float = 60):
        return self.page.wait_for_function(script, arg=arg, timeout=timeout * 1000)

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def run(self) -> dict:
        """The payload the stage draws (what the server computed for this view)."""
        return self.page.evaluate(
            "() => JSON.parse(document.querySelector('.orgsim-stage')._run || 'null')") or {}

    def shot(self, name: str, locator=None) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"demo_{name}.png"
        (locator or self.page).screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()


def test_address_is_printed_only_once_the_server_answers(server):
    assert server.answered_at_once


def test_page_loads_offline_without_console_errors_and_shows_slider_values(server, browser):
    s = Session(browser, server.url)
    assert s.week() == 0
    assert s.page.locator(".orgsim-stage .side").count() == 2
    sidebar = s.page.locator(".v-navigation-drawer").inner_text()
    assert "Call targets: weight of calls in the KPI: 0.6" in sidebar
    assert "Micro-enterprise team size: 8" in sidebar
    s.shot("loaded")
    assert s.errors == [] and s.external == []
    s.close()


def test_terminal_shows_only_orgsim_lines(server, browser):
    Session(browser, server.url).close()  # a page load is when Solara warned about cookies
    time.sleep(0.5)
    assert [line for line in server.lines if line.strip()] == [
        f"orgsim demo: {server.url}  (Ctrl+C to stop)\n"]


def test_step_play_pause_reset_by_buttons_and_keyboard(server, browser):
    s = Session(browser, server.url)
    s.button("Step").click()
    s.wait_week(lambda w: w == 1)
    s.page.keyboard.press("ArrowRight")
    s.wait_week(lambda w: w == 2)
    s.page.keyboard.press(" ")  # play
    s.wait_week(lambda w: w >= 6)
    assert s.button("❚❚").is_visible()
    s.page.keyboard.press(" ")  # pause
    s.button("▶").wait_for()
    paused = s.week()
    time.sleep(0.5)
    assert s.week() == paused
    s.button("▶").click()
    s.wait_week(lambda w: w >= paused + 3)
    s.button("❚❚").click()
    s.page.keyboard.press("r")
    s.wait_week(lambda w: w == 0)
    s.button("Step").click()
    s.wait_week(lambda w: w == 1)
    s.button("Reset").click()
    s.wait_week(lambda w: w == 0)
    assert s.errors == []
    s.close()


def test_a_lever_applies_at_once_restarts_both_sides_and_says_what_changed(server, browser):
    s = Session(browser, server.url)
    for _ in range(5):
        s.button("Step").click()
    s.wait_week(lambda w: w == 5)
    slider = s.page.get_by_text("Call targets: weight of calls in the KPI").locator(
        "xpath=ancestor::div[contains(@class,'v-input')][1]").locator("[role=slider]")
    slider.focus()
    for _ in range(4):
        slider.press("ArrowLeft")
    note = s.page.locator(".orgsim-note")
    s.wait_for("() => document.querySelector('.orgsim-note').innerText.includes('0.4')")
    text = note.inner_text()
    # each key press is a change; the note names the last one, ending at 0.4
    assert re.match(r"Changed: Call targets: weight of calls in the KPI 0\.\d+ → 0\.4\. ",
                    text), text
    assert "Both sides restarted at week 0 on seed 0" in text
    s.wait_week(lambda w: w == 0)
    assert "Call targets: weight of calls in the KPI: 0.4" in s.page.locator(
        ".v-navigation-drawer").inner_text()
    s.wait_for("() => location.search.includes('call_target_share=0.4')")
    s.close()


def test_presenter_mode_fits_1280x720_in_large_type(server, browser):
    s = Session(browser, server.url, 1280, 720)
    for _ in range(40):
        s.page.keyboard.press("ArrowRight")
    s.wait_week(lambda w: w == 40)
    s.page.keyboard.press("p")
    s.page.wait_for_selector(".orgsim-stage.presenter")
    s.page.wait_for_selector(".v-navigation-drawer", state="detached", timeout=60_000)
    layout = s.page.evaluate("""() => {
        const box = (q) => document.querySelector(q).getBoundingClientRect();
        return {width: document.documentElement.scrollWidth, view: innerWidth,
                left: box('.side[data-side=left]'), right: box('.side[data-side=right]'),
                score: box('.orgsim-score'),
                font: parseFloat(getComputedStyle(document.querySelector('.orgsim-stage'))
                                 .fontSize)}; }""")
    assert layout["width"] <= layout["view"]  # nothing sticks out sideways
    left, score, right = layout["left"], layout["score"], layout["right"]
    assert left["right"] <= score["left"] and score["right"] <= right["left"]  # side|score|side
    assert layout["font"] >= 18
    assert s.page.locator(".orgsim-stage .job").is_hidden()
    assert "presenter=1" in s.page.url
    path = s.shot("presenter")
    assert path.stat().st_size > 20_000
    s.page.keyboard.press("p")  # and back
    s.page.wait_for_selector(".v-navigation-drawer", timeout=60_000)
    s.close()


def test_market_view_colours_accounts_by_stage_and_draws_who_met_them(server, browser):
    s = Session(browser, server.url, query="?week=30")
    s.wait_week(lambda w: w == 30)
    run = s.run()
    for i, side in enumerate(("left", "right")):
        market = s.page.locator(f".side[data-side={side}] svg.market")
        accounts = market.locator("circle.account")
        assert accounts.count() == len(run["sides"][i]["accounts"])
        stages = run["sides"][i]["stages"][30]
        classes = [accounts.nth(a).get_attribute("class") for a in range(accounts.count())]
        assert classes == [f"account stage-{run['stages'][k]}" for k in stages]
        # one line per (person, account) pair that met in the last contact window
        window = int(run["window"])
        pairs = set()
        for week in range(30 - window + 1, 31):
            flat = run["sides"][i]["touches"][week]
            pairs |= set(zip(flat[::2], flat[1::2], strict=True))
        assert market.locator("g.lines line").count() == len(pairs)
    before = s.page.locator(".side[data-side=left] g.lines").inner_html()
    s.page.keyboard.press("ArrowRight")
    s.wait_week(lambda w: w == 31)
    assert s.page.locator(".side[data-side=left] g.lines").inner_html() != before  # it moves
    s.shot("market", s.page.locator(".orgsim-stage .grid"))
    s.close()


def test_moments_are_marked_in_the_week_they_happen(server, browser):
    s = Session(browser, server.url)
    run = s.run()
    adoptions = [m for m in run["sides"][0]["moments"] if m[1] == "adopt"]
    assert adoptions, "no account adopts in the default run"
    week, _, text, account = adoptions[0]
    s.close()
    s = Session(browser, server.url, query=f"?week={int(week)}")
    s.wait_week(lambda w: w == int(week))
    left = s.page.locator(".side[data-side=left]")
    assert any(text in t for t in left.locator("ul.moments li.now").all_inner_texts())
    assert left.locator("svg.market circle.flash-adopt").count() >= 1  # a ring, fading later
    assert left.locator("svg.charts text.moment-adopt").count() >= 1
    s.page.keyboard.press("ArrowLeft")  # the week before: the adoption is not there yet
    s.wait_week(lambda w: w == int(week) - 1)
    assert not any(text in t for t in left.locator("ul.moments").all_inner_texts())
    s.close()


def test_link_reproduces_the_view(server, browser):
    query = "?scenario=workshop&left=matrix&right=micro_enterprise&seed=3&team_size=11&week=25"
    s = Session(browser, server.url, query=query)
    s.wait_week(lambda w: w == 25)
    assert s.page.locator(".side[data-side=left] h3").inner_text().lower() == "matrix"
    sidebar = s.page.locator(".v-navigation-drawer").inner_text()
    assert "Micro-enterprise team size: 11" in sidebar
    assert "Seed (same market on both sides): 3" in sidebar
    score = s.page.locator("table.orgsim-score").inner_text()
    link = s.page.locator("a.orgsim-link").get_attribute("href")
    assert "seed=3" in link and "team_size=11" in link and link.endswith("week=25")
    s.close()
    again = Session(browser, server.url, query=link)  # the page's own link: the same view
    again.wait_week(lambda w: w == 25)
    assert again.page.locator("table.orgsim-score").inner_text() == score
    bad = Session(browser, server.url, query="?seed=abc&week=3")
    bad.wait_week(lambda w: w == 3)
    assert "Ignored in the link: seed='abc'" in bad.page.locator(".orgsim-note").inner_text()
    again.close()
    bad.close()


def test_download_this_view_as_png(server, browser):
    s = Session(browser, server.url, query="?week=12")
    s.wait_week(lambda w: w == 12)
    with s.page.expect_download() as info:
        s.button("Download PNG").click()
    download = info.value
    assert download.suggested_filename == "orgsim_week12.png"
    path = ARTIFACTS / "demo_download.png"
    ARTIFACTS.mkdir(exist_ok=True)
    download.save_as(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    s.close()


def test_phone_layout_stacks_the_sides_without_sideways_scrolling(server, browser):
    s = Session(browser, server.url, 390, 844)
    layout = s.page.evaluate("""() => {
        const box = (q) => document.querySelector(q).getBoundingClientRect();
        return {width: document.documentElement.scrollWidth, view: innerWidth,
                left: box('.side[data-side=left]'), right: box('.side[data-side=right]'),
                score: box('.orgsim-score')}; }""")
    assert layout["width"] <= layout["view"]
    assert layout["score"]["bottom"] <= layout["left"]["top"] + 1
    assert layout["left"]["bottom"] <= layout["right"]["top"] + 1
    s.button("Step").click()
    s.wait_week(lambda w: w == 1)
    s.shot("phone")
    s.close()


def test_follow_one_job_shows_its_path_up_to_the_week(server, browser):
    s = Session(browser, server.url, query="?week=40")
    s.wait_week(lambda w: w == 40)
    select = s.page.get_by_text("Follow one customer job").locator(
        "xpath=ancestor::div[contains(@class,'v-select')][1]")
    select.click()
    s.page.locator(".v-menu__content .v-list-item").first.click()
    s.page.wait_for_selector("table.orgsim-path[data-side=left] tr:nth-child(3)",
                             timeout=60_000)
    rows = {side: s.page.locator(f"table.orgsim-path[data-side={side}] tr").count()
            for side in ("left", "right")}
    assert min(rows.values()) >= 3  # header, arrival, and at least the discovery
    assert "discovered" in s.page.locator("table.orgsim-path[data-side=left]").inner_text()
    s.button("Reset").click()  # back to week 0: the job has not arrived yet
    s.wait_week(lambda w: w == 0)
    assert s.page.locator("table.orgsim-path[data-side=left] tr").count() <= 2
    s.close()


def test_two_browser_sessions_keep_their_own_runs_and_levers(server, browser):
    a = Session(browser, server.url, query="?team_size=12")
    for _ in range(3):
        a.button("Step").click()
    a.wait_week(lambda w: w == 3)
    b = Session(browser, server.url)
    assert b.week() == 0
    assert "Micro-enterprise team size: 8" in b.page.locator(".v-navigation-drawer").inner_text()
    b.button("Step").click()
    b.wait_week(lambda w: w == 1)
    assert a.week() == 3
    assert "Micro-enterprise team size: 12" in a.page.locator(
        ".v-navigation-drawer").inner_text()
    a.close()
    b.close()

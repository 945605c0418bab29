"""Workshop demo speed, against the targets of issue 19.

    python benchmarks/demo_bench.py [--steps 60] [--sessions 3] [--no-browser]

Measurements (workshop scenario, traditional vs micro-enterprise, default levers):

1. *run computed whole*: :func:`sim.demo.replay.compute` — both sides to the horizon, recorded
   week by week (what Reset or a lever change costs, once per settings across all sessions),
   and the size of what is sent to the browser.
2. *start-up*: ``orgsim-demo`` launched → its address printed, and whether that address
   answered at once (it should: the address is printed only once the server answers).
3. *time to interactive*: a new browser session (its own context, as a new participant) from
   opening the address until the scoreboard, both market views and the Step button are there;
   the first session and each later one (target ≤ 3 s first, ≤ 2 s later).
4. *Step round trip*: click Step → the scoreboard and both sides show the new week (target
   ≤ 100 ms median).
5. *play*: weeks shown per second while playing (the page plays ten a second).
6. *lever change*: the seed slider moved one notch → both sides restarted and drawn, for a
   run not computed yet (the server computes it) and for one in the cache (another session or
   an earlier view asked for it).

A Step, Play and Reset are drawn in the browser from the run it already holds; the week then
goes to Python in the background. Mesa's SolaraViz stepped the model in Python and redrew four
plotly figures instead (the "before" figures in the closing note of issue 19).

Writes benchmarks/results/demo.md. All figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

OUT = Path(__file__).parent / "results"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
READY = """() => document.querySelector('table.orgsim-score')
    && document.querySelectorAll('.orgsim-stage svg.market circle').length > 0
    && [...document.querySelectorAll('button')].some(b => b.innerText === 'Step')"""
AT_WEEK = """week => document.querySelector('.orgsim-stage').dataset.week === String(week)
    && document.querySelector('table.orgsim-score').innerText.includes('week ' + week)"""


def summary(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered):.0f} · p95 {p95:.0f} · worst {ordered[-1]:.0f}"


def in_process() -> list[tuple[str, str]]:
    from sim.demo.replay import Settings, compute

    compute(Settings(seed=1))  # imports and the composed configuration, once
    times = []
    for seed in (2, 3, 4):
        t = time.perf_counter()
        replay = compute(Settings(seed=seed))
        times.append(time.perf_counter() - t)
    return [("run computed whole (both sides, 156 weeks)",
             f"median {statistics.median(times):.2f} s of {len(times)}"),
            ("sent to each browser per run", f"{len(replay.json) / 1e3:.0f} kB JSON")]


def in_browser(steps: int, sessions: int) -> list[tuple[str, str]]:
    from demo_server import serving_demo
    from playwright.sync_api import sync_playwright

    from sim.report.export import find_browser

    rows = []
    started = time.perf_counter()
    with serving_demo() as demo, sync_playwright() as p:
        rows.append(("start-up: launch → address printed",
                     f"{time.perf_counter() - started:.1f} s; answered at once: "
                     f"{'yes' if demo.answered_at_once else 'NO'}"))
        browser = p.chromium.launch(executable_path=find_browser(), args=ARGS)
        tti = []
        for _ in range(sessions):
            context = browser.new_context(viewport={"width": 1500, "height": 1000})
            page = context.new_page()
            t = time.perf_counter()
            page.goto(demo.url)
            page.wait_for_function(READY, timeout=300_000, polling="raf")
            tti.append(time.perf_counter() - t)
            last = (context, page)
            if len(tti) < sessions:
                context.close()
        rows.append(("time to interactive, first session", f"{tti[0]:.2f} s"))
        if len(tti) > 1:
            rows.append((f"time to interactive, later sessions ({len(tti) - 1})",
                         f"median {statistics.median(tti[1:]):.2f} s, worst {max(tti[1:]):.2f} s"))
        context, page = last
        step = page.get_by_role("button", name="Step", exact=True)
        ms = []
        for week in range(1, steps + 1):
            t = time.perf_counter()
            step.click()
            page.wait_for_function(AT_WEEK, arg=week, timeout=30_000, polling="raf")
            ms.append((time.perf_counter() - t) * 1000)
        rows.append((f"Step round trip, click → both sides redrawn ({steps} steps), ms",
                     summary(ms)))
        page.get_by_role("button", name="Reset", exact=True).click()
        page.wait_for_function(AT_WEEK, arg=0, timeout=30_000)
        page.get_by_role("button", name="▶", exact=True).click()
        t = time.perf_counter()
        time.sleep(3)
        shown = int(page.locator(".orgsim-stage").get_attribute("data-week"))
        rows.append(("play: weeks shown per second", f"{shown / (time.perf_counter() - t):.1f}"))
        page.get_by_role("button", name="❚❚", exact=True).click()
        seed = page.get_by_text("Seed (same market on both sides)").locator(
            "xpath=ancestor::div[contains(@class,'v-input')][1]").locator("[role=slider]")
        for label, keys in (("not computed yet", ["ArrowRight"] * 3),
                            ("in the cache", ["ArrowLeft"] * 2)):
            ms = []
            for key in keys:
                before = page.evaluate("() => document.querySelector('.orgsim-stage')._run")
                t = time.perf_counter()
                seed.press(key)
                page.wait_for_function(
                    "old => document.querySelector('.orgsim-stage')._run !== old",
                    arg=before, timeout=120_000, polling="raf")
                ms.append((time.perf_counter() - t) * 1000)
            rows.append((f"lever change → both sides restarted and drawn, run {label}, ms",
                         summary(ms)))
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    rows = in_process()
    if not args.no_browser:
        rows += in_browser(args.steps, args.sessions)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    text = ("Workshop scenario, traditional vs micro_enterprise, default levers. "
            f"Load average at the end: {' '.join(load)}.\n\n| measure | figure |\n|---|---|\n"
            + "".join(f"| {name} | {figure} |\n" for name, figure in rows))
    OUT.mkdir(exist_ok=True)
    (OUT / "demo.md").write_text(text)
    (OUT / "demo.json").write_text(json.dumps(dict(rows), indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()

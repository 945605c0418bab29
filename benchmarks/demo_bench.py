"""Workshop demo speed: one step of both sides together, including redraw, against the 100 ms
budget that makes play look smooth.

    python benchmarks/demo_bench.py [--steps 60] [--no-browser]

Three measurements, each over the first ``--steps`` weeks of the workshop scenario (20
accounts, 40 people) with the default levers, traditional vs micro-enterprise:

1. *model*: ``SideBySide.step()`` alone (both sides).
2. *model + views*: the step plus everything the page computes from it — scoreboard, shared chart
   limits, the in-place update of both sides' charts and networks (figures are drawn whole once
   per run), the job list and the followed job's path.
3. *browser round trip*: ``orgsim-demo`` on 127.0.0.1 driven by headless Chromium; the time
   from clicking Step until the week on the scoreboard has moved on and both sides' charts hold
   the new week's point — the step, Solara's re-render, the websocket and plotly's redraw.

Writes benchmarks/results/demo.md. Figures are per step: median, 95th percentile, worst.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

OUT = Path(__file__).parent / "results"
BUDGET_MS = 100.0


def summary(ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(ms)
    return (statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))], ordered[-1])


def in_process(steps: int) -> tuple[list[float], list[float]]:
    import plotly.graph_objects as go

    from sim.demo.side_by_side import SideBySide
    from sim.demo.views import (
        chart_data,
        chart_limits,
        chart_ranges,
        charts,
        job_choices,
        job_path,
        levers_line,
        network,
        network_data,
        refresh,
        scoreboard_rows,
    )

    model_only, with_views = [], []
    for views in (False, True):
        model = SideBySide()
        sides, designs = model.sides, model.designs
        limits = chart_limits(list(sides.values()))
        figures = {side: (go.FigureWidget(charts(m, designs[side], limits)),
                          go.FigureWidget(network(m, designs[side])))
                   for side, m in sides.items()}  # drawn once per run, as on the page
        for _ in range(steps):
            t = time.perf_counter()
            model.step()
            if views:  # what the page computes after a step (sim/demo/views.py Dashboard)
                for m in sides.values():
                    scoreboard_rows(m)
                limits = chart_limits(list(sides.values()))
                levers_line(model)
                for side, m in sides.items():
                    chart_widget, network_widget = figures[side]
                    refresh(chart_widget, chart_data(m), chart_ranges(m, limits))
                    refresh(network_widget, network_data(m, designs[side]), {})
                choices = job_choices(sides)
                if choices:
                    job_id = int(choices[0].split(" · ")[0])
                    for m in sides.values():
                        job_path(m, job_id)
            (with_views if views else model_only).append((time.perf_counter() - t) * 1000)
    return model_only, with_views


CHARTS_AT = """week => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(p => p.layout && p.layout.xaxis3)
    .every(p => p.data && p.data[0] && p.data[0].x && p.data[0].x.length === week + 1)"""


def browser_round_trip(steps: int) -> list[float] | None:
    from sim.report.export import find_browser

    chromium = find_browser()
    if chromium is None:
        return None
    from playwright.sync_api import sync_playwright

    port = 8791
    server = subprocess.Popen([str(Path(sys.executable).parent / "orgsim-demo"), "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium,
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(url)
            page.wait_for_selector(".js-plotly-plot", timeout=90000)
            page.wait_for_function(CHARTS_AT, arg=0, timeout=30000)
            step = page.get_by_role("button", name="Step", exact=True)
            ms = []
            for week in range(1, steps + 1):
                t = time.perf_counter()
                step.click()
                page.wait_for_function(
                    "week => document.querySelector('table.orgsim-score').innerText"
                    ".includes('week ' + week)", arg=week, timeout=30000, polling="raf")
                page.wait_for_function(CHARTS_AT, arg=week, timeout=30000, polling="raf")
                ms.append((time.perf_counter() - t) * 1000)
            browser.close()
        return ms
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    rows = []
    model_only, with_views = in_process(args.steps)
    rows.append(("model: both sides step", model_only))
    rows.append(("model + views (scoreboard, charts, networks, job path)", with_views))
    if not args.no_browser:
        trip = browser_round_trip(args.steps)
        if trip is not None:
            rows.append(("browser round trip: click Step → both sides redrawn", trip))
    text = (f"Workshop scenario, traditional vs micro_enterprise, first {args.steps} weeks; "
            f"budget {BUDGET_MS:.0f} ms per step.\n\n"
            "| per step | median ms | p95 ms | worst ms | within budget |\n|---|---|---|---|---|\n")
    for name, ms in rows:
        med, p95, worst = summary(ms)
        text += (f"| {name} | {med:.1f} | {p95:.1f} | {worst:.1f} | "
                 f"{sum(m <= BUDGET_MS for m in ms) / len(ms):.0%} |\n")
    OUT.mkdir(exist_ok=True)
    (OUT / "demo.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

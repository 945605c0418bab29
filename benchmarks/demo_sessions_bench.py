"""Load figure: N participants open the workshop demo at the same moment (default 20).

Prints how long until every session is interactive (scoreboard, market views and Step there),
then how long N-1
rounds of Step take with all sessions busy together, and checks each session kept its own week.
This is a benchmark, not a test: the figures depend on the machine and its load.

    .venv/bin/python benchmarks/demo_sessions_bench.py [--sessions 20] [--budget 600] [--floor]

``--floor`` first opens the same number of sessions of a two-element Solara page (a table and a
button) on the same machine: what Solara and the browsers cost by themselves, for comparison.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from demo_server import serving_demo  # noqa: E402

from sim.report.export import find_browser  # noqa: E402

RESULTS = Path(__file__).parent / "results"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
FLOOR_APP = """import solara

@solara.component
def Page():
    solara.HTML(tag="div", unsafe_innerHTML="<table class='floor'><tr><td>week 0</td></tr></table>")
    solara.Button("Step")
"""


def floor(n: int, budget: float) -> dict:
    """Seconds until ``n`` sessions of a two-element Solara page are drawn."""
    import os
    import subprocess
    import tempfile
    import urllib.request

    from demo_server import free_port
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder) / "floor.py"
        app.write_text(FLOOR_APP)
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "solara"), "run", str(app), "--port", str(port),
             "--production", "--no-open"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"})
        url = f"http://127.0.0.1:{port}/"
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=find_browser(), args=ARGS)
                started = time.time()
                pages = [browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
                         for _ in range(n)]
                for page in pages:
                    page.goto(url, wait_until="commit")
                ready = []
                for page in pages:
                    page.wait_for_selector("table.floor", timeout=budget * 1000)
                    page.get_by_role("button", name="Step").wait_for(timeout=budget * 1000)
                    ready.append(time.time() - started)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"floor_all_interactive_s": round(max(ready), 1),
            "floor_load_average": Path("/proc/loadavg").read_text().split()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--budget", type=float, default=600, help="seconds before giving up")
    parser.add_argument("--floor", action="store_true",
                        help="also time a two-element Solara page under the same load")
    args = parser.parse_args()
    if find_browser() is None:
        raise SystemExit("no Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    n = args.sessions
    with serving_demo() as demo, sync_playwright() as p:
        url = demo.url
        browser = p.chromium.launch(executable_path=find_browser(), args=ARGS)
        started, cpu = time.time(), demo.cpu_seconds()
        pages = [browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
                 for _ in range(n)]
        for page in pages:
            page.goto(url, wait_until="commit")
        ready = []
        for page in pages:  # interactive: scoreboard, both market views and the Step button
            page.wait_for_function(
                """() => document.querySelector('table.orgsim-score')
                    && document.querySelectorAll('.orgsim-stage svg.market circle').length
                    && [...document.querySelectorAll('button')]
                        .some(b => b.innerText === 'Step')""",
                timeout=max(1.0, started + args.budget - time.time()) * 1000)
            ready.append(time.time() - started)
        server_cpu = demo.cpu_seconds() - cpu

        def week(page) -> int:
            return int(re.search(r"week (\d+)", page.locator("table.orgsim-score")
                                 .inner_text()).group(1))

        stepping_started = time.time()
        for step in range(1, n):
            busy = [i for i in range(n) if i >= step]
            for i in busy:
                pages[i].get_by_role("button", name="Step", exact=True).click()
            for i in busy:
                deadline = time.time() + 300
                while week(pages[i]) != step and time.time() < deadline:
                    time.sleep(0.05)
        steps = time.time() - stepping_started
        weeks = [week(page) for page in pages]
        browser.close()
    figures = {"sessions": n, "all_interactive_s": round(max(ready), 1),
               "first_interactive_s": round(min(ready), 1),
               "median_interactive_s": round(sorted(ready)[n // 2], 1),
               # the server's own share: here the twenty browsers compete with it for the
               # same cores, in a room each participant's device does its own drawing
               "server_cpu_s_while_loading": round(server_cpu, 1),
               "load_average": Path("/proc/loadavg").read_text().split()[0],
               "steps": n * (n - 1) // 2, "stepping_s": round(steps, 1),
               "isolated": weeks == list(range(n))}
    if args.floor:
        figures.update(floor(n, args.budget))
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "demo_sessions.json").write_text(json.dumps(figures, indent=2) + "\n")
    if not figures["isolated"]:
        raise SystemExit(f"sessions were not isolated: weeks {weeks}")


if __name__ == "__main__":
    main()

"""How fast the command line answers: whole processes, median of several runs.

Figures (targets from the reproducible-installs issue, on a 2-core machine):

* ``orgsim --help``                                  ≤ 1 s
* a bad input rejected (``orgsim market.accounts=-3``) ≤ 1 s
* ``orgsim --cfg job``                               ≤ 1.5 s
* the fixed overhead of a run: wall time of ``orgsim run.replications=2`` minus the simulation
  time it records in provenance.json                 ≤ 2 s

``--source DIR`` times another checkout of orgsim (e.g. an older commit made with
``git worktree add /tmp/before <commit>``) with this environment's Python, so a before/after
table comes from one machine in one sitting:

    .venv/bin/python benchmarks/cli_bench.py [--repeats 5] [--source /tmp/before]

Writes benchmarks/results/cli.json (and prints a Markdown table).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).parent / "results"
HERE = Path(__file__).parents[1]
COMMANDS = {
    "orgsim --help": ["--help"],
    "bad input rejected": ["market.accounts=-3"],
    "orgsim --cfg job": ["--cfg", "job"],
}
TARGETS = {"orgsim --help": 1.0, "bad input rejected": 1.0, "orgsim --cfg job": 1.5,
           "run overhead (all but simulating)": 2.0}


def timed(source: Path, args: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True,
                         text=True, env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - started, out.stdout


def run_overhead(source: Path, cwd: Path) -> float:
    """Wall time of a two-replication run minus the simulation time it reports."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "sim", "run.replications=2", "run.workers=1"],
                         cwd=cwd, capture_output=True, text=True,
                         env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"})
    wall = time.perf_counter() - started
    folder = next(line.split(": ", 1)[1] for line in out.stdout.splitlines()
                  if line.startswith("Results: "))
    seconds = json.loads((cwd / folder / "provenance.json").read_text())["seconds"]
    return wall - seconds["simulation"]


def measure(source: Path, repeats: int) -> dict[str, float]:
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        for name, args in COMMANDS.items():
            figures[name] = statistics.median(timed(source, args, cwd)[0]
                                              for _ in range(repeats))
        figures["run overhead (all but simulating)"] = statistics.median(
            run_overhead(source, cwd) for _ in range(max(1, repeats // 2)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--source", type=Path, help="another orgsim checkout to time as 'before'")
    args = parser.parse_args()
    results = {"now": measure(HERE, args.repeats)}
    if args.source:
        results = {"before": measure(args.source.resolve(), args.repeats), **results}
    print("| command | " + " | ".join(results) + " | target |")
    print("|---|" + "---:|" * len(results) + "---:|")
    for name, target in TARGETS.items():
        cells = " | ".join(f"{r[name]:.2f} s" for r in results.values())
        print(f"| {name} | {cells} | ≤ {target:g} s |")
    OUT.mkdir(exist_ok=True)
    (OUT / "cli.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

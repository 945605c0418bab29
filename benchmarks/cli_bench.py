"""How fast the command line answers: whole processes, median of several runs.

Figures (targets from the reproducible-installs issue, on a 2-core machine):

* ``orgsim --help``                                  ≤ 1 s
* a bad input rejected (``orgsim market.accounts=-3``) ≤ 1 s
* ``orgsim --cfg job``                               ≤ 1.5 s
* the fixed overhead of a run: wall time of ``orgsim run.replications=2 run.workers=1`` minus
  the simulation time it records in provenance.json  ≤ 2 s
  (also printed: that run's CPU time, user + system, which a busy machine inflates less)

and, beside them, the floor under that overhead: a Python process that only imports the
libraries every run needs (Mesa, which itself imports pandas, SciPy and networkx; pyarrow for
the tables; Hydra for the configuration) and exits. No orgsim code runs in it, so it is the same
for every checkout.

Before and now take turns, so a change in the machine's load falls on both; the 1-minute load
average at the start and end is printed with the table.

``--source DIR`` times another checkout of orgsim (e.g. an older commit made with
``git worktree add /tmp/before <commit>``) with this environment's Python, so a before/after
table comes from one machine in one sitting:

    .venv/bin/python benchmarks/cli_bench.py [--repeats 5] [--source /tmp/before]

Writes benchmarks/results/cli.json (and prints a Markdown table).
"""

from __future__ import annotations

import argparse
import json
import os
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
OVERHEAD = "run overhead (all but simulating)"
RUN_CPU = "CPU time of that run (whole process)"
FLOOR = "floor: import mesa, pandas, pyarrow, hydra"
FLOOR_CODE = "import mesa, pandas, pyarrow.parquet, hydra"
TARGETS = {"orgsim --help": 1.0, "bad input rejected": 1.0, "orgsim --cfg job": 1.5,
           OVERHEAD: 2.0, RUN_CPU: None, FLOOR: None}


def timed(source: Path, args: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True,
                         text=True, env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - started, out.stdout


def run_overhead(source: Path, cwd: Path) -> tuple[float, float]:
    """Wall time of a two-replication run minus the simulation time it reports, and the CPU
    time (user + system) of the whole process: on a shared machine the wall time grows with
    the load, the CPU time much less."""
    started = time.perf_counter()
    before = os.times()
    out = subprocess.run([sys.executable, "-m", "sim", "run.replications=2", "run.workers=1"],
                         cwd=cwd, capture_output=True, text=True,
                         env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"})
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + \
        (after.children_system - before.children_system)
    folder = next(line.split(": ", 1)[1] for line in out.stdout.splitlines()
                  if line.startswith("Results: "))
    seconds = json.loads((cwd / folder / "provenance.json").read_text())["seconds"]
    return wall - seconds["simulation"], cpu


def import_floor(cwd: Path) -> float:
    """Wall time of a process that imports what every run needs, and nothing of orgsim."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR_CODE], cwd=cwd, check=True,
                   env={"PATH": "/usr/bin:/bin"})
    return time.perf_counter() - started


def measure(sources: dict[str, Path], repeats: int) -> dict[str, dict[str, float]]:
    """Every figure for every source, the sources taking turns (so a change in the machine's
    load falls on both), medians of ``repeats``."""
    times: dict[str, dict[str, list[float]]] = {k: {} for k in sources}
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        for _ in range(repeats):
            for label, source in sources.items():
                for name, args in COMMANDS.items():
                    times[label].setdefault(name, []).append(timed(source, args, cwd)[0])
                wall, cpu = run_overhead(source, cwd)
                times[label].setdefault(OVERHEAD, []).append(wall)
                times[label].setdefault(RUN_CPU, []).append(cpu)
                times[label].setdefault(FLOOR, []).append(import_floor(cwd))
    return {label: {name: statistics.median(v) for name, v in figures.items()}
            for label, figures in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--source", type=Path, help="another orgsim checkout to time as 'before'")
    args = parser.parse_args()
    sources = {"before": args.source.resolve()} if args.source else {}
    load = [os.getloadavg()[0]]
    results = measure({**sources, "now": HERE}, args.repeats)
    load.append(os.getloadavg()[0])
    print(f"1-minute load average {load[0]:.1f} at the start, {load[1]:.1f} at the end "
          f"({os.cpu_count()} cores); medians of {args.repeats}\n")
    print("| command | " + " | ".join(results) + " | target |")
    print("|---|" + "---:|" * len(results) + "---:|")
    for name, target in TARGETS.items():
        cells = " | ".join(f"{r[name]:.2f} s" for r in results.values())
        print(f"| {name} | {cells} | {f'≤ {target:g} s' if target else '–'} |")
    OUT.mkdir(exist_ok=True)
    (OUT / "cli.json").write_text(json.dumps({**results, "load_average": load,
                                              "repeats": args.repeats}, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""What composing configurations costs: per composition, and in a small sweep.

Two figures, CPU seconds (user + system, whole process with its waited-for children), medians
of several runs, each source's process taking turns with the other's:

* ``compose`` — one process composes every scenario under every design (``compose_run``, as a
  sweep's check of its jobs and the tests do; a pair whose scenario sets what the design does not
  have is composed, then refused): CPU per composition, the process's start and the first
  composition (which reads every file) left out;
* ``sweep`` — ``orgsim -m org=traditional,micro_enterprise run.replications=2
  run.horizon_weeks=26`` on Hydra's joblib launcher: four short runs, so mostly what a sweep
  costs around its runs (checking and launching the jobs, the workers' start, the analysis and
  report).

``--source DIR`` times another checkout of orgsim (e.g. ``git worktree add /tmp/before <commit>``)
with this environment's Python, so a before/after table comes from one machine in one sitting:

    .venv/bin/python benchmarks/compose_bench.py [--repeats 5] [--source /tmp/before]

Writes benchmarks/results/compose.json (and prints a Markdown table).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).parent / "results"
HERE = Path(__file__).parents[1]
SWEEP = ["-m", "org=traditional,micro_enterprise", "run.replications=2", "run.horizon_weeks=26"]
# composes every scenario under every design; prints CPU per composition after the first
COMPOSE = """
import time
from pathlib import Path
from sim.configuration.composition import InputError, compose_run
from sim.configuration.design_registry import names
jobs = [[f"scenario={p.stem}", f"org={d}"] for p in sorted(Path("{scenarios}").glob("*.yaml"))
        for d in names()]
compose_run(jobs[0])
started = time.process_time()
for job in jobs:
    try:
        compose_run(job)
    except InputError:  # a scenario's setting that design does not have: composed, then refused
        pass
print(len(jobs), (time.process_time() - started) / len(jobs))
"""


def _env(source: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"}


def compose_cpu(source: Path) -> tuple[int, float]:
    """Compositions made and CPU seconds per composition."""
    code = COMPOSE.replace("{scenarios}", str(source / "scenarios"))
    out = subprocess.run([sys.executable, "-c", code], cwd=source, env=_env(source),
                         capture_output=True, text=True, check=True)
    count, seconds = out.stdout.split()
    return int(count), float(seconds)


def sweep_cpu(source: Path, cwd: Path) -> float:
    """CPU seconds of the whole sweep command, its worker processes included."""
    before = os.times()
    folder = cwd / f"sweep-{len(list(cwd.iterdir()))}"
    subprocess.run([sys.executable, "-m", "sim", *SWEEP, f"hydra.sweep.dir={folder}"], cwd=cwd,
                   env=_env(source), capture_output=True, text=True, check=True)
    after = os.times()
    return (after.children_user - before.children_user) + \
        (after.children_system - before.children_system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--source", type=Path, help="another orgsim checkout to time as 'before'")
    args = parser.parse_args()
    sources = {**({"before": args.source.resolve()} if args.source else {}), "now": HERE}
    figures: dict[str, dict[str, list[float]]] = {k: {"compose": [], "sweep": []}
                                                  for k in sources}
    counts = {}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            for label, source in sources.items():
                counts[label], per = compose_cpu(source)
                figures[label]["compose"].append(per)
                figures[label]["sweep"].append(sweep_cpu(source, Path(tmp)))
    load.append(os.getloadavg()[0])
    medians = {label: {k: statistics.median(v) for k, v in f.items()}
               for label, f in figures.items()}
    print(f"1-minute load average {load[0]:.1f} at the start, {load[1]:.1f} at the end "
          f"({os.cpu_count()} cores); medians of {args.repeats}; CPU seconds\n")
    print("| | " + " | ".join(medians) + " |")
    print("|---|" + "---:|" * len(medians))
    print("| one composition (of " + "/".join(str(c) for c in counts.values()) + ") | "
          + " | ".join(f"{m['compose']:.3f} s" for m in medians.values()) + " |")
    print("| the small sweep, whole | "
          + " | ".join(f"{m['sweep']:.2f} s" for m in medians.values()) + " |")
    OUT.mkdir(exist_ok=True)
    (OUT / "compose.json").write_text(json.dumps({**medians, "load_average": load,
                                                  "repeats": args.repeats}, indent=2) + "\n")


if __name__ == "__main__":
    main()

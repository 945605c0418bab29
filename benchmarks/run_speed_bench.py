"""How long one simulation run takes, now and in another checkout: the fair-fight issue's "a run
must not get more than 20% slower".

Each design of the default scenario, as configured (no budget scaling, so both checkouts build the
same organisation), 156 weekly steps, one seed; each timing is a fresh process (median of
``--repeats``). ``--source DIR`` times another checkout with this environment's Python (e.g.
``git worktree add /tmp/before <commit>``), so the before/after ratio comes from one machine in
one sitting. A second row per design times the run as ``orgsim`` now does it by default: the
compared design at equal budget (more or fewer people, so a different amount of work).

    .venv/bin/python benchmarks/run_speed_bench.py [--repeats 3] [--source /tmp/before]

Writes benchmarks/results/run_speed.json (and prints a Markdown table).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).parent / "results"
HERE = Path(__file__).parents[1]
DESIGNS = ("traditional", "micro_enterprise")

# Runs in the child process: compose the default scenario for one design and time the run only.
CHILD = """
import sys, time
try:  # today's layout
    from sim.configuration.composition import compose_run
    from sim.engine.model import OrgSimModel
    from sim.experiments.budget import equalised
except ImportError:  # an older checkout (before the layers), as configured only
    from sim.cli.compose import compose_run
    from sim.model import OrgSimModel
design, equal = sys.argv[1], sys.argv[2] == "1"
if equal:
    config = equalised(compose_run([f"org={design}", "baseline=traditional"])).config_for(design)
else:
    config = compose_run([f"org={design}", "baseline=null"]).config
started = time.perf_counter()
model = OrgSimModel(config, seed=0)
while model.running:
    model.step()
print(time.perf_counter() - started)
"""


def seconds(source: Path, design: str, equal: bool) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, design, "1" if equal else "0"],
                         cwd=source, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"})
    return float(out.stdout.strip().splitlines()[-1])


def measure(source: Path, repeats: int, equal: bool) -> dict[str, float]:
    return {d: statistics.median(seconds(source, d, equal) for _ in range(repeats))
            for d in DESIGNS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--source", type=Path, help="another orgsim checkout to time as 'before'")
    args = parser.parse_args()
    results = {"now (as configured)": measure(HERE, args.repeats, False),
               "now (equal budget)": measure(HERE, args.repeats, True)}
    if args.source:
        results["before (as configured)"] = measure(args.source.resolve(), args.repeats, False)
    lines = ["| run of the default scenario, 156 weeks | " + " | ".join(DESIGNS) + " |",
             "|---|" + "---:|" * len(DESIGNS)]
    for name, figures in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{figures[d]:.2f} s" for d in DESIGNS) + " |")
    if args.source:
        now, before = results["now (as configured)"], results["before (as configured)"]
        lines.append("| now / before (as configured) | "
                     + " | ".join(f"{now[d] / before[d]:.2f}" for d in DESIGNS) + " |")
    OUT.mkdir(exist_ok=True)
    (OUT / "run_speed.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

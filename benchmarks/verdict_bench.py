"""What the default verdict costs: CPU time per run on points of its own sample, and the projected
wall time of ``orgsim-verdict`` for several N and seeds on a machine of ``--cores`` cores.

The runs are the first ``--points`` points of the default verdict's sample (conf/space/plausible,
N = 32, sample seed 0), both designs, seed 0, stored in a temporary store (so the time includes
storing each run, as the verdict does). CPU time (user + system of this process, one worker)
is what a busy machine inflates least; the projection is runs × CPU per run / cores (the
dispatcher keeps every core busy with one run each; analysis takes seconds).

    .venv/bin/python benchmarks/verdict_bench.py [--points 6] [--cores 2]

Writes benchmarks/results/verdict.json (and prints the projection).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from sim.experiments.doe import evaluate
from sim.experiments.space import load_space
from sim.experiments.verdict import group_names, sample

OUT = Path(__file__).parent / "results" / "verdict.json"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=6)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    space = load_space("plausible")
    groups = len(group_names(space))
    points = sample(space, 32, 0).iloc[:args.points]
    with tempfile.TemporaryDirectory() as store:
        cpu, wall = cpu_seconds(), time.perf_counter()
        frame = evaluate(space, points[space.names], [0], Path(store), workers=1,
                         progress=False)
        cpu, wall = cpu_seconds() - cpu, time.perf_counter() - wall
    runs = frame.attrs["dispatched"]["done"]
    per_run = cpu / runs
    projection = []
    for n in (16, 32, 64, 128):
        for seeds in (1, 2):
            total = n * (groups + 2) * 2 * seeds
            projection.append(dict(n=n, seeds=seeds, runs=total,
                                   minutes=round(total * per_run / args.cores / 60, 1)))
    result = dict(runs=runs, cpu_seconds_per_run=round(per_run, 3),
                  wall_seconds_per_run=round(wall / runs, 3), groups=groups,
                  load_average=os.getloadavg()[0], cores=args.cores, projection=projection)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{runs} runs: {per_run:.2f} s CPU a run ({wall / runs:.2f} s wall, load "
          f"{result['load_average']:.1f}); {groups} groups → N × {groups + 2} points")
    for p in projection:
        print(f"  N = {p['n']:>3}, {p['seeds']} seed(s): {p['runs']:>5} runs ≈ "
              f"{p['minutes']:>5} min on {args.cores} cores")


if __name__ == "__main__":
    main()

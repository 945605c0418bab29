"""Before / after on chosen points of the plausible space, with the load falling on both alike.

Child processes of two checkouts take turns (``--rounds`` rounds); each runs every chosen point
``--reps`` times after a warm-up run, and a point's figure is the minimum CPU seconds
(``time.process_time``) over all of its runs — the least disturbed by the other processes of a
shared machine. Points are ``default:<design>`` (the scenario as configured) or
``<point>:<design>`` (that point of the default verdict's sample, configured as the verdict does).
The other checkout is, e.g., ``git archive <commit> | tar -x -C /tmp/before``.

    .venv/bin/python benchmarks/space_speed_ab.py --source /tmp/before default:traditional \\
        320:traditional 112:micro_enterprise

Writes benchmarks/results/space_speed_ab.json (and prints before, after and their ratio).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parents[1]
OUT = Path(__file__).parent / "results" / "space_speed_ab.json"

CHILD = r'''
import json, sys, time
from sim.configuration.composition import compose_run
from sim.engine.model import simulate
from sim.experiments.space import configure, load_space
from sim.experiments.verdict import sample

def config(which):
    point, design = which.split(":")
    if point == "default":
        return compose_run([f"org={design}", "baseline=null"]).config
    space = load_space("plausible")
    values = sample(space, 32, 0).loc[int(point), space.names]
    return configure(space, {k: float(v) for k, v in values.items()})[design]

reps, out = int(sys.argv[1]), {}
for which in sys.argv[2:]:
    c = config(which)
    simulate(c, 0)
    times = []
    for _ in range(reps):
        t = time.process_time()
        simulate(c, 0)
        times.append(time.process_time() - t)
    out[which] = min(times)
print(json.dumps(out))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("points", nargs="+")
    parser.add_argument("--source", type=Path, required=True, help="the 'before' checkout")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    best: dict[str, dict[str, float]] = {"before": {}, "after": {}}
    for _ in range(args.rounds):
        for name, source in (("before", args.source.resolve()), ("after", HERE)):
            done = subprocess.run([sys.executable, "-c", CHILD, str(args.reps), *args.points],
                                  cwd=source, capture_output=True, text=True, check=True,
                                  env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"})
            for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items():
                best[name][k] = min(v, best[name].get(k, float("inf")))
    rows = [dict(point=k, before=round(best["before"][k], 3), after=round(best["after"][k], 3),
                 ratio=round(best["after"][k] / best["before"][k], 3)) for k in args.points]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(dict(rounds=args.rounds, reps=args.reps, rows=rows), indent=1)
                   + "\n")
    for r in rows:
        print(f"{r['point']:<28} before {r['before']:.3f} s  after {r['after']:.3f} s  "
              f"ratio {r['ratio']:.3f}")


if __name__ == "__main__":
    main()

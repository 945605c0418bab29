"""What a run costs across the plausible space, not only at the default: CPU seconds per run on
points drawn as ``orgsim-verdict`` draws them, with a fingerprint of every run's tables.

The points are every ``--stride``-th point of the default verdict's sample (conf/space/plausible,
Sobol N = ``--n``, sample seed 0; ``sim.experiments.verdict.sample``), each configured as the
verdict configures it (``sim.experiments.space.configure``: the micro-enterprise scaled to the
traditional design's budget at that point). Each design then runs once on ``--seed`` in this one
process (``run.workers``-free: ``simulate`` called directly). Also timed: the default scenario of
each design (``orgsim org=<design>``, as configured) on seeds 0, 1, 2.

CPU time (``time.process_time``), not wall time: the machine is shared, and another process
taking a core stretches wall time but not ours. The figure per run is ``simulate(config, seed)``
(build, steps and tables); configuring a point (which builds the model a few times to equalise
budgets) is timed apart, and storing a run (the verdict writes parquet files) is left out.

The fingerprint of a run is a SHA-256 over its tidy tables (pandas' hash of every cell, floats
bit by bit, plus column names), so two checkouts can be compared for bit-identical results:
``--compare OTHER.json`` prints every run whose tables differ (none, for a speed-up).

    .venv/bin/python benchmarks/space_speed.py --label after [--stride 8] [--compare
        benchmarks/results/space_speed_before.json]

Writes benchmarks/results/space_speed_<label>.json (and prints the distribution).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from sim.configuration.composition import compose_run
from sim.engine.model import simulate
from sim.experiments.space import configure, load_space
from sim.experiments.verdict import group_names, sample

OUT = Path(__file__).parent / "results"
TABLES = ("series", "jobs", "accounts", "staff", "summary", "history")
DESIGNS = ("traditional", "micro_enterprise")


def fingerprint(result) -> str:
    """SHA-256 of every cell (bitwise for floats) and the column names of the tidy tables."""
    digest = hashlib.sha256()
    for name in TABLES:
        table = getattr(result, name)
        digest.update(f"{name}:{','.join(map(str, table.columns))}:{len(table)}".encode())
        if len(table):
            digest.update(pd.util.hash_pandas_object(table, index=True).values.tobytes())
    return digest.hexdigest()[:16]


def timed_run(config, seed: int) -> tuple[float, str, dict]:
    """CPU seconds of one run, its fingerprint and its headline outcomes."""
    start = time.process_time()
    result = simulate(config, seed)
    cpu = time.process_time() - start
    head = {k: (float(v) if isinstance(v, int | float) else str(v))
            for k, v in result.headline().items()}
    return cpu, fingerprint(result), head


def describe(cpus: list[float]) -> dict:
    ordered = sorted(cpus)
    return dict(runs=len(cpus), total=round(sum(cpus), 2), mean=round(statistics.fmean(cpus), 3),
                median=round(statistics.median(cpus), 3),
                p90=round(ordered[int(0.9 * (len(ordered) - 1))], 3),
                max=round(ordered[-1], 3), min=round(ordered[0], 3),
                slowest_10pct_share=round(sum(ordered[-max(1, len(ordered) // 10):])
                                          / sum(ordered), 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--n", type=int, default=32)
    parser.add_argument("--stride", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", type=Path, default=None)
    args = parser.parse_args()

    runs = []
    for design in DESIGNS:
        config = compose_run([f"org={design}", "baseline=null"]).config
        for seed in (0, 1, 2):
            cpu, print_, head = timed_run(config, seed)
            runs.append(dict(kind="default", point=-1, design=design, seed=seed,
                             cpu=round(cpu, 4), fingerprint=print_, headline=head))
            print(f"default {design} seed {seed}: {cpu:.3f} s", flush=True)

    space = load_space("plausible")
    points = sample(space, args.n, 0).iloc[::args.stride]
    configure_cpu = 0.0
    for number, values in points[space.names].iterrows():
        start = time.process_time()
        configs = configure(space, {k: float(v) for k, v in values.items()})
        configure_cpu += time.process_time() - start
        for design, config in configs.items():
            cpu, print_, head = timed_run(config, args.seed)
            runs.append(dict(kind="space", point=int(number), design=design, seed=args.seed,
                             cpu=round(cpu, 4), fingerprint=print_, headline=head))
            print(f"point {number:>3} {design:<16}: {cpu:6.3f} s", flush=True)

    space_runs = [r for r in runs if r["kind"] == "space"]
    summary = dict(
        label=args.label, n=args.n, stride=args.stride, seed=args.seed,
        points=len(points), groups=len(group_names(space)),
        configure_cpu_per_point=round(configure_cpu / len(points), 3),
        default={d: describe([r["cpu"] for r in runs if r["kind"] == "default"
                              and r["design"] == d]) for d in DESIGNS},
        space=describe([r["cpu"] for r in space_runs]),
        space_by_design={d: describe([r["cpu"] for r in space_runs if r["design"] == d])
                         for d in DESIGNS},
        slowest=sorted(space_runs, key=lambda r: -r["cpu"])[:8],
    )
    summary["slowest"] = [dict(point=r["point"], design=r["design"], cpu=r["cpu"])
                          for r in summary["slowest"]]
    OUT.mkdir(exist_ok=True)
    path = OUT / f"space_speed_{args.label}.json"
    path.write_text(json.dumps(dict(summary=summary, runs=runs), indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    print(f"wrote {path}")

    if args.compare is not None:
        other = {(r["kind"], r["point"], r["design"], r["seed"]): r
                 for r in json.loads(args.compare.read_text())["runs"]}
        differ = [r for r in runs if (key := (r["kind"], r["point"], r["design"], r["seed"]))
                  in other and other[key]["fingerprint"] != r["fingerprint"]]
        matched = sum((r["kind"], r["point"], r["design"], r["seed"]) in other for r in runs)
        for r in differ:
            print(f"DIFFERS: {r['kind']} point {r['point']} {r['design']} seed {r['seed']}")
        print(f"{matched - len(differ)} of {matched} runs bit-identical to {args.compare}")
        if differ:
            sys.exit(1)


if __name__ == "__main__":
    main()

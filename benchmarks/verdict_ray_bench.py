"""How the verdict scales on a local Ray cluster: a small verdict's runs on Ray with 1 and 2 CPUs
(and on the local pool for reference), and what the ±0.1 default verdict would need.

Each configuration runs the same small verdict's sample (``--space``, ``--n``, one seed) into a
fresh store through the one dispatcher (sim/experiments/verdict.py ``run_sample``) and measures

* **wall** seconds of the runs (the cluster already started: starting it is timed apart);
* **CPU** seconds (user + system) of this process and every process under it — the pool's workers,
  Ray's raylet and workers — read with psutil just before and just after, so a busy machine
  inflates it least;
* **speed-up** (wall of Ray with 1 CPU / wall) and **efficiency** (speed-up / CPUs);
* **overhead per task**: (wall × CPUs − the seconds the runs themselves took, as each worker
  recorded them in the store) / runs — what sending, scheduling and storing add to a run; and the
  round trip of an empty Ray task (``--empty`` of them, one CPU).

The stored runs of every configuration must be identical (a run is a pure function of
(configuration, seed)); the script checks it. Then, from the CPU a run costs here, the projection
for the default verdict at the N that ±0.1 on the leading indices needs (benchmarks/results/
verdict_precision.json, written by verdict_precision.py, or ``--target-n``): its runs, CPU hours,
and the cores that finish it in 20 minutes at the measured efficiency.

    .venv/bin/python benchmarks/verdict_ray_bench.py                       # plausible, N = 4
    .venv/bin/python benchmarks/verdict_ray_bench.py --space tiny --n 2    # a check, ~1 min

Writes benchmarks/results/verdict_ray.json and verdict_ray.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil

from sim.experiments import ray_cluster
from sim.experiments.space import load_space
from sim.experiments.verdict import group_names, run_sample

OUT = Path(__file__).parent / "results"
BUDGET_SECONDS = 20 * 60  # issue 18: the default verdict in ≤ 20 minutes


def tree_cpu() -> float:
    """User + system seconds of this process and every live process under it."""
    total = 0.0
    me = psutil.Process()
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:  # ended meanwhile
            pass
    return total


def recorded_seconds(store: Path) -> tuple[float, int]:
    """Σ of the seconds each run's simulation took (its manifest) and the number of runs."""
    seconds = [json.loads(p.read_text()).get("simulation_seconds", 0.0)
               for p in (store / "runs").glob("*.json")]
    return float(sum(seconds)), len(seconds)


def stored(store: Path) -> pd.DataFrame:
    frames = [pd.read_parquet(p) for p in sorted((store / "summary").glob("*.parquet"))]
    return pd.concat(frames).set_index("run_id").sort_index()


def one(space, n: int, store: Path, label: str, cpus: int, cluster=None) -> dict:
    cpu, wall = tree_cpu(), time.perf_counter()
    run_sample(space, n, [0], 0, store, workers=cpus, progress=False, cluster=cluster)
    wall, cpu = time.perf_counter() - wall, tree_cpu() - cpu
    simulated, runs = recorded_seconds(store)
    return dict(backend=label, cpus=cpus, runs=runs, wall_s=round(wall, 2),
                cpu_s=round(cpu, 2), cpu_per_run_s=round(cpu / runs, 3),
                simulated_s=round(simulated, 2),
                overhead_per_run_s=round((wall * cpus - simulated) / runs, 3))


def empty_task_seconds(count: int) -> float:
    """Round trip of an empty Ray task, one after another."""
    import ray

    @ray.remote(num_cpus=1)
    def nothing():
        return None

    ray.get(nothing.remote())  # a worker up
    started = time.perf_counter()
    for _ in range(count):
        ray.get(nothing.remote())
    return (time.perf_counter() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", default="plausible")
    parser.add_argument("--n", type=int, default=4, help="Sobol base samples (power of two)")
    parser.add_argument("--cpus", default="1,2", help="Ray cluster sizes to time")
    parser.add_argument("--empty", type=int, default=200, help="empty tasks to time")
    parser.add_argument("--target-n", type=int, help="N of the ±0.1 default verdict "
                        "(default: from results/verdict_precision.json, else 512)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    space = load_space(args.space)
    sizes = [int(c) for c in args.cpus.split(",")]
    rows, startup = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows.append(one(space, args.n, tmp / "pool", "local pool (loky)", max(sizes)))
        empty = None
        for cpus in sizes:
            cpu, wall = tree_cpu(), time.perf_counter()
            cluster = ray_cluster.parse(f"local:{cpus}")
            ray_cluster.connect(cluster)
            startup.append(dict(cpus=cpus, wall_s=round(time.perf_counter() - wall, 2),
                                cpu_s=round(tree_cpu() - cpu, 2)))
            rows.append(one(space, args.n, tmp / f"ray{cpus}", "Ray, local cluster", cpus,
                            cluster))
            if cpus == 1:
                empty = empty_task_seconds(args.empty)
            ray_cluster.shutdown()
        reference = stored(tmp / "pool")
        for cpus in sizes:
            pd.testing.assert_frame_equal(reference, stored(tmp / f"ray{cpus}"))

    ray_rows = {r["cpus"]: r for r in rows if r["backend"].startswith("Ray")}
    base = ray_rows[min(ray_rows)]
    for r in rows:  # against Ray with the fewest CPUs
        r["speed_up"] = round(base["wall_s"] / r["wall_s"], 2)
        r["efficiency"] = round(r["speed_up"] / (r["cpus"] / base["cpus"]), 2)

    precision = args.out / "verdict_precision.json"
    target = args.target_n or 512
    if args.target_n is None and precision.exists():
        needed = [o["n_power_of_two_half"] for o in
                  json.loads(precision.read_text())["outcomes"].values()]
        target = sorted(needed)[len(needed) // 2]  # the median outcome's
    plausible = load_space("plausible")
    per_base = 2 * (len(group_names(plausible)) + 2)  # runs per base sample, both designs
    cpu_run = ray_rows[max(ray_rows)]["cpu_per_run_s"] if args.space == "plausible" else None
    efficiency = ray_rows[max(ray_rows)]["efficiency"]
    projection = []
    for n in sorted({target, 512, 1024, 2048}):
        runs = n * per_base
        line = dict(n=n, runs=runs)
        if cpu_run:
            hours = runs * cpu_run / 3600
            line |= dict(cpu_hours=round(hours, 1),
                         cores_for_20_min=math.ceil(runs * cpu_run / BUDGET_SECONDS / efficiency))
        projection.append(line)
    result = dict(space=args.space, n=args.n, load_average=round(os.getloadavg()[0], 1),
                  cores=os.cpu_count(), rows=rows, ray_startup=startup,
                  empty_task_ms=round(1000 * empty, 2) if empty else None,
                  target_n=target, projection=projection,
                  note=None if cpu_run else "projection needs --space plausible (its runs' CPU)")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "verdict_ray.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [f"# Verdict on a local Ray cluster ({args.space}, N = {args.n}, one seed; "
             f"load {result['load_average']}, {os.cpu_count()} cores)", "",
             "| backend | CPUs | runs | wall s | CPU s | CPU s/run | speed-up | efficiency | "
             "overhead s/run |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['backend']} | {r['cpus']} | {r['runs']} | {r['wall_s']} | {r['cpu_s']} | "
              f"{r['cpu_per_run_s']} | {r['speed_up']} | {r['efficiency']} | "
              f"{r['overhead_per_run_s']} |" for r in rows]
    lines += ["", "Starting the cluster: " + ", ".join(
        f"{s['cpus']} CPU(s) {s['wall_s']} s wall, {s['cpu_s']} s CPU" for s in startup)
        + f"; an empty task's round trip {result['empty_task_ms']} ms.", "",
        f"The ±0.1 default verdict (N = {target}):", ""]
    lines += [f"* N = {p['n']}: {p['runs']} runs" + (
        f", {p['cpu_hours']} CPU hours, {p['cores_for_20_min']} cores for 20 minutes"
        if "cpu_hours" in p else "") for p in projection]
    (args.out / "verdict_ray.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

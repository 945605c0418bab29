"""What configuring the verdict's points costs in the driver, and on workers: the first
``--points`` points of the default verdict's sample (conf/space/plausible, N = 32, sample seed 0,
compared at equal budget), configured one after another in this process
(``sim.experiments.space.configure``, as ``doe.evaluate`` did before) and then by
``sim.experiments.doe.configure_points`` on ``--workers`` local processes (a cold pool: its
start-up is included). The two must give the same run ids (checked).

CPU is reported for this process and for the pool's workers (``RUSAGE_CHILDREN`` after the pool
is shut down), wall beside it with the load average: on a shared machine wall time is noisy.

    .venv/bin/python benchmarks/configure_bench.py [--points 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

from sim.experiments.doe import configure_points
from sim.experiments.space import configure, load_space
from sim.experiments.store import run_id
from sim.experiments.verdict import sample


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    space = load_space("plausible")
    frame = sample(space, 32, 0)[space.names].iloc[:args.points]
    points = [{k: float(v) for k, v in row.items()} for _, row in frame.iterrows()]
    configure(space, points[0])  # composing the scenario once (cached), as the driver has

    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    serial = [configure(space, p) for p in points]
    serial_wall, serial_cpu = time.perf_counter() - wall, time.process_time() - cpu

    children = _children_cpu()
    wall, cpu = time.perf_counter(), time.process_time()
    parallel = configure_points(space, points, workers=args.workers)
    pool_wall, pool_cpu = time.perf_counter() - wall, time.process_time() - cpu
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)
    workers_cpu = _children_cpu() - children

    ids = [[run_id(c, 0) for c in p.values()] for p in serial]
    assert ids == [[run_id(c, 0) for c in p.values()] for p in parallel], "run ids differ"
    print(json.dumps(dict(
        points=len(points), workers=args.workers, load_before=round(load, 2),
        load_after=round(os.getloadavg()[0], 2),
        serial=dict(wall=round(serial_wall, 1), cpu=round(serial_cpu, 1),
                    cpu_per_point=round(serial_cpu / len(points), 3)),
        pool=dict(wall=round(pool_wall, 1), driver_cpu=round(pool_cpu, 1),
                  workers_cpu=round(workers_cpu, 1)),
        same_run_ids=True), indent=1))


if __name__ == "__main__":
    main()

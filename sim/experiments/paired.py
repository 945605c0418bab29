"""Running designs on paired seeds, and the statistics of the comparison.

Replication *i* runs every design with seed ``run.seed + i``: the same market, the same job
arrivals and the same people (common random numbers), so the per-seed differences between designs
are paired. Runs are independent pure functions of (config, seed); they run in worker processes
(joblib) and give identical results however many workers there are. The statistics of the
comparison are in sim/experiments/analysis.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
from joblib import Parallel, delayed

from sim.configuration.schema import SimConfig
from sim.engine.model import simulate
from sim.engine.results import RunResult

TABLES = ("series", "jobs", "accounts", "staff", "summary", "history")

@dataclass(frozen=True)
class RunKey:
    design: str
    seed: int


def _one(design: str, config: SimConfig, seed: int) -> tuple[RunKey, RunResult]:
    return RunKey(design, seed), simulate(config, seed)


def run_paired(configs: dict[str, SimConfig], seeds: Iterable[int], workers: int = 0,
               on_done: Callable[[RunKey], None] | None = None) -> dict[RunKey, RunResult]:
    """Run every design in ``configs`` on every seed. ``workers`` 0 means all cores."""
    jobs = [(d, c, s) for s in seeds for d, c in configs.items()]
    n = min(len(jobs), workers if workers > 0 else (os.cpu_count() or 1))
    results: dict[RunKey, RunResult] = {}
    if n <= 1:
        stream = (_one(*job) for job in jobs)
    else:
        stream = Parallel(n_jobs=n, return_as="generator_unordered")(
            delayed(_one)(*job) for job in jobs)
    for key, result in stream:
        results[key] = result
        if on_done:
            on_done(key)
    return dict(sorted(results.items(), key=lambda kv: (kv[0].seed, kv[0].design)))


def stack(results: dict[RunKey, RunResult], table: str) -> pd.DataFrame:
    """One table over all runs, with ``design`` and ``seed`` columns in front."""
    frames = []
    for key, result in results.items():
        frame = getattr(result, table).drop(columns=["design", "seed"], errors="ignore")
        frame.insert(0, "seed", key.seed)
        frame.insert(0, "design", key.design)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)

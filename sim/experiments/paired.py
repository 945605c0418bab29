"""Running designs on paired seeds, and the statistics of the comparison.

Replication *i* runs every design with seed ``run.seed + i``: the same market, the same job
arrivals and the same people (common random numbers), so the per-seed differences between designs
are paired. Runs are independent pure functions of (config, seed); they go through the one
dispatcher (sim/experiments/dispatch.py), in worker processes, and give identical results however
many workers there are. The statistics of the comparison are in sim/experiments/analysis.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from sim.configuration.schema import SimConfig
from sim.engine.results import RunResult
from sim.experiments.dispatch import Run, dispatch

TABLES = ("series", "jobs", "accounts", "staff", "summary", "history")


@dataclass(frozen=True)
class RunKey:
    design: str
    seed: int


def run_paired(configs: dict[str, SimConfig], seeds: Iterable[int], workers: int = 0,
               on_done: Callable[[RunKey], None] | None = None,
               progress: str | None = None) -> dict[RunKey, RunResult]:
    """Run every design in ``configs`` on every seed. ``workers`` 0 means all cores;
    ``progress`` the description of a progress bar (none without it)."""
    keys = [RunKey(d, s) for s in seeds for d in configs]
    runs = [Run(configs[k.design], k.seed) for k in keys]
    where = {id(r): k for r, k in zip(runs, keys, strict=True)}
    done = (lambda run: on_done(where[id(run)])) if on_done else None
    results = dispatch(runs, workers, progress=progress, on_done=done).results
    return dict(sorted(zip(keys, results, strict=True), key=lambda kv: (kv[0].seed, kv[0].design)))


def stack(results: dict[RunKey, RunResult], table: str) -> pd.DataFrame:
    """One table over all runs, with ``design`` and ``seed`` columns in front."""
    frames = []
    for key, result in results.items():
        frame = getattr(result, table).drop(columns=["design", "seed"], errors="ignore")
        frame.insert(0, "seed", key.seed)
        frame.insert(0, "design", key.design)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)

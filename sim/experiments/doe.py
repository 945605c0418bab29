"""Design of experiments: run a sample of points of a :class:`~sim.experiments.space.Space` on
paired seeds.

A sample (from SALib, a Latin hypercube, a grid — any table with one column per parameter and one
row per point) becomes runs: every point × design × seed, run by the one dispatcher
(:func:`sim.experiments.dispatch.dispatch`) into a :class:`~sim.experiments.store.ResultsStore`
under its :func:`~sim.experiments.store.run_id` — a hash of the resolved configuration and the
seed. So
evaluation is

* **resumable**: runs already in the store are read back, not re-run; evaluating the same sample
  into the same store again runs only what is missing or failed;
* **shared**: two points that give a design the same configuration (a setting only the *other*
  design reads, an integer parameter rounded to the same count) are one run;
* **robust**: a run that raises is recorded as failed in the store (error and traceback) and the
  others carry on; its row has ``status`` ``failed`` and no outcomes;
* **parallel**: runs go to ``workers`` processes (joblib, 0 = all cores), or to a Ray
  ``cluster`` (sim/experiments/ray_cluster.py); results do not depend on either, because a run
  is a pure function of (configuration, seed). The points are configured there too
  (:func:`configure_points`): with ``compare: equal_budget`` configuring a point builds the model
  to plan its budget, ≈ 0.17 s of CPU, which in the driver alone came to minutes before the first
  run at the verdict's sizes (docs/PERFORMANCE.md).

The designs of a point share their seeds (common random numbers), so :func:`paired_by_point`
can take the per-seed difference between them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from sim.configuration.composition import InputError
from sim.configuration.schema import SimConfig
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.dispatch import Run, dispatch, worker_count
from sim.experiments.space import Space, configure, for_design
from sim.experiments.store import ResultsStore, run_id

if TYPE_CHECKING:
    from sim.experiments.ray_cluster import Cluster

KEYS = ["point", "design", "seed"]
# Fewer points than this are configured in the driver: a pool's workers take seconds to start
# (importing the model, composing the scenario once each), which ~0.17 s a point does not repay
# for a handful of points (measured in docs/PERFORMANCE.md, the verdict's driver).
IN_PROCESS_BELOW = 64
# At most this many points a task (≈ 2–3 s of CPU): the per-task cost (pickling, a Ray task's
# scheduling) stays small, and there are still ~4 tasks a worker to even out the load.
CHUNK = 16


def _overrides(space: Space, design: str, point: dict[str, float]) -> list[str]:
    """How the run would be written on the command line (recorded as its setting); a
    design-qualified ``org.<design>.<field>`` is spelled ``org.<field>``, for its design only."""
    own = {k: for_design(k, design) for k in point}
    return [f"scenario={space.scenario}", f"org={design}", *space.overrides,
            *(f"{own[k]}={v:g}" for k, v in point.items() if own[k] is not None)]


def _applied(space: Space, point: dict[str, float]) -> dict[str, float]:
    """The values the model sees: integer parameters rounded."""
    return {p.path: float(round(point[p.path])) if p.integer else float(point[p.path])
            for p in space.params}


def evaluate(space: Space, points: pd.DataFrame, seeds: Sequence[int], store_root: Path,
             workers: int = 0, progress: bool = True, simulate: bool = True,
             run_ids: bool = False, cluster: Cluster | None = None) -> pd.DataFrame:
    """Run every point of ``points`` for both designs on every seed; one row per run.

    ``points`` has one column per parameter path (``space.names``) and one row per point (its
    index is the point number). Returns columns ``point``, ``design``, ``seed``, ``status``,
    the parameter columns (values as applied: integers rounded) and the run-summary outcomes
    (:data:`sim.experiments.analysis.OUTCOME_INFO`). ``design`` is categorical in the space's design
    order. ``simulate=False`` only reads back what is stored (a run not stored is ``failed``);
    ``run_ids`` keeps each row's ``run_id`` (to read its other tables from the store). What the
    dispatcher did (its ``counts``: done, skipped, failed) is in ``frame.attrs["dispatched"]``.
    ``cluster``: run on that Ray cluster instead of ``workers`` local processes.
    """
    missing = [n for n in space.names if n not in points.columns]
    if missing:
        raise InputError(f"points: no column for parameter {missing[0]!r}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InputError("seeds: need at least one seed")
    store = ResultsStore(store_root)
    if simulate:  # reading back changes nothing in the store
        store.remove_partial_files()  # left by an interrupted earlier attempt, if any

    rows, todo = [], {}
    numbered = [(number, {k: float(v) for k, v in values.items()})
                for number, values in points[space.names].iterrows()]
    every = configure_points(space, [p for _, p in numbered], workers, cluster)
    for (number, point), configs in zip(numbered, every, strict=True):
        applied = _applied(space, point)
        for design, config in configs.items():
            for seed in seeds:
                rid = run_id(config, seed)
                rows.append({"point": number, "design": design, "seed": seed, "run_id": rid,
                             **applied})
                if rid not in todo and not store.is_done(rid):
                    one = replace(config, run=replace(config.run, seed=seed, replications=1))
                    todo[rid] = Run(one, seed, space.scenario,
                                    tuple(_overrides(space, design, applied)))
    counts = {"done": 0, "skipped": 0, "failed": 0}
    if simulate:
        counts = dispatch(list(todo.values()), workers, store=Path(store_root),
                          progress="simulating" if progress else None,
                          cluster=cluster).counts

    frame = pd.DataFrame(rows)
    outcomes = _read_outcomes(store, frame["run_id"].unique())
    frame = frame.merge(outcomes, on="run_id", how="left")
    frame["status"] = np.where(frame["_ok"].fillna(False).astype(bool), "ok", "failed")
    frame = frame.drop(columns=["_ok"])
    frame["design"] = pd.Categorical(frame["design"], categories=list(space.designs))
    names = [o for o in OUTCOME_INFO if o in frame.columns]
    frame = frame[[*KEYS, "status", *space.names, *names, *(["run_id"] if run_ids else [])]]
    frame = frame.sort_values(KEYS).reset_index(drop=True)
    frame.attrs["dispatched"] = counts
    return frame


def configure_points(space: Space, points: Sequence[dict[str, float]], workers: int = 1,
                     cluster: Cluster | None = None, in_process_below: int = IN_PROCESS_BELOW
                     ) -> list[dict[str, SimConfig]]:
    """:func:`~sim.experiments.space.configure` of every point, in the order given, on
    ``workers`` local processes (joblib, 0 = all cores) or as Ray tasks on ``cluster``; in this
    process with one worker or fewer than ``in_process_below`` points.

    ``configure`` is a pure function of (space, point), so the configurations — and every run id
    made from them — are those of the serial loop. So are the errors: a point that cannot be
    configured raises what it raises there (an :class:`InputError`, one line), and if several
    cannot, the first in point order does.
    """
    points = list(points)
    if cluster is None:
        n = worker_count(workers, len(points))
    else:
        from sim.experiments import ray_cluster

        n = 1 if len(points) < in_process_below else ray_cluster.connect(cluster)
    if n <= 1 or len(points) < in_process_below:
        return [configure(space, p) for p in points]
    size = max(1, min(CHUNK, math.ceil(len(points) / (4 * n))))
    chunks = [points[i:i + size] for i in range(0, len(points), size)]
    if cluster is None:
        from joblib import Parallel, delayed

        done = Parallel(n_jobs=n)(delayed(_configured)(space, c) for c in chunks)
    else:
        done = [None] * len(chunks)
        for (i, _, _), result, error in ray_cluster.as_completed(
                _configured_at, [(i, space, c) for i, c in enumerate(chunks)]):
            if error is not None:
                raise error  # a lost task (a point's own error is returned, not raised)
            done[i] = result
    out = [c for chunk in done for c in chunk]
    for result in out:
        if isinstance(result, Exception):
            raise result
    return out


def _configured(space: Space, points: list[dict[str, float]]) -> list:
    """Each point's configurations, or the error configuring it raised (raised by the driver,
    in point order, so that the first failing point is the one reported, as in the serial loop).
    """
    out = []
    for point in points:
        try:
            out.append(configure(space, point))
        except Exception as error:  # handed back to the driver, raised there
            out.append(error)
    return out


def _configured_at(index: int, space: Space, points: list[dict[str, float]]) -> list:
    """As :func:`_configured`; ``index`` (the chunk's place) comes back with the Ray task."""
    return _configured(space, points)


def _read_outcomes(store: ResultsStore, rids: Sequence[str]) -> pd.DataFrame:
    """Each stored run's summary outcomes (``_ok`` marks runs found complete in the store)."""
    done = [r for r in rids if store.is_done(r)]
    if not done:
        return pd.DataFrame({"run_id": pd.Series(dtype=str), "_ok": pd.Series(dtype=bool)})
    files = [str(store.root / "summary" / f"{r}.parquet") for r in done]
    con = duckdb.connect()
    try:
        summary = con.execute("select * from read_parquet(?, union_by_name = true)",
                              [files]).df()
    finally:
        con.close()
    columns = [o for o in OUTCOME_INFO if o in summary.columns]
    out = summary[["run_id", *columns]].copy()
    out["run_id"] = out["run_id"].astype(str)
    for column in columns:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["_ok"] = True
    return out.drop_duplicates("run_id")


def designs_of(frame: pd.DataFrame) -> list[str]:
    """The designs of an evaluated frame, first (the reference) first."""
    if isinstance(frame["design"].dtype, pd.CategoricalDtype):
        return [str(d) for d in frame["design"].cat.categories]
    return [str(d) for d in pd.unique(frame["design"])]


def paired_by_point(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One row per point: its parameters, each design's mean of ``outcome`` over seeds, and
    ``difference`` = mean over seeds of (second design − first design) on the same seed.

    Seeds where either design's value is missing (a failed run, an undefined outcome) are left
    out of the difference; a point with no such seed gets NaN.
    """
    if outcome not in frame.columns:
        raise InputError(f"outcome: {outcome!r} is not in the evaluated runs; allowed: "
                         f"{', '.join(o for o in OUTCOME_INFO if o in frame.columns)}")
    designs = designs_of(frame)
    if len(designs) != 2:
        raise InputError(f"paired_by_point: needs exactly two designs, got {designs}")
    first, second = designs
    params = [c for c in frame.columns
              if c not in (*KEYS, "status", *OUTCOME_INFO)]
    data = frame.assign(design=frame["design"].astype(str))
    per_point = data.groupby("point")[params].first()
    wide = data.set_index(["point", "seed", "design"])[outcome].unstack("design")
    wide = wide.reindex(columns=designs)
    means = wide.groupby(level="point").mean()
    difference = (wide[second] - wide[first]).groupby(level="point").mean()
    out = per_point.join(means[designs]).assign(difference=difference)
    out.columns.name = None
    return out


__all__ = ["KEYS", "configure_points", "designs_of", "evaluate", "paired_by_point"]

"""Reading a verdict's stored runs back in one pass, without configuring its points again.

A run's id is a hash of its whole resolved configuration (sim/experiments/store.py ``run_id``).
To find a point's runs by id, ``doe.evaluate(simulate=False)`` configures every point again —
with ``compare: equal_budget`` that builds each design's organisation to plan its budget, about
0.2 s of CPU a point (94 of the 114 s a profiled re-analysis of the N = 32 default verdict took;
at N = 512, 6 656 points, some 20 minutes before the first number is computed). It also finds
nothing once any default of the model changes, since every id changes with it.

So a verdict folder keeps its **run index** (:data:`INDEX`: point, design, seed → run id), written
by ``orgsim-verdict`` once its runs are dispatched (:func:`write_index`), and a re-analysis
(:func:`stored_runs`) reads the index and every stored summary it names with one DuckDB query:
one small read per run, linear in the number of runs, and exact (the ids are the ones the runs
were stored under).

A folder written before the index existed is matched on what the dispatcher recorded in front of
every summary (store.py ``write_run``): ``design``, ``seed``, ``scenario`` and ``setting`` — the
run's overrides except design and scenario, normalised and sorted (dispatch.py ``setting_of``),
computed for each point from the sample alone, the same way (doe.py ``_overrides``). A setting
the design does not have (the micro-enterprise's learning curve, for the traditional design:
``space.assign`` skips it) is written in the setting but changes nothing, so both sides keep only
the settings the design has (:func:`effective`). The setting does not say everything: with
``compare: equal_budget`` the second design is scaled to the first's budget, which a setting of the
first design alone can change. Two stored runs with one (design, seed, scenario, setting) are then
:class:`Ambiguous` and the caller falls back to the ids.

A run counts as stored when its summary and its manifest exist (the summary is written after every
other table and the manifest after it: store.py). A run recorded as failed has a manifest and no
summary; a run neither stored nor recorded is *missing* (``frame.attrs["missing"]``). The runs are
those of the model that made them: verdict.json records its fingerprint, and the command line says
when it is not the current one (sim/cli/verdict.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.dispatch import setting_of
from sim.experiments.doe import KEYS, _applied, _overrides
from sim.experiments.space import DERIVED, Space, design_config, for_design, locate
from sim.experiments.store import ResultsStore, atomic_write

INDEX = "run_index.parquet"  # in the verdict folder, beside store/
FRONT = ["run_id", "design", "seed", "scenario", "setting"]
MATCH = ["design", "seed", "scenario", "setting"]


class Ambiguous(RuntimeError):
    """Two stored runs answer to the same (design, seed, scenario, setting)."""


# ----------------------------------------------------------------------------- the index
def write_index(folder: Path, frame: pd.DataFrame) -> None:
    """The run index of an evaluated sample (``doe.evaluate(..., run_ids=True)``)."""
    index = frame[[*KEYS, "run_id"]].assign(design=frame["design"].astype(str))
    atomic_write(Path(folder) / INDEX, lambda tmp: index.to_parquet(tmp, index=False))


def read_index(folder: Path) -> pd.DataFrame | None:
    """The folder's run index, or None if it has none."""
    path = Path(folder) / INDEX
    return pd.read_parquet(path) if path.is_file() else None


# ----------------------------------------------------------------------------- by setting
def effective(space: Space, design: str) -> list[str]:
    """The settings of the space that reach ``design``'s configuration (``space.assign`` sets
    them; it skips a setting the design does not have)."""
    config = design_config(space, design)
    return [n for n in space.names if n in DERIVED or locate(config, n) is not None]


def _inert_keys(space: Space, design: str) -> set[str]:
    """How the dispatcher spells, in ``design``'s setting, the settings that do not reach it."""
    kept = set(effective(space, design))
    return {own for n in space.names if n not in kept and (own := for_design(n, design))}


def _without(setting: str, keys: set[str]) -> str:
    """A recorded setting without the given settings (its tokens stay in their order)."""
    if not keys:
        return setting
    return " ".join(t for t in setting.split(" ") if t.split("=", 1)[0] not in keys)


def _effective_settings(recorded: pd.DataFrame, inert: dict[str, set[str]]) -> list[str]:
    """Each recorded run's ``setting`` without the settings its design does not have."""
    return [_without(t, inert.get(d, set()))
            for t, d in zip(recorded.setting, recorded.design, strict=True)]


def settings_of(space: Space, points: pd.DataFrame) -> pd.DataFrame:
    """Per point and design: the values as applied (integers rounded) and the ``setting`` the
    dispatcher records for its runs, without the settings the design does not have."""
    rows = []
    kept = {d: effective(space, d) for d in space.designs}
    for number, applied in _applied_points(space, points):
        for design in space.designs:
            own = {n: applied[n] for n in kept[design]}
            rows.append({"point": number, "design": design,
                         "setting": setting_of(_overrides(space, design, own)), **applied})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- reading
def _stems(folder: Path, suffix: str) -> set[str]:
    """The run ids of a store folder's files (a listing: nothing is opened)."""
    return {p.name[:-len(suffix)] for p in folder.glob(f"*{suffix}")} if folder.is_dir() \
        else set()


def _read_summaries(root: Path, rids: list[str], outcomes: list[str]) -> pd.DataFrame:
    """``FRONT`` and the outcomes of the given runs' summaries, one query. Every summary has the
    headline outcomes; where one lacks a column the query reads the files' schemas too (slower)."""
    if not rids:
        return pd.DataFrame(columns=FRONT + outcomes)
    files = [str(root / "summary" / f"{r}.parquet") for r in rids]
    con = duckdb.connect()
    try:
        wanted = ", ".join(f'"{c}"' for c in FRONT + outcomes)
        try:
            summary = con.execute(f"select {wanted} from read_parquet(?)", [files]).df()
        except duckdb.Error:
            summary = con.execute(f"select {wanted} from read_parquet(?, union_by_name = true)",
                                  [files]).df()
    finally:
        con.close()
    for column in ("run_id", "design", "scenario", "setting"):
        summary[column] = summary[column].astype(str)
    summary["seed"] = summary["seed"].astype(np.int64)
    return summary


def _failed(store: ResultsStore, rids: list[str]) -> pd.DataFrame:
    """Id and (design, seed, scenario, setting) of the runs recorded as failed (manifests)."""
    rows = []
    for rid in rids:
        m = store.manifest(rid)
        if m and m.get("status") != "ok":
            rows.append({"run_id": rid, "design": str(m.get("design")),
                         "seed": int(m.get("seed", -1)), "scenario": str(m.get("scenario")),
                         "setting": str(m.get("setting")), "_failed": True})
    return pd.DataFrame(rows, columns=["run_id", *MATCH, "_failed"])


def stored_runs(space: Space, points: pd.DataFrame, seeds: Sequence[int], store_root: Path,
                outcomes: Sequence[str], index: pd.DataFrame | None = None) -> pd.DataFrame:
    """What ``doe.evaluate(space, points, seeds, store, simulate=False, run_ids=True)`` returns
    for the columns a verdict reads — keys, ``status``, the applied values, ``outcomes`` and
    ``run_id`` — read in one pass: through the run ``index`` (:func:`read_index`) if given, else
    by setting. A run not stored is ``failed``; ``frame.attrs["missing"]`` counts those that are
    not even recorded as failed. Raises :class:`Ambiguous` when matching by setting cannot
    tell two stored runs apart."""
    store = ResultsStore(store_root)
    manifests = _stems(store.root / "runs", ".json")
    complete = sorted(_stems(store.root / "summary", ".parquet") & manifests)
    outcomes = list(dict.fromkeys(outcomes))
    every = pd.DataFrame({"seed": [int(s) for s in seeds]})
    if index is not None:
        frame, ok, missing = _by_index(space, points, every, index, store, complete, manifests,
                                       outcomes)
    else:
        frame, ok, missing = _by_setting(space, points, every, store, complete, manifests,
                                         outcomes)
    frame["status"] = np.where(ok, "ok", "failed")
    for column in outcomes:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["design"] = pd.Categorical(frame["design"], categories=list(space.designs))
    present = [o for o in OUTCOME_INFO if o in outcomes]
    frame = frame[[*KEYS, "status", *space.names, *present, "run_id"]]
    frame = frame.sort_values(KEYS).reset_index(drop=True)
    frame["run_id"] = frame["run_id"].astype(str)
    frame.attrs = {"dispatched": {"done": 0, "skipped": 0, "failed": 0}, "missing": missing}
    return frame


def _by_index(space, points, every, index, store, complete, manifests, outcomes):
    """(rows, stored?, missing) with each row's run id from the run index."""
    keyed = index.assign(design=index["design"].astype(str), seed=index["seed"].astype(np.int64))
    rows = _applied_rows(space, points).merge(every, how="cross").merge(keyed, on=KEYS,
                                                                          how="left")
    if rows.run_id.isna().any():
        raise Ambiguous("the run index does not cover the sample")  # the caller reads by id
    named = sorted(set(rows.run_id) & set(complete))
    summary = _read_summaries(store.root, named, outcomes)[["run_id", *outcomes]]
    frame = rows.merge(summary, on="run_id", how="left", indicator=True)
    ok = (frame.pop("_merge") == "both").to_numpy()
    return frame, ok, int((~ok & ~frame.run_id.isin(manifests)).sum())


def _by_setting(space, points, every, store, complete, manifests, outcomes):
    """(rows, stored?, missing) with each row matched to a stored summary by its setting."""
    summary = _read_summaries(store.root, complete, outcomes)
    inert = {d: _inert_keys(space, d) for d in space.designs}
    summary["setting"] = _effective_settings(summary, inert)
    if summary.duplicated(MATCH).any():
        raise Ambiguous(f"{store.root}: two stored runs of the same design, seed and setting")
    rows = settings_of(space, points).merge(every, how="cross").assign(scenario=space.scenario)
    frame = rows.merge(summary, on=MATCH, how="left")
    ok = frame.run_id.notna().to_numpy()
    failed = _failed(store, sorted(manifests - set(complete)))
    failed["setting"] = _effective_settings(failed, inert)
    recorded = frame[MATCH].merge(failed[[*MATCH, "_failed"]].drop_duplicates(MATCH),
                                  on=MATCH, how="left")._failed.notna().to_numpy()
    frame["run_id"] = frame.run_id.fillna("")
    return frame, ok, int((~ok & ~recorded).sum())


def _applied_rows(space: Space, points: pd.DataFrame) -> pd.DataFrame:
    """Per point and design: the values as applied (integers rounded)."""
    return pd.DataFrame([{"point": number, "design": d, **applied}
                         for number, applied in _applied_points(space, points)
                         for d in space.designs])


def _applied_points(space: Space, points: pd.DataFrame):
    """(number, values as applied) of every point of the sample, in order."""
    for number, values in zip(points.index, points[space.names].to_numpy(float), strict=True):
        yield number, _applied(space, dict(zip(space.names, values, strict=True)))


__all__ = ["INDEX", "Ambiguous", "effective", "read_index", "settings_of", "stored_runs",
           "write_index"]

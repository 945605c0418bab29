"""The business case of every run in a sweep's results store, so that a sweep's result table
carries it per point: net revenue, costs, NPV, the NPV of the move and whether (and when) the move
pays back, on the same seeds (sim/experiments/business_case.py does the arithmetic; this module
only reads what it needs from the store).

Per run the store keeps the weekly ``series`` (``patients_treated``, ``cost_step``) and, in its
manifest, the resolved configuration (``business`` settings, ``run.step_weeks``). Runs are grouped
by point — scenario, setting and configuration (sim/experiments/analysis.py: runs of one
configuration share the market, staffing, business settings and step) — and each point's runs go
through :func:`business_case.cash_flows` and :func:`business_case.run_values` against the
baseline design of that point, if it ran there.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from sim.configuration.business import BusinessConfig
from sim.experiments import business_case
from sim.experiments.analysis import BUSINESS

POINT = ["scenario", "setting", "configuration"]
COLUMNS = [b[0] for b in BUSINESS]


def _series(store: Path, run_ids: list[str]) -> pd.DataFrame:
    files = [str(store / "series" / f"{rid}.parquet") for rid in run_ids]
    return duckdb.sql("select run_id, week, patients_treated, cost_step from "
                      f"read_parquet({files!r}, union_by_name=true)").df()


def _settings(store: Path, run_id: str) -> tuple[BusinessConfig, float]:
    """The business settings and step length a stored run was made with."""
    path = store / "runs" / f"{run_id}.json"
    try:
        config = json.loads(path.read_text())["config"]
        return BusinessConfig(**config["business"]), float(config["run"]["step_weeks"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a readable run manifest ({error})") from None


def store_values(folder: Path, summary: pd.DataFrame, baseline: str | None) -> pd.DataFrame:
    """One row per run of the sweep ``folder`` in ``summary`` (run_id and the business-case
    columns); empty for a folder without a results store."""
    store = Path(folder) / "store"
    runs = summary[summary.folder == str(folder)] if "folder" in summary else summary
    if not (store / "series").is_dir() or "run_id" not in runs or runs.empty:
        return pd.DataFrame(columns=["run_id", *COLUMNS])
    series = _series(store, runs.run_id.tolist()).merge(
        runs[["run_id", *POINT, "design", "seed"]], on="run_id")
    parts = []
    for _, point in series.groupby(POINT, sort=False):
        business, dt = _settings(store, point.run_id.iloc[0])
        base = baseline if baseline in set(point.design) else None
        flows = business_case.cash_flows(point, business, dt, base)
        values = business_case.run_values(flows, base)
        ids = point[["design", "seed", "run_id"]].drop_duplicates()
        parts.append(values.merge(ids, on=["design", "seed"]))
    return pd.concat(parts, ignore_index=True)[["run_id", *COLUMNS]]


def with_business(summary: pd.DataFrame, folders, baseline: str | None) -> pd.DataFrame:
    """``summary`` with the business-case columns of every run stored in a sweep folder among
    ``folders`` (NaN for runs of single-run folders, whose business case is in their own
    tables)."""
    values = [store_values(Path(f), summary, baseline) for f in folders]
    values = [v for v in values if not v.empty]
    if not values or "run_id" not in summary:
        return summary
    merged = pd.concat(values, ignore_index=True).drop_duplicates("run_id")
    return summary.drop(columns=[c for c in COLUMNS if c in summary]).merge(
        merged, on="run_id", how="left")

"""The business case of the move across the space (the verdict's answer (d)).

Every stored run keeps its weekly series, with patients on therapy and the cost of each step. For
each point of the sample, the business case's own law (sim/experiments/business_case.py
``cash_flows``: revenue from patients on therapy at the net price, after the ramp; the commercial
cost; the transformation cost once at launch for the move; discounting) gives each run's weekly
cash flow. Then, on the same seeds:

* the **NPV of the move** at a point = mean over seeds of (NPV of the second design − NPV of the
  first);
* the **payback week** at a point = the first week from which the cumulative difference in cash
  flow (mean over seeds, undiscounted) stays ≥ 0 to the horizon
  (``business_case.payback_week``); the move *pays back within the horizon* when there is one.

The business settings are fixed in the space (they change no simulated outcome), so they are
those of the space's scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sim.experiments.business_case import cash_flows, payback_week
from sim.experiments.space import Space, configure

SERIES = ["run_id", "week", "patients_treated", "cost_step"]


@dataclass
class BusinessCase:
    """Per point: ``npv_move`` (k€) and ``payback_week`` (NaN: not within the horizon)."""

    per_point: pd.DataFrame
    base: pd.Index  # the points the shares are taken over (rows A and B)
    settings: str  # the business settings, in words

    def share_paid_back(self) -> tuple[int, int]:
        """(points where the move pays back within the horizon, points with a business case)."""
        block = self.per_point.reindex(self.base).dropna(subset=["npv_move"])
        return int(block.payback_week.notna().sum()), len(block)

    def share_npv_positive(self) -> tuple[int, int]:
        block = self.per_point.reindex(self.base).dropna(subset=["npv_move"])
        return int((block.npv_move > 0).sum()), len(block)


def read_series(store: Path, run_ids: list[str]) -> pd.DataFrame:
    """The weekly patients on therapy and step cost of the given stored runs."""
    files = [str(Path(store) / "series" / f"{r}.parquet") for r in run_ids]
    if not files:
        return pd.DataFrame(columns=SERIES)
    con = duckdb.connect()
    try:
        return con.execute(f"select {', '.join(SERIES)} from read_parquet(?)", [files]).df()
    finally:
        con.close()


def business_case(space: Space, runs: pd.DataFrame, store: Path, base: pd.Index,
                  horizon_weeks: float) -> BusinessCase:
    """The NPV and payback week of the move at every point whose runs all succeeded."""
    middle = {p.path: (p.low + p.high) / 2 for p in space.params}
    config = next(iter(configure(space, middle).values()))
    first, _ = space.designs
    ok = runs[runs.status == "ok"]
    series = read_series(store, sorted(set(ok.run_id)))
    keyed = ok[["run_id", "point", "design", "seed"]].merge(series, on="run_id")
    # a run's key for the law, which groups by (design, seed): one number per (point, seed)
    keyed["design"] = keyed["design"].astype(str)
    keyed["key"] = keyed.point.astype(np.int64) * 1_000_003 + keyed.seed.astype(np.int64)
    flows = cash_flows(keyed.drop(columns=["seed"]).rename(columns={"key": "seed"}),
                       config.business, config.run.step_weeks, first)
    npv = flows.groupby(["design", "seed"]).discounted.sum().unstack("design")
    rows = []
    point_of = keyed.drop_duplicates("key").set_index("key").point
    if npv.shape[1] >= 2:
        # Per point, over the seeds where both designs have an NPV: the mean NPV of the move
        # and the mean weekly difference in cash flow. Grouped once for every point (selecting
        # each point's rows from the whole table costs in proportion to the table: quadratic);
        # every point's numbers come from the same values in the same order as one at a time.
        second = [d for d in npv.columns if d != first][0]
        both = npv.dropna()
        move = both[second] - both[first]
        wide = flows.pivot_table(index=["seed", "week"], columns="design", values="cash_flow")
        weekly = (wide[second] - wide[first]).rename("difference").reset_index()
        weekly = weekly[weekly.seed.isin(both.index)]
        weekly["point"] = point_of.reindex(weekly.seed).to_numpy()
        mean_diff = weekly.groupby(["point", "week"]).difference.mean()
        by_point = mean_diff.groupby(level="point", sort=True)
        for (point, npvs), (_, diff) in zip(
                move.groupby(point_of.reindex(move.index).to_numpy(), sort=True), by_point,
                strict=True):
            rows.append(dict(point=point, npv_move=float(npvs.mean()),
                             payback_week=payback_week(
                                 diff.index.get_level_values("week").to_numpy(float),
                                 diff.to_numpy(float))))
    per_point = pd.DataFrame(rows, columns=["point", "npv_move", "payback_week"]) \
        .set_index("point")
    b = config.business
    settings = (f"net price {b.net_price_k:g} k€ per patient-year reached over "
                f"{b.revenue_ramp_weeks:g} weeks; transformation cost {b.transformation_cost_k:g}"
                f" k€ at launch; discount rate {b.discount_rate:.0%} a year; horizon "
                f"{horizon_weeks:g} weeks")
    return BusinessCase(per_point, base, settings)


__all__ = ["BusinessCase", "business_case", "read_series"]

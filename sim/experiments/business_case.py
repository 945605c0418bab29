"""The business case of moving from the baseline design (traditional) to another: money in, money
out, week by week, on the same seeds (docs/ODD.md, "The business case").

For every run, at every step ``s`` (week ``w = s × dt``), from the run's own series:

* net revenue   = patients on therapy × net price per patient-year × dt / 52 × ramp(w),
  with ramp(w) = min(1, w / business.revenue_ramp_weeks) (1 at once when the ramp is 0);
* commercial cost = the model's cost of the step (salaries, visits, hiring, management, platform,
  severance and retraining — ``cost_step``);
* transformation cost = ``business.transformation_cost_k``, once at week 0, for every design other
  than the baseline (the move costs it; staying does not);
* cash flow = revenue − commercial cost − transformation cost, discounted by (1 + r)^(−w / 52).

Per run: the sums and the net present value (NPV). Per design and seed, against the baseline on
the same seed: the payback week of the move — the first week from which the cumulative
(undiscounted) difference in cash flow stays ≥ 0 to the horizon; undefined (NaN) when it never
does — whether it pays back (1 or 0, so its mean over seeds is the share of seeds in which the move
pays back within the horizon), and the NPV of the move, this run's NPV minus the baseline's on the
same seed (NPV is linear, so its mean is the paired difference of NPVs and its interval over seeds
comes with the comparison, sim/experiments/analysis.py). A sweep gets the same columns per point
(sim/experiments/sweep_business.py, :func:`by_point`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiments.analysis import BUSINESS, paired_comparison

KEYS = ["design", "seed"]


def ramp(week: np.ndarray, ramp_weeks: float) -> np.ndarray:
    """Share of the net price earned at ``week``: linear from 0 at launch to 1 at the ramp's
    end."""
    week = np.asarray(week, float)
    return np.ones_like(week) if ramp_weeks <= 0 else np.clip(week / ramp_weeks, 0.0, 1.0)


def cash_flows(series: pd.DataFrame, business, dt: float, baseline: str | None) -> pd.DataFrame:
    """Week-by-week money of every run in ``series`` (stacked: design, seed, week,
    patients_treated, cost_step): revenue, commercial and transformation cost, cash flow, its
    discounted value and the cumulative sums (k€)."""
    s = series[[*KEYS, "week", "patients_treated", "cost_step"]].sort_values(
        [*KEYS, "week"]).reset_index(drop=True)
    out = s[[*KEYS, "week"]].copy()
    out["revenue"] = (s.patients_treated * business.net_price_k * dt / 52.0
                      * ramp(s.week, business.revenue_ramp_weeks))
    out["commercial_cost"] = s.cost_step.astype(float)
    moves = (s.design != baseline) if baseline is not None else pd.Series(False, index=s.index)
    out["transformation_cost"] = np.where(moves & (s.week == 0),
                                          business.transformation_cost_k, 0.0)
    out["cash_flow"] = out.revenue - out.commercial_cost - out.transformation_cost
    out["discounted"] = out.cash_flow * (1.0 + business.discount_rate) ** (-s.week / 52.0)
    grouped = out.groupby(KEYS, sort=False)
    out["cumulative"] = grouped.cash_flow.cumsum()
    out["discounted_cumulative"] = grouped.discounted.cumsum()
    return out


def payback_week(week: np.ndarray, difference: np.ndarray) -> float:
    """First week from which the cumulative ``difference`` stays ≥ 0 to the end; NaN if it ends
    below 0."""
    cumulative = np.cumsum(np.asarray(difference, float))
    if not len(cumulative) or cumulative[-1] < 0:
        return float("nan")
    below = np.flatnonzero(cumulative < 0)
    return float(week[0] if not len(below) else week[below[-1] + 1])


def run_values(flows: pd.DataFrame, baseline: str | None) -> pd.DataFrame:
    """One row per run: net revenue, commercial cost, transformation cost, net cash flow, NPV
    and (for a design other than the baseline) the payback week of the move on its seed."""
    values = flows.groupby(KEYS, sort=False).agg(
        net_revenue=("revenue", "sum"), commercial_cost=("commercial_cost", "sum"),
        transformation_cost=("transformation_cost", "sum"), net_cash_flow=("cash_flow", "sum"),
        npv=("discounted", "sum")).reset_index()
    values["payback_week"] = values["pays_back"] = values["npv_move"] = np.nan
    if baseline is None:
        return values
    base = flows[flows.design == baseline].set_index(["seed", "week"]).cash_flow
    base_npv = values[values.design == baseline].set_index("seed").npv
    for i, row in values.iterrows():
        if row.design == baseline:
            continue
        mine = flows[(flows.design == row.design) & (flows.seed == row.seed)]
        theirs = base.reindex(list(zip(mine.seed, mine.week, strict=True))).to_numpy()
        if np.isnan(theirs).any() or row.seed not in base_npv.index:
            continue  # the baseline has no run on this seed: no pair
        week = payback_week(mine.week.to_numpy(), mine.cash_flow.to_numpy() - theirs)
        values.loc[i, ["payback_week", "pays_back", "npv_move"]] = (
            week, float(np.isfinite(week)), row.npv - base_npv[row.seed])
    return values


def comparison(values: pd.DataFrame, baseline: str | None) -> pd.DataFrame:
    """Means, 95% intervals and paired differences of the business outcomes (as the main
    comparison); the difference in NPV is the NPV of the move."""
    return paired_comparison(values, baseline=baseline, outcomes=[b[0] for b in BUSINESS])


def by_point(values: pd.DataFrame, comparison: pd.DataFrame) -> pd.DataFrame:
    """The business case of the move at each point of a sweep (scenario, setting,
    configuration) and compared design: the NPV of the move (mean and 95% interval over seeds,
    from ``comparison``), the seeds paired with the baseline, how many pay back within the
    horizon, their share (with its interval) and the median payback week."""
    keys = ["scenario", "setting", "configuration", "design"]
    paired = values[values.pays_back.notna()]
    counts = paired.groupby(keys, sort=False).agg(
        seeds=("seed", "nunique"), seeds_paying_back=("pays_back", "sum"),
        payback_week_median=("payback_week", "median")).reset_index()
    means = comparison[(comparison.kind == "mean")
                       & comparison.outcome.isin(["npv_move", "pays_back"])]
    wide = means.pivot_table(index=keys, columns="outcome", values=["mean", "low", "high"],
                             dropna=False)
    wide.columns = [f"{o}{'' if s == 'mean' else '_' + s}" for s, o in wide.columns]
    out = counts.merge(wide.reset_index(), on=keys, how="left").rename(columns={
        "pays_back": "share_paying_back", "pays_back_low": "share_paying_back_low",
        "pays_back_high": "share_paying_back_high"})
    out["seeds_paying_back"] = out.seeds_paying_back.astype(int)
    order = [*keys, "npv_move", "npv_move_low", "npv_move_high", "seeds", "seeds_paying_back",
             "share_paying_back", "share_paying_back_low", "share_paying_back_high",
             "payback_week_median"]
    return out.reindex(columns=order)


def payback_note(values: pd.DataFrame, baseline: str | None, horizon: float) -> str:
    """One line per compared design: in how many seeds the move pays back within the horizon."""
    lines = []
    for design, group in values[values.design != baseline].groupby("design", sort=False):
        paid = group.payback_week.dropna()
        if baseline is None:
            continue
        median = f"; median payback week {paid.median():.0f}" if len(paid) else ""
        lines.append(f"Moving from {baseline} to {design} pays back within the {horizon:g}-week "
                     f"horizon in {len(paid)} of {len(group)} seeds{median}.")
    return "\n".join(lines)


def describe_settings(business) -> str:
    """The business case's settings in one line, for the printed table."""
    return (f"Business case: net price {business.net_price_k:g} k€ per patient-year, reached "
            f"over {business.revenue_ramp_weeks:g} weeks; transformation cost "
            f"{business.transformation_cost_k:g} k€ at launch for the move; discount rate "
            f"{business.discount_rate:.0%} a year.")

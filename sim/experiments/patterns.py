"""Pattern metrics: a run's outputs in the units published field and launch figures use.

Pattern-oriented validation (Grimm et al. 2005; docs/VALIDATION.md, section 7) compares a run
with patterns observed in real launches and field forces. Each function here reads only a run's
tidy tables (sim/engine/results.py) and its configuration — nothing is simulated again:

* :func:`launch_year_volumes` — treatment volume per launch year (patient-weeks, a unit-sales
  proxy), for the shape of the uptake curve;
* :func:`access_weeks` — per account, the week its last trigger point (formulary, reimbursement,
  infusion capacity) was cleared: time from launch to market access at that account;
* :func:`calls_per_rep_day` and :func:`calls_per_rep_hcp_year` — call frequency as field forces
  report it;
* :func:`pattern_metrics` — all of them for one run, one tidy row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKS_PER_YEAR = 52
WORKING_DAYS_PER_WEEK = 5
DAYS_PER_WEEK = 7
REP_ROLE = "sales_rep"


def launch_year_volumes(series: pd.DataFrame, years: int = 3) -> np.ndarray:
    """Patient-weeks on therapy in each launch year 1 … ``years`` (weeks 52(k−1) < week ≤ 52k).

    ``series.patients_treated`` is the number on therapy at each step; summed over a year's steps
    and multiplied by the step length it is that year's volume of treatment — unit sales at a
    constant price. A year the run did not reach in full is NaN.
    """
    dt = float(series.week.iloc[1] - series.week.iloc[0]) if len(series) > 1 else 1.0
    out = np.full(years, np.nan)
    for k in range(years):
        lo, hi = k * WEEKS_PER_YEAR, (k + 1) * WEEKS_PER_YEAR
        if series.week.iloc[-1] + 1e-9 < hi:
            break
        inside = (series.week > lo + 1e-9) & (series.week <= hi + 1e-9)
        out[k] = float(series.patients_treated[inside].sum()) * dt
    return out


def access_weeks(jobs: pd.DataFrame, accounts: pd.DataFrame) -> pd.Series:
    """Week each account with trigger points cleared the last of them (NaN: not all cleared).

    A trigger point is cleared by the first resolved gating job of its type at the account (an
    abandoned one is raised again as a new job). Accounts without trigger points are left out:
    they never waited for access.
    """
    gated = accounts[accounts.gates.astype(str) != ""]
    solved = jobs[jobs.gating & (jobs.state == "resolved")]
    first = solved.groupby(["account", "job_type"]).closed_at.min()
    weeks = {}
    for account, gates in zip(gated.account, gated.gates, strict=True):
        times = [first.get((account, g), np.nan) for g in str(gates).split(",")]
        weeks[int(account)] = float(max(times)) if not np.isnan(times).any() else np.nan
    return pd.Series(weeks, name="access_week", dtype=float)


def _rep_calls(staff: pd.DataFrame, call_hours: float) -> tuple[pd.DataFrame, float]:
    reps = staff[staff.role == REP_ROLE]
    return reps, float(reps.hours_calls.sum()) / call_hours


def calls_per_rep_day(staff: pd.DataFrame, weeks: float, call_hours: float) -> float:
    """Calls a sales-rep position made per working day (five a week) over ``weeks``."""
    reps, calls = _rep_calls(staff, call_hours)
    days = len(reps) * weeks * WORKING_DAYS_PER_WEEK
    return calls / days if days else float("nan")


def account_hcps(accounts: pd.DataFrame, patients_per_hcp: float) -> np.ndarray:
    """HCPs at each account as the engine counts its detailing audience (``market.hcps``):
    eligible patients ÷ patients per prescriber, plus the decision-making unit."""
    return accounts.patients.to_numpy(float) / patients_per_hcp + accounts.stakeholders.to_numpy(
        float)


def calls_per_rep_hcp_year(staff: pd.DataFrame, accounts: pd.DataFrame, weeks: float,
                           call_hours: float, patients_per_hcp: float) -> float:
    """Calls a rep makes per HCP of the accounts it covers, per year.

    The denominator is Σ over rep positions of (accounts covered × mean HCPs per account): exact
    when each account has the same number of reps (one per product line, as the traditional
    design's territories give when a line has no more reps in a region than it has accounts).
    """
    reps, calls = _rep_calls(staff, call_hours)
    pairs = float(reps.accounts.sum()) * float(account_hcps(accounts, patients_per_hcp).mean())
    years = weeks / WEEKS_PER_YEAR
    return calls / pairs / years if pairs and years else float("nan")


def pattern_metrics(result, config) -> dict:
    """Every pattern metric of one run (a ``RunResult`` and its ``SimConfig``), one tidy row."""
    weeks = float(result.series.week.iloc[-1])
    y1, y2, y3 = launch_year_volumes(result.series)
    access = access_weeks(result.jobs, result.accounts)
    call_hours = config.staffing.call_hours
    return {
        "design": result.meta.get("design", config.org.design),
        "seed": result.meta.get("seed"),
        "year1_volume": y1, "year2_volume": y2, "year3_volume": y3,
        "year1_to_year3": y1 / y3 if y3 else float("nan"),
        "year2_to_year3": y2 / y3 if y3 else float("nan"),
        "gated_accounts": int(len(access)),
        "access_cleared_share": float(access.notna().mean()) if len(access) else float("nan"),
        "access_days_mean": float(access.mean() * DAYS_PER_WEEK),
        "calls_per_rep_day": calls_per_rep_day(result.staff, weeks, call_hours),
        "calls_per_rep_hcp_year": calls_per_rep_hcp_year(
            result.staff, result.accounts, weeks, call_hours, config.market.patients_per_hcp),
    }


def pattern_table(results: dict, configs: dict) -> pd.DataFrame:
    """Pattern metrics of many runs: ``results`` {RunKey(design, seed): RunResult} (as
    ``run_paired`` returns them), ``configs`` {design: SimConfig}."""
    return pd.DataFrame([pattern_metrics(r, configs[key.design]) for key, r in results.items()])

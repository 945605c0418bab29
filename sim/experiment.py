"""Running designs on paired seeds, and the statistics of the comparison.

Replication *i* runs every design with seed ``run.seed + i``: the same market, the same job
arrivals and the same people (common random numbers), so the per-seed differences between designs
are paired. Runs are independent pure functions of (config, seed); they run in worker processes
(joblib) and give identical results however many workers there are.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats

from sim.config import SimConfig
from sim.model import simulate
from sim.results import RunResult

TABLES = ("series", "jobs", "accounts", "staff", "summary", "history")

# Headline outcomes: (summary column, label, unit, decimals, better when)
HEADLINE = (
    ("resolved_share", "jobs resolved", "share", 3, "higher"),
    ("cross_functional_resolved_share", "cross-functional jobs resolved", "share", 3, "higher"),
    ("time_to_resolution_median", "time to resolve a job (median)", "weeks", 2, "lower"),
    ("cross_functional_time_to_resolution_median", "time to resolve a cross-functional job",
     "weeks", 2, "lower"),
    ("week_50pct_adoption", "week half the accounts adopted", "week", 1, "lower"),
    ("accounts_adopted_share", "accounts adopted at horizon", "share", 3, "higher"),
    ("patients_treated", "patients on therapy at horizon", "patients", 0, "higher"),
    ("contacts_per_account", "company contacts per account", "people", 2, "lower"),
    ("trust_final", "customer trust at horizon", "0-1", 3, "higher"),
    ("decision_wait_mean", "wait for an escalated decision", "weeks", 2, "lower"),
    ("engagement_final", "staff engagement at horizon", "0-1", 3, "higher"),
    ("staff_turnover", "staff turnover", "per year", 3, "lower"),
    ("compliance_incidents", "compliance incidents", "count", 1, "lower"),
    ("cost_per_resolved_job", "cost per resolved job", "k€", 1, "lower"),
)


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


def mean_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and two-sided t interval, ignoring NaN; interval is NaN with fewer than 2 values."""
    values = np.asarray(values, float)
    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    mean = float(values.mean())
    if n < 2:
        return mean, np.nan, np.nan, n
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half, n


def compare(summary: pd.DataFrame, designs: list[str]) -> pd.DataFrame:
    """Tidy comparison: per outcome and design, mean and 95% interval; then for every design after
    the first, the paired difference (design − first design) over seeds where both are defined."""
    rows = []
    for column, label, unit, decimals, better in HEADLINE:
        wide = summary.pivot(index="seed", columns="design", values=column)
        for design in designs:
            m, lo, hi, n = mean_interval(wide[design].to_numpy())
            rows.append({"outcome": column, "label": label, "unit": unit, "better": better,
                         "decimals": decimals, "design": design, "kind": "mean", "mean": m,
                         "low": lo, "high": hi, "n": n})
        for design in designs[1:]:
            diff = (wide[design] - wide[designs[0]]).to_numpy()
            m, lo, hi, n = mean_interval(diff)
            rows.append({"outcome": column, "label": label, "unit": unit, "better": better,
                         "decimals": decimals, "design": f"{design} − {designs[0]}",
                         "kind": "difference", "mean": m, "low": lo, "high": hi, "n": n})
    return pd.DataFrame(rows)


def _cell(mean: float, low: float, high: float, decimals: int, n: int, total: int) -> str:
    if np.isnan(mean):
        return "–"
    text = f"{mean:.{decimals}f}"
    if not np.isnan(low):
        text += f" [{low:.{decimals}f}, {high:.{decimals}f}]"
    if n < total:
        text += f" (n={n})"
    return text


def comparison_table(comparison: pd.DataFrame, replications: int) -> pd.DataFrame:
    """The comparison as the printed table: one row per outcome, one column per design."""
    table = {}
    for _, group in comparison.groupby("outcome", sort=False):
        first = group.iloc[0]
        row = {}
        for _, r in group.iterrows():
            row[r.design] = _cell(r["mean"], r.low, r.high, int(r.decimals), int(r.n),
                                  replications)
        table[f"{first.label} ({first.unit})"] = row
    return pd.DataFrame.from_dict(table, orient="index")

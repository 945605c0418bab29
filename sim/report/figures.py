"""The report's figures: each a plotly figure, the tidy table it is drawn from, and one line
reading it — computed from that table, never a fixed sentence.

One look everywhere (sim/report/style.py): the same colour per design, a colour-blind-safe palette,
readable fonts, axis titles with units, and a caption line naming scenario, replications and seeds.
The table behind a figure is what ``orgsim-export`` writes as its CSV. The building blocks are in
sim/report/plotting.py, the journeys of jobs in sim/report/journeys.py and the figures of a sweep
in sim/report/sweep_figures.py; :func:`all_figures` gathers them in the report's order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.report.business_figures import cumulative_cash_flow
from sim.report.data import ReportData, finite
from sim.report.journeys import job_timeline, journeys
from sim.report.plotting import (
    Figure,
    band_traces,
    earlier,
    fmt,
    mean_band,
    mean_of,
    scatter,
    style,
    wrap,
)
from sim.report.style import colour
from sim.report.sweep_figures import (
    business_vs_parameters,
    outcomes_vs_parameters,
    paired_differences,
)


# ----------------------------------------------------------------------------- adoption
def adoption(data: ReportData) -> list[Figure]:
    accounts = mean_band(data.series, "accounts_adopted_share")
    patients = mean_band(data.series, "patients_treated")
    fig = go.Figure()
    band_traces(fig, accounts, data.designs)
    fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%")  # 0% clear of the x ticks
    weeks = {d: mean_of(data, "week_50pct_adoption", d) for d in data.designs}
    final = {d: accounts[accounts.design == d]["mean"].iloc[-1] for d in data.designs}
    if all(v == 0 for v in final.values()):
        reading = f"No account adopted within {data.horizon:g} weeks under any design."
    elif all(np.isfinite(list(weeks.values()))) and len(data.designs) > 1:
        first, *others = data.designs
        parts = [f"{d} at week {weeks[d]:.0f} ({earlier(weeks[d] - weeks[first], first)})"
                 for d in others]
        reading = (f"Half of the accounts adopted at week {weeks[first]:.0f} under {first}; "
                   + "; ".join(parts) + ".")
    else:
        reading = "Accounts adopted at the horizon: " + ", ".join(
            f"{d} {final[d]:.0%}" for d in data.designs) + (
            "; 50% was not reached by every design within the horizon."
            if not all(np.isfinite(list(weeks.values()))) else ".")
    out = [Figure("01_adoption_accounts", "Accounts that adopted the therapy",
                  style(fig, "Accounts that adopted the therapy", data.caption(),
                        "week since launch", "share of accounts (%)"),
                  accounts.assign(outcome="accounts_adopted_share"), reading)]
    fig = go.Figure()
    band_traces(fig, patients, data.designs)
    last = {d: patients[patients.design == d]["mean"].iloc[-1] for d in data.designs}
    first = data.designs[0]
    reading = f"At week {data.horizon:g}, {first} treats {last[first]:.0f} patients" + "".join(
        f"; {d} {last[d]:.0f}" + (f" ({(last[d] / last[first] - 1):+.0%})" if last[first] > 0
                                  else "") for d in data.designs[1:]) + "."
    out.append(Figure("02_patients_treated", "Patients on therapy",
                      style(fig, "Patients on therapy", data.caption(), "week since launch",
                            "patients"),
                      patients.assign(outcome="patients_treated"), reading))
    return out


# --------------------------------------------------------------------------------- jobs
def jobs_over_time(data: ReportData) -> Figure:
    tables = []
    for measure in ("jobs_arrived", "jobs_resolved", "jobs_abandoned"):
        tables.append(mean_band(data.series, measure).assign(measure=measure))
    table = pd.concat(tables, ignore_index=True)
    fig = go.Figure()
    dashes = {"jobs_arrived": "dot", "jobs_resolved": "solid", "jobs_abandoned": "dash"}
    for i, design in enumerate(data.designs):
        for measure, dash in dashes.items():
            d = table[(table.design == design) & (table.measure == measure)]
            fig.add_trace(scatter(x=d.week, y=d["mean"], name=f"{design}: "
                                     f"{measure.split('_')[1]}", legendgroup=design,
                                     line=dict(color=colour(design, i), dash=dash, width=2.2)))
    end = table[table.week == table.week.max()]

    def at_end(design, measure):
        return float(end[(end.design == design) & (end.measure == measure)]["mean"].iloc[0])

    reading = f"By week {data.horizon:g}: " + "; ".join(
        f"{d} resolved {at_end(d, 'jobs_resolved') / max(at_end(d, 'jobs_arrived'), 1):.0%} "
        f"of arrived jobs and abandoned {at_end(d, 'jobs_abandoned'):.0f}"
        for d in data.designs) + "."
    return Figure("03_jobs_over_time", "Customer jobs arrived, resolved and abandoned",
                  style(fig, "Customer jobs arrived, resolved and abandoned (cumulative)",
                        data.caption(), "week since launch", "jobs per run (mean)"),
                  table, reading)


def time_to_resolution(data: ReportData) -> Figure:
    jobs = data.jobs[data.jobs.state == "resolved"]
    rows = []
    for design in data.designs:
        for cross, label in ((False, "single-function"), (True, "cross-functional")):
            values = np.sort(finite(jobs[(jobs.design == design)
                                         & (jobs.cross_functional == cross)]
                                    .time_to_resolution))
            if len(values):
                rows.append(pd.DataFrame({"design": design, "job_class": label,
                                          "weeks": values,
                                          "share_resolved_within":
                                              np.arange(1, len(values) + 1) / len(values)}))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["design", "job_class", "weeks", "share_resolved_within"])
    fig = make_subplots(rows=1, cols=2, subplot_titles=("single-function jobs",
                                                        "cross-functional jobs"),
                        shared_yaxes=True)
    for i, design in enumerate(data.designs):
        for col, label in ((1, "single-function"), (2, "cross-functional")):
            d = table[(table.design == design) & (table.job_class == label)]
            fig.add_trace(scatter(x=d.weeks, y=d.share_resolved_within, name=design,
                                     legendgroup=design, showlegend=col == 1,
                                     line=dict(color=colour(design, i), width=2.2,
                                               shape="hv")), row=1, col=col)
    fig.update_yaxes(tickformat=".0%", range=[-0.02, 1.02])
    fig.update_xaxes(title_text="weeks from arrival to resolution")
    fig.update_yaxes(title_text="resolved jobs done within (%)", col=1)
    med = table.groupby(["design", "job_class"]).weeks.median()
    reading = "Median weeks to resolve a cross-functional job: " + ", ".join(
        f"{d} {med.get((d, 'cross-functional'), np.nan):.1f}" for d in data.designs) + \
        "; a single-function job: " + ", ".join(
        f"{d} {med.get((d, 'single-function'), np.nan):.1f}" for d in data.designs) + "."
    return Figure("04_time_to_resolution", "Time to resolve a job (ECDF)",
                  style(fig, "Time from arrival to resolution, resolved jobs (ECDF)",
                        data.caption(), height=480), table, reading)


OUTCOME_PANELS = (
    ("contacts_per_account", "company contacts per account", "people"),
    ("trust_final", "customer trust at horizon", "0–1"),
    ("decision_wait_mean", "wait for an escalated decision", "weeks"),
    ("escalations", "escalations per run", "count"),
    ("engagement_final", "staff engagement at horizon", "0–1"),
    ("staff_turnover", "staff turnover", "per year"),
    ("cost_per_resolved_job", "cost per resolved job", "k€"),
)


def outcome_intervals(data: ReportData) -> Figure:
    c = data.comparison
    c = c[(c.kind == "mean") & (c.setting == data.reference)]
    panels = [p for p in OUTCOME_PANELS if p[0] in set(c.outcome)]
    n_rows = max(1, int(np.ceil(len(panels) / 4)))
    fig = make_subplots(rows=n_rows, cols=4, subplot_titles=[wrap(f"{label} ({unit})")
                                                             for _, label, unit in panels],
                        horizontal_spacing=0.08, vertical_spacing=0.22)
    for k in range(len(panels), 4 * n_rows):  # no empty box for a missing panel
        fig.update_xaxes(visible=False, row=k // 4 + 1, col=k % 4 + 1)
        fig.update_yaxes(visible=False, row=k // 4 + 1, col=k % 4 + 1)
    rows = []
    for k, (outcome, label, unit) in enumerate(panels):
        r, col = divmod(k, 4)
        for i, design in enumerate(data.designs):
            d = c[(c.outcome == outcome) & (c.design == design)]
            if d.empty:
                continue
            m, lo, hi = (float(d[k2].iloc[0]) for k2 in ("mean", "low", "high"))
            rows.append({"outcome": outcome, "label": label, "unit": unit, "design": design,
                         "mean": m, "low": lo, "high": hi, "n": int(d.n.iloc[0])})
            err = None if not np.isfinite(lo) else dict(type="data", symmetric=False,
                                                        array=[hi - m], arrayminus=[m - lo])
            fig.add_trace(scatter(x=[design], y=[m], error_y=err, mode="markers",
                                     marker=dict(size=11, color=colour(design, i)),
                                     name=design, legendgroup=design,
                                     showlegend=k == 0), row=r + 1, col=col + 1)
    fig.update_xaxes(showticklabels=False)
    table = pd.DataFrame(rows)
    reading = _relative_reading(table, data.designs)
    return Figure("05_outcomes", "Contacts, trust, decisions, staff and cost",
                  style(fig, "Contacts, trust, decisions, staff and cost per design "
                        "(mean, 95% interval)", data.caption(), height=620), table, reading)


def _relative_reading(table: pd.DataFrame, designs: list[str]) -> str:
    if len(designs) < 2 or table.empty:
        return "One design only: " + ", ".join(
            f"{r.label} {fmt(r['mean'], 2)} {r.unit}" for _, r in table.iterrows()) + "."
    first, other = designs[0], designs[1]
    parts = []
    for _, group in table.groupby("outcome", sort=False):
        a = group[group.design == first]["mean"]
        b = group[group.design == other]["mean"]
        if len(a) and len(b) and np.isfinite(a.iloc[0]) and a.iloc[0] != 0:
            parts.append((abs(b.iloc[0] / a.iloc[0] - 1), f"{group.label.iloc[0]} "
                          f"{b.iloc[0] / a.iloc[0] - 1:+.0%}"))
    parts.sort(reverse=True)
    return (f"{other} against {first}, largest relative differences: "
            + ", ".join(p for _, p in parts[:4]) + ".")


def all_figures(data: ReportData, job_id: int | None = None) -> list[Figure]:
    figures = [*adoption(data), jobs_over_time(data), time_to_resolution(data),
               outcome_intervals(data), *journeys(data), job_timeline(data, job_id)]
    if data.kind == "sweep":
        figures += outcomes_vs_parameters(data)
    diff = paired_differences(data)
    if diff is not None:
        figures.append(diff)
    cash = cumulative_cash_flow(data)
    if cash is not None:
        figures.append(cash)
    if data.kind == "sweep":
        figures += business_vs_parameters(data)
    return figures

"""The report's figures: each a plotly figure, the tidy table it is drawn from, and one line
reading it — computed from that table, never a fixed sentence.

One look everywhere (sim/report/style.py): the same colour per design, a colour-blind-safe palette,
readable fonts, axis titles with units, and a caption line naming scenario, replications and seeds.
The table behind a figure is what ``orgsim-export`` writes as its CSV.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.experiments.analysis import OUTCOME_INFO, interval, outcome_range
from sim.report.data import ReportData, finite, numeric_params
from sim.report.style import FONT, PHASE_COLOURS, VERDICT_COLOURS, VERDICT_SYMBOLS, band, colour


@dataclass
class Figure:
    name: str  # file stem, e.g. "01_adoption_accounts"
    title: str
    figure: go.Figure
    data: pd.DataFrame  # the numbers drawn
    reading: str  # one line, computed from ``data``


WIDTH = 1100  # px, the width figures are exported at (sim/report/export.py)


def _legend_rows(fig: go.Figure, width: int = WIDTH) -> int:
    """How many rows a horizontal legend of ``fig`` takes (13 px font: about 7.5 px a
    character plus the symbol), so the plot can start below it, not under the title."""
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    if len(names) < 2:
        return 0
    rows, used = 1, 0.0
    for name in names:
        entry = 45 + 7.5 * len(name)
        if used and used + entry > width - 100:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def style(fig: go.Figure, title: str, caption: str, x: str | None = None,
          y: str | None = None, height: int = 460) -> go.Figure:
    """The one look: title at the top, the legend in rows under it (never over it), the plot
    below, the caption under the plot; panel titles lifted clear of their panel's ticks."""
    rows = _legend_rows(fig)
    top = 62 + 24 * rows + (18 if rows else 8)
    panel_lines = 0
    for annotation in fig.layout.annotations:  # make_subplots' panel titles
        annotation.update(yshift=8)
        panel_lines = max(panel_lines, str(annotation.text).count("<br>") + 1)
    top += 20 * panel_lines + (8 if panel_lines else 0)  # the first row's titles
    fig.update_layout(
        title=dict(text=title, x=0.01, y=1.0 - 14 / (height + 0), yanchor="top",
                   yref="container", font=dict(size=18)), font=FONT,
        template="plotly_white", height=height + 24 * max(0, rows - 1),
        margin=dict(l=70, r=30, t=top, b=105),
        legend=dict(orientation="h", x=0.0, xanchor="left", yanchor="top", yref="container",
                    font=dict(size=13)),
        annotations=[*fig.layout.annotations, dict(
            text=caption, xref="paper", yref="paper", x=0.0, y=0.0, yanchor="top",
            yshift=-72, showarrow=False, xanchor="left", font=dict(size=12, color="#555"))])
    total = fig.layout.height
    fig.update_layout(title_y=1.0 - 14 / total, legend_y=1.0 - 52 / total)  # under the title
    if x:
        fig.update_xaxes(title_text=x)
    if y:
        fig.update_yaxes(title_text=y)
    fig.update_yaxes(ticklabelstandoff=6)  # the y axis's first label clear of the x axis's
    extra = 18 * max([str(fig.layout[a].title.text or "").count("<br>")
                      for a in fig.layout if a.startswith("xaxis")] or [0])
    if extra:  # a two-line axis title: the caption moves down with it
        fig.update_layout(margin_b=105 + extra, height=fig.layout.height + extra)
        fig.layout.annotations[-1].update(yshift=-72 - extra)
    return fig


def _fmt(value: float, decimals: int = 1) -> str:
    return "undefined" if value is None or not np.isfinite(value) else f"{value:.{decimals}f}"


def _earlier(delta: float, other: str) -> str:
    """``delta`` weeks (this − other) in words: a negative difference is *earlier*."""
    if round(delta) == 0:
        return f"the same week as {other}"
    weeks = abs(round(delta))
    return f"{weeks} week{'s' if weeks != 1 else ''} {'earlier' if delta < 0 else 'later'} " \
        f"than {other}"


def mean_band(series: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per design and week: mean over seeds and a 95% t interval clipped to the column's range
    (NaN with fewer than MIN_N seeds; see sim.experiments.analysis.INTERVAL_METHOD)."""
    rows = []
    for design, frame in series.groupby("design", sort=False):
        wide = frame.pivot_table(index="week", columns="seed", values=column, aggfunc="first")
        n = wide.shape[1]
        mean = wide.mean(axis=1)
        low, high = interval(mean, wide.std(axis=1, ddof=1), n, *outcome_range(column))
        rows.append(pd.DataFrame({"design": design, "week": wide.index, "mean": mean.values,
                                  "low": low, "high": high, "n": n}))
    return pd.concat(rows, ignore_index=True)


def _band_traces(fig, table: pd.DataFrame, designs: list[str], row=None, col=None,
                 legend: bool = True) -> None:
    kwargs = {} if row is None else {"row": row, "col": col}
    for i, design in enumerate(designs):
        d = table[table.design == design]
        if d.empty:
            continue
        if d["low"].notna().any():
            fig.add_trace(go.Scatter(
                x=np.concatenate([d.week, d.week[::-1]]),
                y=np.concatenate([d.high, d["low"][::-1]]), fill="toself", mode="lines",
                fillcolor=band(colour(design, i)), line=dict(width=0), hoverinfo="skip",
                showlegend=False, legendgroup=design), **kwargs)
        fig.add_trace(go.Scatter(x=d.week, y=d["mean"], name=design, legendgroup=design,
                                 showlegend=legend, line=dict(color=colour(design, i), width=2.5)),
                      **kwargs)


def _mean_of(data: ReportData, outcome: str, design: str, setting: str | None = None):
    c = data.comparison
    row = c[(c.outcome == outcome) & (c.design == design) & (c.kind == "mean")
            & (c.setting == (data.reference if setting is None else setting))]
    return float(row["mean"].iloc[0]) if len(row) else float("nan")


# ----------------------------------------------------------------------------- adoption
def adoption(data: ReportData) -> list[Figure]:
    accounts = mean_band(data.series, "accounts_adopted_share")
    patients = mean_band(data.series, "patients_treated")
    fig = go.Figure()
    _band_traces(fig, accounts, data.designs)
    fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%")  # 0% clear of the x ticks
    weeks = {d: _mean_of(data, "week_50pct_adoption", d) for d in data.designs}
    final = {d: accounts[accounts.design == d]["mean"].iloc[-1] for d in data.designs}
    if all(v == 0 for v in final.values()):
        reading = f"No account adopted within {data.horizon:g} weeks under any design."
    elif all(np.isfinite(list(weeks.values()))) and len(data.designs) > 1:
        first, *others = data.designs
        parts = [f"{d} at week {weeks[d]:.0f} ({_earlier(weeks[d] - weeks[first], first)})"
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
    _band_traces(fig, patients, data.designs)
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
            fig.add_trace(go.Scatter(x=d.week, y=d["mean"], name=f"{design}: "
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
            fig.add_trace(go.Scatter(x=d.weeks, y=d.share_resolved_within, name=design,
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
    fig = make_subplots(rows=n_rows, cols=4, subplot_titles=[_wrap(f"{label} ({unit})")
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
            fig.add_trace(go.Scatter(x=[design], y=[m], error_y=err, mode="markers",
                                     marker=dict(size=11, color=colour(design, i)),
                                     name=design, legendgroup=design,
                                     showlegend=k == 0), row=r + 1, col=col + 1)
    fig.update_xaxes(showticklabels=False)
    table = pd.DataFrame(rows)
    reading = _relative_reading(table, data.designs)
    return Figure("05_outcomes", "Contacts, trust, decisions, staff and cost",
                  style(fig, "Contacts, trust, decisions, staff and cost per design "
                        "(mean, 95% interval)", data.caption(), height=620), table, reading)


def _wrap(text: str, width: int = 28) -> str:
    """Break a panel title over lines so neighbouring titles do not run into each other."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def _relative_reading(table: pd.DataFrame, designs: list[str]) -> str:
    if len(designs) < 2 or table.empty:
        return "One design only: " + ", ".join(
            f"{r.label} {_fmt(r['mean'], 2)} {r.unit}" for _, r in table.iterrows()) + "."
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


# ------------------------------------------------------------------------- job journeys
def _bucket_handoffs(n: int) -> str:
    return "no handoff" if n == 0 else ("1–2 handoffs" if n <= 2 else "3+ handoffs")


def _bucket_levels(n: int) -> str:
    return "decided at once" if n == 0 else ("escalated 1 level" if n == 1
                                             else "escalated 2+ levels")


def journeys(data: ReportData) -> list[Figure]:
    """A Sankey per design: found by whom → handoffs → escalation → outcome."""
    out = []
    runs = max(1, data.jobs.seed.nunique())
    for i, design in enumerate(data.designs):
        jobs = data.jobs[data.jobs.design == design]
        found = jobs.discoverer_role.replace("", np.nan)
        stages = pd.DataFrame({
            "found by": ("found by " + found.str.replace("_", " ")).fillna("never discovered"),
            "handoffs": jobs.handoffs.map(_bucket_handoffs),
            "decision": jobs.escalation_levels.map(_bucket_levels),
            "outcome": jobs.state.replace({"undiscovered": "open", "awaiting_decision": "open",
                                           "in_progress": "open"}),
        })
        undiscovered = found.isna()
        stages.loc[undiscovered, ["handoffs", "decision"]] = None
        links = []
        steps = ["found by", "handoffs", "decision", "outcome"]
        for a, b in zip(steps, steps[1:], strict=False):
            pair = stages[[a, b]].dropna()
            links.append(pair.groupby([a, b]).size().rename("jobs").reset_index()
                         .rename(columns={a: "source", b: "target"}))
        skip = stages[undiscovered].groupby(["found by", "outcome"]).size().rename(
            "jobs").reset_index().rename(columns={"found by": "source", "outcome": "target"})
        table = pd.concat([*links, skip], ignore_index=True)
        table["jobs_per_run"] = table.jobs / runs
        table.insert(0, "design", design)
        nodes = list(dict.fromkeys([*table.source, *table.target]))
        index = {n: k for k, n in enumerate(nodes)}
        fig = go.Figure(go.Sankey(
            node=dict(label=nodes, pad=18, thickness=16, color=colour(design, i)),
            link=dict(source=table.source.map(index), target=table.target.map(index),
                      value=table.jobs_per_run, color=band(colour(design, i), 0.35))))
        total = len(jobs)
        reading = (f"Under {design}, {(jobs.handoffs > 0).mean():.0%} of jobs went through at "
                   f"least one handoff, {(jobs.escalation_levels > 0).mean():.0%} were escalated "
                   f"and {(jobs.state == 'abandoned').mean():.0%} were abandoned "
                   f"({total / runs:.0f} jobs per run)." if total else
                   f"No job arrived under {design}.")
        out.append(Figure(f"06_journeys_{design}", f"How jobs travel: {design}",
                          style(fig, f"How customer jobs travel through the {design} "
                                "organisation (jobs per run)", data.caption(), height=520),
                          table, reading))
    return out


PHASES = (("waiting to be discovered", "arrival", "discovered_at"),
          ("waiting for a decision", "discovered_at", "decided_at"),
          ("handoffs and queues until every task has its worker", "decided_at", "assigned_at"),
          ("work and delivery", "assigned_at", "closed_at"))


def _phases(history: pd.DataFrame, jobs: pd.DataFrame, job_id: int) -> pd.DataFrame:
    job = jobs[jobs.job_id == job_id].iloc[0]
    h = history[history.job_id == job_id]
    assigned = h[(h.event == "assigned") & (h.detail != "owner")].week
    times = {"arrival": job.arrival, "discovered_at": job.discovered_at,
             "decided_at": job.decided_at,
             "assigned_at": assigned.max() if len(assigned) else np.nan,
             "closed_at": job.closed_at}
    rows = []
    for phase, start, end in PHASES:
        a, b = times[start], times[end]
        if np.isfinite(a) and np.isfinite(b):
            rows.append({"phase": phase, "start": a, "end": b, "weeks": b - a})
    return pd.DataFrame(rows)


def choose_job(data: ReportData) -> int | None:
    """A cross-functional job escalated under the baseline and resolved under every design —
    the one with the median time to resolution among those — from the first seed."""
    first = data.seeds[0]
    jobs = data.jobs[data.jobs.seed == first]
    resolved = [set(jobs[(jobs.design == d) & (jobs.state == "resolved")].job_id)
                for d in data.designs]
    common = set.intersection(*resolved) if resolved else set()
    base = jobs[(jobs.design == data.designs[0]) & jobs.job_id.isin(common)
                & jobs.cross_functional]
    pick = base[base.escalation_levels > 0] if (base.escalation_levels > 0).any() else base
    if pick.empty:
        return None
    pick = pick.sort_values(["time_to_resolution", "job_id"])
    return int(pick.job_id.iloc[len(pick) // 2])


def job_timeline(data: ReportData, job_id: int | None = None) -> Figure:
    job_id = job_id if job_id is not None else choose_job(data)
    first = data.seeds[0]
    jobs = data.jobs[data.jobs.seed == first]
    rows = []
    if job_id is not None:
        for design in data.designs:
            history = data.history.get(design)
            mine = jobs[jobs.design == design]
            if history is None or job_id not in set(mine.job_id):
                continue
            rows.append(_phases(history, mine, job_id).assign(design=design))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["phase", "start", "end", "weeks", "design"])
    fig = go.Figure()
    palette = PHASE_COLOURS  # greys: never a design's colour
    for k, (phase, _, _) in enumerate(PHASES):
        d = table[table.phase == phase]
        fig.add_trace(go.Bar(y=d.design, x=d.weeks, base=d.start, orientation="h", name=phase,
                             marker_color=palette[k]))
    fig.update_layout(barmode="overlay")
    if table.empty:
        reading = "No job was resolved under every design in the first seed; no timeline."
        title = "One customer job, step by step"
    else:
        job = jobs[jobs.job_id == job_id].iloc[0]
        totals = table.groupby("design").weeks.sum()
        worst = table.loc[table.groupby("design").weeks.idxmax()].set_index("design")
        reading = (f"Job {job_id} ({job.job_type}, needs {job.capabilities}) took "
                   + ", ".join(f"{totals[d]:.0f} weeks under {d} (longest: "
                               f"{worst.loc[d, 'phase']}, {worst.loc[d, 'weeks']:.0f})"
                               for d in totals.index) + ".")
        title = f"Job {job_id} ({job.job_type}) step by step, seed {first}"
    return Figure("07_job_timeline", "One job, step by step",
                  style(fig, title, data.caption(), "week since launch", None, height=380),
                  table.assign(job_id=job_id), reading)


# -------------------------------------------------------------------------------- sweeps
SWEEP_OUTCOMES = ("resolved_share", "week_50pct_adoption", "contacts_per_account",
                  "cost_per_resolved_job")


def outcomes_vs_parameters(data: ReportData) -> list[Figure]:
    """Each outcome against each swept number, one line per design with its band; other swept
    settings are averaged over."""
    out = []
    summary = data.summary.copy()
    for param in numeric_params(data.params):
        summary["_x"] = pd.to_numeric(summary.setting.map(data.params[param]))
        rows = []
        for outcome in SWEEP_OUTCOMES:
            for (design, x), group in summary.groupby(["design", "_x"]):
                values = finite(group[outcome])
                n = len(values)
                m = values.mean() if n else np.nan
                low, high = interval(m, values.std(ddof=1) if n > 1 else np.nan, n,
                                     *outcome_range(outcome))
                rows.append({"parameter": param, "value": x, "outcome": outcome,
                             "design": design, "mean": m, "low": float(low),
                             "high": float(high), "n": n})
        table = pd.DataFrame(rows)
        fig = make_subplots(rows=1, cols=len(SWEEP_OUTCOMES), subplot_titles=[
            _wrap(f"{OUTCOME_INFO[o][1]} ({OUTCOME_INFO[o][2]})", 24) for o in SWEEP_OUTCOMES],
            horizontal_spacing=0.08)
        taken = sorted(table.value.dropna().unique())
        for k, outcome in enumerate(SWEEP_OUTCOMES):
            t = table[table.outcome == outcome].rename(columns={"value": "week"})
            if not np.isfinite(t["mean"]).any():  # say so instead of an empty box
                fig.update_xaxes(visible=False, row=1, col=k + 1)
                fig.update_yaxes(visible=False, row=1, col=k + 1)
                axis = fig.get_subplot(1, k + 1)
                fig.add_annotation(text="undefined in every run<br>(e.g. never reached<br>"
                                   "within the horizon)", showarrow=False, xref="paper",
                                   yref="paper", x=float(np.mean(axis.xaxis.domain)),
                                   y=float(np.mean(axis.yaxis.domain)),
                                   font=dict(size=12, color="#555"))
                continue
            _band_traces(fig, t, data.designs, row=1, col=k + 1, legend=k == 0)
            if OUTCOME_INFO[outcome][2] == "share":
                fig.update_yaxes(tickformat=".0%", row=1, col=k + 1)
        # ticks only at the values the setting took
        fig.update_xaxes(title_text=_wrap(setting_label(param), 22), tickvals=taken,
                         ticktext=[f"{v:g}" for v in taken])
        best = table[table.outcome == "resolved_share"].sort_values("mean", ascending=False)
        reading = (f"Share of jobs resolved is highest at {param} = {best.value.iloc[0]:g} "
                   f"({best.design.iloc[0]}, {best['mean'].iloc[0]:.3f})"
                   if len(best) and np.isfinite(best["mean"].iloc[0])
                   else f"No defined outcome along {param}") + "."
        out.append(Figure(f"08_sweep_{param.replace('.', '_')}", f"Outcomes against {param}",
                          style(fig, f"Outcomes against {param} (mean, 95% interval)",
                                data.caption(setting="other swept settings averaged"),
                                height=440), table, reading))
    return out


def setting_label(path: str) -> str:
    """A swept setting in words, with its unit: "accounts per primary contact (accounts)";
    the dotted name if the setting declares no doc."""
    try:
        from sim.configuration.composition import _meta_for

        meta = _meta_for(path) or {}
    except Exception:  # noqa: BLE001 - a label is never worth a failed report
        meta = {}
    doc = str(meta.get("doc") or "").split(" (")[0].split(";")[0].strip()
    if not doc:
        return path
    unit = meta.get("unit")
    return f"{doc[0].lower()}{doc[1:]}" + (f" ({unit})" if unit else "")


def _setting_labels(settings: list[str]) -> dict[str, str]:
    """Each setting named by what varies: overrides shared by every setting (e.g. the horizon
    of the whole sweep) are left out, and one override per line."""
    parts = {s: s.split() for s in settings}
    common = set.intersection(*(set(p) for p in parts.values())) if parts else set()
    return {s: "<br>".join(p for p in parts[s] if p not in common) or "default"
            for s in settings}


def paired_differences(data: ReportData) -> Figure | None:
    c = data.comparison
    diffs = c[c.kind == "difference"]
    if diffs.empty:
        return None
    outcomes = [o for o in dict.fromkeys(diffs.outcome) if o in set(diffs.outcome)]
    table = diffs[["setting", "outcome", "label", "unit", "better", "design", "mean", "low",
                   "high", "n", "effect_size", "p_value"]].copy()
    improves = np.where(table.better == "higher", table["low"] > 0, table["high"] < 0)
    worsens = np.where(table.better == "higher", table["high"] < 0, table["low"] > 0)
    table["verdict"] = np.select([improves, worsens], ["better", "worse"], "no clear difference")
    cols = 4
    rows_n = int(np.ceil(len(outcomes) / cols))
    names = _setting_labels(list(dict.fromkeys(table.setting)))
    lines = max(n.count("<br>") + 1 for n in names.values())
    longest = max(len(part) for n in names.values() for part in n.split("<br>"))
    # settings share one y axis per row, labelled once at the left, so a long label never
    # prints over the neighbouring panel
    fig = make_subplots(rows=rows_n, cols=cols, subplot_titles=[
        _wrap(f"{OUTCOME_INFO[o][1]} ({OUTCOME_INFO[o][2]})") for o in outcomes],
        horizontal_spacing=0.05, vertical_spacing=min(0.25, 0.5 / rows_n), shared_yaxes=True)
    for k, outcome in enumerate(outcomes):
        r, col = divmod(k, cols)
        d = table[table.outcome == outcome]
        labels = [names[s] for s in d.setting]
        fig.add_trace(go.Scatter(
            x=d["mean"], y=labels, mode="markers",
            error_x=dict(type="data", symmetric=False, array=(d.high - d["mean"]).fillna(0),
                         arrayminus=(d["mean"] - d["low"]).fillna(0), color="#555"),
            marker=dict(size=11, color=[VERDICT_COLOURS[v] for v in d.verdict],
                        symbol=[VERDICT_SYMBOLS[v] for v in d.verdict],
                        line=dict(width=1.5, color="#000")),
            showlegend=False), row=r + 1, col=col + 1)
        fig.add_vline(x=0, line=dict(color="#333", width=1), row=r + 1, col=col + 1)
    for k in range(len(outcomes), rows_n * cols):  # no empty box for a missing panel
        fig.update_xaxes(visible=False, row=k // cols + 1, col=k % cols + 1)
        fig.update_yaxes(visible=False, row=k // cols + 1, col=k % cols + 1)
    fig.update_xaxes(nticks=4)
    counts = table.verdict.value_counts()
    design = table.design.iloc[0]
    worse = table[table.verdict == "worse"]
    reading = (f"{design}: better on {counts.get('better', 0)}, worse on "
               f"{counts.get('worse', 0)} and no clear difference on "
               f"{counts.get('no clear difference', 0)} of {len(table)} outcome × setting pairs"
               + (f"; worse on: {', '.join(sorted(set(worse.outcome)))}" if len(worse) else "")
               + ".")
    per_row = max(200, 40 + len(names) * 18 * lines)
    fig = style(fig, f"Paired difference {design} (mean, 95% interval; ▲ better, ▼ worse, "
                "○ no clear difference)", data.caption(setting="every setting"),
                height=max(420, 150 + per_row * rows_n))
    fig.update_layout(margin_l=max(70, int(7.5 * longest) + 20))
    return Figure("09_paired_differences", "How much better or worse, and where", fig, table,
                  reading)


def all_figures(data: ReportData, job_id: int | None = None) -> list[Figure]:
    figures = [*adoption(data), jobs_over_time(data), time_to_resolution(data),
               outcome_intervals(data), *journeys(data), job_timeline(data, job_id)]
    if data.kind == "sweep":
        figures += outcomes_vs_parameters(data)
    diff = paired_differences(data)
    if diff is not None:
        figures.append(diff)
    return figures

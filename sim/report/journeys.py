"""Figures of customer jobs' journeys: how each job was found, handed off, decided and ended
(a Sankey per design), and one job's timeline through its phases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.report.data import ReportData
from sim.report.plotting import Figure, style
from sim.report.style import PHASE_COLOURS, band, colour


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

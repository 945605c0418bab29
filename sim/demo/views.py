"""What the workshop page shows for each side, as it unfolds.

Pure functions build the numbers and plotly figures from an :class:`OrgSimModel` (tested without a
browser); the Solara components at the end only lay them out. Every number guards against empty
data, so no slider setting puts a NaN on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import solara
from mesa.visualization.utils import update_counter
from plotly.subplots import make_subplots

from sim.demo.fit_plots import FitPlots
from sim.demo.levers import labels
from sim.jobs import Event, JobState
from sim.model import OrgSimModel
from sim.style import FONT, colour

EVENTS = [e.name.lower().replace("_", " ") for e in Event]


# --------------------------------------------------------------------------------- numbers
def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def scoreboard_rows(model: OrgSimModel) -> list[tuple[str, float, str, str]]:
    """(label, value, format, better) of the headline outcomes so far."""
    c, book = model.counts, model.book
    resolved = [j for j in model.jobs if j.state == JobState.RESOLVED]
    cross = [j for j in model.jobs if j.cross_functional and not j.is_open]
    ttr = [j.closed_at - j.arrival for j in resolved]
    window = model.config.market.contact_window_weeks
    return [
        ("Jobs resolved", c["resolved"], "{:.0f}", "higher"),
        ("Jobs abandoned", c["abandoned"], "{:.0f}", "lower"),
        ("Cross-functional jobs resolved", _ratio(sum(j.state == JobState.RESOLVED
                                                      for j in cross), len(cross)),
         "{:.0%}", "higher"),
        ("Median weeks to resolve", float(np.median(ttr)) if ttr else 0.0, "{:.1f}", "lower"),
        ("Accounts adopted", float(book.adopted.mean()), "{:.0%}", "higher"),
        ("Patients on therapy", float(book.patients_treated.sum()), "{:.0f}", "higher"),
        ("Contacts per account", float(model.contacts.recent(model.now, window).mean()),
         "{:.1f}", "lower"),
        ("Decision wait (weeks)", _ratio(c["decision_wait"], c["escalated_decisions"]),
         "{:.1f}", "lower"),
        ("Customer trust", float(book.trust.mean()), "{:.2f}", "higher"),
        ("Cost per resolved job (k€)", _ratio(model.cost_total, c["resolved"]), "{:.0f}",
         "lower"),
    ]


def series(model: OrgSimModel, column: str) -> np.ndarray:
    return model.recorder.columns[column][: model.steps + 1]


# Each figure is built once per run and then only its traces' data and axis ranges change, which
# is what keeps a step of both sides within the ~100 ms that makes play look smooth (rebuilding a
# plotly figure costs ~60 ms, and the browser would redraw it from scratch).
CHART_COLUMNS = ("accounts_adopted_share", "patients_treated", "jobs_resolved",
                 "jobs_abandoned", "contacts_per_account", "decision_wait_mean")


def chart_data(model: OrgSimModel) -> list[dict]:
    """x and y of each trace of :func:`charts`, in trace order."""
    week = model.recorder.week[: model.steps + 1]
    return [{"x": week, "y": series(model, column)} for column in CHART_COLUMNS]


def chart_ranges(model: OrgSimModel, limits: dict) -> dict:
    """Axis ranges of :func:`charts` (make_subplots names the axes: row 1 y and y2, row 2 y3,
    row 3 y4 and y5; the rows share x3)."""
    return {"yaxis.range": [0, 1], "yaxis2.range": [0, limits["patients"]],
            "yaxis3.range": [0, limits["jobs"]], "yaxis4.range": [0, limits["contacts"]],
            "yaxis5.range": [0, limits["wait"]],
            "xaxis3.range": [0, model.config.run.horizon_weeks]}


def charts(model: OrgSimModel, design: str, limits: dict) -> go.Figure:
    """Adoption and patients, jobs resolved and abandoned, contacts and decision wait."""
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=("Accounts adopted (%) · patients on therapy",
                                        "Jobs resolved and abandoned (cumulative)",
                                        "Contacts per account · decision wait (weeks)"),
                        specs=[[{"secondary_y": True}], [{}], [{"secondary_y": True}]])
    c = colour(design)
    styles = [  # (name, row, secondary y, style) in CHART_COLUMNS order
        ("accounts adopted", 1, False, dict(line=dict(color=c))),
        ("patients", 1, True, dict(line=dict(color=c, dash="dot"))),
        ("resolved", 2, False, dict(line=dict(color=c))),
        ("abandoned", 2, False, dict(line=dict(color="#D55E00", dash="dash"))),
        ("contacts", 3, False, dict(line=dict(color=c))),
        ("decision wait", 3, True, dict(mode="markers", marker=dict(color="#999999", size=4))),
    ]
    for (name, row, secondary, style), data in zip(styles, chart_data(model), strict=True):
        fig.add_trace(go.Scatter(name=name, **data, **style), row=row, col=1,
                      secondary_y=secondary if row != 2 else None)
    fig.update_yaxes(tickformat=".0%", row=1, col=1, secondary_y=False)
    fig.update_xaxes(title_text="week since launch", row=3, col=1)
    fig.update_layout(chart_ranges(model, limits))
    fig.update_layout(height=560, margin=dict(l=40, r=40, t=40, b=30), showlegend=False,
                      font=dict(FONT, size=12), template="plotly_white",
                      uirevision=design)  # keep zoom while it updates
    return fig


def chart_limits(models: list[OrgSimModel]) -> dict:
    """Shared axes for both sides, so the eye compares like with like."""
    def top(column):
        return max(float(series(m, column).max()) for m in models)

    return {"patients": max(1.0, top("patients_treated") * 1.1),
            "jobs": max(1.0, top("jobs_resolved") * 1.1, top("jobs_abandoned") * 1.1),
            "contacts": max(1.0, top("contacts_per_account") * 1.2),
            "wait": max(1.0, top("decision_wait_mean") * 1.2)}


def network_data(model: OrgSimModel, design: str) -> list[dict]:
    """The three traces of :func:`network`: who met whom this week (lines), company people
    (squares, left, by role) and accounts (circles, right). Marker size: work queued at a person
    (task backlog and inbox), open jobs at an account."""
    wf = model.workforce
    agents = [a for a in wf.agents if wf.active[a.row]]
    agents.sort(key=lambda a: (a.label, a.row))
    y_staff = {a.row: i for i, a in enumerate(agents)}
    accounts = np.argsort(-model.market.patients, kind="stable")
    scale = max(len(agents) - 1, 1) / max(len(accounts) - 1, 1)
    y_acc = {int(a): i * scale for i, a in enumerate(accounts)}
    xs, ys = [], []
    plan = model.design.plan
    for row, account in zip(plan.row.tolist(), plan.account.tolist(), strict=True):
        if row in y_staff and wf.filled[row]:
            xs += [0.0, 1.0, None]
            ys += [y_staff[row], y_acc[account], None]
    open_jobs = np.zeros(model.market.n_accounts)
    for job in model.jobs:
        if job.is_open:
            open_jobs[job.account] += 1
    queued = [max(0.0, wf.backlog[a.row] + wf.shared_backlog[a.row])
              + len(getattr(a, "inbox", ())) for a in agents]
    adopted = model.book.adopted
    return [
        {"x": xs, "y": ys},
        {"x": [0.0] * len(agents), "y": [y_staff[a.row] for a in agents],
         "marker": {"size": [6 + min(30, math.sqrt(q) * 2) for q in queued],
                    "color": [colour(design) if wf.filled[a.row] else "#dddddd"
                              for a in agents]},
         "text": [f"{a.label.replace('_', ' ')} #{a.row}: {q:.0f} h / items queued"
                  + ("" if wf.filled[a.row] else " (vacant)")
                  for a, q in zip(agents, queued, strict=True)]},
        {"x": [1.0] * len(accounts), "y": [y_acc[int(a)] for a in accounts],
         "marker": {"size": [8 + 3 * open_jobs[a] for a in accounts],
                    "color": ["#009E73" if adopted[a] else "#bbbbbb" for a in accounts]},
         "text": [f"account {a}: {open_jobs[a]:.0f} open jobs"
                  + (", adopted" if adopted[a] else "") for a in accounts]},
    ]


def network(model: OrgSimModel, design: str) -> go.Figure:
    """Who serves whom, and where work is queued (see :func:`network_data`)."""
    lines, staff, accounts = network_data(model, design)
    fig = go.Figure([
        go.Scatter(mode="lines", hoverinfo="skip",
                   line=dict(color="rgba(120,120,120,0.25)", width=1), **lines),
        go.Scatter(mode="markers", hoverinfo="text", **staff),
        go.Scatter(mode="markers", hoverinfo="text", **accounts),
    ])
    fig.update_traces(marker_symbol="square", selector=1)
    fig.update_traces(marker_line=dict(color="#555", width=1), selector=2)
    fig.update_xaxes(range=[-0.25, 1.25], showticklabels=True, tickvals=[0, 1],
                     ticktext=["company people", "accounts"], showgrid=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(height=520, margin=dict(l=10, r=10, t=30, b=30), showlegend=False,
                      template="plotly_white", font=dict(FONT, size=12), uirevision=design,
                      title=dict(text="Who serves whom; where work is queued", font=dict(
                          size=14)))
    return fig


def levers_line(model) -> str:
    """What the current pair was built with: sliders only take effect on Reset, so the page says
    which values are running rather than leaving the facilitator to guess."""
    shown = {"scenario_name": model.scenario_name, "seed": model.seed_value, **model.levers}
    parts = []
    for name, value in shown.items():
        label = labels()[name]
        parts.append(f"{label}: <b>{value:g}</b>" if isinstance(value, (int, float))
                     else f"{label}: <b>{value}</b>")
    return "Running with " + " · ".join(parts) + ". Move a lever, then press Reset."


def job_choices(sides: dict[str, OrgSimModel], limit: int = 300) -> list[str]:
    """Jobs to follow, most telling first: cross-functional jobs found under both designs, then
    jobs found under both, then the rest; latest first within each."""
    found = [{j.job_id for j in m.jobs if j.owner is not None} for m in sides.values()]
    both = set.intersection(*found) if found else set()
    jobs = next(iter(sides.values())).jobs
    ranked = sorted(jobs, key=lambda j: (not (j.job_id in both and j.cross_functional),
                                         j.job_id not in both, -j.job_id))
    return [f"{j.job_id} · {j.job_type}" for j in ranked[:limit]]


def job_path(model: OrgSimModel, job_id: int) -> list[dict]:
    """The steps of one job so far: week, event, who, and how long it waited since the step
    before."""
    rows, previous = [], None
    for _, week, event, _, position, detail in model.history.rows_of(job_id):
        who = (model.workforce.agents[position].label.replace("_", " ") + f" #{position}"
               if position >= 0 else ("customer" if event == Event.ARRIVED else "queue"))
        waited = 0.0 if previous is None else max(0.0, week - previous)
        rows.append({"week": float(week), "event": EVENTS[int(event)], "who": who,
                     "detail": detail, "waited": waited})
        previous = week
    return rows


# ------------------------------------------------------------------------------ components
@solara.component
def Scoreboard(sides: dict[str, OrgSimModel], designs: dict[str, str], tick: int):
    """``tick`` changes after every step: the models are mutated in place, so without it the
    component's props would look unchanged and it would not redraw."""
    rows = {side: scoreboard_rows(m) for side, m in sides.items()}
    header = "".join(f"<th style='color:{colour(designs[s])}'>{designs[s]}</th>"
                     for s in ("left", "right"))
    body = ""
    for k, (label, _, fmt, better) in enumerate(rows["left"]):
        a, b = rows["left"][k][1], rows["right"][k][1]
        wins = "=" if a == b else ("left" if (a > b) == (better == "higher") else "right")
        cells = "".join(
            f"<td style='font-weight:{'bold' if wins == s else 'normal'}'>{fmt.format(v)}</td>"
            for s, v in (("left", a), ("right", b)))
        body += f"<tr><td>{label}</td>{cells}</tr>"
    solara.HTML(tag="div", unsafe_innerHTML=(
        "<table class='orgsim-score' style='border-collapse:collapse;width:100%'>"
        f"<tr><th style='text-align:left'>week {sides['left'].now:g}</th>{header}</tr>"
        f"{body}</table>"))


@solara.component
def FollowJob(sides: dict[str, OrgSimModel], designs: dict[str, str], tick: int):
    choices = job_choices(sides)
    selected, set_selected = solara.use_state("")
    current = selected if selected in choices else (choices[0] if choices else "")
    solara.Select(label="Follow one customer job", values=choices, value=current,
                  on_value=set_selected)
    if not current:
        solara.Text("No job has arrived yet: press Step.")
        return
    job_id = int(current.split(" · ")[0])
    with solara.Columns([6, 6]):
        for side in ("left", "right"):
            path = job_path(sides[side], job_id)
            total = path[-1]["week"] - path[0]["week"] if path else 0.0
            with solara.Column():
                solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<b>{designs[side]}</b> — {len(path)} steps, {total:.1f} weeks so far"))
                rows = "".join(
                    f"<tr><td>{r['week']:.1f}</td><td>{r['event']}</td><td>{r['who']}</td>"
                    f"<td>{r['detail']}</td><td>{r['waited']:.1f}</td></tr>" for r in path)
                solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<table class='orgsim-path' data-side='{side}' style='width:100%'>"
                    "<tr><th>week</th><th>step</th><th>who</th><th>detail</th>"
                    f"<th>waited</th></tr>{rows}</table>"))


@solara.component
def Dashboard(model):
    """Everything right of the sidebar; redrawn after every step."""
    tick = update_counter.get()  # subscribe: SolaraViz bumps it after each step
    sides, designs = model.sides, model.designs
    limits = chart_limits(list(sides.values()))
    FitPlots.element()
    Scoreboard(sides, designs, tick)
    solara.HTML(tag="p", unsafe_innerHTML=levers_line(model),
                classes=["orgsim-levers"], style="font-size: 0.85em; color: #555")
    with solara.ColumnsResponsive(12, large=6):  # stacked on narrow screens
        for side in ("left", "right"):
            SidePanel(sides[side], designs[side], limits, tick)
    FollowJob(sides, designs, tick)


@solara.component
def SidePanel(model: OrgSimModel, design: str, limits: dict, tick: int):
    """One design's charts and network."""
    with solara.Column():
        solara.HTML(tag="h3", unsafe_innerHTML=design.replace("_", " "),
                    style=f"color: {colour(design)}")
        LiveFigure(build=lambda: charts(model, design, limits),
                   changes=lambda: (chart_data(model), chart_ranges(model, limits)),
                   run=model, tick=tick)
        LiveFigure(build=lambda: network(model, design),
                   changes=lambda: (network_data(model, design), {}), run=model, tick=tick)


def refresh(widget: go.FigureWidget, traces: list[dict], layout: dict) -> None:
    """Change a figure in place — each trace's data, then layout paths — as one message to the
    browser, which restyles the plot instead of drawing it anew."""
    if len(widget.data) != len(traces):
        return  # not drawn yet
    with widget.batch_update():
        for trace, values in zip(widget.data, traces, strict=True):
            trace.update(values)
        if layout:
            widget.layout.update(layout)


@solara.component
def LiveFigure(build: Callable[[], go.Figure],
               changes: Callable[[], tuple[list[dict], dict]], run, tick: int):
    """A plotly figure drawn whole once per ``run`` (a model: Reset makes a new one) and changed
    in place on every ``tick``. Like ``solara.FigurePlotly``, which redraws whole each time."""
    element = go.FigureWidget.element()

    def draw():
        widget = solara.get_widget(element)
        fig = build()
        widget.data = ()
        widget.layout = fig.layout
        widget.add_traces(fig.data)

    def change():
        refresh(solara.get_widget(element), *changes())

    solara.use_effect(draw, [run])
    solara.use_effect(change, [run, tick])
    return element

"""The scenario-discovery page (``orgsim-discover``'s report.html): the question, the chosen PRIM
boxes and three figures — the peeling trajectory (coverage against density), the box limits
against each parameter's full range, and the sampled points with the box; in the one page shell
of sim/report/page.py."""

from __future__ import annotations

import html
from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim import __version__
from sim.experiments.scenario_discovery import Condition, Discovery
from sim.report.page import _html_table, figure_sections, html_page
from sim.report.plotting import Figure, style


def _pct(v: float) -> str:
    return "undefined" if not np.isfinite(v) else f"{v:.0%}"


def tradeoff_figure(sides: dict[str, Discovery], colours: dict[str, str], caption: str
                    ) -> Figure:
    fig = go.Figure()
    rows = []
    for k, (label, d) in enumerate(sides.items()):
        t = d.trajectory
        rows.append(t.assign(side=label))
        fig.add_trace(go.Scatter(
            x=t.coverage, y=t.density, mode="lines+markers", name=label,
            line=dict(color=colours[label], width=1.5), marker=dict(size=7),
            customdata=np.c_[t.box, t.res_dim, t.mass],
            hovertemplate="box %{customdata[0]}: coverage %{x:.0%}, density %{y:.0%}, "
                          "mass %{customdata[2]:.0%}, %{customdata[1]} restricted<extra></extra>"))
        b = d.box
        fig.add_trace(go.Scatter(
            x=[b.coverage], y=[b.density], mode="markers+text", showlegend=False,
            marker=dict(symbol="star", size=18, color=colours[label],
                        line=dict(color="black", width=1)),
            # one label above, one below its star: two chosen boxes may lie close together
            text=[f"chosen ({int(b.res_dim)} restricted)"],
            textposition="top left" if k == 0 else "bottom left",
            hoverinfo="skip"))
    threshold = next(iter(sides.values())).threshold
    fig.add_hline(y=threshold, line=dict(color="#777", dash="dash"),
                  annotation_text=f"density threshold {threshold:.0%}",
                  annotation_position="bottom left")
    first = next(iter(sides))
    d = sides[first]
    densest = d.trajectory.sort_values(["density", "coverage"], ascending=False).iloc[0]
    reading = (f"Where {first}: the chosen box covers {_pct(d.box.coverage)} of those points at "
               f"density {_pct(d.box.density)} ({int(d.box.res_dim)} parameter"
               f"{'' if int(d.box.res_dim) == 1 else 's'} restricted, "
               f"base rate {_pct(d.base_rate)}); the densest box on the trajectory reaches "
               f"{_pct(densest.density)} at coverage {_pct(densest.coverage)}."
               if d.base_rate > 0 else
               f"Where {first}: nowhere — it holds at none of the {d.n_points} points, so there "
               "is no box to find.")
    fig.update_xaxes(range=[-0.03, 1.05], tickformat=".0%")  # the two 0% labels apart
    fig.update_yaxes(range=[-0.03, 1.05], tickformat=".0%")
    return Figure("01_tradeoff", "Peeling trajectory: coverage against density", style(
        fig, "Peeling trajectory: coverage against density (★ chosen box)", caption,
        "coverage (share of the points of interest inside the box)",
        "density (share of the box's points of interest)", height=520),
        pd.concat(rows, ignore_index=True), reading)


def limits_figure(sides: dict[str, Discovery], colours: dict[str, str], caption: str) -> Figure:
    fig = go.Figure()
    rows = []
    params = list(next(iter(sides.values())).limits.index)
    for label, d in sides.items():
        lim = d.limits.loc[params]
        span = (lim.full_high - lim.full_low).replace(0, 1)
        lo, hi = (lim.low - lim.full_low) / span, (lim.high - lim.full_low) / span
        rows.append(lim.reset_index().assign(side=label, low_share=lo.values,
                                             high_share=hi.values))
        text = [f"{r.low:.3g}–{r.high:.3g}" if r.restricted else "" for r in lim.itertuples()]
        fig.add_trace(go.Bar(
            y=params, x=(hi - lo).values, base=lo.values, orientation="h", name=label,
            marker=dict(color=colours[label], opacity=[1.0 if r else 0.25
                                                       for r in lim.restricted]),
            text=text, textposition="inside", insidetextanchor="middle",
            customdata=np.c_[lim.low, lim.high, lim.full_low, lim.full_high],
            hovertemplate="%{y}: %{customdata[0]:.4g} – %{customdata[1]:.4g} (full range "
                          "%{customdata[2]:.4g} – %{customdata[3]:.4g})<extra></extra>"))
    fig.update_layout(barmode="group", bargap=0.35)
    fig.update_xaxes(range=[0, 1], tickvals=[0, 0.5, 1],
                     ticktext=["low end of range", "middle", "high end of range"])
    fig.update_yaxes(autorange="reversed")
    parts = []
    for label, d in sides.items():
        if not d.base_rate > 0:
            parts.append(f"where {label}: nowhere (it holds at no point)")
        elif d.restricted:
            lim = d.limits.loc[d.restricted]
            parts.append(f"where {label}: " + ", ".join(
                f"{p} {r.low:.3g}–{r.high:.3g}" for p, r in lim.iterrows()))
        else:
            parts.append(f"where {label}: no parameter restricted")
    reading = "Chosen boxes — " + "; ".join(parts) + " (faint bars: unrestricted)."
    return Figure("02_box_limits", "Box limits against the full ranges", style(
        fig, "Box limits against each parameter's full range", caption, "position in the range",
        None, height=max(420, 120 + 60 * len(params))), pd.concat(rows, ignore_index=True),
        reading)


def scatter_figure(x: pd.DataFrame, y: np.ndarray, d: Discovery, other: Discovery,
                   labels: tuple[str, str], colours: dict[str, str], caption: str) -> Figure:
    axes = list(dict.fromkeys([*d.restricted, *other.restricted, *x.columns]))[:2]
    if len(axes) < 2:  # a one-parameter space: plot against the point number
        x = x.assign(point=np.arange(len(x)))
        axes = [axes[0], "point"]
    px, py = axes
    fig = go.Figure()
    for value, label in ((True, labels[0]), (False, labels[1])):
        mask = y == value
        fig.add_trace(go.Scatter(
            x=x.loc[mask, px], y=x.loc[mask, py], mode="markers", name=label,
            marker=dict(color=colours[label], size=9, symbol="circle" if value else "x",
                        line=dict(width=0.5, color="white"))))
    inside = np.ones(len(x), dtype=bool)
    for p in d.restricted:
        inside &= (x[p] >= d.limits.at[p, "low"]).to_numpy() & \
            (x[p] <= d.limits.at[p, "high"]).to_numpy()
    box = {p: (d.limits.at[p, "low"], d.limits.at[p, "high"]) if p in d.limits.index
           else (x[p].min(), x[p].max()) for p in axes}
    fig.add_shape(type="rect", x0=box[px][0], x1=box[px][1], y0=box[py][0], y1=box[py][1],
                  line=dict(color=colours[labels[0]], width=2, dash="dot"))
    k_in, n_in = int(y[inside].sum()), int(inside.sum())
    k_out, n_out = int(y[~inside].sum()), int((~inside).sum())
    reading = (f"Inside the chosen box (all its restricted parameters), the condition holds at "
               f"{k_in} of {n_in} points ({_pct(k_in / n_in if n_in else np.nan)}); outside, at "
               f"{k_out} of {n_out} ({_pct(k_out / n_out if n_out else np.nan)}).")
    data = x[axes].assign(condition=y, inside_box=inside)
    return Figure("03_scatter", f"{px} against {py}", style(
        fig, f"The sampled points: {px} against {py} (dotted: chosen box)", caption, px, py,
        height=520), data, reading)


def render(settings: dict, condition: Condition, labels: tuple[str, str],
           sides: dict[str, Discovery], figures: list[Figure], seconds: float, n_runs: int,
           simulated: int) -> str:
    first, second = settings["designs"]
    blocks = figure_sections(figures)
    tables = []
    for label, d in sides.items():
        lim = d.limits.copy()
        lim = lim[["low", "high", "full_low", "full_high", "restricted", "qp_low", "qp_high"]]
        lim = lim.map(lambda v: v if isinstance(v, bool | np.bool_) else
                      ("–" if not np.isfinite(v) else f"{v:.3g}"))
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in d.notes)
        tables.append(f"<h3>Where {html.escape(label)}</h3><p>{html.escape(d.summary())}</p>"
                      + (f"<ul>{notes}</ul>" if notes else "") + _html_table(lim, "parameter"))
    return html_page(f"orgsim scenario discovery — {settings['space']}",
                     f"orgsim · scenario discovery · {settings['space']}", f"""\
<p class="meta">Scenario {html.escape(settings['scenario'])} · {settings['samples']} points
(Latin hypercube, seed {settings['sample_seed']}) × {settings['seeds']} paired seed(s) × 2 designs
= {n_runs} runs ({simulated} simulated by this invocation, the rest read from the store) ·
{seconds:.0f} s.</p>
<h2>The question</h2>
<p>Where in this space does <b>{html.escape(condition.describe(first, second))}</b>
(<code>{html.escape(str(condition))}</code>) — and where not?</p>
<p class="meta">PRIM (ema_workbench, peel α = 0.05, paste α = 0.05, minimum mass 5%) looks for a box
of settings. Coverage: the share of the points of interest inside the box. Density: the share of
the box's points that are of interest. The chosen box has the highest coverage among those with
density ≥ {settings['threshold']:.0%}. A quasi-p-value near 0 says a limit is not there by
chance. Parameters: {html.escape(", ".join(settings['params']))}.</p>
<h2>Boxes</h2>
{''.join(tables)}
<h2>Figures</h2>
{''.join(blocks)}
<p class="meta">Made by orgsim {__version__} on {datetime.now():%Y-%m-%d %H:%M}; points.csv,
boxes.csv and box.csv hold the numbers.</p>
""")

"""The sensitivity page (``orgsim-sensitivity``'s report.html): the space, and one tornado per
outcome and target (a design, or the paired difference) of Morris or Sobol indices, parameters
sorted by importance with 95% error bars; in the one page shell of sim/report/page.py."""

from __future__ import annotations

import html
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go

from sim import __version__
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.sensitivity import DIFFERENCE, label, ranking, reading
from sim.experiments.space import Space
from sim.report.page import html_page
from sim.report.plotting import style
from sim.report.style import OTHER_COLOURS, colour


def tornado(indices: pd.DataFrame, method: str, outcome: str, target: str,
            designs: tuple[str, str], caption: str) -> tuple[go.Figure, str]:
    """A tornado of one target's indices: parameters sorted by importance, 95% error bars."""
    info = OUTCOME_INFO[outcome]
    title = label(outcome, target, designs)
    order = ranking(indices, method, outcome, target).parameter.tolist()
    rows = indices[(indices.outcome == outcome) & (indices.target == target)]
    tint = (OTHER_COLOURS[1] if target == DIFFERENCE
            else colour(target, designs.index(target)))
    fig = go.Figure()

    def bar(index: str, name: str, opacity: float = 1.0) -> None:
        part = rows[rows["index"] == index].set_index("parameter").reindex(order)
        fig.add_bar(y=order, x=part["value"], orientation="h", name=name, marker_color=tint,
                    opacity=opacity,
                    error_x=dict(type="data", array=part["conf"].fillna(0), visible=True,
                                 color="#333"))

    if method == "morris":
        unit = f"{info[2]} over the full range"
        bar("mu_star", "mu* (mean |elementary effect|)")
        sigma = rows[rows["index"] == "sigma"].set_index("parameter").reindex(order)
        fig.add_scatter(y=order, x=sigma["value"], mode="markers", name="sigma (spread)",
                        marker=dict(symbol="diamond", size=10, color="#333"))
        xtitle = f"Morris mu* and sigma ({unit})"
    else:
        bar("ST", "ST (total)", 1.0)
        bar("S1", "S1 (first order)", 0.45)
        fig.update_layout(barmode="group")
        xtitle = "Sobol index (share of variance)"
    height = 300 + 38 * len(order)
    style(fig, title, caption, x=xtitle, height=height)
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], automargin=True)
    return fig, reading(indices, method, outcome, target, title)


def render(indices: pd.DataFrame, space: Space, method: str, outcomes: list[str],
           target_names: list[str], caption: str, notes: list[str]) -> str:
    """The whole page; plotly.js is embedded once, in the first figure."""
    blocks, first = [], True
    for outcome in outcomes:
        for target in target_names:
            if indices[(indices.outcome == outcome) & (indices.target == target)].empty:
                continue
            fig, line = tornado(indices, method, outcome, target, space.designs, caption)
            div = fig.to_html(full_html=False, include_plotlyjs=first,
                              config={"displaylogo": False})
            first = False
            blocks.append(f"<section><p class='reading'>{html.escape(line)}</p>{div}</section>")
    what = ("Morris screening: an elementary effect is the change of the outcome when one "
            "setting moves one grid step, divided by the step as a fraction of the setting's "
            "range, i.e. the change over the full range if the effect were linear; mu* is their "
            "mean absolute value (in the outcome's units), sigma their spread — large relative "
            "to mu* when the effect depends on the other settings (interactions, "
            "non-linearity). Error bars: 95% bootstrap half-width of mu*." if method == "morris"
            else
            "Sobol indices: S1 is the share of the outcome's variance a setting explains alone, "
            "ST the share it takes part in including interactions. Error bars: 95% bootstrap "
            "half-widths.")
    params = "".join(f"<tr><td>{html.escape(p.path)}</td><td>{p.low:g}</td><td>{p.high:g}</td>"
                     f"<td>{'yes' if p.integer else ''}</td></tr>" for p in space.params)
    note = ("<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes)
            + "</ul>") if notes else ""
    body = "".join(blocks) or "<p>No target could be analysed (see the notes).</p>"
    return html_page(f"orgsim sensitivity — {space.name}",
                     f"orgsim · sensitivity of {space.scenario}", f"""\
<p class="meta">{html.escape(caption)}.</p>
<h2>The space</h2>
<table><thead><tr><th>setting</th><th>low</th><th>high</th><th>whole numbers</th></tr></thead>
<tbody>{params}</tbody></table>
<p class="meta">Designs {html.escape(space.designs[0])} and {html.escape(space.designs[1])} ran
on the same seeds at every point; the difference is {html.escape(space.designs[1])} −
{html.escape(space.designs[0])} per seed, averaged. An <code>org.*</code> setting changes only
the design that has it. Overrides: {html.escape(' '.join(space.overrides) or 'none')}.</p>
<h2>Indices</h2><p class="meta">{html.escape(what)}</p>
{body}
{note}
<p class="meta">Made by orgsim {__version__} on {datetime.now():%Y-%m-%d %H:%M}.</p>
""")

"""The verdict's page and figures (``orgsim-verdict``), in the one page shell
(:func:`sim.report.page.html_page`) and the one look (sim/report/plotting.py ``style``).

Three figures, each with the table it draws (exported as CSV like orgsim-export does): who wins
where (shares with Wilson intervals), what decides it (group Sobol total indices with bootstrap
half-widths), and the NPV of the move across the space.
"""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from sim import __version__
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.verdict_groups import DESCRIPTIONS, groups_of
from sim.report.page import _html_table, figure_sections, html_page
from sim.report.plotting import Figure, style
from sim.report.style import colour


def wins_figure(wins: pd.DataFrame, caption: str) -> Figure:
    """Share of the space where each design is better, per outcome, with Wilson intervals."""
    fig = go.Figure()
    data = wins.assign(label=[OUTCOME_INFO[o][1] for o in wins.outcome])
    for i, (design, block) in enumerate(data.groupby("design", sort=False)):
        fig.add_bar(y=block.label, x=block.share, orientation="h", name=design,
                    marker_color=colour(design, i),
                    error_x=dict(type="data", symmetric=False, array=block.high - block.share,
                                 arrayminus=block.share - block.low))
    fig.update_layout(barmode="group")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    top = data.loc[data.share.idxmax()] if data.share.notna().any() else None
    reading = (f"Largest share: {top.design} is better on {top.label} in {top.share:.0%} of "
               "the space." if top is not None else "No outcome defined at every point.")
    style(fig, "Who is better where", caption, x="share of the space", height=520)
    return Figure("01_verdict_wins", "Who is better where", fig,
                  data.drop(columns=["label"]), reading)


def sobol_figure(sobol: pd.DataFrame, caption: str) -> Figure:
    """Group total Sobol indices (± bootstrap half-width) on each outcome's paired difference."""
    fig = go.Figure()
    scales = sobol.scale if "scale" in sobol else ["difference"] * len(sobol)
    data = sobol.assign(label=[OUTCOME_INFO[o][1] + (" (log ratio)" if s == "log ratio" else "")
                               for o, s in zip(sobol.outcome, scales, strict=True)])
    for outcome, block in data.groupby("label", sort=False):
        fig.add_bar(x=block.group, y=block.ST, name=outcome,
                    error_y=dict(type="data", array=block.ST_conf))
    fig.update_layout(barmode="group")
    top = data.loc[data.ST.idxmax()] if len(data) else None
    reading = (f"Largest total index: {top.group} on {top.label} (ST {top.ST:.2f} ± "
               f"{top.ST_conf:.2f})." if top is not None else "No outcome analysed.")
    style(fig, "What decides the difference: total Sobol index by group of settings", caption,
          y="total Sobol index ST", height=560)
    # group names level on up to three lines: slanted ones ran into the caption
    groups = list(dict.fromkeys(data.group))
    lines = ["<br>".join(textwrap.wrap(g, 12, break_long_words=False)) for g in groups]
    fig.update_xaxes(tickangle=0, tickmode="array", tickvals=groups, ticktext=lines)
    return Figure("02_verdict_sobol_groups", "What decides the difference", fig,
                  data.drop(columns=["label"]), reading)


def npv_figure(per_point: pd.DataFrame, caption: str, designs: tuple[str, str]) -> Figure:
    """The NPV of the move at each point, and whether it paid back within the horizon."""
    data = per_point.reset_index().assign(paid_back=lambda f: f.payback_week.notna())
    fig = go.Figure()
    for paid, block in data.groupby("paid_back"):
        fig.add_histogram(x=block.npv_move, name="pays back" if paid else "does not pay back",
                          marker_color="#0072B2" if paid else "#BBBBBB", nbinsx=30)
    fig.update_layout(barmode="stack")
    reading = (f"Median NPV of the move: {data.npv_move.median():,.0f} k€ over {len(data)} "
               "points." if len(data) else "No point with a business case.")
    style(fig, f"NPV of the move from {designs[0]} to {designs[1]}", caption,
          x="NPV of the move (k€)", y="points")
    return Figure("03_verdict_npv", "The business case of the move", fig, data, reading)


def figures(v, caption: str) -> list[Figure]:
    return [wins_figure(v.wins, caption), sobol_figure(v.sobol, caption),
            npv_figure(v.business.per_point, caption, v.space.designs)]


def render(v, sentences: list[str], method: str, figs: list[Figure], caption: str,
           seconds: float, simulated: int) -> str:
    """The whole page: the sentences first, then how they were computed, tables and figures."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    membership = pd.Series(groups_of(v.space.names))
    members = pd.DataFrame({"settings": membership.value_counts(sort=False),
                            "holds": [DESCRIPTIONS[g] for g in membership.unique()]})
    wins = v.wins.assign(share=v.wins.share.map("{:.0%}".format),
                         interval=[f"{a:.0%}–{b:.0%}" for a, b in zip(v.wins.low, v.wins.high,
                                                                      strict=True)])
    sobol = v.sobol.round(3)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in v.notes)
    return html_page(f"orgsim verdict — {v.space.scenario}", f"The verdict · {v.space.scenario}",
                     f"""\
<p class="meta">{html.escape(caption)}. {len(v.runs)} runs ({simulated} simulated now,
{v.failed} failed), {seconds:.0f} s.</p>
<h2>The answer</h2><ul>{items}</ul>
<p class="meta">{html.escape(method)}</p>
{f"<ul class='meta'>{notes}</ul>" if notes else ""}
<h2>Who is better where</h2>
{_html_table(wins[["outcome", "design", "share", "interval", "wins", "points", "ties",
                   "undefined"]].set_index("outcome"), "outcome")}
<h2>What decides it</h2>
{_html_table(sobol.set_index("outcome"), "outcome")}
{_html_table(v.leading.round(3).set_index("outcome"), "outcome")}
<h3>The groups</h3>{_html_table(members, "group")}
<h2>The business case of the move</h2>
<p class="meta">{html.escape(v.business.settings)}.</p>
<h2>Figures</h2>
{''.join(figure_sections(figs))}
<p class="meta">Made by orgsim {__version__}; the runs are in the folder's store, and
<code>orgsim-verdict --analyse &lt;folder&gt;</code> re-analyses them without simulating.</p>
""")


__all__ = ["figures", "npv_figure", "render", "sobol_figure", "wins_figure"]

"""The one look (sim/report/plotting.style) is built in three plotly updates and with the
template as plotly's default; the figures must be exactly those of the plain way — every
setting handed to plotly and validated, one update per panel, the template given by name."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.report.plotting import style
from sim.report.style import FONT, TEMPLATE


def style_the_plain_way(fig: go.Figure, title: str, caption: str, x: str | None = None,
                        y: str | None = None, height: int = 460) -> go.Figure:
    """The reference: what style() did before it was made cheaper (validated step by step)."""
    from sim.report.plotting import _legend_rows

    rows = _legend_rows(fig)
    top = 62 + 24 * rows + (18 if rows else 8)
    panel_lines = 0
    for annotation in fig.layout.annotations:
        annotation.update(yshift=8)
        panel_lines = max(panel_lines, str(annotation.text).count("<br>") + 1)
    top += 20 * panel_lines + (8 if panel_lines else 0)
    total = height + 24 * max(0, rows - 1)
    fig.update_layout(
        title=dict(text=title, x=0.01, y=1.0 - 14 / total, yanchor="top",
                   yref="container", font=dict(size=18)), font=FONT,
        template=TEMPLATE, height=total, margin=dict(l=70, r=30, t=top, b=105),
        legend=dict(orientation="h", x=0.0, xanchor="left", yanchor="top", yref="container",
                    font=dict(size=13), y=1.0 - 52 / total))
    fig.add_annotation(text=caption, xref="paper", yref="paper", x=0.0, y=0.0, yanchor="top",
                       yshift=-72, showarrow=False, xanchor="left",
                       font=dict(size=12, color="#555"))
    if x:
        fig.update_xaxes(title_text=x)
    if y:
        fig.update_yaxes(title_text=y)
    fig.update_yaxes(ticklabelstandoff=6)
    extra = 18 * max([str(fig.layout[a].title.text or "").count("<br>")
                      for a in fig.layout if a.startswith("xaxis")] or [0])
    if extra:
        fig.update_layout(margin_b=105 + extra, height=fig.layout.height + extra)
        fig.layout.annotations[-1].update(yshift=-72 - extra)
    return fig


def _lines() -> go.Figure:
    fig = go.Figure()
    for name in ("traditional", "micro_enterprise", "a third design with a long name"):
        fig.add_trace(go.Scatter(x=[0, 1, 2], y=[1.0, 2.5, 2.0], name=name))
    return fig


def _panels(titles=("single-function jobs", "cross-functional<br>jobs", "third")) -> go.Figure:
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, shared_yaxes=True)
    fig.add_trace(go.Scatter(x=[1, 2], y=[0.2, 0.9], name="traditional"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[1, 3], y=[0.1, 0.7], name="micro_enterprise"), row=2, col=2)
    return fig


def _sankey() -> go.Figure:
    return go.Figure(go.Sankey(node=dict(label=["found", "decided", "resolved"]),
                               link=dict(source=[0, 1], target=[1, 2], value=[3.0, 2.5])))


CASES = {
    "lines with axis titles": (_lines, dict(x="week since launch", y="patients")),
    "panels, no axis titles": (_panels, dict(height=620)),
    "panels with a two-line x title": (_panels, dict(x="weeks from arrival<br>to resolution")),
    "a Sankey": (_sankey, dict(height=520)),
}


def test_styled_figures_are_exactly_those_of_the_plain_validated_way():
    for case, (make, options) in CASES.items():
        fast = style(make(), "A title", "Scenario x · 2 paired replications", **options)
        plain = style_the_plain_way(make(), "A title", "Scenario x · 2 paired replications",
                                    **options)
        assert fast.to_json() == plain.to_json(), case  # the same JSON, key order included


def test_a_styled_figure_is_unchanged_by_plotlys_full_validation():
    for case, (make, options) in CASES.items():
        fig = style(make(), "A title", "caption", **options)
        validated = go.Figure(fig.to_dict())  # every property through plotly's validators
        validated.update_layout(template=TEMPLATE)  # the template by name, validated
        assert json.loads(validated.to_json()) == json.loads(fig.to_json()), case


def test_every_panel_title_is_lifted_and_the_caption_comes_last():
    fig = style(_panels(), "A title", "the caption", x="two<br>lines")
    *titles, caption = fig.layout.annotations
    assert [t.yshift for t in titles] == [8, 8, 8]
    assert (caption.text, caption.yshift) == ("the caption", -72 - 18)
    assert fig.layout.height == 460 + 18 and fig.layout.margin.b == 105 + 18
    assert {fig.layout[a].ticklabelstandoff for a in fig.layout if a.startswith("yaxis")} == {6}

"""What every report figure is made of: a :class:`Figure` (plotly figure, the tidy table drawn,
one computed reading), the common layout (:func:`style`), and helpers for means with bands.

One look everywhere (sim/report/style.py): the same colour per design, a colour-blind-safe palette,
readable fonts, axis titles with units, and a caption line naming scenario, replications and seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from sim.experiments.analysis import interval, outcome_range
from sim.report.data import ReportData
from sim.report.style import FONT, TEMPLATE, band, colour


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


# The one template, validated once and made plotly's default: a figure made after this import
# starts with a copy of it as it stands; handed to each figure in ``update_layout`` it was
# validated again, property by property — a fifth of the report's time. (Validated, its keys
# are in the order a figure given it by name would have: the same JSON, byte for byte.) Every
# orgsim figure uses it (sim/report/calibration_page.py names it too).
pio.templates.default = go.layout.Template(pio.templates[TEMPLATE])


def style(fig: go.Figure, title: str, caption: str, x: str | None = None,
          y: str | None = None, height: int = 460) -> go.Figure:
    """The one look: title at the top, the legend in rows under it (never over it), the plot
    below, the caption under the plot; panel titles lifted clear of their panel's ticks.

    Three updates (layout, annotations, axes): plotly validates whatever it is handed, and each
    ``annotation.update`` or ``update_yaxes`` was a validated update of its own per panel (a
    20-panel figure took 40); the template is plotly's default (see above)."""
    rows = _legend_rows(fig)
    top = 62 + 24 * rows + (18 if rows else 8)
    panels = [a.to_plotly_json() for a in fig.layout.annotations]  # make_subplots' titles
    panel_lines = max([str(a.get("text")).count("<br>") + 1 for a in panels] or [0])
    top += 20 * panel_lines + (8 if panel_lines else 0)  # the first row's titles
    xaxes = [a for a in fig.layout if a.startswith("xaxis")]
    titles = [x] if x else [fig.layout[a].title.text for a in xaxes]
    extra = 18 * max([str(t or "").count("<br>") for t in titles] or [0])  # 2-line axis title
    total = height + 24 * max(0, rows - 1)
    fig.update_layout(
        title=dict(text=title, x=0.01, y=1.0 - 14 / total, yanchor="top",
                   yref="container", font=dict(size=18)), font=FONT, height=total + extra,
        margin=dict(l=70, r=30, t=top, b=105 + extra),
        legend=dict(orientation="h", x=0.0, xanchor="left", yanchor="top", yref="container",
                    font=dict(size=13), y=1.0 - 52 / total))  # under the title
    # assigned, not updated: plotly's update of a longer list drops the titles' new yshift
    fig.layout.annotations = [*({**a, "yshift": 8} for a in panels), dict(
        text=caption, xref="paper", yref="paper", x=0.0, y=0.0, yanchor="top",
        yshift=-72 - extra, showarrow=False, xanchor="left", font=dict(size=12, color="#555"))]
    # the y axis's first label clear of the x axis's (the axes last: the same JSON as before)
    fig.update_layout({a: dict(title_text=x) for a in xaxes if x} | {
        a: dict(ticklabelstandoff=6, **({"title_text": y} if y else {}))
        for a in fig.layout if a.startswith("yaxis")})
    return fig


def scatter(**properties) -> dict:
    """A scatter trace for ``fig.add_trace``/``add_traces``, as a dict: given a ``go.Scatter``,
    plotly validates a copy of the object it was handed, so every trace was built twice; given
    a dict it builds it once — the same trace, the same JSON."""
    return {"type": "scatter", **properties}


def fmt(value: float, decimals: int = 1) -> str:
    return "undefined" if value is None or not np.isfinite(value) else f"{value:.{decimals}f}"


def earlier(delta: float, other: str) -> str:
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


def band_traces(fig, table: pd.DataFrame, designs: list[str], row=None, col=None,
                 legend: bool = True) -> None:
    kwargs = {} if row is None else {"row": row, "col": col}
    for i, design in enumerate(designs):
        d = table[table.design == design]
        if d.empty:
            continue
        if d["low"].notna().any():
            fig.add_trace(scatter(
                x=np.concatenate([d.week, d.week[::-1]]),
                y=np.concatenate([d.high, d["low"][::-1]]), fill="toself", mode="lines",
                fillcolor=band(colour(design, i)), line=dict(width=0), hoverinfo="skip",
                showlegend=False, legendgroup=design), **kwargs)
        fig.add_trace(scatter(x=d.week, y=d["mean"], name=design, legendgroup=design,
                                 showlegend=legend, line=dict(color=colour(design, i), width=2.5)),
                      **kwargs)


def mean_of(data: ReportData, outcome: str, design: str, setting: str | None = None):
    c = data.comparison
    row = c[(c.outcome == outcome) & (c.design == design) & (c.kind == "mean")
            & (c.setting == (data.reference if setting is None else setting))]
    return float(row["mean"].iloc[0]) if len(row) else float("nan")


def wrap(text: str, width: int = 28) -> str:
    """Break a panel title over lines so neighbouring titles do not run into each other."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])

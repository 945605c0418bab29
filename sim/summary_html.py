"""A self-contained HTML summary of one invocation: the question, the comparison, three figures.

plotly.js is embedded in the file (no CDN), so it opens offline on a workshop laptop.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

from sim.style import FONT, band, colour


def band_figure(series: pd.DataFrame, column: str, title: str, yaxis: str) -> go.Figure:
    """Mean over replications per design, with a 95% band (t interval)."""
    fig = go.Figure()
    for i, (design, frame) in enumerate(series.groupby("design", sort=False)):
        wide = frame.pivot(index="week", columns="seed", values=column)
        mean = wide.mean(axis=1)
        n = wide.shape[1]
        if n > 1:
            half = stats.t.ppf(0.975, n - 1) * wide.std(axis=1, ddof=1) / np.sqrt(n)
            fig.add_trace(go.Scatter(
                x=np.concatenate([wide.index, wide.index[::-1]]),
                y=np.concatenate([mean + half, (mean - half)[::-1]]), fill="toself",
                fillcolor=band(colour(design, i)), line=dict(width=0), hoverinfo="skip",
                showlegend=False, name=f"{design} 95%"))
        fig.add_trace(go.Scatter(x=wide.index, y=mean, name=design,
                                 line=dict(color=colour(design, i), width=2.5)))
    fig.update_layout(title=title, xaxis_title="week since launch", yaxis_title=yaxis,
                      font=FONT, template="plotly_white", height=420,
                      legend=dict(orientation="h", y=-0.2))
    return fig


def write_summary(path, *, question: str, scenario: str, source: str, designs: list[str],
                  seeds: list[int], table: pd.DataFrame, series: pd.DataFrame,
                  caption: str) -> None:
    figures = [
        band_figure(series, "accounts_adopted_share", "Accounts that adopted the therapy",
                    "share of accounts"),
        band_figure(series, "jobs_resolved", "Customer jobs resolved (cumulative)", "jobs"),
        band_figure(series, "contacts_per_account",
                    "Distinct company contacts per account (last 13 weeks)", "people"),
    ]
    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0))
             for i, fig in enumerate(figures)]
    rows = "".join(
        f"<tr><th>{html.escape(str(idx))}</th>"
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for idx, row in zip(table.index, table.to_numpy(), strict=True))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    document = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>orgsim — {html.escape(scenario)}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.35em 0.8em; text-align: right; }}
th:first-child {{ text-align: left; }}
.caption {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>orgsim: {html.escape(scenario)}</h1>
<p><strong>Question.</strong> {html.escape(question)}</p>
<p class="caption">Source: {html.escape(source)}. Designs: {html.escape(", ".join(designs))}.
{html.escape(caption)}</p>
<h2>Headline outcomes</h2>
<p class="caption">Mean over paired replications with 95% interval; the last column(s) give the
paired difference from {html.escape(designs[0])} (same seeds, same market).</p>
<table><thead><tr><th>outcome</th>{head}</tr></thead><tbody>{rows}</tbody></table>
{''.join(parts)}
</body></html>
"""
    path.write_text(document, encoding="utf-8")

"""The business case in the report: cumulative cash flow per design, week by week (from
tables/cash_flow, written by sim/cli/business.py; see sim/experiments/business_case.py)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from sim.report.data import ReportData
from sim.report.plotting import Figure, band_traces, mean_band, style


def cumulative_cash_flow(data: ReportData) -> Figure | None:
    """Mean cumulative net cash flow per design with its 95% band; None without the table."""
    flows = data.cash_flow
    if flows is None or flows.empty:
        return None
    # named as the signed outcome so the band is not clipped at 0 (analysis.SIGNED)
    table = mean_band(flows.rename(columns={"cumulative": "net_cash_flow"})
                      [["design", "seed", "week", "net_cash_flow"]], "net_cash_flow")
    fig = go.Figure()
    band_traces(fig, table, data.designs)
    fig.add_hline(y=0, line=dict(color="#888", width=1))
    values = table[["mean", "low", "high"]].to_numpy(float)
    low, high = np.nanmin(values), np.nanmax(values)
    pad = 0.08 * (high - low or 1.0)  # the lowest y tick clear of the week ticks below it
    fig.update_yaxes(range=[low - pad, high + pad / 2])
    end = {d: float(table[table.design == d]["mean"].iloc[-1]) for d in data.designs
           if (table.design == d).any()}
    reading = f"Cumulative net cash flow at week {data.horizon:g}: " + "; ".join(
        f"{d} {v / 1000:,.1f} M€" for d, v in end.items()) + "."
    if len(end) > 1:
        first, *others = list(end)
        gaps = [f"{d} {(end[d] - end[first]) / 1000:+,.1f} M€" for d in others
                if np.isfinite(end[d])]
        reading += f" Against {first}: " + ", ".join(gaps) + "."
    return Figure("10_cumulative_cash_flow", "Cumulative cash flow",
                  style(fig, "Cumulative net cash flow (net revenue − commercial cost − "
                        "transformation cost)", data.caption(), "week since launch", "k€"),
                  table.assign(outcome="cumulative_cash_flow"), reading)

"""The calibration figure (``orgsim-calibrate``'s calibration.html and .png): observed points, the
simulator's mean with its range over the common seeds, and the closed-form Bass fit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from sim.experiments.calibration import Calibration
from sim.report.style import FONT, OTHER_COLOURS, band


def figure(result: Calibration, title: str) -> go.Figure:
    """Observed points, the simulator's mean with its range over seeds, and the Bass fit."""
    fig = go.Figure()
    n = len(result.seeds)
    drawn: set[tuple] = set()  # groups of equal population share one simulated curve
    for i, (name, g) in enumerate(result.curves.groupby("group", sort=False)):
        c = OTHER_COLOURS[i % len(OTHER_COLOURS)] if i else "#0072B2"
        label = f" · {name}" if result.curves.group.nunique() > 1 else ""
        key = (tuple(np.round(g.week, 6)), tuple(np.round(g.simulated, 6)))
        if key in drawn:
            fig.add_trace(go.Scatter(x=g.week, y=g.observed, mode="markers",
                                     name=f"observed{label}", marker=dict(
                                         color=c, size=7, line=dict(color="black", width=1))))
            continue
        drawn.add(key)
        fig.add_trace(go.Scatter(x=np.concatenate([g.week, g.week[::-1]]),
                                 y=np.concatenate([g.band_high, g.band_low[::-1]]),
                                 fill="toself", fillcolor=band(c), line=dict(width=0),
                                 hoverinfo="skip", name=f"simulator, range over {n} seeds{label}"))
        fig.add_trace(go.Scatter(x=g.week, y=g.simulated, mode="lines", line=dict(color=c),
                                 name=f"simulator mean{label}"))
        fig.add_trace(go.Scatter(x=g.week, y=g.bass, mode="lines",
                                 line=dict(color=c, dash="dot"), name=f"Bass closed form{label}"))
        fig.add_trace(go.Scatter(x=g.week, y=g.observed, mode="markers",
                                 marker=dict(color=c, size=7, line=dict(color="black", width=1)),
                                 name=f"observed{label}"))
    p = result.params.set_index("name")
    text = ", ".join(f"{k} = {v.value:.3g} ± {v.se:.2g}" for k, v in p.iterrows())
    fig.update_layout(
        title=dict(text=title, x=0.01), font=FONT, template="plotly_white", height=520,
        xaxis_title="weeks since launch", yaxis_title="cumulative adopters",
        margin=dict(l=70, r=30, t=80, b=110),
        annotations=[dict(text=f"Fitted {text} (SE from the Jacobian); RMSE {result.rmse:.3g}, "
                          f"R² {result.r2:.3f}; seeds {result.seeds[0]}–{result.seeds[-1]}.",
                          x=0, y=-0.2, xref="paper", yref="paper", showarrow=False,
                          align="left", font=dict(size=12))])
    return fig

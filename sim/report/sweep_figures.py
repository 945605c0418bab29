"""Figures of a sweep: outcomes against the swept settings, and the paired differences between
designs setting by setting."""

from __future__ import annotations

import numpy as np
import pandas as pd
from plotly.subplots import make_subplots

from sim.experiments.analysis import OUTCOME_INFO, interval, outcome_range
from sim.report.data import ReportData, finite, numeric_params
from sim.report.plotting import Figure, band_traces, scatter, style, wrap
from sim.report.style import VERDICT_COLOURS, VERDICT_SYMBOLS

# -------------------------------------------------------------------------------- sweeps
SWEEP_OUTCOMES = ("resolved_share", "week_50pct_adoption", "contacts_per_account",
                  "cost_per_resolved_job")
BUSINESS_OUTCOMES = ("npv_move", "pays_back")  # the move from the baseline, per compared design


def outcomes_vs_parameters(data: ReportData) -> list[Figure]:
    """Each outcome against each swept number, one line per design with its band; other swept
    settings are averaged over."""
    def reading(table: pd.DataFrame, param: str) -> str:
        best = table[table.outcome == "resolved_share"].sort_values("mean", ascending=False)
        return (f"Share of jobs resolved is highest at {param} = {best.value.iloc[0]:g} "
                f"({best.design.iloc[0]}, {best['mean'].iloc[0]:.3f})"
                if len(best) and np.isfinite(best["mean"].iloc[0])
                else f"No defined outcome along {param}") + "."

    return [_against(data, data.summary, param, SWEEP_OUTCOMES, "08_sweep", "Outcomes",
                     reading) for param in numeric_params(data.params)]


def business_vs_parameters(data: ReportData) -> list[Figure]:
    """The business case of the move (sim/experiments/sweep_business.py) against each swept
    number: its NPV and the share of seeds in which it pays back within the horizon, one line
    per compared design; none without a baseline in the sweep."""
    summary = data.summary
    if "npv_move" not in summary or not summary.npv_move.notna().any():
        return []
    compared = summary[summary.design != data.baseline]

    def reading(table: pd.DataFrame, param: str) -> str:
        npv = table[(table.outcome == "npv_move") & np.isfinite(table["mean"])]
        if npv.empty:
            return f"The move has no NPV along {param}."
        best = npv.sort_values("mean", ascending=False).iloc[0]
        share = table[(table.outcome == "pays_back") & (table.design == best.design)
                      & (table.value == best.value)]["mean"]
        return (f"The NPV of moving from {data.baseline} is highest at {param} = "
                f"{best.value:g} ({best.design}, {best['mean']:,.0f} k€); there the move pays "
                f"back within the horizon in {float(share.iloc[0]):.0%} of seeds.")

    return [_against(data, compared, param, BUSINESS_OUTCOMES, "11_sweep_business",
                     f"The business case of moving from {data.baseline}", reading)
            for param in numeric_params(data.params)]


def _against(data: ReportData, summary: pd.DataFrame, param: str, outcomes: tuple[str, ...],
             prefix: str, title: str, reading) -> Figure:
    """``outcomes`` of the runs in ``summary`` against the swept number ``param``: per design
    and value, the mean over runs and its 95% interval, other swept settings averaged over."""
    summary = summary.assign(_x=pd.to_numeric(summary.setting.map(data.params[param])))
    rows = []
    for outcome in outcomes:
        for (design, x), group in summary.groupby(["design", "_x"]):
            values = finite(group[outcome])
            n = len(values)
            m = values.mean() if n else np.nan
            low, high = interval(m, values.std(ddof=1) if n > 1 else np.nan, n,
                                 *outcome_range(outcome))
            rows.append({"parameter": param, "value": x, "outcome": outcome, "design": design,
                         "mean": m, "low": float(low), "high": float(high), "n": n})
    table = pd.DataFrame(rows)
    fig = make_subplots(rows=1, cols=len(outcomes), subplot_titles=[
        wrap(f"{OUTCOME_INFO[o][1]} ({OUTCOME_INFO[o][2]})", 24) for o in outcomes],
        horizontal_spacing=0.08)
    taken = sorted(table.value.dropna().unique())
    for k, outcome in enumerate(outcomes):
        t = table[table.outcome == outcome].rename(columns={"value": "week"})
        if not np.isfinite(t["mean"]).any():  # say so instead of an empty box
            fig.update_xaxes(visible=False, row=1, col=k + 1)
            fig.update_yaxes(visible=False, row=1, col=k + 1)
            axis = fig.get_subplot(1, k + 1)
            fig.add_annotation(text="undefined in every run<br>(e.g. never reached<br>"
                               "within the horizon)", showarrow=False, xref="paper",
                               yref="paper", x=float(np.mean(axis.xaxis.domain)),
                               y=float(np.mean(axis.yaxis.domain)),
                               font=dict(size=12, color="#555"))
            continue
        band_traces(fig, t, data.designs, row=1, col=k + 1, legend=k == 0)
        if OUTCOME_INFO[outcome][2] == "share":
            fig.update_yaxes(tickformat=".0%", row=1, col=k + 1)
    # ticks only at the values the setting took
    fig.update_xaxes(title_text=wrap(setting_label(param), 22), tickvals=taken,
                     ticktext=[f"{v:g}" for v in taken])
    return Figure(f"{prefix}_{param.replace('.', '_')}", f"{title} against {param}",
                  style(fig, f"{title} against {param} (mean, 95% interval)",
                        data.caption(setting="other swept settings averaged"),
                        height=440), table, reading(table, param))


def setting_label(path: str) -> str:
    """A swept setting in words, with its unit: "accounts per primary contact (accounts)";
    the dotted name if the setting declares no doc."""
    try:
        from sim.configuration.composition import _meta_for

        meta = _meta_for(path) or {}
    except Exception:  # noqa: BLE001 - a label is never worth a failed report
        meta = {}
    doc = str(meta.get("doc") or "").split(" (")[0].split(";")[0].strip()
    if not doc:
        return path
    unit = meta.get("unit")
    return f"{doc[0].lower()}{doc[1:]}" + (f" ({unit})" if unit else "")


def _setting_labels(settings: list[str]) -> dict[str, str]:
    """Each setting named by what varies: overrides shared by every setting (e.g. the horizon
    of the whole sweep) are left out, and one override per line."""
    parts = {s: s.split() for s in settings}
    common = set.intersection(*(set(p) for p in parts.values())) if parts else set()
    return {s: "<br>".join(p for p in parts[s] if p not in common) or "default"
            for s in settings}


def paired_differences(data: ReportData) -> Figure | None:
    c = data.comparison
    diffs = c[c.kind == "difference"]
    if diffs.empty:
        return None
    outcomes = [o for o in dict.fromkeys(diffs.outcome) if o in set(diffs.outcome)]
    table = diffs[["setting", "outcome", "label", "unit", "better", "design", "mean", "low",
                   "high", "n", "effect_size", "p_value"]].copy()
    improves = np.where(table.better == "higher", table["low"] > 0, table["high"] < 0)
    worsens = np.where(table.better == "higher", table["high"] < 0, table["low"] > 0)
    table["verdict"] = np.select([improves, worsens], ["better", "worse"], "no clear difference")
    cols = 4
    rows_n = int(np.ceil(len(outcomes) / cols))
    names = _setting_labels(list(dict.fromkeys(table.setting)))
    lines = max(n.count("<br>") + 1 for n in names.values())
    longest = max(len(part) for n in names.values() for part in n.split("<br>"))
    # settings share one y axis per row, labelled once at the left, so a long label never
    # prints over the neighbouring panel
    fig = make_subplots(rows=rows_n, cols=cols, subplot_titles=[
        wrap(f"{OUTCOME_INFO[o][1]} ({OUTCOME_INFO[o][2]})") for o in outcomes],
        horizontal_spacing=0.05, vertical_spacing=min(0.25, 0.5 / rows_n), shared_yaxes=True)
    # The panels' traces in one call, the zero lines, the hidden empty panels and the x ticks in
    # one layout update: each plotly call validates what it is handed and a row/col update walks
    # the grid, so per-panel calls cost a third of this 30-panel figure. (Panel k's axes are
    # xaxis{k+1}/yaxis{k+1}; the updates come in the order of the per-panel calls they replace,
    # so the figure's JSON is the same, byte for byte.)
    traces, zero_lines = [], []
    for outcome in outcomes:
        d = table[table.outcome == outcome]
        labels = [names[s] for s in d.setting]
        traces.append(scatter(
            x=d["mean"], y=labels, mode="markers",
            error_x=dict(type="data", symmetric=False, array=(d.high - d["mean"]).fillna(0),
                         arrayminus=(d["mean"] - d["low"]).fillna(0), color="#555"),
            marker=dict(size=11, color=[VERDICT_COLOURS[v] for v in d.verdict],
                        symbol=[VERDICT_SYMBOLS[v] for v in d.verdict],
                        line=dict(width=1.5, color="#000")),
            showlegend=False))
    fig.add_traces(traces, rows=[k // cols + 1 for k in range(len(traces))],
                   cols=[k % cols + 1 for k in range(len(traces))])
    axis = [f"{k + 1}" if k else "" for k in range(rows_n * cols)]  # panel k's axes' suffix
    for k in range(len(outcomes)):
        zero_lines.append(dict(type="line", x0=0, x1=0, y0=0, y1=1, line=dict(color="#333",
                               width=1), xref=f"x{axis[k]}", yref=f"y{axis[k]} domain"))
    hidden = {}
    for k in range(len(outcomes), rows_n * cols):  # no empty box for a missing panel
        hidden |= {f"xaxis{axis[k]}": dict(visible=False), f"yaxis{axis[k]}": dict(visible=False)}
    fig.update_layout({"shapes": zero_lines, **hidden} | {
        f"xaxis{axis[k]}": dict(**hidden.get(f"xaxis{axis[k]}", {}), nticks=4)
        for k in range(rows_n * cols)})
    counts = table.verdict.value_counts()
    design = table.design.iloc[0]
    worse = table[table.verdict == "worse"]
    reading = (f"{design}: better on {counts.get('better', 0)}, worse on "
               f"{counts.get('worse', 0)} and no clear difference on "
               f"{counts.get('no clear difference', 0)} of {len(table)} outcome × setting pairs"
               + (f"; worse on: {', '.join(sorted(set(worse.outcome)))}" if len(worse) else "")
               + ".")
    per_row = max(200, 40 + len(names) * 18 * lines)
    fig = style(fig, f"Paired difference {design} (mean, 95% interval; ▲ better, ▼ worse, "
                "○ no clear difference)", data.caption(setting="every setting"),
                height=max(420, 150 + per_row * rows_n))
    fig.update_layout(margin_l=max(70, int(7.5 * longest) + 20))
    return Figure("09_paired_differences", "How much better or worse, and where", fig, table,
                  reading)

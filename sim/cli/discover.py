"""``orgsim-discover``: where does one design beat the other, and where not? (scenario discovery)

Samples a declared space (``conf/space/<name>.yaml``) with a seeded Latin hypercube, runs both
designs at every point on the same seeds (sim/experiments/doe.py: parallel, resumable), marks the
points where
a condition holds, and lets PRIM find the box of settings where it holds — and the box where it
does not (see sim/experiments/scenario_discovery.py for the condition language and what coverage,
density and mass mean):

    orgsim-discover --space default --condition micro_wins --samples 120 --seeds 2
    orgsim-discover --space tiny --samples 40 \\
        --condition "resolved_share:rel>=10%" --condition "cost_per_resolved_job:diff<=0"

Writes ``outputs/discovery/<space>-<time>/`` (or ``--out``): points.csv (inputs, outcome means per
design, differences, whether the condition holds), boxes.csv (the peeling trajectories),
box.csv (limits of the chosen boxes with quasi-p-values), discover.json (the command's settings)
and report.html (offline). The runs are stored under ``<folder>/store/``: the same command with
``--out <folder>`` resumes and re-runs nothing that is done.

Analysis is apart from running: with ``--out`` on an earlier discovery, another ``--condition`` or
``--threshold`` (the same space and sample) re-analyses the stored runs into a new folder
``<folder>/analyses/<time>/``, keeping the first analysis; nothing is simulated again (runs an
interrupted discovery left undone are completed):

    orgsim-discover --space tiny --samples 40 --out outputs/discovery/tiny
    orgsim-discover --space tiny --samples 40 --out outputs/discovery/tiny \
        --condition "cost_per_resolved_job:rel<=-5%" --threshold 0.7
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim import __version__
from sim.configuration.composition import InputError
from sim.experiments.scenario_discovery import (
    NAMED,
    Analysis,
    Condition,
    ConditionError,
    Discovery,
    analyse,
    latin_hypercube,
    parse_condition,
)
from sim.experiments.space import load_space
from sim.experiments.store import atomic_write
from sim.report.page import CSS, _html_table, figure_sections
from sim.report.plotting import Figure, style
from sim.report.style import colour

PROG = "orgsim-discover"


def _atomic_write(path: Path, text: str) -> None:
    """Write to a temporary name and rename into place, so no half-written file is ever seen."""
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--space", default="default", help="conf/space/<name>.yaml or a path")
    parser.add_argument("--condition", action="append",
                        help="<outcome>:<rel|diff><op><number>, joined with 'and' or repeated; "
                             f"or a name: {', '.join(NAMED)} (default: micro_wins = "
                             f"{NAMED['micro_wins']})")
    parser.add_argument("--samples", type=int, default=100, help="points of the Latin hypercube")
    parser.add_argument("--seeds", type=int, default=1, help="paired seeds per point")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--sample-seed", type=int, default=0, help="seed of the Latin hypercube")
    parser.add_argument("--threshold", type=float, default=0.8,
                        help="density a box must reach (default 0.8)")
    parser.add_argument("--workers", type=int, default=0, help="processes; 0 = all cores")
    parser.add_argument("--out", type=Path, help="folder (the same folder resumes a discovery)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    args.parser = parser
    return args


# Settings that only change the analysis: a stored sample is re-analysed with new ones.
ANALYSIS = ("condition", "threshold")


def check(args: argparse.Namespace):
    """Everything that can be wrong with the input, before anything runs or any folder exists.

    Returns the condition, the space, the settings and whether ``--out`` holds this sample
    analysed differently (a re-analysis)."""
    if args.samples < 10:
        raise InputError(f"--samples: must be ≥ 10, got {args.samples}")
    if args.seeds < 1:
        raise InputError(f"--seeds: must be ≥ 1, got {args.seeds}")
    if args.first_seed < 0 or args.sample_seed < 0:
        raise InputError("--first-seed and --sample-seed: must be ≥ 0")
    if not (0 < args.threshold <= 1):
        raise InputError(f"--threshold: must be in (0, 1], got {args.threshold:g}")
    if args.workers < 0:
        raise InputError(f"--workers: must be ≥ 0, got {args.workers}")
    condition = parse_condition(args.condition or ["micro_wins"])
    space = load_space(args.space)
    settings = dict(space=space.name, scenario=space.scenario, designs=list(space.designs),
                    params={p.path: [p.low, p.high, p.integer] for p in space.params},
                    overrides=list(space.overrides), condition=str(condition),
                    samples=args.samples, seeds=args.seeds, first_seed=args.first_seed,
                    sample_seed=args.sample_seed, threshold=args.threshold)
    reanalysis = False
    if args.out is not None and args.out.exists():
        if not args.out.is_dir():
            raise InputError(f"--out: {args.out} is a file, not a folder")
        saved = args.out / "discover.json"
        if saved.exists():
            before = json.loads(saved.read_text())["settings"]
            changed = sorted(k for k in settings if before.get(k) != settings[k])
            sample = [k for k in changed if k not in ANALYSIS]
            if sample:
                raise InputError(f"--out: {args.out} holds a discovery of another sample "
                                 f"({', '.join(sample)}); choose a new folder (a new "
                                 "--condition or --threshold alone re-analyses its runs)")
            reanalysis = bool(changed)
        elif any(args.out.iterdir()):
            raise InputError(f"--out: {args.out} exists and is not a discovery folder")
    return condition, space, settings, reanalysis


# ------------------------------------------------------------------------------------ figures
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
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>orgsim scenario discovery — {html.escape(settings['space'])}</title><style>{CSS}</style>
</head><body>
<h1>orgsim · scenario discovery · {html.escape(settings['space'])}</h1>
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
</body></html>
"""


# --------------------------------------------------------------------------------------- main
def write_outputs(out: Path, settings: dict, analysis: Analysis, labels: tuple[str, str],
                  figures: list[Figure], seconds: float, n_runs: int, simulated: int) -> None:
    """points.csv, boxes.csv, box.csv and report.html of one analysis (each written whole)."""
    sides = ((labels[0], "condition", analysis.where),
             (labels[1], "complement", analysis.where_not))
    points = analysis.points.reset_index().assign(condition=analysis.y)
    _atomic_write(out / "points.csv", points.to_csv(index=False))
    _atomic_write(out / "boxes.csv", pd.concat(
        [d.trajectory.assign(side=side) for _, side, d in sides]).to_csv(index=False))
    _atomic_write(out / "box.csv", pd.concat(
        [d.limits.reset_index().assign(side=side, coverage=d.box.coverage,
                                       density=d.box.density, mass=d.box.mass)
         for _, side, d in sides]).to_csv(index=False))
    _atomic_write(out / "report.html", render(
        settings, analysis.condition, labels, {label: d for label, _, d in sides}, figures,
        seconds, n_runs, simulated))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        condition, space, settings, reanalysis = check(args)
    except (InputError, ConditionError) as error:
        args.parser.exit(2, f"{PROG}: error: {error}\n")
    from sim.experiments.doe import evaluate  # the shared evaluation machinery (heavy imports)

    started = time.perf_counter()
    out = args.out or Path("outputs") / "discovery" / (
        f"{space.name}-{datetime.now():%Y-%m-%d_%H-%M-%S-%f}")
    # A re-analysis never replaces the first one: it gets its own new folder beside the runs.
    target = out / "analyses" / f"{datetime.now():%Y-%m-%d_%H-%M-%S-%f}" if reanalysis else out
    if reanalysis:
        print(f"Re-analysing the runs stored in {out} with condition {condition} and density "
              f"threshold {args.threshold:g} (the earlier analysis is kept; this one goes to "
              f"{target}).")
    out.mkdir(parents=True, exist_ok=True)
    target.mkdir(parents=True, exist_ok=reanalysis is False)
    _atomic_write(target / "discover.json", json.dumps(
        {"settings": settings, "command": [PROG, *(argv if argv is not None else sys.argv[1:])]},
        indent=2))
    bounds = {p.path: (p.low, p.high) for p in space.params}
    points = latin_hypercube(bounds, {p.path: p.integer for p in space.params}, args.samples,
                             args.sample_seed)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    stored = out / "store" / "runs"
    before = len(list(stored.glob("*.json"))) if stored.exists() else 0
    frame = evaluate(space, points, seeds, out / "store", workers=args.workers,
                     progress=not args.quiet)
    simulated = len(list(stored.glob("*.json"))) - before if stored.exists() else 0
    first, second = space.designs
    analysis = analyse(frame, space.names, bounds, condition, args.threshold)
    labels = (f"{second} meets the condition", f"{first} at least as good")
    colours = {labels[0]: colour(second), labels[1]: colour(first, 1)}
    sides = {labels[0]: analysis.where, labels[1]: analysis.where_not}

    seconds = time.perf_counter() - started
    caption = (f"Space {space.name} (scenario {space.scenario}) · {args.samples} points × "
               f"{len(seeds)} seed(s) · condition {condition}")
    figures = [tradeoff_figure(sides, colours, caption), limits_figure(sides, colours, caption),
               scatter_figure(analysis.x, analysis.y, analysis.where, analysis.where_not, labels,
                              colours, caption)]
    write_outputs(target, settings, analysis, labels, figures, seconds, len(frame), simulated)
    y = analysis.y
    print(f"Condition: {condition.describe(first, second)} — holds at {int(y.sum())} of "
          f"{len(y)} points ({y.mean():.0%}).")
    for label, d in sides.items():
        print(f"Where {label}: {d.summary()}")
        for note in d.notes:
            print(f"  note: {note}")
    failed = int((frame["status"] != "ok").sum()) if "status" in frame else 0
    print(f"{len(frame)} runs ({simulated} simulated now, {failed} failed), {seconds:.0f} s")
    print(f"Results: {target}")


if __name__ == "__main__":
    main()

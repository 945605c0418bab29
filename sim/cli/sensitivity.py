"""``orgsim-sensitivity``: which settings of a declared space move the outcomes, and the gap
between the designs?

    orgsim-sensitivity --space default --method morris --trajectories 8 --seeds 2 --difference
    orgsim-sensitivity --space default --method sobol --samples 64 --outcomes resolved_share

Samples the space (conf/space/<name>.yaml; SALib, seeded), runs every point for both designs on
the same seeds (sim/experiments/doe.py: parallel, every run stored), computes Morris (mu*, sigma) or
Sobol (S1, ST) indices with 95% confidence half-widths for each design's outcome and, with
``--difference``, for the paired difference, and writes to
``outputs/sensitivity/<space>-<method>-<time>/``: indices.csv, samples.parquet, runs.parquet,
targets.csv, report.html and store/ (one file set per run).

Interrupted? Run the same command with ``--out <that folder>``: stored runs are read back,
missing and failed ones are (re)done.
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
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.doe import evaluate
from sim.experiments.sensitivity import (
    CENSORED_AT_HORIZON,
    DIFFERENCE,
    MAIN_INDEX,
    METHODS,
    analyse,
    censor,
    horizon,
    ranking,
    reading,
    sample,
    targets,
)
from sim.experiments.space import Space, load_space
from sim.experiments.store import atomic_write
from sim.report.page import CSS
from sim.report.plotting import style
from sim.report.style import OTHER_COLOURS, colour

PROG = "orgsim-sensitivity"
ROOT = Path("outputs") / "sensitivity"
SETTINGS = "sensitivity.json"


# ------------------------------------------------------------------------------- arguments
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0].strip("`: "),
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Resume an interrupted analysis with the same command "
                                "and --out <its folder>.")
    p.add_argument("--space", default="default",
                   help="conf/space/<name>.yaml or a path (default: default)")
    p.add_argument("--method", default="morris", choices=METHODS)
    p.add_argument("--outcomes", default="resolved_share,week_50pct_adoption",
                   help="comma-separated run-summary outcomes (names as in orgsim-analyze)")
    p.add_argument("--difference", action="store_true",
                   help="also analyse the paired difference (second design − first)")
    p.add_argument("--trajectories", type=int, default=8, help="Morris: trajectories r")
    p.add_argument("--levels", type=int, default=4, help="Morris: grid levels (even, ≥ 2)")
    p.add_argument("--samples", type=int, default=64,
                   help="Sobol: base samples N, a power of two (runs N × (k + 2) points)")
    p.add_argument("--seeds", type=int, default=2, help="paired seeds per point")
    p.add_argument("--first-seed", type=int, default=0, help="seeds first … first + seeds − 1")
    p.add_argument("--sample-seed", type=int, default=0, help="seed of SALib's sampler and "
                   "bootstrap")
    p.add_argument("--workers", type=int, default=0, help="processes (0 = all cores)")
    p.add_argument("--out", type=Path, help="output folder (default: a new folder under "
                   "outputs/sensitivity/); an earlier folder of the same command resumes it")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _check(args: argparse.Namespace) -> tuple[Space, list[str]]:
    """Validate everything before anything is written; InputError names the bad option."""
    space = load_space(args.space)
    outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()]
    if not outcomes:
        raise InputError("--outcomes: name at least one outcome")
    for o in outcomes:
        if o not in OUTCOME_INFO:
            raise InputError(f"--outcomes: unknown outcome {o!r}; allowed: "
                             f"{', '.join(OUTCOME_INFO)}")
    if args.method == "morris":
        if args.trajectories < 2:
            raise InputError(f"--trajectories: must be ≥ 2, got {args.trajectories}")
        if args.levels < 2 or args.levels % 2:
            raise InputError(f"--levels: must be an even number ≥ 2, got {args.levels}")
    elif args.samples < 2 or args.samples & (args.samples - 1):
        raise InputError(f"--samples: must be a power of two ≥ 2 (e.g. 32, 64, 128), got "
                         f"{args.samples}")
    if args.seeds < 1:
        raise InputError(f"--seeds: must be ≥ 1, got {args.seeds}")
    if args.first_seed < 0 or args.sample_seed < 0 or args.workers < 0:
        raise InputError("--first-seed, --sample-seed and --workers: must be ≥ 0")
    return space, outcomes


def _identity(args: argparse.Namespace, space: Space) -> dict:
    """What decides the runs and the sample: a folder resumes only the same analysis."""
    size = args.trajectories if args.method == "morris" else args.samples
    return {"space": space.name, "scenario": space.scenario, "designs": list(space.designs),
            "overrides": list(space.overrides),
            "params": [[p.path, p.low, p.high, p.integer] for p in space.params],
            "method": args.method, "size": size,
            "levels": args.levels if args.method == "morris" else None,
            "seeds": list(range(args.first_seed, args.first_seed + args.seeds)),
            "sample_seed": args.sample_seed}


def _folder(args: argparse.Namespace, identity: dict) -> tuple[Path, bool]:
    """The output folder and whether it resumes an earlier attempt (never someone else's)."""
    if args.out is None:
        stamp = f"{datetime.now():%Y-%m-%d_%H-%M-%S-%f}"
        return ROOT / f"{identity['space']}-{identity['method']}-{stamp}", False
    if not args.out.exists():
        return args.out, False
    recorded = args.out / SETTINGS
    try:
        earlier = json.loads(recorded.read_text())
    except (OSError, json.JSONDecodeError):
        raise InputError(f"--out: {args.out} exists and is not an orgsim-sensitivity folder; "
                         "choose a new folder") from None
    if earlier.get("identity") != identity:
        changed = next(k for k in identity if earlier.get("identity", {}).get(k) != identity[k])
        raise InputError(f"--out: {args.out} holds a different analysis ({changed} differs); "
                         "use the same options to resume it, or a new folder")
    return args.out, True


# ---------------------------------------------------------------------------------- output
def _label(outcome: str, target: str, designs: tuple[str, str]) -> str:
    name = OUTCOME_INFO[outcome][1]
    if target == DIFFERENCE:
        return f"{name}, {designs[1]} − {designs[0]}"
    return f"{name}, {target}"


def _figure(indices: pd.DataFrame, method: str, outcome: str, target: str,
            designs: tuple[str, str], caption: str) -> tuple[go.Figure, str]:
    """A tornado of one target's indices: parameters sorted by importance, 95% error bars."""
    info = OUTCOME_INFO[outcome]
    label = _label(outcome, target, designs)
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
    style(fig, label, caption, x=xtitle, height=height)
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], automargin=True)
    return fig, reading(indices, method, outcome, target, label)


def _report(indices: pd.DataFrame, space: Space, method: str, outcomes: list[str],
            target_names: list[str], caption: str, notes: list[str]) -> str:
    blocks, first = [], True
    for outcome in outcomes:
        for target in target_names:
            if indices[(indices.outcome == outcome) & (indices.target == target)].empty:
                continue
            fig, line = _figure(indices, method, outcome, target, space.designs, caption)
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
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>orgsim sensitivity — {html.escape(space.name)}</title><style>{CSS}</style></head><body>
<h1>orgsim · sensitivity of {html.escape(space.scenario)}</h1>
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
</body></html>
"""


# ------------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        space, outcomes = _check(args)
        identity = _identity(args, space)
        folder, resuming = _folder(args, identity)
    except InputError as error:
        parser.exit(2, f"{PROG}: error: {error}\n")
    started = time.perf_counter()
    points = sample(space, args.method, identity["size"], args.sample_seed, args.levels)
    seeds = identity["seeds"]
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"identity": identity, "version": __version__, "argv": sys.argv[1:] if argv is None
                else list(argv)}
    atomic_write(folder / SETTINGS, lambda tmp: Path(tmp).write_text(
        json.dumps(settings, indent=1) + "\n"))
    runs = len(points) * len(space.designs) * len(seeds)
    print(f"{PROG}: {args.method}, {len(points)} points × {len(space.designs)} designs × "
          f"{len(seeds)} seeds = {runs} runs → {folder}" + (" (resuming)" if resuming else ""),
          flush=True)
    print(f"Interrupted? Resume with the same command and --out {folder}", file=sys.stderr)

    frame = evaluate(space, points, seeds, folder / "store", workers=args.workers,
                     progress=not args.no_progress)
    failed = int((frame.status != "ok").sum())
    weeks = horizon(space)
    notes = [f"{OUTCOME_INFO[o][1]}: {n} of {len(frame)} runs never reached it within the "
             f"horizon and count as week {weeks:g} (censored)."
             for o in outcomes if o in CENSORED_AT_HORIZON
             and (n := int((frame[o].isna() & (frame.status == "ok")).sum()))]
    frame = censor(frame, weeks)
    values = targets(frame, outcomes, args.difference)
    indices = analyse(space, args.method, points, values, args.sample_seed, args.levels)
    seconds = time.perf_counter() - started

    for (outcome, target), y in values.items():
        if not np.isfinite(y.to_numpy(float)).all():
            notes.append(f"{_label(outcome, target, space.designs)}: undefined at "
                         f"{int((~np.isfinite(y.to_numpy(float))).sum())} point(s); not "
                         "analysed.")
    if failed:
        notes.append(f"{failed} run(s) failed (errors in store/runs/); run the same command "
                     f"with --out {folder} to retry them.")
    size = (f"{args.trajectories} trajectories × {len(space.params) + 1} points, "
            f"{args.levels} levels" if args.method == "morris" else
            f"{args.samples} base samples × {len(space.params) + 2} points")
    caption = (f"Scenario {space.scenario}; {args.method.capitalize()}, {size}; "
               f"{len(seeds)} paired seed(s) {seeds[0]}–{seeds[-1]}; horizon {weeks:g} weeks; "
               f"sample seed {args.sample_seed}")

    atomic_write(folder / "indices.csv", lambda t: indices.to_csv(t, index=False))
    atomic_write(folder / "samples.parquet", lambda t: points.reset_index().to_parquet(
        t, index=False))
    atomic_write(folder / "runs.parquet", lambda t: frame.assign(
        design=frame.design.astype(str)).to_parquet(t, index=False))
    flat = values.copy()
    flat.columns = [f"{o}:{t}" for o, t in values.columns]
    atomic_write(folder / "targets.csv", lambda t: flat.to_csv(t))
    target_names = [*space.designs, *([DIFFERENCE] if args.difference else [])]
    page = _report(indices, space, args.method, outcomes, target_names, caption, notes)
    atomic_write(folder / "report.html", lambda t: Path(t).write_text(page, encoding="utf-8"))

    _print(indices, args.method, outcomes, target_names, space.designs)
    for n in notes:
        print(f"note: {n}")
    print(f"{runs} runs ({failed} failed) in {seconds:.0f} s. Results: {folder}")
    if failed:
        raise SystemExit(1)


def _print(indices: pd.DataFrame, method: str, outcomes: list[str], target_names: list[str],
           designs: tuple[str, str]) -> None:
    main = "mu*" if method == "morris" else "ST"
    for outcome in outcomes:
        for target in target_names:
            ranked = ranking(indices, method, outcome, target)
            if ranked.empty:
                continue
            print(f"\n{_label(outcome, target, designs)} — {main} ± 95% half-width "
                  f"({MAIN_INDEX[method]})")
            for r in ranked.itertuples():
                print(f"  {r.parameter:<34} {r.value:10.4g} ± {r.conf:.3g}")
    print()


if __name__ == "__main__":
    main()

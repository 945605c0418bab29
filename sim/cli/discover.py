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
import json
import sys
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.cli.sampling_args import add_ray, check_sampling, cluster_of, join
from sim.configuration.composition import InputError
from sim.experiments.scenario_discovery import (
    NAMED,
    Analysis,
    ConditionError,
    explore,
    parse_condition,
)
from sim.experiments.space import load_space
from sim.experiments.store import atomic_write
from sim.report.discovery_page import limits_figure, render, scatter_figure, tradeoff_figure
from sim.report.plotting import Figure
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
    add_ray(parser)
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
    check_sampling(args)
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
        cluster = cluster_of(args)
        if not reanalysis:
            join(cluster)  # an unreachable cluster is refused before any folder
    except (InputError, ConditionError) as error:
        args.parser.exit(2, f"{PROG}: error: {error}\n")
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
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    found = explore(space, condition, args.samples, seeds, out / "store", args.sample_seed,
                    args.threshold, args.workers, progress=not args.quiet, cluster=cluster)
    frame, analysis, simulated = found.runs, found.analysis, found.simulated
    first, second = space.designs
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

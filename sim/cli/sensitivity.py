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
import json
import sys
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim import __version__
from sim.cli.sampling_args import add_ray, cluster_of, join
from sim.configuration.composition import InputError
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.sensitivity import (
    DIFFERENCE,
    MAIN_INDEX,
    METHODS,
    Study,
    label,
    ranking,
    sample,
    study,
)
from sim.experiments.space import Space, load_space
from sim.experiments.store import atomic_write
from sim.report.sensitivity_page import render

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
    add_ray(p)
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


# ------------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        space, outcomes = _check(args)
        cluster = cluster_of(args)
        identity = _identity(args, space)
        folder, resuming = _folder(args, identity)
        join(cluster)  # an unreachable cluster is refused before any folder
    except InputError as error:
        parser.exit(2, f"{PROG}: error: {error}\n")
    seeds = identity["seeds"]
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"identity": identity, "version": __version__, "argv": sys.argv[1:] if argv is None
                else list(argv)}
    atomic_write(folder / SETTINGS, lambda tmp: Path(tmp).write_text(
        json.dumps(settings, indent=1) + "\n"))
    points = sample(space, args.method, identity["size"], args.sample_seed, args.levels)
    runs = len(points) * len(space.designs) * len(seeds)
    print(f"{PROG}: {args.method}, {len(points)} points × {len(space.designs)} designs × "
          f"{len(seeds)} seeds = {runs} runs → {folder}" + (" (resuming)" if resuming else ""),
          flush=True)
    print(f"Interrupted? Resume with the same command and --out {folder}", file=sys.stderr)

    started = time.perf_counter()
    result = study(space, args.method, points, outcomes, seeds, folder / "store", identity["size"],
                   args.levels, args.sample_seed, args.difference, args.workers,
                   progress=not args.no_progress, cluster=cluster)
    seconds = time.perf_counter() - started
    notes = list(result.notes)
    if result.failed:
        notes.append(f"{result.failed} run(s) failed (errors in store/runs/); run the same "
                     f"command with --out {folder} to retry them.")
    target_names = [*space.designs, *([DIFFERENCE] if args.difference else [])]
    _write(folder, result, render(result.indices, space, args.method, outcomes, target_names,
                                  result.caption, notes))
    _print(result.indices, args.method, outcomes, target_names, space.designs)
    for n in notes:
        print(f"note: {n}")
    print(f"{runs} runs ({result.failed} failed) in {seconds:.0f} s. Results: {folder}")
    if result.failed:
        raise SystemExit(1)


def _write(folder: Path, result: Study, page: str) -> None:
    """indices.csv, samples.parquet, runs.parquet, targets.csv and report.html (each whole)."""
    atomic_write(folder / "indices.csv", lambda t: result.indices.to_csv(t, index=False))
    atomic_write(folder / "samples.parquet", lambda t: result.points.reset_index().to_parquet(
        t, index=False))
    frame = result.runs
    atomic_write(folder / "runs.parquet", lambda t: frame.assign(
        design=frame.design.astype(str)).to_parquet(t, index=False))
    flat = result.values.copy()
    flat.columns = [f"{o}:{t}" for o, t in result.values.columns]
    atomic_write(folder / "targets.csv", lambda t: flat.to_csv(t))
    atomic_write(folder / "report.html", lambda t: Path(t).write_text(page, encoding="utf-8"))


def _print(indices: pd.DataFrame, method: str, outcomes: list[str], target_names: list[str],
           designs: tuple[str, str]) -> None:
    main = "mu*" if method == "morris" else "ST"
    for outcome in outcomes:
        for target in target_names:
            ranked = ranking(indices, method, outcome, target)
            if ranked.empty:
                continue
            print(f"\n{label(outcome, target, designs)} — {main} ± 95% half-width "
                  f"({MAIN_INDEX[method]})")
            for r in ranked.itertuples():
                print(f"  {r.parameter:<34} {r.value:10.4g} ± {r.conf:.3g}")
    print()


if __name__ == "__main__":
    main()

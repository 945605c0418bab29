"""``orgsim-verdict``: which design is better across everything we are unsure of?

Samples a space (default conf/space/plausible.yaml) with SALib's grouped Saltelli design
(sim/experiments/verdict.py), runs both designs at every point on the same seeds (resumable,
parallel), and answers in sentences with numbers: who is better where, what decides it, where it
flips, and whether the move pays back:

    orgsim-verdict                                   # the default scenario and space
    orgsim-verdict --space tiny --n 8 --seeds 2      # a quick look
    orgsim-verdict --out outputs/verdict/mine        # the same folder resumes the runs
    orgsim-verdict --ray local:2                     # the runs as tasks of a local Ray cluster
    orgsim-verdict --ray auto                        # … of the cluster `ray start --head` began

Writes ``outputs/verdict/<scenario>-<time>/`` (or ``--out``): verdict.csv (one row per number of
each sentence), wins.csv, sobol.csv, leading.csv, business.csv, differences.csv (each point's
paired differences), report.html, figures/ (PNG, SVG, PDF and the CSV each figure draws, as
orgsim-export writes them), verdict.json (the settings, the model's fingerprint and each design's
configuration) and the runs under store/. ``orgsim`` finds a finished verdict of its scenario
under ``outputs/verdict/`` and says whether its run is typical of it (sim/experiments/typical.py).
Analysis is apart from running: ``--analyse <folder>`` re-analyses the
stored runs with another ``--threshold`` or ``--outcomes`` into ``<folder>/analyses/<time>/``
without simulating; a finished folder is never overwritten.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from sim.cli.sampling_args import add_ray, check_sampling, cluster_of, join
from sim.configuration.composition import InputError
from sim.configuration.scenarios import SCENARIOS
from sim.experiments.analysis import HEADLINE, VERDICT_OUTCOMES
from sim.experiments.fingerprint import model_fingerprint
from sim.experiments.space import load_space
from sim.experiments.store import ResultsStore, atomic_write

PROG = "orgsim-verdict"
SAMPLE = ("space", "scenario", "designs", "params", "overrides", "n", "seeds", "first_seed",
          "sample_seed")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--space", default="plausible", help="conf/space/<name>.yaml or a path")
    parser.add_argument("--scenario", help="a scenario in scenarios/ (default: the space's)")
    parser.add_argument("--n", type=int, default=32,
                        help="Sobol base samples, a power of two (points = n × (groups + 2))")
    parser.add_argument("--seeds", type=int, default=1, help="paired seeds per point")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--sample-seed", type=int, default=0, help="seed of the Sobol sample")
    parser.add_argument("--threshold", type=float, default=0.8,
                        help="density a PRIM box must reach (default 0.8)")
    parser.add_argument("--outcomes", default=",".join(VERDICT_OUTCOMES),
                        help="comma-separated headline outcomes")
    parser.add_argument("--format", default="png,svg,pdf",
                        help="figure files besides CSV: png, svg, pdf, or none")
    parser.add_argument("--workers", type=int, default=0, help="processes; 0 = all cores")
    add_ray(parser)
    parser.add_argument("--out", type=Path, help="folder (the same folder resumes the runs)")
    parser.add_argument("--analyse", type=Path, metavar="FOLDER",
                        help="re-analyse a verdict folder's stored runs; simulates nothing")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    args.parser = parser
    return args


def _power_of_two(n: int) -> bool:
    return n >= 2 and n & (n - 1) == 0


def check(args: argparse.Namespace):
    """Everything that can be wrong with the input, before anything runs or any folder exists.
    Returns the space, the settings, the outcomes, the formats and the folder of the runs."""
    from sim.experiments.sensitivity import horizon

    if not _power_of_two(args.n):
        raise InputError(f"--n: must be a power of two ≥ 2 (Sobol base samples), got {args.n}")
    check_sampling(args)
    headline = [h[0] for h in HEADLINE]
    outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()]
    bad = [o for o in outcomes if o not in headline]
    if bad or not outcomes:
        raise InputError(f"--outcomes: unknown {', '.join(bad) or '(none given)'}; allowed: "
                         f"{', '.join(headline)}")
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    formats = [] if formats == ["none"] else formats
    if any(f not in ("png", "svg", "pdf", "csv") for f in formats):
        raise InputError(f"--format: unknown {args.format!r}; allowed: png, svg, pdf, none")
    if args.ray is not None and args.analyse is not None:
        raise InputError("--ray: --analyse simulates nothing; leave --ray out")
    args.cluster = cluster_of(args)
    if args.analyse is not None:
        return _check_reanalysis(args, outcomes, formats)
    space = load_space(args.space)
    if args.scenario is not None:
        scenarios = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
        if args.scenario not in scenarios:
            raise InputError(f"--scenario: unknown {args.scenario!r}; allowed: "
                             f"{', '.join(scenarios)}")
        space = dataclasses.replace(space, scenario=args.scenario)
        horizon(space)  # every setting of the space must exist in that scenario
    settings = dict(space=args.space, scenario=space.scenario, designs=list(space.designs),
                    params={p.path: [p.low, p.high, p.integer] for p in space.params},
                    overrides=list(space.overrides), n=args.n, seeds=args.seeds,
                    first_seed=args.first_seed, sample_seed=args.sample_seed,
                    threshold=args.threshold, outcomes=outcomes, compare=space.compare)
    if args.out is not None and args.out.exists():
        if not args.out.is_dir():
            raise InputError(f"--out: {args.out} is a file, not a folder")
        saved = args.out / "verdict.json"
        if saved.exists():
            before = json.loads(saved.read_text())["settings"]
            changed = [k for k in SAMPLE if before.get(k) != settings[k]]
            if changed:
                raise InputError(f"--out: {args.out} holds a verdict of another sample "
                                 f"({', '.join(changed)}); choose a new folder")
            model = json.loads(saved.read_text()).get("model")
            if isinstance(model, dict) and model.get("sha256") != model_fingerprint()["sha256"]:
                raise InputError(f"--out: {args.out} holds runs of another version of the model "
                                 "(its fingerprint differs); choose a new folder")
        elif any(args.out.iterdir()):
            raise InputError(f"--out: {args.out} exists and is not a verdict folder")
    return space, settings, outcomes, formats, args.out


def _check_reanalysis(args, outcomes, formats):
    folder = args.analyse
    saved = folder / "verdict.json"
    if not saved.is_file():
        raise InputError(f"--analyse: {folder} is not a verdict folder (no verdict.json)")
    settings = json.loads(saved.read_text())["settings"]
    space = load_space(settings["space"])
    space = dataclasses.replace(space, scenario=settings["scenario"])
    if {p.path: [p.low, p.high, p.integer] for p in space.params} != settings["params"]:
        raise InputError(f"--analyse: the space {settings['space']!r} changed since {folder} "
                         "was run; its runs no longer match the file")
    return space, {**settings, "threshold": args.threshold, "outcomes": outcomes}, outcomes, \
        formats, folder


# --------------------------------------------------------------------------------------- main
def _read_back(vd, space, settings, seeds, folder, outcomes, workers, cluster):
    """The sample, its stored runs and how many are neither stored nor recorded as failed: in
    one pass over the store's summaries, through the folder's run index or by setting
    (sim/experiments/verdict_store.py), or — if that cannot tell two stored runs apart — by
    configuring every point again to know each run's id (on ``workers`` or the ``cluster``)."""
    from sim.experiments.sensitivity import CENSORED_AT_HORIZON
    from sim.experiments.verdict_store import Ambiguous, read_index, stored_runs

    points = vd.sample(space, settings["n"], settings["sample_seed"])
    store = folder / "store"
    try:
        frame = stored_runs(space, points, seeds, store, [*outcomes, *CENSORED_AT_HORIZON],
                            read_index(folder))
        return points, frame, frame.attrs["missing"]
    except Ambiguous:
        points, frame = vd.run_sample(space, settings["n"], seeds, settings["sample_seed"],
                                      store, workers, progress=False, simulate=False,
                                      cluster=cluster)
        missing = int((frame.status != "ok").sum()) - sum(
            1 for r in set(frame.run_id[frame.status != "ok"])
            if ResultsStore(store).manifest(r) is not None)
        return points, frame, missing


def _model_note(folder: Path) -> str:
    """A line when the stored runs were made by another version of the model than this one."""
    model = json.loads((folder / "verdict.json").read_text()).get("model")
    if isinstance(model, dict) and model.get("sha256") != model_fingerprint()["sha256"]:
        return (f"{PROG}: note: the stored runs were made by another version of the model "
                f"(fingerprint {str(model.get('sha256'))[:12]}); this analyses them as stored")
    return ""


def provenance(space, saved: Path) -> dict:
    """What ``orgsim`` checks before it says a run is typical of this verdict
    (sim/experiments/typical.py): the model's fingerprint and each design's configuration with no
    point set. A resumed folder keeps the fingerprint it recorded first (its runs were made by
    that model; check() refuses another one), or none if it recorded none."""
    from sim.cli.outputs import git_commit
    from sim.experiments.space import design_config
    from sim.experiments.typical import flat

    model = model_fingerprint()
    if saved.exists():
        model = json.loads(saved.read_text()).get("model")
    return {"model": model, "git": git_commit(),
            "base": {d: flat(design_config(space, d)) for d in space.designs}}


def write_outputs(target: Path, v, table, figs, formats, page: str) -> str:
    """The tables, the figures (as orgsim-export writes them) and the page; returns a note on
    static figures that could not be written (no browser), or ''."""
    from sim.report.export import write_csvs, write_static

    differences = v.diffs.join(v.points["row"]).reset_index()  # what `orgsim` compares a run to
    for name, frame in (("verdict", table), ("wins", v.wins), ("sobol", v.sobol),
                        ("leading", v.leading), ("business", v.business.per_point.reset_index()),
                        ("differences", differences)):
        atomic_write(target / f"{name}.csv", lambda tmp, f=frame: f.to_csv(tmp, index=False))
    write_csvs(figs, target / "figures")
    note = ""
    static = [f for f in formats if f != "csv"]
    if static:
        try:
            write_static(figs, target / "figures", static)
        except RuntimeError as error:
            note = f"{PROG}: {error}; wrote the CSV of each figure"
    atomic_write(target / "report.html",
                 lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    return note


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        space, settings, outcomes, formats, out = check(args)
        join(args.cluster)  # an unreachable cluster is refused before any folder
    except InputError as error:
        args.parser.exit(2, f"{PROG}: error: {error}\n")
    from sim.experiments import verdict as vd
    from sim.experiments.verdict_sentences import method_note, sentences, texts
    from sim.experiments.verdict_store import write_index
    from sim.report.verdict_page import figures, render

    started = time.perf_counter()
    stamp = f"{datetime.now():%Y-%m-%d_%H-%M-%S-%f}"
    reanalysis = args.analyse is not None
    out = out or Path("outputs") / "verdict" / f"{space.scenario}-{stamp}"
    seeds = list(range(settings["first_seed"], settings["first_seed"] + settings["seeds"]))
    store = out / "store"
    if reanalysis:  # read back only; refuse before writing anything if runs are missing
        points, frame, missing = _read_back(vd, space, settings, seeds, out, outcomes,
                                             args.workers, args.cluster)
        if missing:
            args.parser.exit(2, f"{PROG}: error: --analyse: {missing} runs of {out} are not "
                                f"stored; finish them with {PROG} --out {out} (same settings)\n")
    finished = (out / "report.html").exists()
    target = out / "analyses" / stamp if (reanalysis or finished) else out
    target.mkdir(parents=True, exist_ok=target == out)
    if target == out:
        record = {"settings": settings, "command": [PROG, *(argv if argv is not None
                                                             else sys.argv[1:])],
                  **provenance(space, out / "verdict.json")}
        atomic_write(out / "verdict.json",
                     lambda tmp: Path(tmp).write_text(json.dumps(record, indent=2, default=str)))
    if not reanalysis:
        points, frame = vd.run_sample(space, settings["n"], seeds, settings["sample_seed"],
                                      store, args.workers, progress=not args.quiet,
                                      cluster=args.cluster)
        write_index(out, frame)  # what a re-analysis reads its runs by
    v = vd.analyse(space, points, frame, settings["n"], seeds, settings["sample_seed"], store,
                   settings["threshold"], outcomes)
    table = sentences(v)
    simulated = v.counts.get("done", 0)
    caption = (f"Space {settings['space']} (scenario {space.scenario}), "
               f"{len(space.params)} settings in {len(vd.group_names(space))} groups, "
               f"designs compared {space.compare.replace('_', ' ').replace('equal', 'at equal')} · "
               f"Sobol N = {settings['n']}, {len(points)} points × {len(seeds)} paired seed(s) "
               f"× 2 designs · sample seed {settings['sample_seed']}")
    figs = figures(v, caption)
    seconds = time.perf_counter() - started
    page = render(v, texts(table), method_note(), figs, caption, seconds, simulated)
    note = write_outputs(target, v, table, figs, formats, page)
    print("\n".join(texts(table)))
    for line in v.notes:
        print(f"note: {line}")
    print(f"{len(v.runs)} runs ({simulated} simulated now, {v.failed} failed), {seconds:.0f} s")
    if reanalysis and (model := _model_note(out)):
        print(model, file=sys.stderr)
    if note:
        print(note, file=sys.stderr)
    print(f"Results: {target}")


if __name__ == "__main__":
    main()

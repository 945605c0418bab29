"""What the default verdict costs: CPU time per run on points of its own sample, and the projected
wall time of ``orgsim-verdict`` for several N and seeds on a machine of ``--cores`` cores.

The runs are the first ``--points`` points of the default verdict's sample (conf/space/plausible,
N = 32, sample seed 0), both designs, seed 0, stored in a temporary store (so the time includes
storing each run, as the verdict does). CPU time (user + system of this process, one worker)
is what a busy machine inflates least; the projection is runs × CPU per run / cores (the
dispatcher keeps every core busy with one run each; analysis takes seconds).

    .venv/bin/python benchmarks/verdict_bench.py [--points 6] [--cores 2]

Writes benchmarks/results/verdict.json (and prints the projection).

**What the analysis costs** (``--analysis FOLDER``, a finished verdict folder; read only): the CPU
time of ``orgsim-verdict --analyse``'s steps, apart, on the nested designs n = 8, 16, …, N of the
folder's own runs (SALib's rows come in blocks of G + 2 per base sample and the first n blocks of
the N-point design are the n-point design: benchmarks/verdict_precision.py):

* *reading*: the summaries of the runs (sim/experiments/verdict_store.py, one DuckDB query) and
  their weekly series (for the business case), real files;
* *computing*: differences, Sobol indices with SALib's bootstrap, the leading settings, PRIM's
  boxes, the business case, the sentences, the figures and the page (figures' static export
  left out: a constant per figure).

Beyond N, ``--synthetic 64,128,256`` times *computing* on a **timing fixture**, never a result:
the Saltelli sample of that N, where every point takes the outcomes (both designs, every seed)
and the weekly series of a stored point drawn at random (seeded). Its numbers mean nothing; only
how long they take to compute. Reading is timed on real files only and projected per run. A line
a + b·N^k is fitted to each step's time (least squares in logs for the exponent, ``numpy``), and
the steps are projected to N = 512, 1024 and 2048. Writes benchmarks/results/verdict_analysis.json.

    .venv/bin/python benchmarks/verdict_bench.py --analysis outputs/verdict/<folder> \
        --synthetic 64,128,256
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from sim.experiments.doe import evaluate
from sim.experiments.space import load_space
from sim.experiments.verdict import group_names, sample

OUT = Path(__file__).parent / "results" / "verdict.json"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(step: str, times: dict, call, *args, **kwargs):
    started = time.process_time()  # every thread of this process (DuckDB reads on several)
    out = call(*args, **kwargs)
    times[step] = times.get(step, 0.0) + time.process_time() - started
    return out


def _compute(space, points, frame, n, seeds, sample_seed, store, settings, times, series=None):
    """The analysis steps of sim/experiments/verdict.py ``analyse`` and the page, each timed."""
    import warnings

    from sim.experiments import verdict as vd
    from sim.experiments import verdict_business
    from sim.experiments.sensitivity import censor, horizon
    from sim.experiments.verdict_sentences import method_note, sentences, texts
    from sim.report.verdict_page import figures, render

    outcomes = settings["outcomes"]
    weeks = horizon(space)
    runs = _timed("differences", times, censor, frame, weeks)
    diffs = _timed("differences", times, vd.differences, runs, outcomes)
    decomposed = _timed("differences", times, vd.analysed, runs, outcomes)
    base = vd.base_points(points)
    wins = _timed("differences", times, vd.win_shares, diffs, base, space.designs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns of negative S1 on small designs
        sobol = _timed("sobol", times, vd.sobol_groups, space, decomposed, sample_seed)
    leading = _timed("leading", times, vd.leading_settings, space, points, decomposed, sobol)
    boxes = _timed("prim", times, vd.flip_boxes, space, runs, outcomes, settings["threshold"])
    reader = verdict_business.read_series
    if series is not None:  # the timing fixture: its series are in memory, read once for real
        verdict_business.read_series = lambda _store, ids: series[series.run_id.isin(ids)]
    try:
        business = _timed("business", times, verdict_business.business_case, space, runs, store,
                          base, weeks)
    finally:
        verdict_business.read_series = reader
    v = vd.Verdict(space, n, list(seeds), sample_seed, settings["threshold"], list(outcomes),
                   runs, points, diffs, wins, sobol, leading, boxes, business, {}, [])
    table = _timed("page", times, sentences, v)
    figs = _timed("page", times, figures, v, "caption")
    _timed("page", times, render, v, texts(table), method_note(), figs, "caption", 0.0, 0)
    return v


def _fit(ns: list[int], seconds: list[float]) -> dict:
    """seconds ≈ a + b · N^k: k from the last three points' log-log slope of (t − a), a the
    smallest time seen × ½ (the constant part: imports aside, fixed per analysis)."""
    import numpy as np

    n, t = np.array(ns, float), np.array(seconds, float)
    a = 0.5 * float(t.min())
    k, log_b = np.polyfit(np.log(n[-3:]), np.log(np.maximum(t[-3:] - a, 1e-6)), 1)
    return {"a": a, "b": float(np.exp(log_b)), "k": float(k)}


def _project(fit: dict, n: float) -> float:
    return fit["a"] + fit["b"] * n ** fit["k"]


def analysis(folder: Path, synthetic: list[int], out: Path) -> dict:
    """Time the analysis of a stored verdict's nested designs (and of the timing fixture)."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from sim.experiments import verdict as vd
    from sim.experiments.sensitivity import CENSORED_AT_HORIZON
    from sim.experiments.verdict_business import read_series
    from sim.experiments.verdict_store import read_index, stored_runs

    settings = json.loads((folder / "verdict.json").read_text())["settings"]
    space = dataclasses.replace(load_space(settings["space"]), scenario=settings["scenario"])
    big, sample_seed = settings["n"], settings["sample_seed"]
    seeds = list(range(settings["first_seed"], settings["first_seed"] + settings["seeds"]))
    store = folder / "store"
    size = len(vd.group_names(space)) + 2
    rows, n = [], 8
    wanted = [*settings["outcomes"], *CENSORED_AT_HORIZON]
    frame = None
    while n <= big:
        times: dict[str, float] = {}
        points = vd.sample(space, n, sample_seed)
        frame = _timed("read summaries", times, stored_runs, space, points, seeds, store,
                       wanted, read_index(folder))
        ok = sorted(set(frame.run_id[frame.status == "ok"]))
        _timed("read series", times, read_series, store, ok)
        _compute(space, points, frame, n, seeds, sample_seed, store, settings, times)
        rows.append(dict(n=n, runs=len(frame), kind="stored runs", **times))
        n *= 2
    # the timing fixture: each synthetic point takes a random stored point's runs
    series = read_series(store, sorted(set(frame.run_id[frame.status == "ok"])))
    rng = np.random.default_rng(0)
    rows_of = frame.groupby("point").indices  # stored point → its rows (designs × seeds)
    stored_points = np.array(sorted(rows_of))
    for n in synthetic:
        times = {}
        points = vd.sample(space, n, sample_seed)
        donors = rng.choice(stored_points, size=len(points))
        taken = [rows_of[d] for d in donors]
        fixture = frame.iloc[np.concatenate(taken)].reset_index(drop=True)
        fixture["point"] = np.repeat(points.index.to_numpy(), [len(t) for t in taken])
        fixture[space.names] = points.loc[fixture.point, space.names].to_numpy(float)
        _compute(space, points, fixture, n, seeds, sample_seed, store, settings, times, series)
        rows.append(dict(n=n, runs=len(fixture), kind="timing fixture (resampled runs)",
                         **times))
    table = pd.DataFrame(rows).fillna(0.0)
    steps = [c for c in table.columns if c not in ("n", "runs", "kind")]
    table["total"] = table[steps].sum(axis=1)
    per_run = {step: float((table[step] / table.runs)[table.kind == "stored runs"].iloc[-1])
               for step in ("read summaries", "read series")}
    computing = [s for s in steps if not s.startswith("read")]
    fits = {step: _fit(table.n.tolist(), table[step].tolist()) for step in computing}
    projection = []
    for n in (512, 1024, 2048):
        runs = n * size * 2 * len(seeds)
        parts = {step: _project(fits[step], n) for step in computing}
        parts |= {step: per_run[step] * runs for step in per_run}
        projection.append(dict(n=n, runs=runs, cpu_seconds=round(sum(parts.values()), 1),
                               **{k: round(v, 1) for k, v in parts.items()}))
    result = dict(folder=str(folder), groups=size - 2, seeds=len(seeds),
                  load_average=os.getloadavg()[0],
                  measured=json.loads(table.round(3).to_json(orient="records")),
                  read_cpu_seconds_per_run={k: round(v, 5) for k, v in per_run.items()},
                  fits={k: {q: round(x, 4) for q, x in f.items()} for k, f in fits.items()},
                  projection=projection,
                  note="rows of kind 'timing fixture' time the computation on resampled runs: "
                       "their numbers are no result; reading is projected per run from real "
                       "files")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(table.round(2).to_string(index=False))
    print("per run, reading:", result["read_cpu_seconds_per_run"])
    print("fitted a + b·N^k:", result["fits"])
    for p in projection:
        print(f"  N = {p['n']:>4}: {p['runs']:>6} runs → analysis ≈ {p['cpu_seconds']:.0f} CPU s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=6)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--analysis", type=Path, metavar="FOLDER",
                        help="time the analysis of this verdict folder's runs instead")
    parser.add_argument("--synthetic", default="",
                        help="with --analysis: N of the timing fixture, e.g. 64,128,256")
    args = parser.parse_args()
    if args.analysis is not None:
        analysis(args.analysis, [int(n) for n in args.synthetic.split(",") if n.strip()],
                 OUT.with_name("verdict_analysis.json"))
        return
    space = load_space("plausible")
    groups = len(group_names(space))
    points = sample(space, 32, 0).iloc[:args.points]
    with tempfile.TemporaryDirectory() as store:
        cpu, wall = cpu_seconds(), time.perf_counter()
        frame = evaluate(space, points[space.names], [0], Path(store), workers=1,
                         progress=False)
        cpu, wall = cpu_seconds() - cpu, time.perf_counter() - wall
    runs = frame.attrs["dispatched"]["done"]
    per_run = cpu / runs
    projection = []
    for n in (16, 32, 64, 128):
        for seeds in (1, 2):
            total = n * (groups + 2) * 2 * seeds
            projection.append(dict(n=n, seeds=seeds, runs=total,
                                   minutes=round(total * per_run / args.cores / 60, 1)))
    result = dict(runs=runs, cpu_seconds_per_run=round(per_run, 3),
                  wall_seconds_per_run=round(wall / runs, 3), groups=groups,
                  load_average=os.getloadavg()[0], cores=args.cores, projection=projection)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{runs} runs: {per_run:.2f} s CPU a run ({wall / runs:.2f} s wall, load "
          f"{result['load_average']:.1f}); {groups} groups → N × {groups + 2} points")
    for p in projection:
        print(f"  N = {p['n']:>3}, {p['seeds']} seed(s): {p['runs']:>5} runs ≈ "
              f"{p['minutes']:>5} min on {args.cores} cores")


if __name__ == "__main__":
    main()

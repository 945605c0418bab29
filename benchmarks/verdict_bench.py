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

**What the analysis needs in memory**: every N (stored or fixture) is analysed in a fresh process
of its own (start method 'spawn', one after another, never two at once), so its peak resident set
size — ``ru_maxrss`` at its end, kB on Linux — is that N's alone. Beside it: the peak after
importing the analysis' libraries (the baseline every N pays), the RSS just before computing
(the runs' summaries in memory) and how far each step raised the peak. The fixture gives each
resampled run a run id and weekly series of its own (made when the business case reads them),
so it holds as many rows as a real verdict of that N; DuckDB's buffers while *reading* are only
in the stored N's peaks. Peak − baseline is fitted as a straight line in the runs
(N × (G + 2) × 2 designs × seeds) on the fixture's largest three N and projected like the CPU.

    .venv/bin/python benchmarks/verdict_bench.py --analysis outputs/verdict/<folder> \
        --synthetic 64,128,256,512,1024
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


RISES: dict[str, float] = {}  # step → how far it raised this process's peak RSS, MB


def _timed(step: str, times: dict, call, *args, **kwargs):
    started, peak = time.process_time(), _peak_rss_mb()  # CPU: every thread (DuckDB uses several)
    out = call(*args, **kwargs)
    times[step] = times.get(step, 0.0) + time.process_time() - started
    RISES[step] = RISES.get(step, 0.0) + _peak_rss_mb() - peak
    return out


def _compute(space, points, frame, n, seeds, sample_seed, store, settings, times, series=None):
    """The analysis steps of sim/experiments/verdict.py ``analyse`` and the page, each timed
    (``series``: the timing fixture's stand-in for verdict_business.read_series)."""
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
    if series is not None:  # the timing fixture: its series are made when the business case
        verdict_business.read_series = series  # reads them, as the command reads them then
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


def _rss_now_mb() -> float:
    """The resident set size this moment (Linux: /proc/self/statm, pages)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def _one(folder: Path, n: int, fixture: bool) -> dict:
    """One N's analysis, timed step by step, in a fresh process (``_fresh``): its peak RSS is then
    this N's alone. Stored runs (``fixture`` False) are read for real; the timing fixture takes
    every point's runs and weekly series from a stored point drawn at random (seed n), each
    copy with a run id of its own, so that the series in memory are as many as a real verdict's
    (made when the business case reads them, as the command reads them then)."""
    import dataclasses

    import numpy as np

    import sim.report.verdict_page  # noqa: F401  (imported before the baseline, as the command does)
    from sim.experiments import verdict as vd
    from sim.experiments.sensitivity import CENSORED_AT_HORIZON
    from sim.experiments.verdict_business import read_series
    from sim.experiments.verdict_store import read_index, stored_runs

    after_imports = _peak_rss_mb()
    settings = json.loads((folder / "verdict.json").read_text())["settings"]
    space = dataclasses.replace(load_space(settings["space"]), scenario=settings["scenario"])
    sample_seed = settings["sample_seed"]
    seeds = list(range(settings["first_seed"], settings["first_seed"] + settings["seeds"]))
    store = folder / "store"
    wanted = [*settings["outcomes"], *CENSORED_AT_HORIZON]
    times: dict[str, float] = {}
    points = vd.sample(space, n, sample_seed)
    if not fixture:
        frame = _timed("read summaries", times, stored_runs, space, points, seeds, store,
                       wanted, read_index(folder))
        ok = sorted(set(frame.run_id[frame.status == "ok"]))
        _timed("read series", times, read_series, store, ok)  # timed, then let go
        before = _rss_now_mb()
        _compute(space, points, frame, n, seeds, sample_seed, store, settings, times)
        kind = "stored runs"
    else:
        stored = vd.sample(space, settings["n"], sample_seed)
        frame = stored_runs(space, stored, seeds, store, wanted, read_index(folder))
        series = read_series(store, sorted(set(frame.run_id[frame.status == "ok"])))
        rows_of = frame.groupby("point").indices  # stored point → its rows (designs × seeds)
        donors = np.random.default_rng(n).choice(np.array(sorted(rows_of)), size=len(points))
        taken = [rows_of[d] for d in donors]
        fixture_runs = frame.iloc[np.concatenate(taken)].reset_index(drop=True)
        fixture_runs["point"] = np.repeat(points.index.to_numpy(), [len(t) for t in taken])
        fixture_runs[space.names] = points.loc[fixture_runs.point, space.names].to_numpy(float)
        donor_ids = fixture_runs.run_id.to_numpy()
        fixture_runs["run_id"] = [f"{r}~{i}" for i, r in enumerate(donor_ids)]
        weeks_of = series.groupby("run_id").indices  # a stored run → its weekly rows
        donor_of = dict(zip(fixture_runs.run_id, donor_ids, strict=True))

        def fixture_series(_store, ids):  # the donors' weekly rows, under the fixture's run ids
            started = time.process_time()
            rows = [weeks_of[donor_of[r]] for r in ids]
            copied = series.iloc[np.concatenate(rows)].reset_index(drop=True)
            copied["run_id"] = np.repeat(np.asarray(ids, dtype=object), [len(r) for r in rows])
            making.append(time.process_time() - started)  # the fixture's, not the analysis'
            return copied

        making: list[float] = []

        del frame
        before = _rss_now_mb()
        _compute(space, points, fixture_runs, n, seeds, sample_seed, store, settings, times,
                 fixture_series)
        times["business"] -= sum(making)
        frame, kind = fixture_runs, "timing fixture (resampled runs)"
    return dict(n=n, runs=len(frame), kind=kind, rss_after_imports_mb=round(after_imports, 1),
                rss_before_analysis_mb=round(before, 1), peak_rss_mb=round(_peak_rss_mb(), 1),
                **times, peak_rise_mb={k: round(v, 1) for k, v in RISES.items()})


def _fresh(call, *args):
    """``call(*args)`` in a new process (start method 'spawn': nothing inherited), one at a time."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(call, *args).result()


def analysis(folder: Path, synthetic: list[int], out: Path) -> dict:
    """Time the analysis of a stored verdict's nested designs (and of the timing fixture), and
    measure its peak memory: each N in a fresh process of its own, one after the other."""
    import numpy as np
    import pandas as pd

    from sim.experiments import verdict as vd

    settings = json.loads((folder / "verdict.json").read_text())["settings"]
    space = load_space(settings["space"])
    big, n_seeds = settings["n"], settings["seeds"]
    size = len(vd.group_names(space)) + 2
    rows, n = [], 8
    while n <= big:
        rows.append(_fresh(_one, folder, n, False))
        print(f"N = {n}: {rows[-1]['peak_rss_mb']:.0f} MB peak", flush=True)
        n *= 2
    for n in synthetic:
        rows.append(_fresh(_one, folder, n, True))
        print(f"N = {n} (timing fixture): {rows[-1]['peak_rss_mb']:.0f} MB peak", flush=True)
    rises = {row["n"]: row.pop("peak_rise_mb") for row in rows}  # by step, in reading order
    table = pd.DataFrame(rows).fillna(0.0)
    memory = ["rss_after_imports_mb", "rss_before_analysis_mb", "peak_rss_mb"]
    steps = [c for c in table.columns if c not in ("n", "runs", "kind", *memory)]
    table["total"] = table[steps].sum(axis=1)
    per_run = {step: float((table[step] / table.runs)[table.kind == "stored runs"].iloc[-1])
               for step in ("read summaries", "read series")}
    computing = [s for s in steps if not s.startswith("read")]
    fits = {step: _fit(table.n.tolist(), table[step].tolist()) for step in computing}
    # memory: peak RSS − the baseline after imports, a straight line in the runs (the frames
    # hold a row per run and per run-week), fitted on the timing fixture's largest three N
    grown = table[table.kind != "stored runs"].tail(3)
    slope, intercept = np.polyfit(grown.runs, grown.peak_rss_mb - grown.rss_after_imports_mb, 1)
    baseline = float(table.rss_after_imports_mb.median())
    memory_fit = dict(baseline_mb=round(baseline, 1),
                      mb_per_1000_runs=round(1000 * float(slope), 2),
                      intercept_mb=round(float(intercept), 1),
                      exponent=round(_fit(table.n.tolist(),
                                          (table.peak_rss_mb - table.rss_after_imports_mb)
                                          .tolist())["k"], 3))
    projection = []
    for n in (512, 1024, 2048):
        runs = n * size * 2 * n_seeds
        parts = {step: _project(fits[step], n) for step in computing}
        parts |= {step: per_run[step] * runs for step in per_run}
        projection.append(dict(n=n, runs=runs, cpu_seconds=round(sum(parts.values()), 1),
                               peak_rss_mb=round(float(baseline + intercept + slope * runs)),
                               **{k: round(v, 1) for k, v in parts.items()}))
    result = dict(folder=str(folder), groups=size - 2, seeds=n_seeds,
                  load_average=os.getloadavg()[0],
                  measured=json.loads(table.round(3).to_json(orient="records")),
                  read_cpu_seconds_per_run={k: round(v, 5) for k, v in per_run.items()},
                  fits={k: {q: round(x, 4) for q, x in f.items()} for k, f in fits.items()},
                  peak_rise_mb_by_step=rises, memory_fit=memory_fit, projection=projection,
                  note="rows of kind 'timing fixture' time the computation on resampled runs: "
                       "their numbers are no result; reading is projected per run from real "
                       "files. Memory: each N in a fresh process (spawn); peak_rss_mb is "
                       "ru_maxrss at its end, rss_after_imports_mb the peak after importing "
                       "the analysis' libraries")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(table.round(2).to_string(index=False))
    print("per run, reading:", result["read_cpu_seconds_per_run"])
    print("fitted a + b·N^k:", result["fits"])
    print("peak RSS raised by each step, MB:", rises)
    print("memory:", memory_fit)
    for p in projection:
        print(f"  N = {p['n']:>4}: {p['runs']:>6} runs → analysis ≈ {p['cpu_seconds']:.0f} CPU s, "
              f"peak ≈ {p['peak_rss_mb']:.0f} MB")
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

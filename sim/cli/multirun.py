"""``orgsim -m``: a sweep (Hydra multirun) checked, launched, watched and summarised.

Every job is composed and validated first (once per distinct configuration), the sweep folder
checked and its store locked; then Hydra's launcher runs the jobs (sim/experiments/sweep.py stores
each run) while a progress bar follows the store. A worker process that dies is survived: the
suspects are run again one by one. Afterwards the analysis and the report are written into the
sweep folder. Ctrl-C leaves a store that the same command resumes.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException

from sim.cli.hydra_ways import sweeping_checked_jobs
from sim.cli.main import _app, fail, override_value, quote_override, resolve_now
from sim.experiments.progress import progress_bar

if TYPE_CHECKING:
    from sim.configuration.composition import Composed
    from sim.configuration.schema import SimConfig
    from sim.experiments.store import ResultsStore


def expand(overrides: list[str]) -> list[list[str]]:
    """Every job of a multirun, as Hydra's basic sweeper will launch them."""
    from sim.configuration.composition import InputError, explain

    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
        return BasicSweeper.split_arguments(parsed, max_batch_size=None)[0]
    except HydraException as error:
        raise InputError(explain(error)) from error


def validate_jobs(jobs: list[list[str]], extra: list[str]) -> list[tuple[Composed, int]]:
    """Compose and validate every job, once per distinct configuration (jobs that differ only
    in a plain ``run.seed`` share one; any other seed is checked on its own): each job's
    composed configuration and its first seed. Its runs are the configuration's
    ``run.replications`` seeds from there (``run.seed`` is no part of a run's identity)."""
    from sim.configuration.composition import compose_run

    checked: dict[tuple, Composed] = {}
    out = []
    for job in jobs:
        seed = next((o.split("=", 1)[1] for o in job  # expanded: plain key=value
                     if o.lstrip("+").startswith("run.seed=")), None)
        plain = seed is not None and seed.isdigit()
        key = tuple(o for o in job if not (plain and o.lstrip("+").startswith("run.seed=")))
        if key not in checked:
            checked[key] = compose_run(job + extra)
        composed = checked[key]
        out.append((composed, int(seed) if plain else composed.config.run.seed))
    return out


def run_count(checked: list[tuple[Composed, int]]) -> int:
    """The runs of the jobs :func:`validate_jobs` checked."""
    return sum(composed.config.run.replications for composed, _ in checked)


def _sweep_folder_problem(folder: Path) -> str | None:
    """A sweep writes into a new folder or its own earlier sweep folder (to resume), never into
    a single run's results, a file or through a link."""
    from sim.experiments.store import TABLES as STORE_TABLES

    if not os.path.lexists(folder):
        return None
    if folder.is_symlink():
        return f"hydra.sweep.dir: {folder} is a link; choose a new folder"
    if not folder.is_dir():
        return None  # a file in the way: writing the store says so (describe_os_error)
    if not (folder / "store").is_dir() and any(folder.iterdir()):
        return (f"hydra.sweep.dir: {folder} holds other files and no sweep (store/); a sweep "
                "writes into a new folder or resumes its own: choose a new folder")
    for part in ("store", "analysis", "report.html", *(f"store/{p}" for p in
                                                       (*STORE_TABLES, "runs", "running"))):
        if (folder / part).is_symlink():
            return f"hydra.sweep.dir: {folder / part} is a link; a sweep writes only inside " \
                   "its own folder"
    return None


def sweep(overrides: list[str]) -> None:
    """Validate every job, launch the multirun with a sweep-level progress bar, summarise."""
    from sim.configuration.composition import InputError
    from sim.experiments.store import ResultsStore, StoreBusy, describe_os_error
    from sim.experiments.sweep import sweep_folder

    given = {o.split("=", 1)[0].lstrip("+") for o in overrides}
    extra = [] if "baseline" in given else ["baseline=null"]  # a job runs one design
    extra += [] if "run.workers" in given else ["run.workers=1"]  # the launcher parallelises
    # the sweep prints its own progress: not Hydra's log of every job and its overrides
    extra += [o for o in ("hydra/hydra_logging=disabled", "hydra/job_logging=disabled")
              if o.split("=")[0] not in given]
    # a local Ray instance without its web dashboard (eight more processes, ≈ 3–5 CPU s to
    # start) — the sweep shows its own progress; as orgsim-verdict --ray starts Ray. Not when
    # the command says how to start or join Ray (an existing cluster keeps its dashboard).
    ray = override_value(overrides, "hydra/launcher") == "ray"
    joining = override_value(overrides, "hydra.launcher.ray.init.address") if ray else None
    joining = None if joining == "local" else joining  # Ray's word for "start one here"
    if ray and not any(k.startswith("hydra.launcher.ray.init.") for k in given):
        extra.append("++hydra.launcher.ray.init.include_dashboard=false")
    # Hydra's Ray launcher asks for a 75 MB object store unless told otherwise, and Ray refuses
    # any size when it joins a running cluster (the object store is the cluster's): unasked for
    if joining and "hydra.launcher.ray.init.object_store_memory" not in given:
        extra.append("++hydra.launcher.ray.init.object_store_memory=null")
    try:
        jobs = expand(overrides)
        print(f"Checking {len(jobs)} jobs…", flush=True)  # before the first one is composed
        checked = validate_jobs(jobs, extra)
        if joining:
            from sim.experiments.ray_cluster import check_joinable

            check_joinable(joining, "hydra.launcher.ray.init.address")
        chosen = override_value(overrides, "hydra.sweep.dir")
        folder = Path(resolve_now(chosen)) if chosen else sweep_folder(overrides)
        if problem := _sweep_folder_problem(folder):
            raise InputError(problem)
    except InputError as error:
        fail(error)
    if "hydra.sweep.dir" in given:  # the folder orgsim reads is the one the jobs write
        overrides = [o for o in overrides if not o.lstrip("+").startswith("hydra.sweep.dir=")]
    extra.append(f"hydra.sweep.dir={quote_override(folder)}")
    store = ResultsStore(folder / "store")
    try:
        lock = store.lock()
    except OSError as error:
        fail(describe_os_error(error))
    except StoreBusy as error:
        fail(error)
    with lock:
        _sweep_locked(overrides, extra, jobs, checked, folder, store)


def _sweep_locked(overrides, extra, jobs, checked, folder: Path, store: ResultsStore) -> None:
    from sim.experiments.store import describe_os_error

    total = run_count(checked)

    try:
        store.remove_partial_files()  # left by an interrupted earlier attempt, if any
        store.check_writable()  # a read-only folder: one line now, not one traceback per job
        redo = store.discard_incomplete()  # unreadable or incomplete stored runs are redone
    except OSError as error:
        fail(describe_os_error(error))
    if redo:
        print(f"orgsim: note: {len(redo)} stored run(s) were incomplete or unreadable and will "
              "be done again", file=sys.stderr)
    before = store.counts()
    if before["ok"] >= total and every_run_stored(checked, store):
        print(f"Sweep: {len(jobs)} jobs (settings × designs), {total} runs → {folder} (all "
              "stored already: nothing to run)", flush=True)
        _summarise(jobs, total, folder, before, before)  # no launcher, no worker started
        return
    import signal

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not if ignored (nohup)
        signal.signal(signal.SIGINT, _on_interrupt)
    try:
        _run_sweep(jobs, total, folder, store, before, [sys.argv[0], "-m", *overrides, *extra])
    except KeyboardInterrupt:  # Ctrl-C: one line, not the launcher's tracebacks
        print(f"orgsim: interrupted; {store.counts()['ok']} of {total} runs are stored in "
              f"{folder}; run the same command again to resume", file=sys.stderr)
        raise SystemExit(130) from None


def _run_sweep(jobs, total: int, folder: Path, store: ResultsStore, before: dict,
               argv: list[str]) -> None:
    print(f"Sweep: {len(jobs)} jobs (settings × designs), {total} runs → {folder}"
          + (f" (resuming: {before['ok']} already stored)" if before["ok"] else ""), flush=True)
    with progress_bar() as progress:
        task = progress.add_task("sweep (starting)", total=total,
                                 completed=min(before["ok"], total))
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(0.5):
                c = store.counts()
                running = len(list((store.root / "running").glob("*.json")))
                failed = f", {c['failed']} failed" if c["failed"] else ""
                progress.update(task, completed=min(c["ok"] + c["failed"], total),
                                description=f"sweep ({running} running{failed})")

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            with sweeping_checked_jobs():  # validate_jobs composed every job
                _launch_surviving_dead_workers(argv, store)
        finally:
            stop.set()
            watcher.join()
    _summarise(jobs, total, folder, before, store.counts())


def every_run_stored(checked: list[tuple[Composed, int]], store: ResultsStore) -> bool:
    """Whether every run of the jobs :func:`validate_jobs` checked is already stored, complete
    (the same command run again): then nothing is launched, and no worker process started. Each
    configuration is scaled to its baseline as its Hydra job would scale it, so a run counts
    only if its own run id is in the store."""
    from sim.experiments.budget import equalised
    from sim.experiments.store import run_id

    scaled: dict[int, SimConfig] = {}  # once per configuration: equalising builds the model
    for composed, first in checked:
        if id(composed) not in scaled:
            scaled[id(composed)] = equalised(composed).config
        config = scaled[id(composed)]
        if not all(store.is_done(run_id(config, s))
                   for s in range(first, first + config.run.replications)):
            return False
    return True


def _summarise(jobs, total: int, folder: Path, before: dict, after: dict) -> None:
    """The sweep's last lines, its analysis and report (exit status 1 if a run failed)."""
    from sim.cli.analyze import write_analysis
    from sim.report.data import load as load_report
    from sim.report.page import write_report

    print(f"{after['ok']} of {total} runs stored ({after['ok'] - before['ok']} new, "
          f"{before['ok']} from before), {after['failed']} failed.")
    if after["ok"]:
        write_analysis([folder], folder / "analysis", show=len(jobs) <= 12)
        write_report(load_report(folder), folder / "report.html")
    print(f"Results: {folder}")
    if after["failed"]:
        print(f"orgsim: {after['failed']} run(s) failed (errors in {folder}/store/runs/); run "
              "the same command again to retry them.", file=sys.stderr)
        raise SystemExit(1)


def _launch(argv: list[str], skip: list[str] = (), only: str = "none") -> bool:
    """Launch the multirun once; False if a worker process died (the launcher gave up).

    A job that cannot write the store (disk full) ends the sweep with one line, exit status 1."""
    from sim.experiments.sweep import ONLY, SKIP

    env = [f"++hydra.job.env_set.{SKIP}={'_'.join(skip) or 'none'}",
           f"++hydra.job.env_set.{ONLY}={only}"]
    sys.argv = [*argv, *env]
    captured = io.StringIO()  # Hydra prints a failed job's traceback; we print one line
    if _INTERRUPTED.is_set():
        raise KeyboardInterrupt
    try:
        with contextlib.redirect_stderr(captured):
            _app()
    except (SystemExit, Exception):
        if _INTERRUPTED.is_set():  # workers killed by the same Ctrl-C: not dead workers
            raise KeyboardInterrupt from None
        text = captured.getvalue()
        written = re.findall(r"StoreWriteError: (.+)", text)
        if written:
            print(f"orgsim: error: {written[-1]}", file=sys.stderr)
            raise SystemExit(1) from None
        if re.search(r"TerminatedWorkerError|worker .* (died|terminated)|ActorDiedError|"
                     r"WorkerCrashedError", text, re.I):
            return False
        sys.stderr.write(text)
        raise
    sys.stderr.write(captured.getvalue())
    if _INTERRUPTED.is_set():  # the launcher swallowed the KeyboardInterrupt
        raise KeyboardInterrupt
    return True


_INTERRUPTED = threading.Event()  # Ctrl-C seen during a sweep (see _on_interrupt)


def _on_interrupt(signum, frame) -> None:
    """Ctrl-C in a sweep: remember it, then interrupt as Python does. The launcher may swallow
    the KeyboardInterrupt, or report the workers the same Ctrl-C killed as dead workers; the
    flag makes sure neither turns into "relaunch and finish"."""
    _INTERRUPTED.set()
    raise KeyboardInterrupt


def _launch_surviving_dead_workers(argv: list[str], store) -> None:
    """Run the sweep; if a worker process dies (killed, out of memory), finish it anyway.

    The launcher gives up on every job when one worker dies, and the runs then in progress are
    only *suspects* (their workers were killed with it). So: run everything except the
    suspects, then each suspect alone; one that kills its worker again is recorded as failed
    (running the same command later retries it), the others are stored normally."""

    if _launch(argv):
        return
    suspects = store.take_running()
    while not _launch(argv, skip=suspects):  # another run killed its worker
        suspects += store.take_running()
    for rid in suspects:
        if not _launch(argv, only=rid):
            store.record_died()

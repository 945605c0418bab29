"""``orgsim`` (also ``python -m sim``): run a scenario under two designs on paired seeds.

1. The command line is parsed with Hydra's own parser and the configuration composed and
   validated *before* Hydra starts a job, so bad input gets one line, exit status 2, no traceback
   and no output folder.
2. Hydra runs the job: every design in (``baseline``, ``org``) on seeds ``run.seed …
   run.seed + run.replications − 1``, in parallel, with a progress bar.
3. The comparison is printed and the results folder written and moved into place (see
   sim/cli/outputs.py); its path is printed last.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import hydra
import yaml
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.utils import get_args_parser
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sim.analysis import paired_comparison, table
from sim.budget import describe_basis
from sim.cli import registry
from sim.cli.analyze import write_analysis
from sim.cli.compose import (
    CONF,
    Composed,
    InputError,
    _compose_tree,
    compose_run,
    explain,
    from_tree,
)
from sim.cli.outputs import RunFolder, git_commit, versions
from sim.cli.registry import register
from sim.experiment import TABLES, run_paired, stack
from sim.report.data import load as load_report
from sim.report.page import write_report
from sim.store import ResultsStore, check_writable, describe_os_error
from sim.sweep import ONLY, SKIP, run_job, sweep_folder

_STARTED = time.perf_counter()


def fail(error: Exception) -> None:
    print(f"orgsim: error: {error}", file=sys.stderr)
    raise SystemExit(2)


def main() -> None:
    register()
    if sys.argv[1:2] == ["--reproduce"]:
        sys.argv = [sys.argv[0], *reproducing(sys.argv[2:])]
    args = get_args_parser().parse_args(sys.argv[1:])
    if args.help or args.hydra_help or args.shell_completion:
        for name, problem in sorted(registry.BROKEN.items()):  # not listed as options below
            print(f"orgsim: note: scenario {name} is broken and cannot be chosen: {problem}",
                  file=sys.stderr)
        _app()
    elif args.multirun:
        sweep(args.overrides)
    else:
        try:
            compose_run(args.overrides)
            if args.cfg is None and not args.info:  # --cfg / --info only print
                _check_run_folder(args.overrides)
        except InputError as error:
            fail(error)
        _app()


def _check_run_folder(overrides: list[str]) -> None:
    """Hydra makes a single run's folder before orgsim has control, so an unwritable outputs/
    or a full disk would be Hydra's traceback: check its parent now and say it in one line."""
    run_dir = next((o.split("=", 1)[1] for o in overrides if o.startswith("hydra.run.dir=")),
                   None)
    parent = Path(run_dir).parent if run_dir else Path("outputs") / ".staging"
    try:
        check_writable(parent)
    except OSError as error:
        raise InputError(f"outputs: cannot write {parent} ({error.strerror or error}); choose "
                         "another folder (hydra.run.dir=...) or free disk space") from None


def reproducing(args: list[str]) -> list[str]:
    """``orgsim --reproduce FOLDER``: the overrides that wrote the results folder FOLDER, after
    checking that they still give exactly the configuration recorded there (config.yaml).

    The run is then done again as ``orgsim <overrides>`` into a new folder; since a run is a
    pure function of (configuration, seed), its tables equal FOLDER's. If the configuration files
    (conf/, scenarios/) changed since, that is one line naming the first changed setting."""
    if len(args) != 1:
        fail(InputError("--reproduce: give one results folder (outputs/<date>/<time>)"))
    folder = Path(args[0])
    try:
        provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
        recorded = (folder / "config.yaml").read_text(encoding="utf-8")
        overrides = [str(o) for o in provenance["overrides"]]
    except (OSError, ValueError, KeyError, TypeError):
        fail(InputError(f"--reproduce: {folder} is not an orgsim results folder (it needs "
                        "provenance.json and config.yaml)"))
    try:
        tree = _compose_tree(overrides)
    except Exception as error:  # noqa: BLE001 - anything here is "cannot compose any more"
        fail(InputError(f"--reproduce: {folder}: its overrides no longer compose "
                        f"({explain(error)})"))
    with open_dict(tree):
        del tree["hydra"]
    now = OmegaConf.to_container(tree, resolve=True)
    then = yaml.safe_load(recorded)
    if now != then:
        key = _first_difference(then, now)
        commit = (provenance.get("git") or {}).get("commit")
        fail(InputError(f"--reproduce: the configuration files changed since {folder} was "
                        f"written ({key}); use the orgsim of git commit {commit}"))
    was = (provenance.get("orgsim") or {}).get("orgsim")
    if was != versions()["orgsim"]:
        print(f"orgsim: note: {folder} was written by orgsim {was}, this is "
              f"{versions()['orgsim']}", file=sys.stderr)
    return overrides


def _first_difference(a, b, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}".lstrip("."))
    return f"{path or 'config'}: {a!r} then, {b!r} now"


@hydra.main(version_base="1.3", config_path=str(CONF), config_name="config")
def _app(cfg: DictConfig):
    hc = HydraConfig.get()
    try:
        composed = from_tree(cfg, hc.runtime.choices.get("scenario") or "")
    except InputError as error:
        fail(error)
    if hc.mode == RunMode.MULTIRUN:
        return run_job(composed, list(hc.overrides.task), Path(hc.sweep.dir) / "store")
    execute(composed, staging=hc.runtime.output_dir, overrides=list(hc.overrides.task),
            resolved=OmegaConf.to_yaml(cfg))
    return None


# ----------------------------------------------------------------------------------- sweeps
def expand(overrides: list[str]) -> list[list[str]]:
    """Every job of a multirun, as Hydra's basic sweeper will launch them."""
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
        return BasicSweeper.split_arguments(parsed, max_batch_size=None)[0]
    except HydraException as error:
        raise InputError(explain(error)) from error


def sweep(overrides: list[str]) -> None:
    """Validate every job, launch the multirun with a sweep-level progress bar, summarise."""
    given = {o.split("=", 1)[0].lstrip("+") for o in overrides}
    extra = [] if "baseline" in given else ["baseline=null"]  # a job runs one design
    extra += [] if "run.workers" in given else ["run.workers=1"]  # the launcher parallelises
    try:
        jobs = expand(overrides)
        total = 0
        for job in jobs:
            composed = compose_run(job + extra)
            total += composed.config.run.replications
    except InputError as error:
        fail(error)
    folder = Path(next((o.split("=", 1)[1] for o in overrides
                        if o.startswith("hydra.sweep.dir=")), sweep_folder(overrides)))
    if "hydra.sweep.dir" not in given:
        extra.append(f"hydra.sweep.dir={folder}")
    store = ResultsStore(folder / "store")
    try:
        store.remove_partial_files()  # left by an interrupted earlier attempt, if any
        store.check_writable()  # a read-only folder: one line now, not one traceback per job
    except OSError as error:
        fail(describe_os_error(error))
    before = store.counts()
    print(f"Sweep: {len(jobs)} jobs (settings × designs), {total} runs → {folder}"
          + (f" (resuming: {before['ok']} already stored)" if before["ok"] else ""))
    argv = [sys.argv[0], "-m", *overrides, *extra]
    with _progress() as progress:
        task = progress.add_task("sweep", total=total, completed=min(before["ok"], total))
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(0.5):
                c = store.counts()
                progress.update(task, completed=min(c["ok"] + c["failed"], total),
                                description=f"sweep ({c['failed']} failed)" if c["failed"]
                                else "sweep")

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            _launch_surviving_dead_workers(argv, store)
        finally:
            stop.set()
            watcher.join()
    after = store.counts()
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
    env = [f"++hydra.job.env_set.{SKIP}={'_'.join(skip) or 'none'}",
           f"++hydra.job.env_set.{ONLY}={only}"]
    sys.argv = [*argv, *env]
    captured = io.StringIO()  # Hydra prints a failed job's traceback; we print one line
    try:
        with contextlib.redirect_stderr(captured):
            _app()
    except (SystemExit, Exception):
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
    return True


def _launch_surviving_dead_workers(argv: list[str], store: ResultsStore) -> None:
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


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("runs"), TimeRemainingColumn(), transient=True)


def execute(composed: Composed, staging: str, overrides: list[str], resolved: str,
            show: bool = True) -> tuple[str, str]:
    """Run, write the results folder, print the comparison; returns (printed table, folder)."""
    started_at = datetime.now(UTC)
    job_started = time.perf_counter()
    run = composed.config.run
    designs = composed.designs
    seeds = [run.seed + i for i in range(run.replications)]
    configs = {d: composed.config_for(d) for d in designs}
    total = len(designs) * len(seeds)
    with _progress() as progress:
        task = progress.add_task("simulating", total=total)
        results = run_paired(configs, seeds, run.workers,
                             on_done=lambda key: progress.advance(task))
    simulated = time.perf_counter()

    summary = stack(results, "summary")
    comparison = paired_comparison(summary, baseline=designs[0] if len(designs) > 1 else None)
    printed_table = table(comparison, len(seeds))
    caption = (f"Scenario {composed.scenario}; {len(seeds)} paired replications, seeds "
               f"{seeds[0]}–{seeds[-1]}; {run.horizon_weeks} weeks.")
    header = f"orgsim · {caption} Designs: {', '.join(designs)}."
    basis = describe_basis(composed.budget)
    if basis:
        header += "\n" + basis
    printed = header + "\n\n" + printed_table.to_string() + "\n"

    folder = RunFolder(staging)
    folder.write_text("config.yaml", resolved)
    folder.write_text("comparison.txt", printed)
    comparison.to_csv(folder.path("comparison.csv"), index=False)
    for name in TABLES:
        folder.write_table(name, stack(results, name))
    provenance = {
        "orgsim": versions(),
        "git": git_commit(),
        "scenario": composed.scenario,
        "designs": designs,
        "comparison_basis": composed.budget,
        "seeds": seeds,
        "overrides": overrides,
        "reproduce": "orgsim " + " ".join(overrides),
        "command": sys.argv,
        "started": started_at.isoformat(),
        "ended": datetime.now(UTC).isoformat(),
    }
    folder.write_json("provenance.json", provenance)  # the report reads it
    written = time.perf_counter()
    write_report(load_report(folder.staging), folder.path("report.html"))
    reported = time.perf_counter()
    provenance["ended"] = datetime.now(UTC).isoformat()
    provenance["seconds"] = {"startup_and_validation": round(job_started - _STARTED, 3),
                             "simulation": round(simulated - job_started, 3),
                             "writing": round(written - simulated, 3),
                             "report": round(reported - written, 3)}
    provenance["files"] = folder.files()
    folder.write_json("provenance.json", provenance)
    final = folder.finalize()
    if show:
        print(printed)
        print(f"Results: {final}")
    return printed, str(final)

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
import os
import re
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import hydra
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.utils import get_args_parser
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.configuration.scenarios import CONF

if TYPE_CHECKING:
    from sim.experiments.store import ResultsStore

# Only Hydra is imported here: `--help`, `--cfg` and a rejected
# input answer at once. The model, the store, analysis and report (Mesa, pandas, SciPy, DuckDB,
# plotly) are imported by the functions that run or write something.

_STARTED = time.perf_counter()


def fail(error: Exception) -> None:
    print(f"orgsim: error: {error}", file=sys.stderr)
    raise SystemExit(2)


def main() -> None:
    original = None
    if sys.argv[1:2] == ["--reproduce"]:
        original = Path(sys.argv[2]) if len(sys.argv) > 2 else None
        sys.argv = [sys.argv[0], *reproducing(sys.argv[2:])]
    args = get_args_parser().parse_args(sys.argv[1:])
    from sim.configuration.composition import InputError, compose_run

    for flag in ("config_path", "config_dir", "config_name", "experimental_rerun"):
        if getattr(args, flag, None):  # another primary config could set hydra.callbacks
            fail(InputError(f"--{flag.replace('_', '-')}: not supported by orgsim; choose "
                            "options and settings as key=value (see orgsim --help)"))
    if args.help:
        print_help()
        return
    from sim.configuration import hydra_store
    from sim.configuration.composition import load_chosen_scenarios

    hydra_store.register()
    if args.hydra_help or args.shell_completion:
        load_chosen_scenarios(args.overrides)
        for name, problem in sorted(hydra_store.BROKEN.items()):  # not listed as options below
            print(f"orgsim: note: scenario {name} is broken and cannot be chosen: {problem}",
                  file=sys.stderr)
        _help_lists_only_choices()
        _app()
    elif args.multirun:
        sweep(args.overrides)
    else:
        try:
            compose_run(args.overrides)  # validated only: the job equalises (once)
            target = None
            if args.cfg is None and not args.info:  # --cfg / --info only print
                target = _check_run_folder(args.overrides)
        except InputError as error:
            fail(error)
        if target is not None:
            _stage(target)
        _app()
        if original is not None and _LAST_FOLDER:
            compare_tables(original, Path(_LAST_FOLDER[0]))


_LAST_FOLDER: list[str] = []  # the results folder the last execute() wrote (for --reproduce)


def compare_tables(then: Path, now: Path) -> None:
    """``--reproduce``: say whether every table of the new folder equals the recorded one's
    (exit status 1 if one differs)."""
    import pandas as pd

    from sim.experiments.paired import TABLES

    different = []
    for name in TABLES:
        a, b = then / "tables" / f"{name}.parquet", now / "tables" / f"{name}.parquet"
        if not a.exists() or not b.exists():
            different.append(f"{name} (missing)")
        elif not pd.read_parquet(a).equals(pd.read_parquet(b)):
            different.append(name)
    if different:
        print(f"orgsim: reproduced NOT identically: {', '.join(different)} differ(s) between "
              f"{then} and {now}", file=sys.stderr)
        raise SystemExit(1)
    print(f"Reproduced: all {len(TABLES)} tables ({', '.join(TABLES)}) are identical to "
          f"{then}'s.")


# Groups in conf/ that configure other commands (orgsim-calibrate, -search, -sensitivity,
# -discover), not a run; and the designs' schemas, which conf/org/<design>.yaml builds on.
NOT_CHOICES = ("calibration", "search", "space")


def _help_lists_only_choices() -> None:
    """Hydra's own page (``--hydra-help``) lists the options a user can choose: not the
    schemas the design files start from (``traditional_schema``) nor other commands' groups."""
    from hydra._internal.hydra import Hydra

    def format_config_groups(self, predicate, compact: bool = True) -> str:
        lines = []
        for group in sorted(g for g in self.list_all_config_groups()
                            if predicate(g) and g.split("/")[0] not in NOT_CHOICES):
            options = sorted(o for o in self.config_loader.get_group_options(group)
                             if not o.endswith("_schema"))
            lines.append(f"{group}: {', '.join(options)}" if compact else
                         f"{group}:\n" + "\n".join(f"  {o}" for o in options))
        return "\n".join(lines)

    Hydra.format_config_groups = format_config_groups


def print_help() -> None:
    """orgsim's own help page (sim/cli/help.py): instant, and only what a user may choose.
    Scenario files are listed by name, never read here (a broken one says so when chosen)."""
    import yaml

    from sim.cli.help import text
    from sim.configuration.hydra_store import SCENARIOS_DIR

    scenarios = sorted(p.stem for p in Path(SCENARIOS_DIR).glob("*.yaml"))
    tree = yaml.safe_load((CONF / "config.yaml").read_text(encoding="utf-8"))
    defaults = {k: v for item in tree["defaults"] if isinstance(item, dict)
                for k, v in item.items() if " " not in k}
    defaults["baseline"] = tree.get("baseline")
    designs = [p.stem for p in (CONF / "org").glob("*.yaml")]  # one generated file per design
    print(text(CONF, designs, scenarios, defaults))


def override_value(overrides: list[str], key: str) -> str | None:
    """The value of ``key=value`` among the overrides, unquoted as Hydra reads it (a quoted
    folder with spaces is the folder Hydra writes to, not one with quotes in its name)."""
    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException:
        return None
    values = [o.value() for o in parsed if o.key_or_group == key and not o.is_delete()]
    return str(values[-1]) if values and values[-1] is not None else None


def refuse_existing(folder: Path, what: str) -> None:
    """A run never writes into a folder that exists: a finished result is never overwritten,
    and a file or link there is not written through."""
    from sim.configuration.composition import InputError

    if not os.path.lexists(folder):
        return
    kind = ("a link" if folder.is_symlink() else "a folder" if folder.is_dir() else "a file")
    raise InputError(f"{what}: {folder} exists ({kind}); results are never written into an "
                     "existing path: choose a new folder")


def _check_run_folder(overrides: list[str]) -> Path | None:
    """Hydra makes a single run's folder before orgsim has control, so an unwritable outputs/
    or a full disk would be Hydra's traceback: check its parent now and say it in one line.

    ``hydra.run.dir=X`` must not exist yet; the run is then written to ``X/../.staging/`` and
    renamed to X once complete (returned: where the finished folder goes)."""
    from sim.configuration.composition import InputError
    from sim.experiments.store import check_writable

    run_dir = override_value(overrides, "hydra.run.dir")
    target = Path(_resolve_now(run_dir)) if run_dir else None
    if target is not None:
        refuse_existing(target, "hydra.run.dir")
    parent = target.parent / ".staging" if target else Path("outputs") / ".staging"
    try:
        check_writable(parent)
    except OSError as error:
        raise InputError(f"outputs: cannot write {parent} ({error.strerror or error}); choose "
                         "another folder (hydra.run.dir=...) or free disk space") from None
    return target


def _resolve_now(folder: str) -> str:
    """Hydra's ``${now:FORMAT}`` in a folder name, resolved once here, so that orgsim and
    Hydra's jobs agree on the folder."""
    now = datetime.now()
    return re.sub(r"\$\{now:([^${}]*)\}", lambda m: now.strftime(m.group(1)), folder)


def _quote(folder: Path | str) -> str:
    """A folder as a quoted Hydra override value (spaces, commas, quotes kept as they are)."""
    return "'" + str(folder).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _stage(target: Path) -> None:
    """Point Hydra's run folder at a new staging folder beside ``target`` (see execute)."""
    global _FINAL_DIR
    _FINAL_DIR = target
    staging = target.parent / ".staging" / f"{target.name}-{datetime.now():%Y%m%d_%H%M%S_%f}"
    given = [a for a in sys.argv[1:] if a.lstrip("+").startswith("hydra.run.dir=")]
    sys.argv = [a for a in sys.argv if a not in given] + [f"hydra.run.dir={_quote(staging)}"]


_FINAL_DIR: Path | None = None  # where a run given hydra.run.dir=X goes once complete


def reproducing(args: list[str]) -> list[str]:
    """``orgsim --reproduce FOLDER``: the overrides that wrote the results folder FOLDER, after
    checking that they still give exactly the configuration recorded there (config.yaml).

    The run is then done again as ``orgsim <overrides>`` into a new folder; since a run is a
    pure function of (configuration, seed), its tables equal FOLDER's. If the configuration files
    (conf/, scenarios/) changed since, that is one line naming the first changed setting."""
    from sim.cli.outputs import versions
    from sim.configuration.composition import InputError, _compose_tree, check_choices, explain
    from sim.configuration.safety import UnsafeInput, parse_yaml

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
    hydra_keys = [o for o in overrides if o.lstrip("+~").startswith("hydra")]
    if hydra_keys:
        fail(InputError(f"--reproduce: {folder}/provenance.json: {hydra_keys[0][:80]!r} sets "
                        "Hydra's own settings; a results folder may only record model settings"))
    try:
        check_choices(overrides)  # no interpolation, no broken or unsafe scenario file
        tree = _compose_tree(overrides)
    except InputError as error:
        fail(InputError(f"--reproduce: {folder}: {error}"))
    except Exception as error:  # noqa: BLE001 - anything here is "cannot compose any more"
        fail(InputError(f"--reproduce: {folder}: its overrides no longer compose "
                        f"({explain(error)})"))
    with open_dict(tree):
        del tree["hydra"]
    now = OmegaConf.to_container(tree, resolve=True)
    try:  # someone else's file: within limits (an alias bomb would make the comparison hang)
        then = parse_yaml(recorded, f"--reproduce: {folder}/config.yaml")
    except UnsafeInput as error:
        fail(error)
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

    from sim.configuration.composition import InputError, from_tree
    from sim.experiments.budget import equalised

    hc = HydraConfig.get()
    try:
        composed = equalised(from_tree(cfg, hc.runtime.choices.get("scenario") or ""))
    except InputError as error:
        fail(error)
    if hc.mode == RunMode.MULTIRUN:
        from sim.experiments.sweep import run_job

        return run_job(composed, list(hc.overrides.task), Path(hc.sweep.dir) / "store")
    execute(composed, staging=hc.runtime.output_dir, overrides=list(hc.overrides.task),
            resolved=OmegaConf.to_yaml(cfg))
    return None


# ----------------------------------------------------------------------------------- sweeps
def expand(overrides: list[str]) -> list[list[str]]:
    """Every job of a multirun, as Hydra's basic sweeper will launch them."""
    from sim.configuration.composition import InputError, explain

    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
        return BasicSweeper.split_arguments(parsed, max_batch_size=None)[0]
    except HydraException as error:
        raise InputError(explain(error)) from error


def validate_jobs(jobs: list[list[str]], extra: list[str]) -> int:
    """Compose and validate every job, once per distinct configuration (jobs that differ only
    in run.seed share one; a seed is checked on its own): returns the number of runs."""
    checked: dict[tuple, int] = {}  # job without its seed → replications
    total = 0
    for job in jobs:
        seed = next((o.split("=", 1)[1] for o in job  # expanded: plain key=value
                     if o.lstrip("+").startswith("run.seed=")), None)
        key = tuple(o for o in job if not o.lstrip("+").startswith("run.seed="))
        if key in checked and seed is not None and seed.isdigit():
            total += checked[key]
            continue
        from sim.configuration.composition import compose_run

        composed = compose_run(job + extra)
        checked[key] = composed.config.run.replications
        total += checked[key]
    return total


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
    try:
        jobs = expand(overrides)
        print(f"Checking {len(jobs)} jobs…", flush=True)  # before the first one is composed
        total = validate_jobs(jobs, extra)
        chosen = override_value(overrides, "hydra.sweep.dir")
        folder = Path(_resolve_now(chosen)) if chosen else sweep_folder(overrides)
        if problem := _sweep_folder_problem(folder):
            raise InputError(problem)
    except InputError as error:
        fail(error)
    if "hydra.sweep.dir" in given:  # the folder orgsim reads is the one the jobs write
        overrides = [o for o in overrides if not o.lstrip("+").startswith("hydra.sweep.dir=")]
    extra.append(f"hydra.sweep.dir={_quote(folder)}")
    store = ResultsStore(folder / "store")
    try:
        lock = store.lock()
    except OSError as error:
        fail(describe_os_error(error))
    except StoreBusy as error:
        fail(error)
    with lock:
        _sweep_locked(overrides, extra, jobs, total, folder, store)


def _sweep_locked(overrides, extra, jobs, total, folder: Path, store: ResultsStore) -> None:
    from sim.experiments.store import describe_os_error

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
    try:
        _run_sweep(jobs, total, folder, store, before, [sys.argv[0], "-m", *overrides, *extra])
    except KeyboardInterrupt:  # Ctrl-C: one line, not the launcher's tracebacks
        print(f"orgsim: interrupted; {store.counts()['ok']} of {total} runs are stored in "
              f"{folder}; run the same command again to resume", file=sys.stderr)
        raise SystemExit(130) from None


def _run_sweep(jobs, total: int, folder: Path, store: ResultsStore, before: dict,
               argv: list[str]) -> None:
    from sim.cli.analyze import write_analysis
    from sim.report.data import load as load_report
    from sim.report.page import write_report

    print(f"Sweep: {len(jobs)} jobs (settings × designs), {total} runs → {folder}"
          + (f" (resuming: {before['ok']} already stored)" if before["ok"] else ""), flush=True)
    with _progress() as progress:
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
    from sim.experiments.sweep import ONLY, SKIP

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


def _progress():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("runs"), TimeElapsedColumn(), TimeRemainingColumn(),
                    transient=True)


def execute(composed, staging: str, overrides: list[str], resolved: str,
            show: bool = True) -> tuple[str, str]:
    """Run, write the results folder, print the comparison; returns (printed table, folder)."""
    from sim.cli.outputs import RunFolder, git_commit, versions
    from sim.experiments.analysis import INTERVAL_METHOD, paired_comparison, table
    from sim.experiments.budget import describe_basis
    from sim.experiments.paired import TABLES, run_paired, stack
    from sim.report.data import load as load_report
    from sim.report.page import write_report

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
    header += (f"\nOverrides: {' '.join(overrides) or 'none (the defaults)'}\n"
               f"Each cell: mean over replications [{INTERVAL_METHOD}].")
    printed = header + "\n\n" + printed_table.to_string() + "\n"

    folder = RunFolder(staging, final=_FINAL_DIR)
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
    report = load_report(folder.staging)
    report.folder = folder.final_path()  # the report names where it will be, not the staging
    write_report(report, folder.path("report.html"))
    reported = time.perf_counter()
    provenance["ended"] = datetime.now(UTC).isoformat()
    provenance["seconds"] = {"startup_and_validation": round(job_started - _STARTED, 3),
                             "simulation": round(simulated - job_started, 3),
                             "writing": round(written - simulated, 3),
                             "report": round(reported - written, 3)}
    provenance["files"] = folder.files()
    folder.write_json("provenance.json", provenance)
    final = folder.finalize()
    _LAST_FOLDER[:] = [str(final)]
    if show:
        print(printed)
        print(f"Results: {final}")
    return printed, str(final)

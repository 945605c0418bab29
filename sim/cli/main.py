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

import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import hydra
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.utils import get_args_parser
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sim.analysis import paired_comparison, table
from sim.cli.analyze import write_analysis
from sim.cli.compose import CONF, Composed, InputError, compose_run, explain, from_tree
from sim.cli.outputs import RunFolder, git_commit, versions
from sim.cli.registry import register
from sim.experiment import TABLES, run_paired, stack
from sim.report.data import load as load_report
from sim.report.page import write_report
from sim.store import ResultsStore
from sim.sweep import run_job, sweep_folder

_STARTED = time.perf_counter()


def fail(error: Exception) -> None:
    print(f"orgsim: error: {error}", file=sys.stderr)
    raise SystemExit(2)


def main() -> None:
    register()
    args = get_args_parser().parse_args(sys.argv[1:])
    if args.help or args.hydra_help or args.shell_completion:
        _app()
    elif args.multirun:
        sweep(args.overrides)
    else:
        try:
            compose_run(args.overrides)
        except InputError as error:
            fail(error)
        _app()


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
    store.remove_partial_files()  # left by an interrupted earlier attempt, if any
    before = store.counts()
    print(f"Sweep: {len(jobs)} jobs (settings × designs), {total} runs → {folder}"
          + (f" (resuming: {before['ok']} already stored)" if before["ok"] else ""))
    sys.argv = [sys.argv[0], "-m", *overrides, *extra]
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
            _app()
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

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
import time
from datetime import UTC, datetime

import hydra
from hydra._internal.utils import get_args_parser
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sim.cli.compose import CONF, Composed, InputError, compose_run, from_tree
from sim.cli.outputs import RunFolder, git_commit, versions
from sim.cli.registry import register
from sim.experiment import TABLES, compare, comparison_table, run_paired, stack
from sim.scenarios import catalog
from sim.summary_html import write_summary

_STARTED = time.perf_counter()


def fail(error: Exception) -> None:
    print(f"orgsim: error: {error}", file=sys.stderr)
    raise SystemExit(2)


def main() -> None:
    register()
    args = get_args_parser().parse_args(sys.argv[1:])
    if not (args.help or args.hydra_help or args.shell_completion or args.multirun):
        try:
            compose_run(args.overrides)
        except InputError as error:
            fail(error)
    _app()


@hydra.main(version_base="1.3", config_path=str(CONF), config_name="config")
def _app(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    try:
        composed = from_tree(cfg, hc.runtime.choices.get("scenario") or "")
    except InputError as error:
        fail(error)
    execute(composed, staging=hc.runtime.output_dir, overrides=list(hc.overrides.task),
            resolved=OmegaConf.to_yaml(cfg))


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
    comparison = compare(summary, designs)
    table = comparison_table(comparison, len(seeds))
    scenario = catalog().get(composed.scenario)
    caption = (f"Scenario {composed.scenario}; {len(seeds)} paired replications, seeds "
               f"{seeds[0]}–{seeds[-1]}; {run.horizon_weeks} weeks.")
    header = f"orgsim · {caption} Designs: {', '.join(designs)}."
    printed = header + "\n\n" + table.to_string() + "\n"

    folder = RunFolder(staging)
    folder.write_text("config.yaml", resolved)
    folder.write_text("comparison.txt", printed)
    comparison.to_csv(folder.path("comparison.csv"), index=False)
    for name in TABLES:
        folder.write_table(name, stack(results, name))
    write_summary(folder.path("summary.html"),
                  question=scenario.question if scenario else "",
                  scenario=composed.scenario, source=scenario.source if scenario else "",
                  designs=designs, seeds=seeds, table=table, series=stack(results, "series"),
                  caption=caption)
    written = time.perf_counter()
    folder.write_json("provenance.json", {
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
        "seconds": {"startup_and_validation": round(job_started - _STARTED, 3),
                    "simulation": round(simulated - job_started, 3),
                    "writing": round(written - simulated, 3)},
        "files": folder.files(),
    })
    final = folder.finalize()
    if show:
        print(printed)
        print(f"Results: {final}")
    return printed, str(final)

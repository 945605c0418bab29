"""``orgsim`` (also ``python -m sim``): run a scenario under two designs on paired seeds.

1. The command line is parsed with Hydra's own parser and the configuration composed and
   validated *before* Hydra starts a job, so bad input gets one line, exit status 2, no traceback
   and no output folder.
2. Hydra runs the job (given the tree composed in 1, not composing it again:
   sim/cli/hydra_ways.py): every design in (``baseline``, ``org``) on seeds ``run.seed …
   run.seed + run.replications − 1``, in parallel, with a progress bar.
3. The comparison is printed and the results folder written and moved into place (see
   sim/cli/outputs.py); its path is printed last.

``orgsim -m`` (a sweep) is sim/cli/multirun.py; its jobs run in this module's Hydra app.
"""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import hydra
from hydra._internal.utils import get_args_parser
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.configuration.parsed_yaml import keep_parsed_texts
from sim.configuration.scenarios import CONF
from sim.experiments.progress import progress_bar

keep_parsed_texts()  # Hydra parses the same files in each composition (a sweep's workers: each job)

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
    from sim.configuration import renamed

    sys.argv = [sys.argv[0], *renamed.overrides(sys.argv[1:])]  # Hydra's job reads sys.argv
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
        from sim.cli.hydra_ways import help_lists_only_choices

        help_lists_only_choices()
        _app()
    elif args.multirun:
        from sim.cli.multirun import sweep

        sweep(args.overrides)
    else:
        from sim.cli.hydra_ways import composing_once, mode_without_composing

        with composing_once():  # Hydra's job is given the tree compose_run composes
            try:
                compose_run(args.overrides)  # validated only: the job equalises (once)
                target = None
                if args.cfg is None and not args.info:  # --cfg / --info only print
                    target = _check_run_folder(args.overrides)
            except InputError as error:
                fail(error)
            if target is not None:
                _stage(target)
            mode_without_composing()
            _app()
        if original is not None and _LAST_FOLDER:
            compare_tables(original, Path(_LAST_FOLDER[0]))


def run() -> None:
    """The ``orgsim`` command (and ``python -m sim``): :func:`main`, then, once a run's results
    folder is complete and its path printed, end the process without tearing the interpreter
    down. Freeing the few million objects of pandas, plotly, Mesa and Hydra one by one took
    0.3–0.5 s after the last line, on every run; nothing is left to write by then. Tests call
    :func:`main`, which returns."""
    gc.set_threshold(*_GC_BETWEEN_RUNS)
    main()
    if _LAST_FOLDER:
        _leave()


# Python's collector runs every 700 new objects by default; importing pandas, plotly and Hydra
# and building the report's figures make hundreds of thousands that live to the end, so the
# command collects rarely outside the simulation (about 0.15 s less start-up), and with the
# defaults while simulating (execute()).
_GC_DEFAULT = gc.get_threshold()
_GC_BETWEEN_RUNS = (50_000, 50, 100)


def _leave() -> None:
    """Exit 0 now, after what the interpreter's exit would still do that matters: shut the
    worker pool down, run the exit handlers (log files closed, joblib's temporary folders
    removed), flush the output. Only freeing memory is skipped."""
    import atexit

    executor = getattr(sys.modules.get("joblib.externals.loky.reusable_executor"), "_executor",
                       None)
    if executor is not None:
        executor.shutdown(wait=True)
    atexit._run_exitfuncs()  # noqa: SLF001 - CPython's own exit step, run here before _exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


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
    target = Path(resolve_now(run_dir)) if run_dir else None
    if target is not None:
        refuse_existing(target, "hydra.run.dir")
    parent = target.parent / ".staging" if target else Path("outputs") / ".staging"
    try:
        check_writable(parent)
    except OSError as error:
        raise InputError(f"outputs: cannot write {parent} ({error.strerror or error}); choose "
                         "another folder (hydra.run.dir=...) or free disk space") from None
    return target


def resolve_now(folder: str) -> str:
    """Hydra's ``${now:FORMAT}`` in a folder name, resolved once here, so that orgsim and
    Hydra's jobs agree on the folder."""
    now = datetime.now()
    return re.sub(r"\$\{now:([^${}]*)\}", lambda m: now.strftime(m.group(1)), folder)


def quote_override(folder: Path | str) -> str:
    """A folder as a quoted Hydra override value (spaces, commas, quotes kept as they are)."""
    return "'" + str(folder).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _stage(target: Path) -> None:
    """Point Hydra's run folder at a new staging folder beside ``target`` (see execute)."""
    global _FINAL_DIR
    _FINAL_DIR = target
    staging = target.parent / ".staging" / f"{target.name}-{datetime.now():%Y%m%d_%H%M%S_%f}"
    given = [a for a in sys.argv[1:] if a.lstrip("+").startswith("hydra.run.dir=")]
    sys.argv = [a for a in sys.argv if a not in given] + \
        [f"hydra.run.dir={quote_override(staging)}"]


_FINAL_DIR: Path | None = None  # where a run given hydra.run.dir=X goes once complete


def reproducing(args: list[str]) -> list[str]:
    """``orgsim --reproduce FOLDER``: the overrides that wrote the results folder FOLDER, after
    checking that they still give exactly the configuration recorded there (config.yaml).

    The run is then done again as ``orgsim <overrides>`` into a new folder; since a run is a
    pure function of (configuration, seed), its tables equal FOLDER's. If the configuration files
    (conf/, scenarios/) changed since, that is one line naming the first changed setting."""
    from sim.cli.outputs import changed_input_file, versions
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
    changed = changed_input_file(provenance)
    if changed:
        fail(InputError(f"--reproduce: {changed} changed since {folder} was written (its "
                        "SHA-256 differs from provenance.json); restore it to reproduce"))
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


def _simulate(composed, seeds: list[int]) -> dict:
    """Every design on every seed, with the progress bar; the model's memory behaviour (the
    garbage collector's defaults) as in any other caller."""
    from sim.experiments.paired import run_paired

    configs = {d: composed.config_for(d) for d in composed.designs}
    outside = gc.get_threshold()
    gc.set_threshold(*_GC_DEFAULT)
    try:
        with progress_bar() as progress:
            task = progress.add_task("simulating", total=len(configs) * len(seeds))
            return run_paired(configs, seeds, composed.config.run.workers,
                              on_done=lambda key: progress.advance(task))
    finally:
        gc.set_threshold(*outside)


def typical_of_space(composed, summary, folder):
    """Whether this run's result is typical of a verdict of its scenario
    (sim/experiments/typical.py), looked for in ``<outputs>/verdict/``: beside the folder of
    dates the run goes to (``outputs/`` by default; for ``hydra.run.dir=X``, X's parent)."""
    from sim.experiments.typical import Run, Typical, typical

    final = folder.final_path()
    default = folder.final is None and folder.staging.parent.name == ".staging"
    root = final.parent.parent if default else final.parent
    if root.is_absolute() and root.is_relative_to(Path.cwd()):  # Hydra's folders are absolute
        root = root.relative_to(Path.cwd())
    run = Run(composed.scenario, list(composed.designs), composed.compare,
              {d: composed.config_for(d) for d in composed.designs}, summary)
    try:
        return typical(root, run, float(composed.config.run.horizon_weeks),
                       default_root=default and root == Path("outputs"))
    except Exception as error:  # noqa: BLE001 - others' folders: never lose a finished run
        return Typical("unusable", f"Typical of the space? Not known: the verdicts in {root} "
                       f"could not be read ({type(error).__name__}: {str(error)[:100]}).")


def execute(composed, staging: str, overrides: list[str], resolved: str,
            show: bool = True) -> tuple[str, str]:
    """Run, write the results folder, print the comparison; returns (printed table, folder)."""
    from sim.cli.business import business_case, workbook
    from sim.cli.outputs import (
        RunFolder,
        git_commit,
        market_facts,
        org_facts,
        run_header,
        versions,
    )
    from sim.experiments.analysis import paired_comparison, table
    from sim.experiments.paired import TABLES, stack
    from sim.report.data import REPORT_TABLES
    from sim.report.data import load as load_report
    from sim.report.page import write_report

    started_at = datetime.now(UTC)
    job_started = time.perf_counter()
    run = composed.config.run
    designs = composed.designs
    seeds = [run.seed + i for i in range(run.replications)]
    results = _simulate(composed, seeds)
    simulated = time.perf_counter()

    summary = stack(results, "summary")
    comparison = paired_comparison(summary, baseline=designs[0] if len(designs) > 1 else None)
    printed_table = table(comparison, len(seeds))
    market, organisation = market_facts(composed.config), org_facts(composed.config)
    header = run_header(composed, seeds, overrides, market, organisation)
    folder = RunFolder(staging, final=_FINAL_DIR)
    business, business_text = business_case(composed, results, len(seeds), folder)
    printed = header + "\n\n" + printed_table.to_string() + "\n\n" + business_text
    folder.write_text("config.yaml", resolved)
    folder.write_text("comparison.txt", printed)
    comparison.to_csv(folder.path("comparison.csv"), index=False)
    tables = {name: stack(results, name) for name in TABLES}
    for name, frame in tables.items():
        folder.write_table(name, frame)
    provenance = {
        "orgsim": versions(),
        "git": git_commit(),
        "scenario": composed.scenario,
        "designs": designs,
        "comparison_basis": composed.budget,
        "market_file": market,
        "organisation_file": organisation,
        "seeds": seeds,
        "overrides": overrides,
        "reproduce": "orgsim " + " ".join(overrides),
        "command": sys.argv,
        "started": started_at.isoformat(),
        "ended": datetime.now(UTC).isoformat(),
    }
    folder.write_json("provenance.json", provenance)  # the report reads it
    workbook(folder, header.splitlines()[0], comparison, business, composed,
             [f"Overrides: {' '.join(overrides) or 'none'}", f"Seeds: {seeds}",
              *[f["described"] for f in (market, organisation) if f]])
    verdict = typical_of_space(composed, summary, folder)
    folder.write_json("typical.json", verdict.to_json())  # the report reads it
    written = time.perf_counter()
    # the report's largest tables from memory, not read back from the files just written
    report = load_report(folder.staging, tables={t: tables[t] for t in REPORT_TABLES})
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
        print(verdict.line)
        print(f"Results: {final}")
    return printed, str(final)

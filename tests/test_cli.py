"""The ``orgsim`` command end to end, as a user runs it.

Runs whose subject is the results folder, the help or a rejected input go through the command's
own entry point in this process (tests/commands.py: same code path, without a Python start per
case); what only a process shows stays a subprocess: the default run with its worker pool, two
runs at once, a killed run, the exit of a run with worker processes, ``python -m sim`` and the
smoke tests of exit status 2 without a traceback."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from commands import run_command, run_process

from sim.configuration.composition import compose_run
from sim.configuration.conf_files import stale
from sim.configuration.design_registry import names
from sim.configuration.scenarios import SCENARIOS, catalog
from sim.engine.model import OrgSimModel
from sim.experiments.budget import equalised
from sim.experiments.paired import TABLES

ORGSIM = str(Path(sys.executable).parent / "orgsim")
QUICK = ["run.replications=2", "run.horizon_weeks=26"]
# The runs one after another where the worker pool is not the subject: a pool's two processes
# only import the model (about 5 CPU s), and results do not depend on it (run.workers is not part
# of a run's identity). The pool keeps its own test (run.workers=2) and the default run.
SERIAL = "run.workers=1"
DESIGN_NAMES = ", ".join(names())  # every registered design, as the error message lists them


def orgsim(args, cwd, timeout=300):
    """``orgsim args…`` as a subprocess."""
    return run_process("orgsim", args, cwd, timeout=timeout)


def results_folder(stdout: str) -> Path:
    match = re.search(r"^Results: (.+)$", stdout, re.M)
    assert match, stdout
    return Path(match.group(1).strip())


def check_folder(folder: Path, printed: str) -> None:
    for name in ("config.yaml", "provenance.json", "comparison.csv", "comparison.txt",
                 "report.html", ".hydra/config.yaml"):
        assert (folder / name).is_file(), name
    for table in TABLES:
        parquet = pd.read_parquet(folder / "tables" / f"{table}.parquet")
        csv = pd.read_csv(folder / "tables" / f"{table}.csv")
        assert len(parquet) == len(csv) > 0 and {"design", "seed"} <= set(parquet.columns)
    provenance = json.loads((folder / "provenance.json").read_text())
    for key in ("orgsim", "git", "seeds", "started", "ended", "reproduce", "files"):
        assert provenance[key] is not None, key
    assert set(provenance["files"]) >= {"comparison.csv", "report.html", "tables/jobs.parquet"}
    # the printed table is the written one, and its numbers are the comparison's numbers
    assert (folder / "comparison.txt").read_text() in printed
    comparison = pd.read_csv(folder / "comparison.csv")
    for _, row in comparison.dropna(subset=["mean"]).iterrows():
        assert f"{row['mean']:.{int(row.decimals)}f}" in printed, (row.outcome, row.design)
    html = (folder / "report.html").read_text()
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=\"?https?:", html)
    assert "plotly" in html.lower()


@pytest.mark.statistical
@pytest.mark.slow
def test_default_run_writes_every_file_and_prints_the_written_table(tmp_path):
    out = orgsim([], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "MESA" not in out.stdout + out.stderr  # no per-step log lines from Mesa
    folder = results_folder(out.stdout)
    assert folder.parent.parent == (tmp_path / "outputs").resolve() or \
        folder.parent.parent == Path("outputs")
    folder = (tmp_path / folder) if not folder.is_absolute() else folder
    check_folder(folder, out.stdout)
    summary = pd.read_parquet(folder / "tables" / "summary.parquet")
    assert sorted(summary.design.unique()) == ["micro_enterprise", "traditional"]
    assert sorted(summary.seed.unique()) == list(range(10))
    assert not any((tmp_path / "outputs" / ".staging").iterdir())


@pytest.mark.slow
def test_overrides_and_scenarios_work_the_hydra_way(tmp_path):
    out = run_command("orgsim", ["scenario=infusion_capacity", "org=matrix", *QUICK, SERIAL],
                      tmp_path)
    assert out.returncode == 0, out.stderr
    folder = results_folder(out.stdout)
    folder = folder if folder.is_absolute() else tmp_path / folder
    check_folder(folder, out.stdout)
    config = (folder / "config.yaml").read_text()
    assert "infusion_capacity_ratio: 0.6" in config and "design: matrix" in config
    assert json.loads((folder / "provenance.json").read_text())["designs"] == [
        "traditional", "matrix"]


@pytest.mark.slow
def test_two_runs_never_share_or_overwrite_a_folder(tmp_path):
    procs = [subprocess.Popen([ORGSIM, *QUICK, "run.replications=1", SERIAL], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    folders = {results_folder(p.communicate(timeout=300)[0]) for p in procs}
    assert len(folders) == 2


@pytest.mark.slow
def test_a_run_with_worker_processes_ends_leaving_no_temporary_folder_or_warning(tmp_path):
    """orgsim ends with os._exit once its folder is complete (sim/cli/main.py run()): the worker
    pool is shut down and the exit handlers run first, so nothing is left behind or warned of."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = run_process("orgsim", [*QUICK, "run.workers=2"], tmp_path, timeout=300,
                      env={"TMPDIR": str(temp), "JOBLIB_TEMP_FOLDER": str(temp)})
    assert out.returncode == 0, out.stderr
    assert out.stderr == "", out.stderr  # e.g. loky's "leaked folder objects" warning
    assert results_folder(out.stdout).name and list(temp.iterdir()) == []


@pytest.mark.slow
def test_interrupted_run_leaves_no_folder_that_looks_complete(tmp_path):
    proc = subprocess.Popen([ORGSIM, "run.replications=50", SERIAL], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    staging = tmp_path / "outputs" / ".staging"
    deadline = time.time() + 60
    while not (staging.exists() and any(staging.iterdir())) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    dated = [p for p in (tmp_path / "outputs").iterdir() if p.name != ".staging"]
    assert dated == []  # nothing under outputs/<date>/: only the staging area


@pytest.mark.slow
def test_help_lists_groups_and_options_and_cfg_shows_resolved_config(tmp_path):
    out = run_command("orgsim", ["--help"], tmp_path)
    assert out.returncode == 0
    for word in ("market", "therapy", "staffing", "org", "run", "scenario", "traditional",
                 "micro_enterprise", "matrix", "pilot_rollout", *catalog()):
        assert word in out.stdout, word
    out = run_command("orgsim", ["--cfg", "job", "scenario=price_pressure"], tmp_path)
    assert out.returncode == 0 and "reps: 72" in out.stdout
    assert not (tmp_path / "outputs").exists()
    out = subprocess.run([sys.executable, "-m", "sim", "--help"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0 and "scenario" in out.stdout


BAD_SCENARIOS = Path(__file__).parent / "data" / "bad_scenarios"  # scenario/<name>.yaml
BAD = [
    (["market.accounts=abc"], "market.accounts: must be a whole number"),
    (["market.accounts=-3"], "market.accounts: must be ≥ 1"),
    (["market.accounts=1.5"], "market.accounts: must be a whole number"),
    (["market.foo=1"], "market.foo: unknown setting"),
    (["+market.foo=1"], "market.foo: not a setting of market"),
    (["+run._target_=os.system"], "run._target_: not a setting of run"),
    (["run.horizon_weeks=0"], "run.horizon_weeks: must be > 0"),
    (["run.replications=0"], "run.replications: must be ≥ 1"),
    (["run.step_weeks=-1"], "run.step_weeks: must be > 0"),
    (["run.step_weeks=2"],
     "staffing.interaction.other_function.latency_weeks: 1 weeks is not a whole number of steps"),
    (["run.seed=-5"], "run.seed: must be ≥ 0"),
    (["run.check_invariants=maybe"], "run.check_invariants: must be true or false"),
    (["therapy.innovation=nan"], "therapy.innovation: must be a finite number"),
    (["staffing.call_hours=1e-300"], "staffing.call_hours: must be ≥ 0.05 and ≤ 8"),
    (["therapy.imitation=inf"], "therapy.imitation: must be a finite number"),
    (["therapy.initial_stages=[0.5,0.5]"], "therapy.initial_stages: must be 5 shares"),
    (["therapy.global_mixing=0.9"], "therapy.within_account: within_account + linked"),
    (["+therapy.gates.no_such_job=0.5"], "therapy.gates.no_such_job: not a job type"),
    (["market.cross_functional_base=1.5"], "market.cross_functional_base: must be ≥ 0 and ≤ 1"),
    (["market.integrated.share=0.9"], "market.<type>.share: account type shares must sum to 1"),
    (["staffing.reps=0", "staffing.msls=0", "staffing.access=0"],
     "staffing.reps: there must be at least one frontline person"),
    (["staffing.products=0"], "staffing.products: must be ≥ 1"),
    (["org=traditional", "org.span_of_control=0"], "org.span_of_control: must be ≥ 2"),
    (["org.span_of_control=5"], "org.span_of_control: not a setting of the chosen design"),
    (["staffing.interaction.governance=1.5"],
     "staffing.interaction.governance: must be ≥ 0 and ≤ 1"),
    (["org.governance=0.5"], "org.governance: unknown setting"),
    (["compare=cheapest"], "compare: must be one of equal_budget, equal_headcount, as_configured"),
    (["org=flat"], f"org: unknown option 'flat'; allowed: {DESIGN_NAMES}"),
    (["org.design=matrix"], "org.design: choose the design with org=NAME"),
    (["scenario=moon_landing"], "scenario: unknown option 'moon_landing'; allowed:"),
    (["baseline=flat"], "baseline: unknown design 'flat'"),
    (["org=pilot_rollout", "org.pilot_accounts=100"], "org.pilot_accounts: must be ≤ market"),
    (["market.accounts==3"], "cannot read the override"),
    # more types, ranges and nested settings
    (["market.accounts=[1]"], "market.accounts: must be a whole number"),
    (["staffing.reps=nan"], "staffing.reps: must be a whole number"),
    (["run.horizon_weeks=1e9"], "run.horizon_weeks: must be a whole number"),
    (["market.regions=0"], "market.regions: must be ≥ 1"),
    (["run.workers=-1"], "run.workers: must be ≥ 0"),
    (["therapy.consensus=0"], "therapy.consensus: must be > 0"),
    (["staffing.admin_share=1"], "staffing.admin_share: must be ≥ 0 and < 1"),
    (["staffing.hours_per_week=1e300"], "staffing.hours_per_week: must be > 0 and ≤ 100"),
    (["market.integrated.stakeholders=10000"], "market.integrated.stakeholders: must be ≥ 1"),
    (["market.jobs.care_pathway.patience_weeks=0"],
     "market.jobs.care_pathway.patience_weeks: must be > 0"),
    (["market.jobs.care_pathway.effort.magic=3"],
     "market.jobs.care_pathway.effort.magic: unknown setting"),
    (["org.team_authority=-inf"], "org.team_authority: must be a finite number"),
    (["org=pilot_rollout", "org.after.learning_weeks=nan"],
     "org.after.learning_weeks: must be a finite number"),
    (["org=pilot_rollout", "org.before.span_of_control=1"],
     "org.before.span_of_control: must be ≥ 2"),
    (["staffing.interaction.central.loss=1"],
     "staffing.interaction.central.loss: must be ≥ 0 and < 1"),
    # contradictory settings
    (["org=traditional", "org.level_authority=[]"],
     "org.level_authority: needs at least one level"),
    (["therapy.capacity_job=nope"], "therapy.capacity_job: not a job type; allowed:"),
    (["org=matrix", "run.step_weeks=0.5", "staffing.interaction.same_team.latency_weeks=0.75"],
     "staffing.interaction.same_team.latency_weeks: 0.75 weeks is not a whole number of steps"),
    (["market=organized_typo"],
     "market: unknown option 'organized_typo'; allowed: file, fragmented"),
    # a scenario file with a misspelt setting (scenarios are found on Hydra's search path)
    ([f"hydra.searchpath=[file://{BAD_SCENARIOS}]", "scenario=unknown_key"],
     "market.acounts: unknown setting; did you mean 'accounts'?"),
    # absurd sizes are refused up front with the memory they would need
    (["market.accounts=20000", "market.job_rate=100", "run.horizon_weeks=2600"],
     "market.job_rate: got 100: 20000 accounts, 1.8e+10 customer jobs per run"),
    (["market.accounts=20000", "run.replications=100000"],
     "run.replications: got 100000: 20000 accounts"),
    # broken scenario files, nulls, a list for text, a _target_ key
    ([f"hydra.searchpath=[file://{BAD_SCENARIOS}]", "scenario=not_yaml"],
     f"scenario: {BAD_SCENARIOS}/scenario/not_yaml.yaml: not valid YAML (expected ',' or ']', "
     "but got ':' at line 4)"),
    ([f"hydra.searchpath=[file://{BAD_SCENARIOS}]", "scenario=a_list"],
     f"scenario a_list: {BAD_SCENARIOS}/scenario/a_list.yaml must be a mapping of settings"),
    ([f"hydra.searchpath=[file://{BAD_SCENARIOS}]", "scenario=empty"],
     "scenario empty: the file is empty"),
    (["market.accounts=null"], "market.accounts: needs a value, not null (≥ 1 and ≤ 20000)"),
    (["org=null"], f"org: choose an option, not null; allowed: {DESIGN_NAMES}"),
    (["scenario=null"], "scenario: choose an option, not null; allowed: "),
    (["therapy.name=[1,2]"], "therapy.name: must be text, got [1, 2]"),
    (["+_target_=os.system"], "_target_"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_configuration_gets_one_line_exit_2_and_no_folder(tmp_path, args, message):
    """In this process, through the command's own entry point (tests/commands.py): the same code
    path as the subprocess, without paying a Python start per case."""
    out = run_command("orgsim", args, tmp_path)
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("orgsim: error: ") and message in lines[0], lines[0]
    assert "Traceback" not in out.stderr + out.stdout
    assert not (tmp_path / "outputs").exists()


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [BAD[0], BAD[3], (["market.accounts=[1"], "")],
                         ids=["wrong type", "unknown key", "unparsable override"])
def test_a_rejected_command_exits_2_with_one_line_and_no_traceback(tmp_path, args, message):
    """The subprocess smoke test of the same promise: exit status, one line, no traceback."""
    out = orgsim(args, tmp_path, timeout=120)
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("orgsim: error: ") and message in lines[0]
    assert "Traceback" not in out.stderr + out.stdout
    assert not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("name", sorted(catalog()))
def test_every_scenario_loads_validates_and_runs(name):
    scenario = catalog()[name]
    assert scenario.question.endswith("?") and scenario.source
    composed = equalised(compose_run([f"scenario={name}"]))
    for design in composed.designs:
        model = OrgSimModel(composed.config_for(design), seed=0)
        for _ in range(5):
            model.step()
        assert model.now == 5.0


def test_adding_a_scenario_is_adding_a_file(tmp_path, monkeypatch):
    """A file dropped into the scenario folder is a scenario (in a temporary copy of scenarios/,
    so tests running beside this one never see it)."""
    import shutil

    import sim.configuration.hydra_store as registry

    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    (folder / "zz_added_by_test.yaml").write_text(
        "# @package _global_\n# Question: Does a new file become a scenario?\n"
        "# Source: the README\nmarket:\n  accounts: 33\n  jobs:\n    site_visit:\n"
        "      effort: {operations: 4.0}\n      patience_weeks: 5.0\n")
    monkeypatch.setattr(registry, "SCENARIOS_DIR", folder)
    registry._registered = False  # re-read the scenario folder as a fresh process would
    try:
        composed = compose_run(["scenario=zz_added_by_test"])
        assert composed.config.market.accounts == 33
        assert composed.config.market.jobs["site_visit"].patience_weeks == 5.0
    finally:
        registry._registered = False  # the next compose re-reads the real scenarios/
        registry.BROKEN.clear()


def test_generated_config_files_match_the_code():
    assert stale() == [], "run `python -m sim.configuration.conf_files --write` and commit conf/"


@pytest.mark.slow  # a short run, in this process
def test_a_run_composes_its_configuration_once_the_tree_hydra_would_compose(tmp_path,
                                                                             monkeypatch):
    """orgsim composes the overrides to validate them, and Hydra's run would compose them again;
    the run is handed orgsim's tree instead (sim/cli/hydra_ways.composing_once). One composition
    in all, and its tree is what Hydra composes itself for the run: the job named "main" (its
    log main.log), ``hydra.mode=RUN`` among the overrides Hydra adds."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from sim.configuration.scenarios import CONF

    compose = getattr(ConfigLoaderImpl.load_configuration, "composes",
                      ConfigLoaderImpl.load_configuration)  # Hydra's own loader
    composed = []

    def counting(self, *args, **kwargs):
        cfg = compose(self, *args, **kwargs)
        composed.append(OmegaConf.to_yaml(cfg))
        return cfg

    monkeypatch.setattr(ConfigLoaderImpl, "load_configuration", counting)
    out = run_command("orgsim", [*QUICK, SERIAL], tmp_path)
    assert out.returncode == 0, out.stderr
    assert len(composed) == 1
    assert (tmp_path / results_folder(out.stdout) / "main.log").is_file()
    monkeypatch.chdir(tmp_path)  # where the run was: Hydra records its working folder
    GlobalHydra.instance().clear()
    try:  # Hydra itself, as for a run of sim/cli/main.py
        hydra = Hydra.create_main_hydra2("main", create_config_search_path(str(CONF)))
        own = hydra.compose_config("config", [*QUICK, SERIAL, "hydra.mode=RUN"], RunMode.RUN)
    finally:
        GlobalHydra.instance().clear()
    assert OmegaConf.to_yaml(own) == composed[0]


def test_hydras_extra_composition_is_skipped_only_where_it_would_answer_unset():
    """Hydra composes everything once more before a run just to read ``hydra.mode``; orgsim
    answers "unset" itself unless an override sets the mode — which must be what composing
    answers for the default configuration (conf/ leaves the mode unset)."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    from sim.cli.hydra_ways import mode_without_composing
    from sim.configuration.composition import load_chosen_scenarios
    from sim.configuration.hydra_store import register
    from sim.configuration.scenarios import CONF

    composing = getattr(Hydra.get_mode, "composes", Hydra.get_mode)
    register()
    load_chosen_scenarios([])  # as orgsim has, composing first
    GlobalHydra.instance().clear()
    try:
        hydra = Hydra.create_main_hydra2("main", create_config_search_path(str(CONF)))
        mode_without_composing()
        mode_without_composing()  # twice in one process (tests call main() again and again)
        assert composing(hydra, "config", ["run.seed=3"]) is None  # what Hydra would answer
        assert hydra.get_mode("config", ["run.seed=3"]) is None
        assert hydra.get_mode("config", ["hydra.mode=MULTIRUN"]) == RunMode.MULTIRUN
        assert hydra.get_mode("config", ["+hydra.mode=RUN"]) == composing(
            hydra, "config", ["+hydra.mode=RUN"])
    finally:
        Hydra.get_mode = composing
        GlobalHydra.instance().clear()

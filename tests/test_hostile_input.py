"""Hostile and careless input (issue 14, docs/THREAT_MODEL.md): a scenario file, an override, a
results folder or a calibration CSV from someone else runs no code, reads no environment
variable, writes nowhere but its own new folder and never changes an earlier result. Each probe
gets exit status 2 and one line; a canary file and a canary environment variable show that
nothing happened.

The commands run in this process through their own entry points (tests/commands.py), the canary
variable set for them; one probe (Hydra callbacks in a shared scenario file) is a subprocess, the
smoke test of exit status 2 and no traceback."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from commands import run_command, run_process

from sim.configuration import hydra_store
from sim.configuration.composition import InputError, compose_run
from sim.experiments.observed import CurveError, read_observed
from sim.experiments.store import ResultsStore

SECRET = "orgsim-canary-secret-7f3a"  # the value of the canary environment variable
TINY = ["scenario=workshop", "run.replications=1", "run.horizon_weeks=4"]


def run(tool: str, args: list[str], cwd: Path):
    """``tool args…`` in this process (tests/commands.py), with the canary variable set."""
    return run_command(tool, args, cwd, env={"ORGSIM_CANARY": SECRET})


@pytest.fixture
def rejected():
    """``rejected(args, cwd, tool)``: a probe the command (orgsim, orgsim-analyze or
    orgsim-report) refuses, run as :func:`run` runs it. The subprocess smoke tests of the same
    promise: test_hydra_callbacks_in_a_shared_scenario_file_do_not_run here, tests/test_sweeps.py's
    missing folder (orgsim-analyze) and tests/test_report.py's bad folder (orgsim-report)."""
    return lambda args, cwd, tool="orgsim": run(tool, args, cwd)


def one_line(out, tool: str = "orgsim") -> str:
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr[-3000:]
    assert lines[0].startswith(f"{tool}: error: "), lines[0]
    assert "Traceback" not in out.stdout + out.stderr
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links not followed) with the hash of its content."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def canary(tmp_path):
    """A file that a hostile input would try to overwrite, and a payload to overwrite it with."""
    (tmp_path / "payload").write_text("pwned\n")
    (tmp_path / "canary").write_text("untouched\n")
    return tmp_path / "canary"


def _scenario_folder(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / "shared" / "scenario").mkdir(parents=True, exist_ok=True)
    (tmp_path / "shared" / "scenario" / f"{name}.yaml").write_text(text)
    return f"hydra.searchpath=[file://{tmp_path / 'shared'}]"


# ------------------------------------------------------------------ 1. code from a scenario file
def test_hydra_callbacks_in_a_shared_scenario_file_do_not_run(tmp_path, canary):
    search = _scenario_folder(tmp_path, "evil", (
        "# @package _global_\nhydra:\n  callbacks:\n    c:\n      _target_: shutil.copyfile\n"
        f"      _args_: [{tmp_path / 'payload'}, {canary}]\n"))
    out = run_process("orgsim", [search, "scenario=evil", *TINY], tmp_path,  # the smoke test
                      env={"ORGSIM_CANARY": SECRET})
    assert out.returncode == 2
    line = one_line(out)
    assert "scenario evil" in line and "hydra.callbacks" in line and "may not set" in line
    assert canary.read_text() == "untouched\n"
    assert not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("text, words", [
    ("# @package _global_\nhydra:\n  run:\n    dir: /tmp/elsewhere\n", "hydra.run"),
    ("# @package hydra\ncallbacks:\n  c:\n    _target_: os.system\n", "@package hydra"),
    ("# @package _global_\ndefaults:\n  - override /hydra/launcher: evil\n", "defaults entry"),
    ("# @package _global_\ntherapy:\n  name: ${oc.env:ORGSIM_CANARY}\n", "interpolations"),
    ("# @package _global_\ntherapy:\n  name: ${oc.decode:'1'}\n", "interpolations"),
])
def test_a_scenario_file_cannot_set_hydra_or_interpolate(tmp_path, text, words):
    with pytest.raises(InputError) as error:
        compose_run([_scenario_folder(tmp_path, "evil", text), "scenario=evil"])
    assert words in str(error.value) and "\n" not in str(error.value), str(error.value)


def test_a_hydra_key_in_scenarios_folder_is_refused_when_chosen(scenarios_copy):
    (scenarios_copy / "zz_evil.yaml").write_text(
        "# @package _global_\nhydra:\n  callbacks:\n    c:\n      _target_: os.system\n")
    assert compose_run(["scenario=workshop"]).scenario == "workshop"  # not chosen: not read
    with pytest.raises(InputError, match="scenario zz_evil: .* may not set Hydra's own"):
        compose_run(["scenario=zz_evil"])


@pytest.mark.parametrize("override, words", [
    ("+hydra.callbacks.c._target_=shutil.copyfile", "hydra.callbacks.c._target_: Hydra's own"),
    ("hydra.job.env_set.X=1", "hydra.job.env_set.X: Hydra's own"),
    ("hydra.job.chdir=true", "hydra.job.chdir: Hydra's own"),
    ("hydra/launcher=evil", "hydra/launcher: unknown launcher 'evil'"),
    ("hydra.launcher._target_=os.system", "hydra.launcher._target_: Hydra's own"),
    ("hydra.launcher.setup=[touch,x]", "hydra.launcher.setup: Hydra's own"),
    ("hydra/callbacks=log_job_return", "hydra/callbacks: Hydra's own"),
    ("hydra.searchpath=[pkg://sim]", "only folders (file://...)"),
])
def test_hydra_overrides_outside_the_allow_list_are_refused(override, words):
    with pytest.raises(InputError) as error:
        compose_run(["scenario=workshop", override])
    assert words in str(error.value) and "\n" not in str(error.value), str(error.value)


def test_the_documented_hydra_overrides_still_compose(tmp_path):
    for override in (f"hydra.run.dir={tmp_path / 'r'}", f"hydra.sweep.dir={tmp_path / 's'}",
                     "hydra/launcher=basic", "hydra/launcher=ray",
                     "hydra.launcher.n_jobs=2", "hydra.run.dir=out/${now:%H-%M-%S}"):
        assert compose_run(["scenario=workshop", override]).scenario == "workshop"


def test_a_search_folder_with_hydra_options_is_refused(tmp_path):
    search = _scenario_folder(tmp_path, "fine", "# @package _global_\nmarket:\n  accounts: 9\n")
    (tmp_path / "shared" / "hydra" / "launcher").mkdir(parents=True)
    (tmp_path / "shared" / "hydra" / "launcher" / "joblib.yaml").write_text(
        "_target_: os.system\n")
    with pytest.raises(InputError, match="has a hydra/ folder"):
        compose_run([search, "scenario=fine"])


@pytest.mark.parametrize("args, words", [
    (["--experimental-rerun", "x.pickle"], "--experimental-rerun: not supported"),
    (["--config-dir", "/tmp"], "--config-dir: not supported"),
    (["-cn", "evil"], "--config-name: not supported"),
    (["+hydra.callbacks.c._target_=shutil.copyfile"], "Hydra's own settings cannot be changed"),
])
def test_command_line_ways_into_hydra_get_one_line(tmp_path, canary, rejected, args, words):
    out = rejected([*args, *TINY], tmp_path)
    assert out.returncode == 2 and words in one_line(out)
    assert canary.read_text() == "untouched\n" and not (tmp_path / "outputs").exists()


def _fake_results_folder(folder: Path, overrides: list[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "provenance.json").write_text(json.dumps({"overrides": overrides}))
    (folder / "config.yaml").write_text("market: {}\n")
    return folder


def test_reproduce_takes_no_hydra_setting_from_a_results_folder(tmp_path, canary, rejected):
    sent = _fake_results_folder(tmp_path / "sent", [
        "scenario=workshop", "+hydra.callbacks.c._target_=shutil.copyfile",
        f"+hydra.callbacks.c._args_=[{tmp_path / 'payload'},{canary}]"])
    out = rejected(["--reproduce", str(sent)], tmp_path)
    assert out.returncode == 2
    assert "sets Hydra's own settings" in one_line(out)
    assert canary.read_text() == "untouched\n" and not (tmp_path / "outputs").exists()


def test_reproduce_takes_no_interpolation_from_a_results_folder(tmp_path, rejected):
    sent = _fake_results_folder(tmp_path / "sent", ["therapy.name=${oc.env:ORGSIM_CANARY}"])
    out = rejected(["--reproduce", str(sent)], tmp_path)
    assert out.returncode == 2 and "interpolations" in one_line(out)
    assert SECRET not in out.stdout + out.stderr and not (tmp_path / "outputs").exists()


@pytest.mark.slow
def test_a_csv_folder_name_with_yaml_in_it_stays_a_comment_in_calibrated_yaml(tmp_path,
                                                                              capsys):
    from sim.cli.calibrate import main as calibrate

    evil = tmp_path / "x\nhydra:\n  callbacks:\n    c:\n      _target_: os.system"
    evil.mkdir()
    csv = evil / "obs\n_target_: os.system.csv"
    example = Path(__file__).parents[1] / "examples" / "observed_adoption.csv"
    csv.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "cal"
    # the smallest fit that moves (one seed, one step), so that calibrated.yaml is written: its
    # header, not the fit, is the subject
    calibrate([str(csv), "--period", "4weeks", "--seeds", "1", "--max-evals", "2",
               "--out", str(out), "--quiet", "--no-png"])
    text = (out / "calibrated.yaml").read_text()
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert len(comments) == 3 and all("\n" not in c for c in comments)
    from sim.configuration.safety import check_data, parse_yaml

    data = parse_yaml(text, "calibrated.yaml")
    assert "hydra" not in data and "_target_" not in data
    check_data(data, "calibrated.yaml", text)  # usable as a scenario file


# ---------------------------------------------------------------------- 2. secrets from the env
def test_an_environment_interpolation_is_refused_and_the_secret_is_written_nowhere(tmp_path,
                                                                                  rejected):
    out = rejected(["therapy.name=${oc.env:ORGSIM_CANARY}", *TINY], tmp_path)
    assert out.returncode == 2
    assert "therapy.name: interpolations (${...}) are not allowed" in one_line(out)
    assert SECRET not in out.stdout + out.stderr
    assert not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("value", ["${oc.env:ORGSIM_CANARY}", "${oc.decode:'1'}", "${foo:bar}",
                                   "${therapy.name}", "${oc.env:ORGSIM_NO_SUCH_VARIABLE}",
                                   "'${oc.env:ORGSIM_CANARY}'", "x${market.accounts}"])
def test_every_interpolation_in_an_override_is_one_line(value):
    with pytest.raises(InputError) as error:
        compose_run(["scenario=workshop", f"therapy.name={value}"])
    line = str(error.value)
    assert line.startswith("therapy.name: interpolations") and "\n" not in line
    assert SECRET not in line


# ------------------------------------------------------------- 3. finished results are kept
@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """One finished run, written with hydra.run.dir to a new folder (staged beside it); its two
    runs one after another (run.workers=1: no worker pool, which only the folder's writing
    would not need)."""
    cwd = tmp_path_factory.mktemp("finished")
    out = run("orgsim", [*TINY, "run.workers=1", f"hydra.run.dir={cwd / 'result'}"], cwd)
    assert out.returncode == 0, out.stderr[-3000:]
    return cwd, cwd / "result", out


@pytest.mark.slow  # end-to-end runs or sweeps
def test_a_run_into_a_new_folder_is_complete_and_names_no_staging_path(finished):
    cwd, folder, out = finished
    assert f"Results: {folder}" in out.stdout
    assert (folder / "provenance.json").is_file() and (folder / "tables/summary.parquet").is_file()
    assert not any((cwd / ".staging").iterdir())  # staged beside it, then renamed
    html = (folder / "report.html").read_text()
    assert ".staging" not in html and str(folder) in html


@pytest.mark.slow  # a whole run behind its fixture; the probes run in this process
@pytest.mark.parametrize("kind", ["result", "file", "link", "dangling link"])
def test_a_run_never_writes_into_an_existing_path(finished, tmp_path, rejected, kind):
    _, result, _ = finished
    before = snapshot(result)
    target = tmp_path / "target"
    if kind == "result":
        target = result
    elif kind == "file":
        target.write_text("someone's notes\n")
    elif kind == "link":
        target.symlink_to(result)
    else:
        target.symlink_to(tmp_path / "nowhere")
    out = rejected([*TINY, f"hydra.run.dir={target}"], tmp_path)
    assert out.returncode == 2
    line = one_line(out)
    assert f"hydra.run.dir: {target} exists" in line and "choose a new folder" in line
    assert snapshot(result) == before
    assert kind != "file" or target.read_text() == "someone's notes\n"
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.slow  # a whole run behind its fixture; the probes run in this process
def test_a_sweep_does_not_write_into_a_single_run_result(finished, tmp_path, rejected):
    _, result, _ = finished
    before = snapshot(result)
    out = rejected(["-m", *TINY, f"hydra.sweep.dir={result}"], tmp_path)
    assert out.returncode == 2 and "holds other files and no sweep" in one_line(out)
    assert snapshot(result) == before
    link = tmp_path / "link"
    link.symlink_to(result)
    out = rejected(["-m", *TINY, f"hydra.sweep.dir={link}"], tmp_path)
    assert out.returncode == 2 and "is a link" in one_line(out)
    assert snapshot(result) == before


# ----------------------------------------------------- 4. one bad file in scenarios/
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True))
BAD_FILES = {
    "zz_alias_bomb": (ALIAS_BOMB, "values once its aliases (*name) are expanded"),
    "zz_deep": ("# @package _global_\nmarket: " + "[" * 200 + "]" * 200 + "\n",
                "nested more than 20 levels deep"),
    "zz_huge": ("# @package _global_\nmarket:\n  accounts: 20\n" + "# padding\n" * 250_000,
                "allowed: at most 1 MiB"),
    "zz_duplicate": ("# @package _global_\nmarket:\n  accounts: 20\n  accounts: 30\n",
                     "duplicate key 'accounts' at line 4; each setting may appear once"),
}


def test_bad_files_in_scenarios_break_nothing_and_are_named_when_chosen(scenarios_copy):
    assert len(ALIAS_BOMB) < 400
    for name, (text, _) in BAD_FILES.items():
        (scenarios_copy / f"{name}.yaml").write_text(text)
    assert compose_run(["scenario=workshop"]).config.market.accounts == 20
    compose_run([])
    assert hydra_store.BROKEN == {}  # not chosen, not read
    for name, (_, words) in BAD_FILES.items():
        with pytest.raises(InputError) as error:
            compose_run([f"scenario={name}"])
        line = str(error.value)
        assert line.startswith(f"scenario {name}: ") and words in line and "\n" not in line, line


def test_help_lists_scenarios_without_reading_them(scenarios_copy, monkeypatch, capsys):
    from sim.cli import main as cli

    for name, (text, _) in BAD_FILES.items():
        (scenarios_copy / f"{name}.yaml").write_text(text)
    monkeypatch.setattr(sys, "argv", ["orgsim", "--help"])
    cli.main()  # returns: exit status 0
    out = capsys.readouterr()
    assert "zz_deep" in out.out and "Traceback" not in out.err and hydra_store.BROKEN == {}


# --------------------------------------------------------------- 5.–7. the sweep store
SWEEP = ["org=traditional", "baseline=null", "scenario=workshop", "run.replications=3",
         "run.horizon_weeks=4", "hydra/launcher=basic"]


def test_a_second_sweep_on_a_busy_folder_gets_one_line_and_changes_nothing(tmp_path):
    folder = tmp_path / "s"
    store = ResultsStore(folder / "store")
    (folder / "store" / "summary").mkdir(parents=True)
    (folder / "store" / "summary" / ".x.parquet.tmp").write_text("being written\n")
    with store.lock():  # the first sweep, still running
        before = snapshot(folder)
        out = run("orgsim", ["-m", *SWEEP, f"hydra.sweep.dir={folder}"], tmp_path)
        assert snapshot(folder) == before  # its temporary files are left alone
    assert out.returncode == 2
    assert f"{folder} is busy: another orgsim sweep is writing it" in one_line(out)


@pytest.mark.slow  # end-to-end runs or sweeps
def test_a_damaged_store_is_named_in_one_line_then_resume_redoes_what_is_not_complete(
        tmp_path, rejected):
    # 7. a quoted folder with a space and a non-ASCII letter is the folder the jobs write to
    folder = tmp_path / "sw eep" / "ü"
    out = run("orgsim", ["-m", *SWEEP, "hydra.sweep.dir='sw eep/ü'"], tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "3 of 3 runs stored (3 new, 0 from before), 0 failed." in out.stdout
    assert (folder / "report.html").is_file() and (folder / "analysis/analysis.csv").is_file()
    assert not (tmp_path / "'sw eep").exists()
    report = (folder / "report.html").read_text()
    store = folder / "store"
    summaries = sorted((store / "summary").glob("*.parquet"))
    truncated, orphaned = summaries[0], summaries[1].stem
    truncated.write_bytes(truncated.read_bytes()[:100])
    (store / "runs" / f"{orphaned}.json").unlink()  # as if killed before its manifest
    # 8. orgsim-analyze and orgsim-report: one line naming the damaged file
    out = rejected([str(folder), "--out", str(tmp_path / "a")], tmp_path, "orgsim-analyze")
    assert out.returncode == 2 and truncated.name in one_line(out, "orgsim-analyze")
    out = rejected([str(folder), "--out", str(tmp_path / "r.html")], tmp_path, "orgsim-report")
    assert out.returncode == 2 and truncated.name in one_line(out, "orgsim-report")
    # 6. resume checks what it counts as stored and does the rest again
    out = run("orgsim", ["-m", *SWEEP, "hydra.sweep.dir='sw eep/ü'"], tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "2 stored run(s) were incomplete or unreadable and will be done again" in out.stderr
    assert "3 of 3 runs stored (2 new, 1 from before), 0 failed." in out.stdout
    runs = ResultsStore(store)
    assert all(runs.is_done(m["run_id"]) for m in runs.manifests())
    assert (folder / "report.html").read_text() and report
    # the README's DuckDB query reads the three complete runs, once each
    n = duckdb.sql(f"select count(*), count(distinct run_id) from read_parquet("
                   f"'{store}/summary/*.parquet')").fetchall()
    assert n == [(3, 3)]


def test_the_documented_query_never_reads_a_run_without_its_summary(tmp_path):
    """A run killed mid-write has some tables and no summary (written last): joining on the
    summary's run ids, as the README does, leaves it out."""
    from sim.experiments.store import WRITE_ORDER

    assert WRITE_ORDER[-1] == "summary"
    store = tmp_path / "store"
    for table, rid in (("series", "complete"), ("summary", "complete"), ("series", "killed")):
        (store / table).mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"run_id": [rid], "x": [1]}).to_parquet(store / table / f"{rid}.parquet")
    rows = duckdb.sql(f"select distinct run_id from read_parquet('{store}/series/*.parquet') "
                      f"where run_id in (select run_id from read_parquet("
                      f"'{store}/summary/*.parquet'))").fetchall()
    assert rows == [("complete",)]


@pytest.mark.slow  # end-to-end runs or sweeps
def test_a_corrupt_run_manifest_is_named_in_one_line(tmp_path, rejected):
    out = run("orgsim", ["-m", *SWEEP[:-2], "run.replications=1", "run.horizon_weeks=4",
                         "hydra/launcher=basic", f"hydra.sweep.dir={tmp_path / 's'}"], tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    manifest = next((tmp_path / "s" / "store" / "runs").glob("*.json"))
    manifest.write_text("{not json")
    out = rejected([str(tmp_path / "s"), "--out", str(tmp_path / "r.html")], tmp_path,
                   "orgsim-report")
    assert out.returncode == 2 and manifest.name in one_line(out, "orgsim-report")


# --------------------------------------------------------------------- 8. one line, not a trace
@pytest.mark.parametrize("text, words", [
    ("period,cumulative,population\n0,0,1e308\n1,5,1e308\n",
     "column 'population', data row 1: 1e+308; allowed: numbers > 0 and ≤ 1e+09"),
    ("period,cumulative,period\n0,0,3\n1,5,4\n",
     "column 'period': appears more than once"),
])
def test_calibration_csv_problems_are_one_line(tmp_path, text, words):
    (tmp_path / "obs.csv").write_text(text)
    with pytest.raises(CurveError) as error:
        read_observed(tmp_path / "obs.csv")
    assert words in str(error.value) and "\n" not in str(error.value), str(error.value)


def test_a_sweep_validates_each_distinct_configuration_once(monkeypatch):
    from sim.cli import multirun as cli
    from sim.configuration import composition as compose

    calls = []
    real = compose.compose_run
    monkeypatch.setattr(compose, "compose_run",
                        lambda o, **kw: calls.append(o) or real(o, **kw))
    jobs = cli.expand(["scenario=workshop", "run.seed=range(0,500)",
                       "org=traditional,micro_enterprise"])
    assert len(jobs) == 1000
    total = cli.run_count(cli.validate_jobs(jobs, ["baseline=null"]))
    assert len(calls) == 2 and total == 1000 * 10  # workshop: 10 replications per job
    with pytest.raises(InputError, match="run.seed: must be ≥ 0"):
        cli.validate_jobs(cli.expand(["scenario=workshop", "run.seed=1,-1"]), [])


def test_reproduce_reads_the_folders_config_within_the_yaml_limits(tmp_path, rejected):
    sent = _fake_results_folder(tmp_path / "sent", ["scenario=workshop"])
    (sent / "config.yaml").write_text(ALIAS_BOMB)
    out = rejected(["--reproduce", str(sent)], tmp_path)
    assert out.returncode == 2
    assert "config.yaml: more than 100000 values once its aliases" in one_line(out)
    assert not (tmp_path / "outputs").exists()

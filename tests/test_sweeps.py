"""Sweeps: the multirun command, the results store, resuming, failures, launchers, analysis,
and the design search.

Sweeps run one job after another (hydra/launcher=basic) and searches run in this process through
the commands' own entry points (tests/commands.py); subprocesses remain where the process is
the subject: a sweep on the default (joblib) launcher with its worker pool, a sweep killed part
way, the other launchers, and the smoke tests of exit status 2 (orgsim -m, orgsim-analyze)."""

from __future__ import annotations

import glob
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from commands import BIN, run_command, run_process
from scipy import stats

from sim.cli.analyze import main as analyze_main
from sim.cli.multirun import every_run_stored, expand, validate_jobs
from sim.configuration.design_registry import names
from sim.experiments.analysis import outcome_range, paired_comparison
from sim.experiments.store import TABLES, ResultsStore

pytestmark = pytest.mark.slow  # multi-run or multi-seed: not in the fast tier (make check)

SMALL = ["org=traditional,micro_enterprise", "run.horizon_weeks=26"]


def orgsim(args, cwd, env=None):
    """``orgsim -m args…`` as a subprocess (its own worker pool or launcher)."""
    return run_process("orgsim", ["-m", *args], cwd, env)


def sweep(args, cwd, env=None):
    """``orgsim -m args…`` in this process (tests/commands.py)."""
    return run_command("orgsim", ["-m", *args], cwd, env)


def store_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table of a sweep's store, rows sorted so two stores can be compared."""
    out = {}
    for table in TABLES:
        files = sorted(glob.glob(str(folder / "store" / table / "*.parquet")))
        frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        out[table] = frame.sort_values(list(frame.columns[:5])).reset_index(drop=True)
    return out


def manifests(folder: Path) -> dict[str, dict]:
    return {m["run_id"]: m for m in ResultsStore(folder / "store").manifests()}


def test_sweep_stores_every_run_pairs_designs_and_analyses_and_the_same_command_redoes_nothing(
        tmp_path):
    args = [*SMALL, "run.replications=3"]
    out = orgsim(args, tmp_path)  # into the folder the command names (no hydra.sweep.dir)
    assert out.returncode == 0, out.stderr
    assert "6 of 6 runs stored (6 new, 0 from before), 0 failed." in out.stdout
    folder = tmp_path / re.search(r"^Results: (.+)$", out.stdout, re.M).group(1)
    runs = manifests(folder)
    assert len(runs) == 6 and {m["status"] for m in runs.values()} == {"ok"}
    for table in TABLES:
        assert len(list((folder / "store" / table).glob("*.parquet"))) == 6
    # paired seeds: both designs saw the same market (same accounts, same original jobs)
    tables = store_tables(folder)
    for seed in range(3):
        acc = tables["accounts"][tables["accounts"].seed == seed]
        by = {d: g.drop(columns=["run_id", "design", "setting"]).reset_index(drop=True)
              [["account", "kind", "patients", "organisation", "stakeholders", "links"]]
              for d, g in acc.groupby("design")}
        pd.testing.assert_frame_equal(by["traditional"], by["micro_enterprise"])
        jobs = tables["jobs"][(tables["jobs"].seed == seed) & (tables["jobs"].generation == 0)]
        arrivals = {d: g.sort_values("job_id")[["job_id", "arrival", "job_type"]]
                    .reset_index(drop=True) for d, g in jobs.groupby("design")}
        pd.testing.assert_frame_equal(arrivals["traditional"], arrivals["micro_enterprise"])
    analysis = pd.read_csv(folder / "analysis" / "analysis.csv")
    assert {"micro_enterprise − traditional"} <= set(analysis.design)
    # the same command again (the order of overrides does not matter) finds the same folder
    # and redoes nothing
    again = sweep(list(reversed(args)), tmp_path)  # launches nothing: in this process
    folders = [re.search(r"^Results: (.+)$", o.stdout, re.M).group(1) for o in (out, again)]
    assert folders[0] == folders[1] and folders[0].startswith("outputs/sweeps/oncology_launch-")
    assert "6 of 6 runs stored (0 new, 6 from before)" in again.stdout
    assert "all stored already: nothing to run" in again.stdout  # no launcher, no worker
    # a run counts as stored by its own run id, not by how many runs the store holds
    store, extra = ResultsStore(folder / "store"), ["baseline=null", "run.workers=1"]

    def stored(overrides):
        return every_run_stored(validate_jobs(expand(overrides), extra), store)

    assert stored(args)
    assert not stored([*SMALL, "run.replications=3", "run.horizon_weeks=20"])
    assert not stored([*SMALL, "run.replications=4"])


def test_kill_and_resume_gives_the_same_store_as_an_uninterrupted_sweep(tmp_path):
    args = [*SMALL, "run.replications=6", "run.horizon_weeks=52", "hydra/launcher=basic"]
    killed = tmp_path / "killed"
    proc = subprocess.Popen([str(BIN / "orgsim"), "-m", *args, f"hydra.sweep.dir={killed}"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    runs = killed / "store" / "runs"
    deadline = time.time() + 300
    while time.time() < deadline and len(list(runs.glob("*.json"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(list(runs.glob("*.json")))
    assert 3 <= partial < 12, partial  # really interrupted part-way
    resumed = sweep([*args, f"hydra.sweep.dir={killed}"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({12 - partial} new, {partial} from before)" in resumed.stdout
    reference = sweep([*args, f"hydra.sweep.dir={tmp_path / 'reference'}"], tmp_path)
    assert reference.returncode == 0
    assert set(manifests(killed)) == set(manifests(tmp_path / "reference"))
    a, b = store_tables(killed), store_tables(tmp_path / "reference")
    for table in TABLES:  # no duplicates, no holes, identical content
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=True)
    assert not list(killed.glob("store/*/.*.tmp"))


def test_failing_run_is_recorded_the_rest_complete_and_rerun_retries_only_it(tmp_path):
    # one job after another: a run that raises is recorded by the job itself, whichever launcher
    # runs it (a joblib worker that dies: tests/test_faults.py); the pool's start is not needed
    args = [*SMALL, "run.replications=3", "hydra/launcher=basic",
            f"hydra.sweep.dir={tmp_path / 's'}"]
    out = sweep(args, tmp_path, env={"ORGSIM_INJECT_FAILURE": "micro_enterprise:1"})
    assert out.returncode == 1
    assert "5 of 6 runs stored (5 new, 0 from before), 1 failed." in out.stdout
    failed = [m for m in manifests(tmp_path / "s").values() if m["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["design"] == "micro_enterprise"
    assert failed[0]["seed"] == 1 and "injected failure" in failed[0]["error"]
    assert failed[0]["config"]["org"]["design"] == "micro_enterprise" and failed[0]["traceback"]
    again = sweep(args, tmp_path)
    assert again.returncode == 0
    assert "6 of 6 runs stored (1 new, 5 from before), 0 failed." in again.stdout


LAUNCHED = [*SMALL, "run.replications=2"]


@pytest.fixture(scope="module")
def serial_sweep(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The reference for every launcher: the same sweep run one job after another, once."""
    folder = tmp_path_factory.mktemp("serial")
    out = sweep([*LAUNCHED, "hydra/launcher=basic", f"hydra.sweep.dir={folder / 's'}"], folder)
    assert out.returncode == 0, out.stderr[-2000:]
    return store_tables(folder / "s")


@pytest.mark.parametrize("launcher", ["joblib", "ray", "submitit_local"])
def test_launchers_give_identical_runs_to_a_serial_sweep(tmp_path, launcher, serial_sweep):
    args = LAUNCHED
    other = orgsim([*args, f"hydra/launcher={launcher}", f"hydra.sweep.dir={tmp_path / 'x'}"],
                   tmp_path)
    if launcher == "ray" and "timed out during startup" in other.stderr:
        # Ray gives its own processes a fixed 30 s to start (ray/_private/node.py), which a
        # loaded two-core machine can exceed; that is Ray's start-up, not the sweep: try again.
        other = orgsim([*args, f"hydra/launcher={launcher}",
                        f"hydra.sweep.dir={tmp_path / 'x'}"], tmp_path)
    assert other.returncode == 0, other.stderr[-2000:]
    if launcher == "ray":  # a local instance, started without its web dashboard
        assert "include_dashboard: false" in (tmp_path / "x" / "multirun.yaml").read_text()
    a, b = serial_sweep, store_tables(tmp_path / "x")
    for table in ("summary", "series", "jobs"):
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=True)


def test_a_ray_sweep_joins_a_running_cluster_at_its_address_and_gives_the_same_runs(
        tmp_path, serial_sweep):
    """README, Sweeps: ``hydra.launcher.ray.init.address`` joins a running cluster. Hydra's Ray
    launcher asks for an object store of its own, which Ray refuses when it joins one (it used
    to end the sweep with Ray's traceback); orgsim leaves the store to the cluster."""
    from sim.experiments import ray_cluster

    ray_cluster.connect(ray_cluster.parse("local:2"))  # a cluster of this process, to join
    try:
        import ray

        address = ray.get_runtime_context().gcs_address
        other = orgsim([*LAUNCHED, "hydra/launcher=ray", f"hydra.launcher.ray.init.address="
                        f"{address}", f"hydra.sweep.dir={tmp_path / 'x'}"], tmp_path)
    finally:
        ray_cluster.shutdown()
    assert other.returncode == 0, other.stderr[-2000:]
    assert "object_store_memory: null" in (tmp_path / "x" / "multirun.yaml").read_text()
    a, b = serial_sweep, store_tables(tmp_path / "x")
    for table in ("summary", "series", "jobs"):
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=True)


@pytest.mark.parametrize("address, says", [
    ("127.0.0.1:1", "cannot reach a Ray cluster at 127.0.0.1:1: "),
    ("head-node", "expected auto, <host>:<port> or ray://<host>:<port>, got 'head-node'")])
def test_a_ray_cluster_to_join_that_is_not_there_is_one_line_exit_2_and_no_folder(
        tmp_path, address, says):
    out = sweep([*SMALL, "hydra/launcher=ray", f"hydra.launcher.ray.init.address={address}"],
                tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip().startswith(
        f"orgsim: error: hydra.launcher.ray.init.address: {says}")
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "outputs").exists()


def test_bad_sweep_input_is_one_line_exit_2_and_no_folder(tmp_path):
    out = orgsim(["org=traditional,flat", "run.replications=2"], tmp_path)  # the smoke test
    assert out.returncode == 2
    assert out.stderr.strip() == ("orgsim: error: org: unknown option 'flat'; allowed: "
                                  + ", ".join(names()))
    assert not (tmp_path / "outputs").exists()
    out = sweep(["org=traditional,micro_enterprise", "staffing.primary_contact_span=2,0"],
                tmp_path)
    assert out.returncode == 2 and "staffing.primary_contact_span: must be ≥ 1" in out.stderr


def _synthetic_store(root: Path) -> pd.DataFrame:
    """A tiny store written by hand: two designs, four seeds, two settings."""
    rng = np.random.default_rng(7)
    rows = []
    for setting in ("staffing.primary_contact_span=2", "staffing.primary_contact_span=4"):
        for seed in range(4):
            for design in ("traditional", "micro_enterprise"):
                rows.append({"run_id": f"{setting}-{design}-{seed}", "design": design,
                             "seed": seed, "scenario": "oncology_launch", "setting": setting,
                             "resolved_share": rng.random(),
                             "cost_per_resolved_job": 40 + 10 * rng.random(),
                             "week_50pct_adoption": np.nan if seed == 0 else
                             80 + seed + 5 * rng.random()})
    frame = pd.DataFrame(rows)
    (root / "store" / "summary").mkdir(parents=True)
    for _, row in frame.iterrows():
        pd.DataFrame([row]).to_parquet(root / "store" / "summary" / f"{row.run_id}.parquet")
    return frame


def test_analysis_matches_a_hand_computation(tmp_path):
    frame = _synthetic_store(tmp_path / "sweep")
    analyze_main([str(tmp_path / "sweep"), "--out", str(tmp_path / "a")])
    result = pd.read_csv(tmp_path / "a" / "analysis.csv")
    for setting, group in frame.groupby("setting"):
        for outcome in ("resolved_share", "cost_per_resolved_job", "week_50pct_adoption"):
            wide = group.pivot(index="seed", columns="design", values=outcome)
            me = wide.micro_enterprise.dropna().to_numpy()
            row = result[(result.setting == setting) & (result.outcome == outcome)
                         & (result.design == "micro_enterprise")].iloc[0]
            half = stats.t.ppf(0.975, len(me) - 1) * me.std(ddof=1) / np.sqrt(len(me))
            assert row["mean"] == pytest.approx(me.mean())
            floor = outcome_range(outcome)[0]  # intervals are clipped to what is possible
            assert row.low == pytest.approx(max(me.mean() - half, floor)) and row.n == len(me)
            diff = (wide.micro_enterprise - wide.traditional).dropna().to_numpy()
            d = result[(result.setting == setting) & (result.outcome == outcome)
                       & (result.kind == "difference")].iloc[0]
            assert d["mean"] == pytest.approx(diff.mean()) and d.n == len(diff)
            assert d.effect_size == pytest.approx(diff.mean() / diff.std(ddof=1))
            assert d.p_value == pytest.approx(stats.ttest_rel(
                wide.micro_enterprise.dropna(), wide.traditional.dropna()).pvalue)


def test_analysis_reads_several_folders_and_single_runs(tmp_path):
    frame = _synthetic_store(tmp_path / "one")
    other = frame.assign(scenario="rare_disease", run_id=frame.run_id + "-b")
    (tmp_path / "two" / "store" / "summary").mkdir(parents=True)
    other.to_parquet(tmp_path / "two" / "store" / "summary" / "all.parquet")
    analyze_main([str(tmp_path / "one"), str(tmp_path / "two"), "--out", str(tmp_path / "a")])
    result = pd.read_csv(tmp_path / "a" / "analysis.csv")
    assert set(result.scenario) == {"oncology_launch", "rare_disease"}
    direct = paired_comparison(frame, "traditional")
    assert len(result[result.scenario == "oncology_launch"]) == len(direct)


def test_analyze_reports_a_missing_folder_in_one_line(tmp_path):
    out = run_process("orgsim-analyze", [tmp_path / "nope"], tmp_path)  # the smoke test
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert out.stderr.startswith("orgsim-analyze: error:")


def test_a_search_tunes_the_second_design_on_the_scale_its_space_declares(tmp_path):
    from sim.configuration.composition import InputError
    from sim.experiments.search import (
        apply,
        fit_to_budget,
        headcount,
        search,
        searched,
        searched_config,
    )
    from sim.experiments.space import load_space

    text = ("scenario: workshop\ndesigns: [traditional, micro_enterprise]\n"
            "overrides: [run.horizon_weeks=8]\nparams:\n"
            "  org.team_authority: {low: 5, high: 200, log: true}\n"
            "  platform_size: {low: 2, high: 60, int: true}\n")
    (tmp_path / "s.yaml").write_text(text)
    space = load_space(str(tmp_path / "s.yaml"))
    budget = headcount(searched_config(space))
    fitted, note = fit_to_budget(space, budget)
    most = budget - space_staff(searched_config(space)) - 1  # every rep but one
    assert fitted.params[1].high == most < 60 and note and str(most) in note
    study = search(fitted, "resolved_share", "maximize", 2, [0], budget)
    assert searched(space) == "micro_enterprise"
    assert study.trials[0].distributions["org.team_authority"].log  # log: true reached Optuna
    assert study.trials[0].distributions["platform_size"].high == most
    for trial in study.trials:
        assert headcount(apply(fitted, trial.params, budget)) == budget
    (tmp_path / "t.yaml").write_text(text.replace("[traditional, micro_enterprise]",
                                                  "[micro_enterprise, traditional]"))
    with pytest.raises(InputError, match="org.team_authority: not a setting of traditional"):
        searched_config(load_space(str(tmp_path / "t.yaml")))


def space_staff(config) -> int:
    """The frontline people a search cannot trade for a platform: MSLs and access managers."""
    return config.staffing.msls + config.staffing.access


def test_design_search_respects_the_budget_and_is_reproducible(tmp_path, scenarios_copy):
    # run.workers=1: each trial's runs one after another; a worker pool would only import the
    # model (results do not depend on it: tests/test_dispatch.py)
    def search(out):
        return run_command("orgsim-search", ["run.horizon_weeks=26", "run.workers=1",
                                             "--trials", "3", "--seeds", "2", "--out", out],
                           tmp_path)

    first, second = search(tmp_path / "a"), search(tmp_path / "b")
    assert first.returncode == 0 and second.returncode == 0, first.stderr
    a = pd.read_csv(tmp_path / "a" / "trials.csv")
    b = pd.read_csv(tmp_path / "b" / "trials.csv")
    pd.testing.assert_frame_equal(a.filter(like="params_"), b.filter(like="params_"))
    np.testing.assert_allclose(a.value, b.value)
    from sim.experiments.space import load_space

    for p in load_space("micro_enterprise").params:  # the default space of orgsim-search
        assert a[f"params_{p.path}"].between(p.low, p.high).all()
    best = yaml.safe_load((tmp_path / "a" / "best.yaml").read_text())
    s = best["staffing"]
    assert s["reps"] + 25 + 20 + s["operations_experts"] + s["patient_services_experts"] == 150
    assert best["compare"] == "as_configured"  # the searched staffing is not rescaled
    assert best["run"] == {"horizon_weeks": 26}  # the market searched, not how it was run
    from sim.configuration.composition import compose_run
    from sim.experiments.budget import equalised

    (scenarios_copy / "zz_search_best_test.yaml").write_text(
        (tmp_path / "a" / "best.yaml").read_text())
    import sim.configuration.hydra_store as registry

    registry._registered = False
    composed = equalised(compose_run(["scenario=zz_search_best_test"]))  # as a run does
    assert composed.config.staffing.reps == s["reps"]
    assert composed.budget["mode"] == "as_configured"


def test_a_sweep_carries_the_business_case_per_point_in_its_tables_and_report(tmp_path):
    # one job after another (hydra/launcher=basic): the tables and the report are the subject,
    # not the parallel launcher (compared with this one in the launcher test above)
    out = sweep([*SMALL, "run.horizon_weeks=20", "run.replications=3", "hydra/launcher=basic",
                 "business.transformation_cost_k=0,5000", f"hydra.sweep.dir={tmp_path / 's'}"],
                tmp_path)
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "s"
    points = pd.read_csv(folder / "analysis" / "business_case.csv")
    assert len(points) == 2 and set(points.design) == {"micro_enterprise"}
    analysis = pd.read_csv(folder / "analysis" / "analysis.csv")
    for _, point in points.iterrows():
        npv = analysis[(analysis.setting == point.setting) & (analysis.outcome == "npv")
                       & (analysis.kind == "difference")]
        assert point.npv_move == pytest.approx(npv["mean"].iloc[0])  # the paired difference
        assert 0 <= point.seeds_paying_back <= point.seeds == 3
    # the one-off cost of the move lowers its NPV by exactly that cost (no discounting at week 0)
    by_cost = points.set_index(points.setting.str.extract(r"transformation_cost_k=(\d+)")[0])
    assert by_cost.npv_move["0"] - by_cost.npv_move["5000"] == pytest.approx(5000)
    html = (folder / "report.html").read_text()
    assert "The business case of moving from traditional against " \
           "business.transformation_cost_k" in html

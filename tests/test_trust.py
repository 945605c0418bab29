"""Outputs a user can trust at a glance (issue 15): the winner of a search carries its market,
analyses never mix configurations, calibration never reports a fit that did not happen, every
generated sentence agrees with its numbers, and intervals stay within what is possible.

The commands run in this process through their own entry points (tests/commands.py) unless the
process is the subject: Ctrl-C in a sweep, and orgsim-calibrate's smoke test of exit status 2."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from commands import BIN, run_command, run_process


def orgsim(cmd: list[str], cwd: Path):
    """``cmd`` (a command and its arguments) run in this process, as its console script runs it."""
    return run_command(cmd[0], cmd[1:], cwd)


# ----------------------------------------------------------------------- 1. orgsim-search
@pytest.mark.slow
def test_the_search_winner_runs_the_searched_market_with_its_own_budget(tmp_path,
                                                                        scenarios_copy):
    import sim.configuration.hydra_store as registry
    from sim.configuration.composition import compose_run
    from sim.experiments.search import headcount

    out = orgsim(["orgsim-search", "scenario=rare_disease", "run.horizon_weeks=8",
                  "market.accounts=10", "--trials", "2", "--seeds", "1", "--out",
                  str(tmp_path / "s")], tmp_path)
    assert out.returncode == 0, out.stderr
    searched = compose_run(["scenario=rare_disease", "market.accounts=10", "baseline=null"]).config
    (scenarios_copy / "best.yaml").write_text((tmp_path / "s" / "best.yaml").read_text())
    registry._registered = False  # read scenarios/ again, now with best.yaml
    best = compose_run(["scenario=best"]).config
    # the same market, therapy and horizon as the search, and the scenario's own headcount
    assert best.market == searched.market
    assert best.therapy == searched.therapy
    assert best.run.horizon_weeks == 8
    assert headcount(best) == headcount(searched) == 33
    assert compose_run(["scenario=best"]).designs == ["traditional", "micro_enterprise"]


# ------------------------------------------------------------- 4. sentences and their numbers
def synthetic_report(weeks_to_half: dict[str, list[float]], horizon: int = 100):
    """A ReportData whose designs reach half adoption at the given weeks (one per seed)."""
    from sim.experiments.analysis import paired_comparison
    from sim.report.data import ReportData

    rows, summary = [], []
    for design, halves in weeks_to_half.items():
        for seed, half in enumerate(halves):
            for week in range(horizon + 1):
                share = min(1.0, week / (2 * half))
                rows.append(dict(design=design, seed=seed, week=week,
                                 accounts_adopted_share=share, patients_treated=10 * share))
            summary.append(dict(design=design, seed=seed, week_50pct_adoption=half,
                                accounts_adopted_share=min(1.0, horizon / (2 * half))))
    summary = pd.DataFrame(summary).assign(scenario="s", setting="")
    designs = list(weeks_to_half)
    return ReportData(
        kind="run", folder=Path("."), scenario="s", question="", source="", designs=designs,
        baseline=designs[0], seeds=sorted({r["seed"] for r in rows}), horizon=horizon,
        settings=[""], reference="", summary=summary,
        comparison=paired_comparison(summary, designs[0], ["week_50pct_adoption"]),
        series=pd.DataFrame(rows).assign(setting=""), jobs=pd.DataFrame(), history={},
        key_settings={}, scenario_settings="")


@pytest.mark.parametrize("me, word", [(78, "16 weeks earlier than traditional"),
                                      (110, "16 weeks later than traditional"),
                                      (94, "the same week as traditional")])
def test_the_adoption_reading_says_earlier_or_later_as_the_weeks_do(me, word):
    from sim.report.figures import adoption

    data = synthetic_report({"traditional": [94, 94, 94], "micro_enterprise": [me, me, me]})
    reading = adoption(data)[0].reading
    assert f"micro_enterprise at week {me} ({word})" in reading, reading
    assert "+16" not in reading


def test_no_setting_is_said_to_matter_most_when_every_effect_is_zero():
    from sim.experiments.sensitivity import reading

    indices = pd.DataFrame([
        dict(outcome="o", target="t", parameter=p, index=i, value=0.0, conf=0.0)
        for p in ("a", "b") for i in ("mu_star", "mu", "sigma")])
    text = reading(indices, "morris", "o", "t", "jobs resolved")
    assert "matters most" not in text and "no setting moves it measurably" in text, text
    indices.loc[(indices.parameter == "b") & (indices["index"] == "mu_star"), "value"] = 0.2
    text = reading(indices, "morris", "o", "t", "jobs resolved")
    assert text.startswith("jobs resolved: b matters most (mu* 0.2 ± 0"), text
    assert "indistinguishable from zero: a" in text


def test_an_empty_prim_side_is_nowhere_not_everywhere():
    from sim.experiments.scenario_discovery import discover_both

    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.uniform(size=200), "b": rng.uniform(size=200)})
    holds, fails = discover_both(x, np.ones(200, bool))
    assert fails.summary().startswith("nowhere — the condition holds at none of the 200")
    assert "everywhere" not in fails.summary() and "coverage" not in fails.summary()
    assert holds.summary().startswith("everywhere in the space")


# ------------------------------------------------------------------ 5. intervals in range
def test_intervals_stay_within_what_an_outcome_can_take_and_need_three_runs():
    from sim.experiments.analysis import paired_comparison, table

    summary = pd.DataFrame({
        "design": ["traditional"] * 3 + ["micro_enterprise"] * 3, "seed": [0, 1, 2] * 2,
        "resolved_share": [0.6, 0.7, 0.65, 0.99, 0.80, 1.0],
        "patients_treated": [0.0, 0.0, 35.0, 0.0, 100.0, 5.0],
        "compliance_incidents": [0.0, 7.0, 0.0, 1.0, 0.0, 0.0]}).assign(scenario="s",
                                                                       setting="")
    c = paired_comparison(summary, "traditional", ["resolved_share", "patients_treated",
                                                   "compliance_incidents"])
    means = c[c.kind == "mean"]
    assert (means["low"] >= 0).all()
    assert (means[means.outcome == "resolved_share"]["high"] <= 1).all()
    assert means[means.outcome == "resolved_share"]["high"].max() == 1.0  # it was clipped
    diffs = c[c.kind == "difference"]
    assert diffs[diffs.outcome == "resolved_share"][["low", "high"]].abs().le(1).all().all()
    assert (diffs[diffs.outcome == "patients_treated"]["low"] < 0).all()  # differences may
    two = paired_comparison(summary[summary.seed < 2], "traditional", ["resolved_share"])
    assert two["low"].isna().all() and two["high"].isna().all()
    cells = table(two, 2).to_numpy().ravel()
    assert all(cell.endswith("(n=2: no interval)") for cell in cells), cells


def test_report_bands_are_clipped_and_absent_below_three_runs():
    from sim.report.plotting import mean_band

    series = pd.DataFrame({"design": "d", "seed": [0, 1, 2], "week": 1,
                           "accounts_adopted_share": [0.0, 0.0, 0.9],
                           "patients_treated": [0.0, 0.0, 90.0]})
    share = mean_band(series, "accounts_adopted_share")
    assert share["low"].iloc[0] == 0.0 and share["high"].iloc[0] <= 1.0
    assert mean_band(series, "patients_treated")["low"].iloc[0] == 0.0
    assert mean_band(series[series.seed < 2], "patients_treated")["low"].isna().all()


# ----------------------------------------------------------------------- 2. orgsim-analyze
def results_folder(stdout: str, cwd: Path) -> Path:
    import re

    path = Path(re.search(r"^Results: (.+)$", stdout, re.M).group(1).strip())
    return path if path.is_absolute() else cwd / path


# run.workers=1: the two replications one after another, without worker processes that would
# only import the model (results do not depend on it; it is not part of a run's identity)
WORKSHOP_RUN = ["orgsim", "scenario=workshop", "run.horizon_weeks=6", "run.replications=2",
                "run.workers=1"]


@pytest.fixture(scope="module")
def workshop_run(tmp_path_factory) -> Path:
    """One short run's results folder, shared by the tests that read it (a test that changes
    it works on a copy)."""
    cwd = tmp_path_factory.mktemp("workshop")
    run = orgsim(WORKSHOP_RUN, cwd)
    assert run.returncode == 0, run.stderr
    return results_folder(run.stdout, cwd)


@pytest.mark.slow
def test_analyze_keeps_folders_of_different_configurations_apart_and_says_so(tmp_path,
                                                                            workshop_run):
    def analyze(*args):
        """What orgsim-analyze prints (its subprocess smoke test is tests/test_sweeps.py's
        missing folder)."""
        out = run_command("orgsim-analyze", args, tmp_path)
        assert out.returncode == 0, out.stderr
        return out

    # a run folder's setting is always "" whatever its overrides: only its configuration
    # tells its 6-week runs from the sweep's default-length ones
    sweep = orgsim(["orgsim", "-m", "scenario=workshop", "org=micro_enterprise",
                    "run.replications=1", "hydra/launcher=basic"], tmp_path)  # one job, no pool
    assert sweep.returncode == 0, sweep.stderr
    sweep_dir, run_dir = results_folder(sweep.stdout, tmp_path), workshop_run
    out = analyze(sweep_dir, run_dir, "--out", tmp_path / "a")
    notes = [line for line in out.stderr.splitlines() if "cannot be compared" in line]
    assert len(notes) == 1 and str(sweep_dir) in notes[0] and str(run_dir) in notes[0]
    blocks = [b for b in out.stdout.split("\n\n") if b.startswith("workshop")]
    assert len(blocks) == 2, out.stdout
    assert any("2 paired seeds" in b for b in blocks)
    assert any("1 seed of micro_enterprise only, no pairs" in b for b in blocks)
    analysis = pd.read_csv(tmp_path / "a" / "analysis.csv")
    run_alone = analyze(run_dir, "--out", tmp_path / "b")
    alone = pd.read_csv(tmp_path / "b" / "analysis.csv")
    assert "cannot be compared" not in run_alone.stderr
    # the run folder's numbers are the same whether it is analysed alone or beside the sweep
    pooled = analysis[analysis.configuration == alone.configuration.iloc[0]]
    pd.testing.assert_frame_equal(pooled.reset_index(drop=True), alone, check_dtype=False)
    # the same folder twice is one set of runs, not twice as many
    twice = analyze(run_dir, run_dir, "--out", tmp_path / "c")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "c" / "analysis.csv"), alone)
    assert "cannot be compared" not in twice.stderr


# --------------------------------------------------------------------- 3. orgsim-calibrate
EXAMPLE = Path(__file__).parents[1] / "examples" / "observed_adoption.csv"


def test_the_period_comes_from_dates_a_unit_column_or_the_user(tmp_path):
    from sim.experiments.observed import CurveError, parse_period, read_observed

    dated = tmp_path / "dated.csv"
    dated.write_text("Date,Adopters,Region\n2024-01-01,0,north\n2024-02-01,2,north\n"
                     "2024-03-01,5,north\n")
    frame = read_observed(dated, None)
    assert frame.attrs["period_weeks"] == "date"
    np.testing.assert_allclose(frame.week, [0, 31 / 7, 60 / 7])
    assert list(frame.cumulative) == [0, 2, 5] and set(frame.group) == {"north"}
    monthly = tmp_path / "monthly.csv"
    monthly.write_text("month,cumulative\n0,0\n1,2\n2,5\n")
    frame = read_observed(monthly, None)
    assert frame.attrs["period_weeks"] == pytest.approx(365.25 / 7 / 12)
    plain = tmp_path / "plain.csv"
    plain.write_text("period,cumulative\n0,0\n1,2\n")
    assert read_observed(plain, None).attrs["period_weeks"] is None  # the command asks
    assert parse_period("1month") == pytest.approx(4.348, abs=1e-3)
    assert parse_period("4weeks") == parse_period("4") == 4.0
    with pytest.raises(CurveError, match="1week, 4weeks, 1month"):
        parse_period("fortnightly")
    odd = tmp_path / "odd.csv"
    odd.write_text("period,value\n0,1\n")
    with pytest.raises(CurveError, match="rename the column that holds it to 'cumulative'"):
        read_observed(odd, 1.0)


def test_calibrate_without_a_period_is_refused_in_one_line(tmp_path):
    """A subprocess: orgsim-calibrate's smoke test of exit status 2 with one line."""
    out = run_process("orgsim-calibrate", [str(EXAMPLE), "--seeds", "1", "--no-png", "--out",
                                           str(tmp_path / "c")], tmp_path)
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "--period" in out.stderr and not (tmp_path / "c").exists()


@pytest.mark.slow
def test_a_fit_that_never_moved_is_said_so_and_not_written(tmp_path):
    out = orgsim(["orgsim-calibrate", str(EXAMPLE), "--period", "1week", "--seeds", "2",
                  "--max-evals", "4", "--no-png", "--quiet", "--out", str(tmp_path / "c")],
                 tmp_path)
    assert out.returncode == 1, out.stderr
    errors = [line for line in out.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "did not move" in errors[0] and "--period" in errors[0]
    assert "SE" not in out.stdout and "R²" not in out.stdout
    assert not (tmp_path / "c").exists()


@pytest.mark.slow
def test_the_calibration_table_shows_the_value_evaluated_first(tmp_path):
    import re

    # the smallest fit that moves (one seed, one step): the table's first value is the subject
    out = orgsim(["orgsim-calibrate", str(EXAMPLE), "--period", "4weeks", "--seeds", "1",
                  "--max-evals", "2", "--no-png", "--out", str(tmp_path / "c")], tmp_path)
    assert out.returncode == 0, out.stderr
    first = re.search(r"evaluation +1: therapy.innovation=(\S+)", out.stderr).group(1)
    fit = pd.read_csv(tmp_path / "c" / "fit.csv").set_index("name")
    assert f"{fit.loc['therapy.innovation', 'base']:.4g}" == first
    row = next(line for line in out.stdout.splitlines()
               if line.startswith("therapy.innovation"))
    assert row.split()[1] == first  # the "model" column: what the first evaluation used


# ------------------------------------------------------------- 5. the quick look tells the story
@pytest.mark.slow
def test_the_quick_run_reaches_half_adoption_and_its_intervals_stay_in_range(tmp_path):
    # run.workers=1: the six runs one after another, without a worker pool that would only
    # import the model (results do not depend on it)
    out = orgsim(["orgsim", "run=quick", "run.workers=1"], tmp_path)
    assert out.returncode == 0, out.stderr
    # 7: the header says what the run used
    assert "Overrides: run=quick run.workers=1\n" in out.stdout
    folder = results_folder(out.stdout, tmp_path)
    c = pd.read_csv(folder / "comparison.csv")
    means = c[c.kind == "mean"]
    half = means[means.outcome == "week_50pct_adoption"]
    assert len(half) == 2 and (half.n == 3).all() and np.isfinite(half["mean"]).all()
    assert (means["low"].dropna() >= 0).all()
    shares = means[means.unit.isin(["share", "0-1"])]
    assert (shares["high"].dropna() <= 1).all()
    line = next(x for x in out.stdout.splitlines() if x.startswith("week half the accounts"))
    assert "–" not in line


# ------------------------------------------------------------------ 7. smaller, all in a walk
def test_help_lists_only_what_a_user_can_choose(tmp_path):
    out = orgsim(["orgsim", "--help"], tmp_path)
    assert out.returncode == 0
    groups = out.stdout.split("Configuration groups")[1].split("Examples:")[0]
    assert "_schema" not in groups
    words = [line.split()[0] for line in groups.splitlines()
             if line.strip() and not line.startswith("      ")]
    assert not {"calibration", "search", "space"} & set(words), words
    assert "journey_teams, matrix, micro_enterprise*, pilot_rollout, traditional" in groups
    assert "scenario" in words and "rare_disease" in groups


@pytest.mark.slow
def test_report_refuses_an_unknown_job_and_reproduce_says_if_tables_are_identical(tmp_path,
                                                                                 workshop_run):
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(workshop_run, folder)  # altered below
    report = orgsim(["orgsim-report", str(folder), "--job", "999999"], tmp_path)
    assert report.returncode == 2 and report.stderr.count("\n") == 1
    assert "--job: no job 999999" in report.stderr and "allowed: a job id from 0" in report.stderr
    same = orgsim(["orgsim", "--reproduce", str(folder)], tmp_path)
    assert same.returncode == 0, same.stderr
    assert "Reproduced: all 6 tables" in same.stdout and "identical" in same.stdout
    summary = pd.read_parquet(folder / "tables" / "summary.parquet")
    summary.loc[0, "resolved_share"] += 0.5  # as if the recorded results were altered
    summary.to_parquet(folder / "tables" / "summary.parquet")
    other = orgsim(["orgsim", "--reproduce", str(folder)], tmp_path)
    assert other.returncode == 1 and "NOT identically: summary" in other.stderr


@pytest.mark.slow
def test_a_sweep_prints_no_hydra_log_and_ctrl_c_says_how_to_resume(tmp_path):
    import os
    import signal

    cmd = [str(BIN / "orgsim"), "-m", "org=traditional,micro_enterprise", "scenario=workshop",
           "run.replications=2", "run.horizon_weeks=100"]
    # a pytest-xdist worker ignores SIGINT, and a child inherits that: restore the default, as
    # in a terminal where the user presses Ctrl-C
    sweep = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert sweep.stdout.readline().startswith("Checking 2 jobs")
    assert sweep.stdout.readline().startswith("Sweep: 2 jobs")
    os.killpg(sweep.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    out, err = sweep.communicate(timeout=300)
    assert sweep.returncode == 130
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "interrupted" in err and "run the same command again to resume" in err
    again = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    text = again.stdout + again.stderr
    assert "[HYDRA]" not in text and "baseline=null" not in text and "run.workers=1" not in text
    assert "4 of 4 runs stored" in again.stdout


# --------------------------------------------------- 6. the overlap check on the other figures
@pytest.mark.slow
@pytest.mark.skipif(__import__("sim.report.export", fromlist=["find_browser"]).find_browser()
                    is None, reason="no Chromium: apt-get install chromium")
def test_discovery_and_sensitivity_figures_have_no_overlapping_text(tmp_path):
    from figure_check import check_figures

    from sim.experiments.scenario_discovery import discover_both
    from sim.report.discovery_page import limits_figure, scatter_figure, tradeoff_figure
    from sim.report.plotting import Figure
    from sim.report.sensitivity_page import tornado as tornado_figure
    from sim.report.style import colour

    rng = np.random.default_rng(3)
    names = ["staffing.primary_contact_span", "org.team_authority", "org.call_target_share",
             "market.cross_functional_share"]
    x = pd.DataFrame(rng.uniform(size=(300, 4)), columns=names)
    y = ((x[names[0]] > 0.6) & (x[names[1]] < 0.3)).to_numpy()
    win, lose = discover_both(x, y, 0.8, {c: (0.0, 1.0) for c in names})
    labels = ("micro_enterprise better", "traditional at least as good")
    colours = {labels[0]: colour("micro_enterprise"), labels[1]: colour("traditional", 1)}
    sides = dict(zip(labels, (win, lose), strict=True))
    caption = "Scenario workshop · 300 points × 2 seeds"
    figures = [tradeoff_figure(sides, colours, caption), limits_figure(sides, colours, caption),
               scatter_figure(x, y, win, lose, labels, colours, caption)]
    indices = pd.DataFrame([
        dict(outcome="resolved_share", target="traditional", parameter=p, index=i,
             value=v * (1 + k), conf=0.01)
        for k, p in enumerate(names) for i, v in (("mu_star", 0.05), ("mu", 0.04),
                                                  ("sigma", 0.02))])
    tornado, _ = tornado_figure(indices, "morris", "resolved_share", "traditional",
                                ("traditional", "micro_enterprise"), caption)
    figures.append(Figure("tornado", "tornado", tornado, indices, ""))
    found = check_figures(figures, tmp_path)
    assert {name: p for name, p in found.items() if p} == {}


def test_discovery_readings_say_nowhere_when_the_condition_never_holds():
    from sim.experiments.scenario_discovery import discover_both
    from sim.report.discovery_page import limits_figure, tradeoff_figure

    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.uniform(size=(120, 2)), columns=["a", "b"])
    never, always = discover_both(x, np.zeros(120, bool))
    sides = {"micro_enterprise better": never, "traditional at least as good": always}
    colours = dict.fromkeys(sides, "#000000")
    trade = tradeoff_figure(sides, colours, "c").reading
    assert trade.startswith("Where micro_enterprise better: nowhere — it holds at none of the "
                            "120 points"), trade
    limits = limits_figure(sides, colours, "c").reading
    assert "where micro_enterprise better: nowhere" in limits
    assert "where traditional at least as good: no parameter restricted" in limits

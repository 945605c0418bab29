"""The declared parameter space (sim/experiments/space.py) and running samples of it
(sim/experiments/doe.py).

Runs use the tiny space (conf/space/tiny.yaml: the workshop market over 52 weeks), so the whole
file takes seconds. Resumability is checked through the store (its manifests and a simulator that
refuses to run), never by timing.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.experiments.dispatch
from sim.configuration.composition import InputError
from sim.experiments.doe import configure_points, evaluate, paired_by_point
from sim.experiments.space import Space, configure, design_config, load_space
from sim.experiments.space_coverage import uncovered
from sim.experiments.store import ResultsStore, run_id
from sim.experiments.sweep import INJECT


@pytest.fixture(scope="module")
def tiny() -> Space:
    return load_space("tiny")


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "space.yaml"
    path.write_text(text)
    return str(path)


BASE = "scenario: workshop\ndesigns: [traditional, micro_enterprise]\n"


# ------------------------------------------------------------------------------------ space
def test_default_space_loads_with_5_to_8_parameters():
    space = load_space("default")
    assert space.scenario == "oncology_launch"
    assert space.designs == ("traditional", "micro_enterprise")
    assert 5 <= len(space.params) <= 8
    problem = space.salib_problem()
    assert problem["num_vars"] == len(space.names) == len(problem["bounds"])
    assert all(low < high for low, high in problem["bounds"])


@pytest.mark.parametrize("text, key", [
    (None, "space: no file"),
    ("scenario: atlantis\ndesigns: [traditional, micro_enterprise]\nparams: "
     "{market.job_rate: {low: 0.01, high: 0.1}}", "space.scenario"),
    ("scenario: workshop\ndesigns: [traditional, feudal]\nparams: "
     "{market.job_rate: {low: 0.01, high: 0.1}}", "space.designs"),
    (BASE + "params: {market.job_rates: {low: 0.01, high: 0.1}}", "market.job_rates"),
    (BASE + "params: {org.no_such: {low: 0.01, high: 0.1}}", "org.no_such"),
    (BASE + "params: {market.job_rate: {low: 0.2, high: 0.1}}", "low must be < high"),
    (BASE + "params: {market.job_rate: {low: 0.1, high: 0.1}}", "low must be < high"),
    (BASE + "params: {market.job_rate: {low: a, high: 0.1}}", "finite numbers"),
    (BASE + "params: {therapy.name: {low: 0, high: 1}}", "not a numeric setting"),
    (BASE + "params: {}", "at least one parameter"),
    (BASE + "params: {staffing.team_size: {low: 4, high: 16}}", "int: true"),
    (BASE + "params: {market.cross_functional_base: {low: 0.1, high: 1.5}}",
     "market.cross_functional_base: must be"),  # outside what the model allows
    (BASE + "colour: blue\nparams: {market.job_rate: {low: 0.01, high: 0.1}}", "space.colour"),
    # the fields the search added to the one format: log, and the derived platform_size
    (BASE + "params: {market.job_rate: {low: 0.01, high: 0.1, log: yes please}}",
     "market.job_rate.log: must be true or false"),
    (BASE + "params: {org.team_authority: {low: 0, high: 200, log: true}}",
     "org.team_authority.log: a log scale needs low > 0"),
    (BASE + "params: {platform_size: {low: 5, high: 40}}", "platform_size: a number of people"),
    (BASE + "params: {staffing.team_size: {type: int, low: 4, high: 16}}",
     "optionally int: true, log: true"),
    ("design: micro_enterprise\nparams: {staffing.team_size: {type: int, low: 4, high: 16}}",
     "space.design: the old search-space format"),
    (BASE + "overrides: [org=matrix]\nparams: {market.job_rate: {low: 0.01, high: 0.1}}",
     "space.overrides: 'org=matrix'"),
    (BASE + "compare: same_money\nparams: {market.job_rate: {low: 0.01, high: 0.1}}",
     "space.compare: must be one of equal_budget"),
])
def test_bad_spaces_are_refused_with_one_line_naming_the_key(tmp_path, text, key):
    where = str(tmp_path / "missing.yaml") if text is None else _write(tmp_path, text)
    with pytest.raises(InputError) as error:
        load_space(where)
    message = str(error.value)
    assert key in message and "\n" not in message


@pytest.mark.parametrize("compare, key", [("equal_budget", "cost"),
                                            ("equal_headcount", "headcount")])
def test_a_space_compared_at_equal_budget_scales_the_second_design_at_every_point(
        tmp_path, compare, key):
    from sim.experiments.budget import planned_budget

    text = BASE + f"compare: {compare}\nparams: {{market.job_rate: {{low: 0.01, high: 0.1}}}}"
    space = load_space(_write(tmp_path, text))
    plain = load_space(_write(tmp_path, BASE + "params: {market.job_rate: {low: 0.01, high: 0.1}}"))
    assert (space.compare, plain.compare) == (compare, "as_configured")
    for rate in (0.01, 0.1):
        configs = configure(space, {"market.job_rate": rate})
        first, second = (planned_budget(configs[d]) for d in space.designs)
        as_set = planned_budget(configure(plain, {"market.job_rate": rate})[space.designs[1]])
        assert getattr(second, key) == pytest.approx(getattr(first, key), rel=0.01)
        assert getattr(as_set, key) != pytest.approx(getattr(first, key), rel=0.01)


def test_configure_applies_values_to_the_right_designs(tiny):
    point = {"market.cross_functional_base": 0.33, "org.team_authority": 77.0,
             "org.span_of_control": 12}
    configs = configure(tiny, point)
    trad, micro = configs["traditional"], configs["micro_enterprise"]
    assert trad.market.cross_functional_base == micro.market.cross_functional_base == 0.33
    assert trad.org.span_of_control == 12 and not hasattr(micro.org, "span_of_control")
    assert micro.org.team_authority == 77.0 and not hasattr(trad.org, "team_authority")
    assert trad.run.horizon_weeks == micro.run.horizon_weeks == 52  # the space's override
    assert trad.market.accounts == 20  # the workshop scenario


def test_integer_parameters_are_rounded_keeping_the_settings_type(tmp_path):
    space = load_space(_write(tmp_path, BASE + "params:\n"
                              "  staffing.team_size: {low: 4, high: 16, int: true}\n"
                              "  org.level_authority[1]: {low: 10, high: 80, int: true}\n"))
    configs = configure(space, {"staffing.team_size": 7.6, "org.level_authority[1]": 20.4})
    assert configs["micro_enterprise"].staffing.team_size == 8
    assert isinstance(configs["traditional"].staffing.team_size, int)
    assert configs["traditional"].org.level_authority[1] == 20.0  # a list of k€ stays float
    assert configs["traditional"].org.level_authority[::2] == [10.0, 1e6]  # others untouched


def test_a_command_lines_scenario_and_overrides_replace_and_follow_the_spaces():
    space = load_space("tiny", scenario="rare_disease", overrides=["run.horizon_weeks=8"])
    assert space.scenario == "rare_disease"
    assert space.overrides == ("run.horizon_weeks=52", "run.horizon_weeks=8")
    assert configure(space, {p.path: p.low for p in space.params})[
        "micro_enterprise"].run.horizon_weeks == 8  # the command line's comes last and wins
    with pytest.raises(InputError, match="^overrides: 'org=matrix'"):
        load_space("tiny", overrides=["org=matrix"])


def test_platform_size_splits_the_central_experts_in_the_scenarios_proportions(tmp_path):
    space = load_space(_write(tmp_path, BASE + "params:\n"
                              "  platform_size: {low: 4, high: 30, int: true}\n"))
    base = design_config(space, "traditional").staffing
    share = base.operations_experts / (base.operations_experts + base.patient_services_experts)
    s = configure(space, {"platform_size": 21.4})["traditional"].staffing  # rounded to 21
    assert s.operations_experts + s.patient_services_experts == 21
    assert abs(s.operations_experts - 21 * share) <= 0.5 + 1e-9  # the nearest whole split
    assert s.reps == base.reps  # without a budget the field force stays as it is
    assert "staffing.operations_experts" not in uncovered(space)  # platform_size covers them
    assert "staffing.patient_services_experts" not in uncovered(space)


def test_the_search_space_is_a_space_whose_second_design_is_searched():
    space = load_space("micro_enterprise")
    assert space.designs == ("traditional", "micro_enterprise")
    by_path = {p.path: p for p in space.params}
    assert list(by_path) == ["staffing.team_size", "staffing.primary_contact_span",
                             "org.team_authority", "platform_size"]  # Optuna's order of draws
    assert by_path["org.team_authority"].log and not by_path["staffing.team_size"].log
    assert by_path["staffing.team_size"].integer and by_path["platform_size"].integer
    assert (by_path["platform_size"].low, by_path["platform_size"].high) == (5, 40)


# -------------------------------------------------------------------------------------- doe
POINTS = [[0.1, 10.0, 5], [0.5, 150.0, 15], [0.1, 10.0, 15]]  # 0 and 2: same micro config


def _points(space: Space) -> pd.DataFrame:
    return pd.DataFrame(POINTS, columns=space.names, index=[5, 6, 7])


def _manifests(root: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in (root / "runs").glob("*")}


def test_evaluate_is_resumable_and_identical(tiny, tmp_path, monkeypatch):
    """The second call with the same store re-runs nothing: the simulator is replaced by one that
    raises (a re-run would be recorded as failed) and every manifest is untouched."""
    store = tmp_path / "store"
    first = evaluate(tiny, _points(tiny), [0, 1], store, workers=1, progress=False)
    assert len(first) == 3 * 2 * 2 and (first.status == "ok").all()
    assert list(first.columns[:4]) == ["point", "design", "seed", "status"]
    assert set(first.point) == {5, 6, 7}
    # point 7 differs from point 5 only in a setting micro_enterprise does not have: shared runs
    assert ResultsStore(store).counts() == {"ok": 10, "failed": 0}
    before = _manifests(store)

    def refuse(*args, **kwargs):
        raise AssertionError("a stored run was simulated again")

    monkeypatch.setattr(sim.experiments.dispatch, "simulate", refuse)
    second = evaluate(tiny, _points(tiny), [0, 1], store, workers=1, progress=False)
    assert _manifests(store) == before
    pd.testing.assert_frame_equal(first, second)


def test_parallel_evaluation_equals_serial(tiny, tmp_path):
    points = _points(tiny).iloc[:2]
    serial = evaluate(tiny, points, [3], tmp_path / "a", workers=1, progress=False)
    parallel = evaluate(tiny, points, [3], tmp_path / "b", workers=2, progress=False)
    pd.testing.assert_frame_equal(serial, parallel)


def test_points_configured_on_workers_are_those_of_the_serial_loop_errors_included(tmp_path):
    """At equal budget (configuring a point builds the model to plan its budget): the same
    configurations and run ids on 2 workers as in one process, and the first bad point in point
    order is the one refused, with the same line. (After the test above the pool is warm.)"""
    space = load_space(_write(tmp_path, BASE + "compare: equal_budget\n"
                              "overrides: [run.horizon_weeks=26]\nparams:\n"
                              "  org.team_authority: {low: 0.0, high: 200.0}\n"
                              "  org.span_of_control: {low: 3, high: 20, int: true}\n"))
    points = [{"org.team_authority": 25.0 * i, "org.span_of_control": 3.4 + 2 * i}
              for i in range(4)]
    serial = [configure(space, p) for p in points]
    parallel = configure_points(space, points, workers=2, in_process_below=0)
    assert parallel == serial
    assert [[run_id(c, 0) for c in p.values()] for p in parallel] == \
        [[run_id(c, 0) for c in p.values()] for p in serial]
    bad = [points[0], {**points[1], "org.span_of_control": 0.0}, points[2],
           {**points[3], "org.span_of_control": -1.0}]
    with pytest.raises(InputError) as in_process:
        configure_points(space, bad, workers=1)
    with pytest.raises(InputError) as on_workers:
        configure_points(space, bad, workers=2, in_process_below=0)
    assert str(on_workers.value) == str(in_process.value) == \
        "org.span_of_control: must be ≥ 2 and ≤ 1000, got 0"


def test_a_failing_run_is_recorded_and_retried(tiny, tmp_path, monkeypatch):
    store = tmp_path / "store"
    points = _points(tiny).iloc[:1]
    monkeypatch.setenv(INJECT, "micro_enterprise:1")
    frame = evaluate(tiny, points, [0, 1], store, workers=1, progress=False)
    failed = frame[frame.status == "failed"]
    assert len(failed) == 1 and failed.iloc[0].design == "micro_enterprise"
    assert np.isnan(failed.iloc[0].resolved_share)
    assert (frame[frame.status == "ok"].resolved_share.notna()).all()
    manifest = [m for m in ResultsStore(store).manifests() if m["status"] == "failed"][0]
    assert "injected failure" in manifest["error"]
    monkeypatch.delenv(INJECT)
    again = evaluate(tiny, points, [0, 1], store, workers=1, progress=False)
    assert (again.status == "ok").all()
    assert ResultsStore(store).counts() == {"ok": 4, "failed": 0}


def test_paired_by_point_takes_per_seed_differences(tiny, tmp_path):
    frame = evaluate(tiny, _points(tiny), [0, 1], tmp_path / "store", workers=1,
                     progress=False)
    paired = paired_by_point(frame, "resolved_share")
    assert list(paired.index) == [5, 6, 7]
    assert list(paired.columns) == [*tiny.names, "traditional", "micro_enterprise",
                                    "difference"]
    for point, row in paired.iterrows():
        runs = frame[frame.point == point].set_index(["seed", "design"]).resolved_share
        by_hand = np.mean([runs[(s, "micro_enterprise")] - runs[(s, "traditional")]
                           for s in (0, 1)])
        assert row.difference == pytest.approx(by_hand, abs=1e-12)
        assert row.traditional == pytest.approx(runs.xs("traditional", level="design").mean())
    with pytest.raises(InputError):
        paired_by_point(frame, "no_such_outcome")


def test_run_manifests_record_the_point(tiny, tmp_path):
    evaluate(tiny, _points(tiny).iloc[1:2], [0], tmp_path / "store", workers=1, progress=False)
    manifest = json.loads(next((tmp_path / "store" / "runs").glob("*.json")).read_text())
    assert manifest["params"]["org.team_authority"] == "150"
    assert manifest["scenario"] == "workshop"

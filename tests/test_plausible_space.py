"""The plausible space (conf/space/plausible.yaml) covers every setting the model reads.

Each setting of either compared design — every field of the SimConfig tree, every job of the
catalogue, every list entry — must be varied over a range or held fixed with a reason; every
range must hold the value the scenario uses. A new setting added to the schema without a line in
the space fails here. The corner runs prove each extreme of the box is a valid configuration that
simulates (with the invariant checks on).
"""

from __future__ import annotations

import dataclasses

import pytest

from sim.configuration.composition import InputError
from sim.experiments.space import Space, configure, load_space
from sim.experiments.space_coverage import defaults_outside, leaves, uncovered


@pytest.fixture(scope="module")
def plausible() -> Space:
    return load_space("plausible")


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "space.yaml"
    path.write_text(text)
    return str(path)


BASE = ("scenario: workshop\ndesigns: [traditional, micro_enterprise]\n"
        "params: {market.job_rate: {low: 0.01, high: 0.1}}\n")


def test_every_setting_the_model_reads_is_varied_or_fixed_with_a_reason(plausible):
    assert uncovered(plausible) == []
    assert all(reason for _, reason in plausible.fixed)


def test_every_range_holds_the_value_the_scenario_uses(plausible):
    assert defaults_outside(plausible) == []


def test_the_plausible_space_varies_the_settings_that_decide_the_answer_today(plausible):
    named = set(plausible.names)
    for path in ("staffing.interaction.channel_hours", "staffing.interaction.account_upkeep_hours",
                 "staffing.interaction.other_function.latency_weeks",
                 "staffing.interaction.central.loss", "staffing.visit_cost",
                 "org.span_of_control", "staffing.salary_rep", "staffing.interaction.governance",
                 "org.traditional.kpi.calls", "org.micro_enterprise.kpi.jobs"):
        assert path in named, path


def test_a_setting_left_out_is_named_as_uncovered(tmp_path):
    space = load_space(_write(tmp_path, BASE + "fixed: {run.seed: paired seeds}\n"))
    missing = uncovered(space)
    assert "market.job_rate" not in missing and "run.seed" not in missing
    assert "run.horizon_weeks" in missing
    assert "org.traditional.span_of_control" in missing  # a design's own setting, by design
    assert "market.jobs.care_pathway.effort.medical" in missing  # a dictionary entry
    assert "org.traditional.level_authority[2]" in missing  # a list entry


def test_a_fixed_group_covers_each_of_its_entries(tmp_path):
    space = load_space(_write(tmp_path, BASE + "fixed: {therapy.initial_stages: sums to 1}\n"))
    assert not any(p.startswith("therapy.initial_stages") for p in uncovered(space))


def test_leaves_walk_dataclasses_dictionaries_and_lists(plausible):
    from sim.experiments.space import _base

    found = leaves(_base("oncology_launch", "traditional", ()))
    assert found["org.level_authority[1]"] == 50.0
    assert found["market.jobs.reimbursement.effort.access"] == 14.0
    assert found["therapy.gates.reimbursement"] == 0.5
    assert "market.jobs" not in found and "staffing.interaction" not in found


def test_a_design_qualified_path_goes_to_that_design_only(tmp_path):
    space = load_space(_write(tmp_path, BASE.replace(
        "params: {", "params: {org.traditional.kpi.calls: {low: 0.3, high: 0.9}, ")))
    point = {"market.job_rate": 0.05, "org.traditional.kpi.calls": 0.9}
    configs = configure(space, point)
    assert configs["traditional"].org.kpi.calls == 0.9
    assert configs["micro_enterprise"].org.kpi.calls == 0.0  # its own value, untouched


@pytest.mark.parametrize("extra, key", [
    ("  org.kpi.calls: {low: 0.0, high: 0.9}\n", "org.traditional.kpi.calls"),
    ("  org.matrix.kpi.calls: {low: 0.0, high: 0.9}\n", "org.matrix.kpi.calls"),
])
def test_a_shared_field_the_designs_set_differently_must_be_named_per_design(
        tmp_path, extra, key):
    text = BASE.replace("params: {market.job_rate: {low: 0.01, high: 0.1}}\n",
                        "params:\n  market.job_rate: {low: 0.01, high: 0.1}\n" + extra)
    with pytest.raises(InputError) as error:
        load_space(_write(tmp_path, text))
    assert key in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("fixed, key", [
    ("fixed: [run.seed]\n", "space.fixed: must be a mapping"),
    ("fixed: {run.seed: ''}\n", "space.fixed.run.seed: needs a reason"),
    ("fixed: {run.seed: 3}\n", "space.fixed.run.seed: needs a reason"),
    ("fixed: {run.no_such: because}\n", "space.fixed.run.no_such: unknown setting"),
    ("fixed: {market.job_rate: because}\n", "either varied or fixed"),
])
def test_bad_fixed_declarations_are_refused_with_one_line(tmp_path, fixed, key):
    with pytest.raises(InputError) as error:
        load_space(_write(tmp_path, BASE + fixed))
    assert key in str(error.value) and "\n" not in str(error.value)


@pytest.mark.slow  # four short runs of the default market with invariant checks
@pytest.mark.parametrize("corner", ["low", "high"])
def test_each_corner_of_the_plausible_space_is_valid_and_simulates(plausible, corner):
    from sim.engine.model import simulate

    short = dataclasses.replace(plausible, overrides=("run.horizon_weeks=8",
                                                      "run.check_invariants=true"))
    configs = configure(short, {p.path: getattr(p, corner) for p in plausible.params})
    for design, config in configs.items():
        summary = simulate(config, 0).summary.iloc[0]
        assert summary["horizon_weeks"] == 8, design
        assert summary["jobs_arrived"] > 0, design


def test_a_run_records_a_design_qualified_value_in_its_own_spelling(tmp_path):
    from sim.experiments.doe import _overrides

    space = load_space(_write(tmp_path, BASE.replace(
        "params: {", "params: {org.traditional.kpi.calls: {low: 0.3, high: 0.9}, ")))
    point = {"market.job_rate": 0.05, "org.traditional.kpi.calls": 0.9}
    assert _overrides(space, "traditional", point)[-2:] == ["market.job_rate=0.05",
                                                           "org.kpi.calls=0.9"]
    assert _overrides(space, "micro_enterprise", point)[-1] == "market.job_rate=0.05"

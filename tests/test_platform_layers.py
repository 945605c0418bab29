"""Step tests of the two platform layers behind the front line (docs/ODD.md 7.4a): the arithmetic of
the enabling platform's rule on tiny hand-made cases, and that it is off by default."""

from __future__ import annotations

import math

import numpy as np
import pytest
from settings import tiny

from sim import simulate, validate
from sim.configuration.schema import ConfigError
from sim.engine.escalation import take_decision
from sim.engine.jobs import CustomerJob, JobState
from sim.engine.model import OrgSimModel
from sim.engine.platform_layers import Request
from sim.engine.workforce import Activity

PLATFORM_COLUMNS = ("service_platform_utilisation", "enabling_platform_utilisation",
                    "enabling_platform_wait_mean", "signoff_wait_mean", "time_to_fill_mean")


def _model(design="micro_enterprise", staff=1.0, **rules) -> OrgSimModel:
    cfg = tiny(design)
    cfg.staffing.platforms.enabling_staff = staff
    for key, value in rules.items():
        setattr(cfg.staffing.platforms, key, value)
    cfg.staffing.interaction.central.loss = 0.0  # no lost request: exact waits
    return OrgSimModel(validate(cfg), seed=1)


def _job(model, decision: float, job_id: int = 10_000) -> CustomerJob:
    job = CustomerJob(job_id, 0, "access_query", np.array([0.0, 0.0, 5.0, 0.0, 0.0]), 20.0,
                      decision, False, 0.0, 1.0, 0.5)
    job.owner = model.design.default_contact(0)
    job.discovered_at = 0.0
    model.state_count[job.state] += 1
    model.move(job, JobState.AWAITING_DECISION)
    return job


def test_the_enabling_platform_is_off_by_default_and_adds_no_columns():
    cfg = tiny("micro_enterprise")
    assert cfg.staffing.platforms.enabling_staff == 0
    model = OrgSimModel(cfg, seed=1)
    assert model.enabling is None
    result = model.run()
    assert not set(PLATFORM_COLUMNS) & set(result.summary.columns)
    assert "enabling_queue_hours" not in result.series.columns


def test_a_staffed_enabling_platform_reports_both_platforms_in_the_tables():
    cfg = tiny("traditional")
    cfg.staffing.platforms.enabling_staff = 0.5
    result = simulate(validate(cfg), seed=2)
    assert set(PLATFORM_COLUMNS) <= set(result.summary.columns)
    assert {"enabling_queue_hours", "service_queue_hours", "enabling_utilisation"} <= set(
        result.series.columns)
    row = result.headline()
    assert 0 <= row["enabling_platform_utilisation"] <= 1
    weeks = result.summary.horizon_weeks.iloc[0]
    assert row["enabling_platform_cost"] == pytest.approx(0.5 * 220.0 / 52.0 * weeks)


def test_the_enabling_platform_needs_staff_zero_or_more():
    cfg = tiny("traditional")
    cfg.staffing.platforms.enabling_staff = -1.0
    with pytest.raises(ConfigError, match="staffing.platforms.enabling_staff"):
        validate(cfg)


def test_which_decisions_need_which_sign_off():
    platform = _model(review_threshold_k=10.0, finance_threshold_k=25.0).enabling
    small, medium, large = (_job(platform.model, d, i) for i, d in ((1, 5.0), (2, 10.0),
                                                                    (3, 30.0)))
    assert platform.signoffs(small, reviews=0) == ()
    assert platform.signoffs(medium, reviews=0) == ("compliance",)
    assert platform.signoffs(large, reviews=0) == ("compliance", "finance")
    # a manager reviewed it: no compliance review, but a contract still needs finance
    assert platform.signoffs(medium, reviews=1) == ()
    assert platform.signoffs(large, reviews=2) == ("finance",)


def test_capacity_a_step_is_staff_times_the_week_less_admin():
    model = _model(staff=1.5)
    s = model.config.staffing
    assert model.enabling.capacity_step == pytest.approx(1.5 * s.hours_per_week
                                                         * (1 - s.admin_share))


def test_a_front_line_decision_waits_for_its_sign_offs_then_starts_with_one_more_review():
    model = _model(review_hours=2.0, finance_hours=3.0)
    model.now = 5.0
    job = _job(model, decision=30.0)
    row = job.owner.row
    take_decision(model, job, job.owner, reviews=0)
    assert job.tasks == [] and job.state == JobState.AWAITING_DECISION  # no work yet
    assert model.workforce.step_activity[row, Activity.GOVERNANCE] == 0.0  # the platform reviews
    queue = model.enabling.queue
    assert [r.kind for r in queue] == ["compliance", "finance"]
    central = model.config.staffing.interaction.central
    assert [r.hours for r in queue] == [2.0 + central.hours, 3.0 + central.hours]
    assert all(r.ready_at == 5.0 + central.latency_weeks for r in queue)
    model.enabling.serve()  # the same week: not there yet
    assert job.tasks == [] and len(queue) == 2
    expected = model.counts["expected_incidents"]
    model.now = 6.0
    model.enabling.serve()
    assert job.state == JobState.IN_PROGRESS and len(job.tasks) == 1
    assert model.enabling.tally.signoff_waits == [1.0]
    assert model.enabling.tally.done == {"compliance": 1, "finance": 1, "hiring": 0}
    # incident risk as for a decision reviewed once (review_risk_factor ** 1)
    market, rules = model.config.market, model.config.staffing.interaction
    from sim.engine.escalation import incident_probability
    assert model.counts["expected_incidents"] - expected == pytest.approx(
        incident_probability(30.0, 1, rules.governance, market))


def test_requests_are_served_first_come_first_served_within_the_weeks_hours():
    model = _model(staff=0.25)  # 0.25 × 40 × 0.8 = 8 hours a week
    platform, model.now = model.enabling, 3.0
    platform.queue[:] = []
    first = Request("hiring", 6.0, 0.0, 0.0, row=0)
    second = Request("hiring", 6.0, 0.0, 0.0, row=1)
    later = Request("hiring", 1.0, 0.0, 9.0, row=2)  # not there until week 9
    platform.hiring.update({0: first, 1: second, 2: later})
    platform.queue += [first, later, second]
    platform.serve()
    assert first.hours == 0 and second.hours == pytest.approx(4.0) and later.hours == 1.0
    assert platform.queue == [later, second]
    assert platform.used_step == pytest.approx(8.0)
    assert platform.tally.waits == [3.0, 3.0]  # both had waited since week 0
    assert math.isnan(later.started_at)


def test_a_request_of_an_abandoned_job_is_dropped_unworked():
    model = _model()
    model.now = 1.0
    job = _job(model, decision=12.0)
    take_decision(model, job, job.owner, reviews=0)
    model.move(job, JobState.ABANDONED)
    model.now = 3.0
    model.enabling.serve()
    assert model.enabling.queue == [] and model.enabling.used_step == 0.0


def test_a_vacancy_is_filled_only_once_the_platform_has_recruited_for_it():
    model = _model(staff=0.25, hiring_hours=16.0)  # 8 hours a week: two weeks per hire
    platform, wf = model.enabling, model.workforce
    row = model.design.default_contact(0).row
    wf.vacate(row, until=1.0)  # the hiring delay is over after one week
    model.now = 0.0
    platform.queue[:] = []
    platform.open_vacancies()
    assert list(platform.hiring) == [row]
    due = np.zeros(wf.n, bool)
    due[row] = True
    model.now = 1.0
    platform.serve()
    assert not platform.hireable(due)[row]  # 8 of 16 hours done
    model.now = 2.0
    platform.serve()
    assert platform.hireable(due)[row]
    assert platform.tally.fills == [2.0]


def test_a_vacancy_filled_another_way_withdraws_its_recruiting():
    model = _model()
    platform, wf = model.enabling, model.workforce
    row = model.design.default_contact(0).row
    wf.vacate(row, until=12.0)
    platform.open_vacancies()
    request = platform.hiring[row]
    wf.filled[row] = True  # e.g. someone came back from a desk job
    platform.open_vacancies()
    assert request.cancelled and row not in platform.hiring

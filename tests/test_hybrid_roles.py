"""Step-level tests of converging roles (docs/ODD.md 7.8c, sim/engine/hybrid_roles.py), in the
style of tests/test_steps.py: a tiny market, hand-set skills, one job, then what must follow.

* the mandate: at convergence c the owner of a job does a front-line task outside their home
  capability themselves when their skill is at least 1 − c·(1 − min_skill) and they are not
  overloaded — the same rule under the traditional and the micro-enterprise design;
* the compliance bound: with the medical firewall on, medical work never crosses; with it off,
  each medical task done outside medical staff risks an incident at crossing_risk·(1 − governance);
* cross-training: c·training_hours a week on the capabilities a role may grow into, which the
  shared learning rule turns into skill.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_steps import add_job, quiet, staff

from sim import OrgSimModel
from sim.configuration.capabilities import ACCESS, COMMERCIAL, MEDICAL
from sim.engine.hybrid_roles import cross_train, skill_bar, training_capabilities
from sim.engine.job_discovery import discover
from sim.engine.rng import hybrid_stream
from sim.engine.staff import MedicalLiaison, PrimaryContact, SalesRep
from sim.engine.turnover import update_people
from sim.engine.workforce import Activity


def _model(design="traditional", convergence=1.0, firewall=True, **rules):
    cfg = quiet(design, frontline_authority=100.0, role_convergence=convergence,
                medical_firewall=firewall)
    if design == "micro_enterprise":
        cfg.org.team_authority = 100.0
    for key, value in rules.items():
        setattr(cfg.staffing.hybrid_roles, key, value)
    return OrgSimModel(cfg, seed=1)


def _rep_with(model, capability: int, skill: float):
    rep = staff(model, SalesRep)[0]
    model.workforce.skill[rep.row, capability] = skill
    return rep


# ------------------------------------------------------------------------------ the mandate
def test_the_skill_bar_falls_from_out_of_reach_to_min_skill_as_roles_converge():
    assert skill_bar(0.0, 0.35) == float("inf")  # separate roles: nobody crosses
    assert skill_bar(1.0, 0.35) == pytest.approx(0.35)
    assert skill_bar(0.5, 0.35) == pytest.approx(0.675)


def test_a_converged_rep_skilled_enough_does_the_access_task_without_a_handoff():
    model = _model()
    rep = _rep_with(model, ACCESS, 0.5)
    job = add_job(model, {"access": 2})
    discover(model, job, rep)
    assert job.tasks[0] in rep.queue and job.handoffs == 0
    assert model.counts["hybrid_tasks"] == 1


def test_separate_roles_or_too_little_skill_leave_the_task_to_the_designs_route():
    for convergence, skill in ((0.0, 0.9), (0.5, 0.6)):  # off; below the bar 0.675
        model = _model(convergence=convergence)
        rep = _rep_with(model, ACCESS, skill)
        job = add_job(model, {"access": 2})
        discover(model, job, rep)
        assert job.tasks[0] not in rep.queue and model.counts["hybrid_tasks"] == 0


def test_an_overloaded_owner_hands_the_task_on_as_before():
    model = _model()
    rep = _rep_with(model, ACCESS, 0.9)
    s = model.config.staffing
    model.workforce.backlog[rep.row] = s.hours_per_week * s.backlog_tolerance_weeks + 1
    job = add_job(model, {"access": 2})
    discover(model, job, rep)
    assert job.tasks[0] not in rep.queue and model.counts["hybrid_tasks"] == 0


def test_the_same_rule_lets_a_micro_enterprise_primary_contact_do_it_themselves():
    model = _model("micro_enterprise")
    contact = model.design.primary_contact[0]
    assert isinstance(contact, PrimaryContact)
    model.workforce.skill[contact.row, ACCESS] = 0.5
    job = add_job(model, {"access": 2})
    discover(model, job, contact)
    assert job.owner is contact and job.tasks[0] in contact.queue
    assert model.counts["hybrid_tasks"] == 1


# ---------------------------------------------------------------------- the compliance bound
def test_with_the_firewall_on_a_converged_rep_never_takes_medical_work():
    model = _model(firewall=True, crossing_risk=1.0)
    rep = _rep_with(model, MEDICAL, 1.0)
    job = add_job(model, {"medical": 2})
    discover(model, job, rep)
    assert job.tasks[0] not in rep.queue
    assert model.counts["medical_crossings"] == model.counts["crossing_incidents"] == 0


def test_with_the_firewall_off_medical_work_outside_medical_staff_risks_an_incident():
    certain = _model(firewall=False, crossing_risk=1.0)
    certain.config.staffing.interaction.governance = 0.0
    rep = _rep_with(certain, MEDICAL, 0.5)
    job = add_job(certain, {"medical": 2})
    discover(certain, job, rep)
    assert job.tasks[0] in rep.queue
    assert certain.counts["medical_crossings"] == certain.counts["crossing_incidents"] == 1
    assert certain.counts["incidents"] >= 1  # the shared incident rule: counted and costed
    never = _model(firewall=False, crossing_risk=0.0)
    discover(never, add_job(never, {"medical": 2}), _rep_with(never, MEDICAL, 0.5))
    assert never.counts["medical_crossings"] == 1 and never.counts["crossing_incidents"] == 0


def test_the_crossing_risk_is_crossing_risk_times_one_minus_governance():
    model = _model(firewall=False, crossing_risk=0.05)
    model.config.staffing.interaction.governance = 0.6
    before = model.counts["expected_incidents"]
    discover(model, add_job(model, {"medical": 2}), _rep_with(model, MEDICAL, 0.5))
    assert model.counts["expected_incidents"] - before == pytest.approx(0.05 * 0.4)


def test_whether_a_crossing_causes_an_incident_depends_only_on_seed_job_and_capability():
    a, b = hybrid_stream(3, 17, MEDICAL).random(), hybrid_stream(3, 17, MEDICAL).random()
    assert a == b != hybrid_stream(3, 18, MEDICAL).random()


# --------------------------------------------------------------------------- cross-training
def test_roles_grow_into_the_other_front_line_capabilities_the_rules_allow():
    assert training_capabilities("sales", firewall=True) == [ACCESS]
    assert training_capabilities("sales", firewall=False) == [MEDICAL, ACCESS]
    assert training_capabilities("medical", firewall=True) == [COMMERCIAL, ACCESS]
    assert training_capabilities("operations", firewall=False) == []  # experts: not a field role


def test_cross_training_spends_convergence_times_training_hours_split_over_those_capabilities():
    model = _model(convergence=0.5, training_hours=4.0)
    model.workforce.new_step()  # this week's hours
    cross_train(model)
    wf = model.workforce
    rep, msl = staff(model, SalesRep)[0], staff(model, MedicalLiaison)[0]
    assert wf.step_activity[rep.row, Activity.TRAINING] == pytest.approx(2.0)
    assert wf.cap_hours[rep.row, ACCESS] == pytest.approx(2.0)  # all of it: medical is fenced
    assert wf.cap_hours[msl.row, COMMERCIAL] == pytest.approx(1.0)
    assert wf.cap_hours[msl.row, ACCESS] == pytest.approx(1.0)
    off = _model(convergence=0.0, training_hours=4.0)
    off.workforce.new_step()
    cross_train(off)
    assert off.workforce.step_activity[:, Activity.TRAINING].sum() == 0


def test_the_shared_learning_rule_turns_training_into_wider_skill():
    skills = {}
    for convergence in (0.0, 1.0):
        model = _model(convergence=convergence, training_hours=8.0)
        rep = staff(model, SalesRep)[0]
        before = float(model.workforce.skill[rep.row, ACCESS])
        model.workforce.new_step()
        cross_train(model)
        update_people(model)
        skills[convergence] = float(model.workforce.skill[rep.row, ACCESS]) - before
    assert skills[1.0] > 0 > skills[0.0]  # trained: learns; untrained: forgets a little
    assert np.isfinite(skills[1.0])

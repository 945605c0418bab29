"""Step-level tests of the two shared people rules (docs/ODD.md 7.8a and 7.8b), in the style of
tests/test_steps.py: a tiny market, hand-set state, one call of the rule, then what must follow.

* value-sharing pay (sim/engine/pay.py): the pay formula, the customer-value index, how pay moves
  engagement through the existing engagement rule and what it adds to cost;
* moves between desk and field (sim/engine/desk_moves.py): frustration pushes experienced field
  people to desk jobs, field engagement pulls people back to vacant field positions, bringing
  their experience.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_steps import quiet, staff

from sim import OrgSimModel
from sim.configuration.people_rules import ValuePayConfig
from sim.engine.costs import book_costs
from sim.engine.desk_moves import (
    bring_back_to_field,
    field_positions,
    move_between_desk_and_field,
    send_frustrated_to_desk,
)
from sim.engine.pay import customer_value, pay_for_value, relative_pay
from sim.engine.rng import desk_stream
from sim.engine.staff import PlatformExpert, SalesRep
from sim.engine.turnover import update_people


# ------------------------------------------------------------------ value-sharing pay (7.8a)
def test_pay_is_below_salary_under_the_on_target_value_above_it_over_and_capped():
    rules = ValuePayConfig(on_target_value=0.5, cap=1.5)
    f = np.full(4, 0.3)
    pay = relative_pay(f, np.array([0.25, 0.5, 0.6, 1.0]), rules)
    np.testing.assert_allclose(pay, [0.85, 1.0, 1.06, 1.15])
    assert relative_pay(np.zeros(1), np.array([0.0]), rules)[0] == 1.0  # nothing tied: salary


def test_customer_value_is_the_mean_of_resolved_adopted_and_patient_shares_of_answered_accounts():
    model = OrgSimModel(quiet("traditional"), seed=1)
    book, n = model.book, model.workforce.n
    np.testing.assert_allclose(customer_value(model), np.full(n, 0.5 / 3))  # nothing yet
    book.adopted_week[:] = 1.0
    book.patients_treated[:] = model.market.patients * model.config.therapy.peak_share
    book.resolved_stock[:] = book.abandoned_stock[:] = 5.0  # as many resolved as abandoned
    np.testing.assert_allclose(customer_value(model), np.full(n, (0.5 + 1 + 1) / 3))
    book.resolved_stock[:] = 10.0  # more resolved than abandoned: more value
    assert (customer_value(model) > (0.5 + 1 + 1) / 3).all()


def _paid_on_value(fraction: float, adopted: bool):
    model = OrgSimModel(quiet("micro_enterprise", value_pay_fraction=fraction), seed=1)
    wf = model.workforce
    wf.leave_threshold[: wf.n] = np.inf
    wf.engagement[: wf.n] = 0.6
    if adopted:
        model.book.adopted_week[:] = 1.0
        model.book.patients_treated[:] = (model.market.patients
                                          * model.config.therapy.peak_share)
    update_people(model)
    book_costs(model)
    return model


def test_pay_above_target_raises_engagement_and_cost_and_pay_below_lowers_both():
    fixed = _paid_on_value(0.0, adopted=True)
    rich, poor = _paid_on_value(0.4, adopted=True), _paid_on_value(0.4, adopted=False)
    n = fixed.workforce.n
    assert (rich.workforce.engagement[:n] > fixed.workforce.engagement[:n]).all()
    assert (poor.workforce.engagement[:n] < fixed.workforce.engagement[:n]).all()
    assert poor.cost_step < fixed.cost_step < rich.cost_step
    # the money: the step's pay is exactly the salaries plus what variable pay paid over target
    extra = rich.counts["variable_pay"] - rich.counts["variable_pay_target"]
    assert rich.cost_step - fixed.cost_step == pytest.approx(extra)
    assert fixed.counts["variable_pay"] == 0 and (fixed.workforce.pay_factor[:n] == 1).all()


def test_the_pay_rule_is_the_same_for_every_design_only_the_fraction_is_the_design_s():
    for design in ("traditional", "micro_enterprise", "matrix"):
        model = OrgSimModel(quiet(design, value_pay_fraction=0.3), seed=1)
        pay_for_value(model)
        wf, n = model.workforce, model.workforce.n
        expected = relative_pay(np.full(n, 0.3), customer_value(model),
                                model.config.staffing.value_pay)
        np.testing.assert_allclose(wf.pay_factor[:n], expected)


# ------------------------------------------------------------------ desk and field (7.8b)
def _desk_rules(**rules):
    cfg = quiet("traditional")
    for key, value in {"to_desk_annual": 0.5, "to_field_annual": 0.5, **rules}.items():
        setattr(cfg.staffing.desk_moves, key, value)
    model = OrgSimModel(cfg, seed=1)
    model.workforce.leave_threshold[: model.workforce.n] = np.inf
    return model


def test_field_positions_are_the_customer_facing_ones():
    model = _desk_rules()
    field = field_positions(model)
    assert all(field[a.row] for a in staff(model, SalesRep))
    assert not any(field[a.row] for a in staff(model, PlatformExpert))


def test_a_frustrated_experienced_field_person_takes_a_desk_job_keeping_their_experience():
    model = _desk_rules()
    wf, rules = model.workforce, model.config.staffing.desk_moves
    senior, junior = (r.row for r in staff(model, SalesRep)[:2])
    wf.experience[: wf.n] = 0.0  # nobody else is senior enough to move
    wf.experience[senior], wf.experience[junior] = 10.0, 1.0
    for row in (senior, junior):  # both one step away from their thresholds
        wf.desk_hazard[row] = model.desk.field_threshold(int(wf.person_id[row])) - 1e-3
    pid, experience = int(wf.person_id[senior]), float(wf.experience[senior])
    wf.engagement[: wf.n] = 0.2  # frustrated
    send_frustrated_to_desk(model, field_positions(model), rules)
    assert not wf.filled[senior] and wf.filled[junior]  # only the experienced move
    assert wf.vacant_until[senior] == model.now + model.config.staffing.hiring_delay_weeks
    assert [p.person_id for p in model.desk.people] == [pid]
    assert model.desk.people[0].experience == experience and model.counts["to_desk"] == 1
    assert model.counts["leavers"] == 0  # a move to a desk job is no leaver


def test_frustration_pushes_harder_than_contentment():
    hazards = []
    for engagement in (0.3, 0.9):
        model = _desk_rules()
        wf = model.workforce
        wf.experience[: wf.n], wf.engagement[: wf.n] = 10.0, engagement
        send_frustrated_to_desk(model, field_positions(model), model.config.staffing.desk_moves)
        hazards.append(wf.desk_hazard[staff(model, SalesRep)[0].row])
    assert hazards[0] > hazards[1] > 0
    assert hazards[0] / hazards[1] == pytest.approx(np.exp(4.0 * 0.6))


def test_a_person_in_a_desk_job_returns_to_a_vacant_field_position_at_once_with_experience():
    model = _desk_rules(initial_pool=0.5)
    wf, pool = model.workforce, model.desk
    assert len(pool) == 2 and {p.function for p in pool.people} == {"sales"}  # round(0.5 × 3)
    assert all(p.experience >= model.config.staffing.desk_moves.min_experience
               for p in pool.people)
    rep = staff(model, SalesRep)[0].row
    wf.vacate(rep, until=model.now + 12)
    pool.hazard[0] = pool.threshold[0]  # ready to come back
    returner = pool.people[0]
    bring_back_to_field(model, field_positions(model), model.config.staffing.desk_moves)
    assert wf.filled[rep] and int(wf.person_id[rep]) == returner.person_id
    assert wf.experience[rep] == returner.experience
    np.testing.assert_array_equal(wf.skill[rep], returner.skills)
    assert len(pool) == 1 and model.counts["to_field"] == 1 and model.counts["hires"] == 0


def test_nobody_returns_without_a_vacancy_of_their_function():
    model = _desk_rules(initial_pool=0.5)
    pool = model.desk
    pool.hazard[:] = list(pool.threshold)
    model.workforce.experience[:] = 0.0  # nobody in the field moves to a desk job meanwhile
    move_between_desk_and_field(model)
    assert len(pool) == 2 and model.counts["to_field"] == 0


def test_an_engaged_field_pulls_people_back_sooner():
    pulls = []
    for engagement in (0.3, 0.9):
        model = _desk_rules(initial_pool=0.5)
        model.workforce.engagement[: model.workforce.n] = engagement
        bring_back_to_field(model, field_positions(model), model.config.staffing.desk_moves)
        pulls.append(model.desk.hazard[0])
    assert pulls[1] / pulls[0] == pytest.approx(np.exp(4.0 * 0.6))


def test_with_the_default_rates_nobody_moves_and_no_desk_pool_is_drawn():
    model = OrgSimModel(quiet("traditional"), seed=1)
    assert not model.config.staffing.desk_moves.active() and len(model.desk) == 0
    model.workforce.engagement[:] = 0.0
    model.workforce.experience[:] = 30.0
    move_between_desk_and_field(model)
    assert model.counts["to_desk"] == 0 and model.workforce.desk_hazard.sum() == 0


def test_desk_thresholds_depend_only_on_seed_person_and_move():
    draws = [desk_stream(seed, pid, move).random(2).tolist()
             for seed, pid, move in ((1, 5, 0), (1, 5, 0), (2, 5, 0), (1, 6, 0), (1, 5, 1))]
    assert draws[0] == draws[1] and all(d != draws[0] for d in draws[2:])

"""People at work: engagement, learning, attrition and hiring, for every position at once (ODD 7.8).

A position (a staff agent) is held by a person (sim/engine/people.py). Each step:

* **engagement** moves at ``engagement_rate`` toward a target built from what the job feels like
  — *impact* (the jobs they touched were resolved rather than abandoned), *autonomy* (their jobs'
  decisions were taken by them rather than escalated), the design's *KPI* reward, *overload*
  (backlog beyond ``backlog_tolerance_weeks`` of hours; an expert's backlog includes its share of
  the shared queue) and *pay* above or below salary when a design ties pay to customer value
  (sim/engine/pay.py). Memories of outcomes and decisions fade over ``memory_weeks``;
* **skill** in each capability grows with the share of the week worked on it and fades toward a
  floor when unused; experience grows with time;
* **attrition**: the hazard of leaving rises as engagement falls below 0.6; a person leaves when
  the accumulated hazard passes their pre-drawn threshold. The accounts they served lose trust
  (sim/engine/trust.py); the position stays vacant ``hiring_delay_weeks`` and keeps its queue;
* **desk and field**: experienced field people may take desk jobs and people in desk jobs come
  back to vacant field positions (sim/engine/desk_moves.py), before hiring;
* **hiring**: a vacancy whose delay is over is filled by the next person of that function's
  hiring pool — the same person under every design (common random numbers); with an enabling
  platform (sim/engine/platform_layers.py) only once its HR staff have recruited for it.

Disengaged people leave, their accounts lose a contact and their replacements start less skilled:
this is how an organisation's treatment of its people reaches its customers.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.desk_moves import move_between_desk_and_field
from sim.engine.pay import pay_for_value
from sim.engine.trust import lose_departed_contact

STAFF_MEMORY_FLOOR = 0.05  # skills never fall below this


def update_people(model) -> None:
    """Engagement, learning, attrition and hiring for every position at once."""
    s, wf, dt = model.config.staffing, model.workforce, model.dt
    n = wf.n
    present = wf.filled[:n] & wf.active[:n]
    decay = math.exp(-dt / s.memory_weeks)
    for col in (wf.resolved_memory, wf.abandoned_memory, wf.own_decisions,
                wf.escalated_decisions):
        col[:n] *= decay
    impact = (wf.resolved_memory[:n] + 1) / (wf.resolved_memory[:n]
                                             + wf.abandoned_memory[:n] + 2)
    autonomy = (wf.own_decisions[:n] + 1) / (wf.own_decisions[:n]
                                             + wf.escalated_decisions[:n] + 2)
    for expert in model.experts():
        wf.shared_backlog[expert.row] = expert.platform.share_of_queue(expert)
    backlog = wf.backlog[:n] + wf.shared_backlog[:n]
    with np.errstate(over="ignore"):  # a near-zero tolerance saturates overload at 1
        overload = np.clip(backlog / (s.hours_per_week * s.backlog_tolerance_weeks) - 1, 0, 1)
    wf.kpi[:n] = model.design.kpi()
    pay_for_value(model)  # pay ÷ salary this step (1 unless a design ties pay to value)
    target = np.clip(s.engagement_base + s.weight_impact * (impact - 0.5)
                     + s.weight_autonomy * (autonomy - 0.5) + s.weight_kpi * (wf.kpi[:n] - 0.5)
                     - s.weight_overload * overload
                     + s.value_pay.pay_weight * (wf.pay_factor[:n] - 1.0), 0.0, 1.0)
    e = wf.engagement[:n]
    e += np.where(present, s.engagement_rate * dt * (target - e), 0.0)
    np.clip(e, 0.0, 1.0, out=e)

    wf.experience[:n] += np.where(present, dt / 52.0, 0.0)
    used = wf.cap_hours[:n] / (s.hours_per_week * dt)
    skill = wf.skill[:n]
    skill += present[:, None] * dt * (s.learning_rate * used * (1 - skill)
                                      - s.forgetting_rate * (1 - np.minimum(used, 1))
                                      * (skill - STAFF_MEMORY_FLOOR))
    np.clip(skill, STAFF_MEMORY_FLOOR, 1.0, out=skill)

    hazard = s.attrition_annual / 52.0 * np.exp(s.attrition_sensitivity * (0.6 - e))
    wf.leave_hazard[:n] += np.where(present, hazard * dt, 0.0)
    for row in np.flatnonzero(present & (wf.leave_hazard[:n] >= wf.leave_threshold[:n])):
        leave(model, int(row))
    move_between_desk_and_field(model)  # before hiring: a returner fills a vacancy at once
    due = wf.active[:n] & ~wf.filled[:n] & (wf.vacant_until[:n] <= model.now + 1e-9)
    if model.enabling is not None:  # the enabling platform recruits for every vacancy (7.4a)
        model.enabling.open_vacancies()
        due = model.enabling.hireable(due)
    for row in np.flatnonzero(due):
        hire(model, int(row))


def leave(model, row: int) -> None:
    """The holder of position ``row`` leaves; the position waits ``hiring_delay_weeks``."""
    wf = model.workforce
    pid = int(wf.person_id[row])
    lose_departed_contact(model, pid)
    model.row_of_person.pop(pid, None)
    wf.vacate(row, model.now + model.config.staffing.hiring_delay_weeks)
    model.counts["leavers"] += 1


def hire(model, row: int) -> None:
    """Fill position ``row`` with the next suitable person of its function's hiring pool."""
    wf = model.workforce
    agent = wf.agents[row]
    person = model.people.hire(agent.function, agent.min_hire_experience())
    wf.fill(row, person, model.config.staffing.engagement_initial)
    model.row_of_person[person.person_id] = row
    model.counts["hires"] += 1

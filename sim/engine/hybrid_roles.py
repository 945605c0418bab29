"""Converging medical / commercial / access roles: one rule for every design (ODD 7.8c).

[A2] expects the roles of medical, commercial and market access to converge; [A4] warns of the
regulatory limits. A design sets only how far its front-line roles converge
(``org.role_convergence`` = c, a role definition); what that lets a person do, how they are trained
and what a crossing risks is this rule (``staffing.hybrid_roles``), the same everywhere:

* **mandate** (:func:`own_worker`): the owner of a job — a rep, MSL, access manager or primary
  contact — does a front-line task outside their home capability *themselves*, instead of the
  design's route, when their skill in it is at least 1 − c · (1 − ``min_skill``) and their backlog
  is within ``staffing.backlog_tolerance_weeks``. Medical work by a non-medical person only while
  ``org.medical_firewall`` is off. Nothing else changes: they work at their own pace in that
  capability (a generalist is slower than a specialist), no handoff is made and nobody new meets
  the customer — fewer contacts and less waiting come from the shared friction table and the
  contact book, not from a number the design sets;
* **skill mix widening** (:func:`cross_train`): each field person spends c · ``training_hours`` a
  week training in the front-line capabilities their role may grow into (not medical for
  non-medical staff while the firewall holds); those hours count as work on the capability for the
  shared learning rule (sim/engine/turnover.py), like the tasks they do outside their home. Skill
  also starts wider with experience (sim/engine/people.py), so experienced people qualify first;
* **compliance** (:func:`charge_medical_crossing`): every medical task done by someone who is not
  medical staff while the firewall is off — under this mandate or any design's route — risks a
  compliance incident with probability ``crossing_risk`` · (1 − governance), by the shared incident
  rule (sim/engine/costs.py). With the firewall on, the mandate never crosses: the risk is bounded
  by the rule. Draws come from :func:`sim.engine.rng.hybrid_stream`, keyed by (seed, job,
  capability), so a crossing's outcome is the same whichever design made it.
"""

from __future__ import annotations

import numpy as np

from sim.configuration.capabilities import FRONTLINE_CAPABILITIES, MEDICAL
from sim.engine.costs import record_incident
from sim.engine.jobs import Event
from sim.engine.people import HOME_CAPABILITY
from sim.engine.rng import hybrid_stream
from sim.engine.workforce import Activity

FIELD_FUNCTIONS = ("sales", "medical", "access")


def skill_bar(convergence: float, min_skill: float) -> float:
    """Skill a role at ``convergence`` needs to work outside its home capability (> 1: never)."""
    if convergence <= 0:
        return float("inf")
    return 1.0 - convergence * (1.0 - min_skill)


def may_cross(function: str, capability: int, firewall: bool) -> bool:
    """Whether the rules let a field person of ``function`` take ``capability`` work at all."""
    home = HOME_CAPABILITY.get(function)
    if function not in FIELD_FUNCTIONS or capability == home:
        return False
    if capability not in FRONTLINE_CAPABILITIES:
        return False  # patient services and operations stay with the experts
    return not (firewall and capability == MEDICAL)


def own_worker(model, job, capability: int):
    """The job's owner, if the mandate lets them do this task themselves; else None."""
    owner = job.owner
    convergence, firewall = model.design.role_rules_for(job)
    if not may_cross(owner.function, capability, firewall):
        return None
    wf, row, s = model.workforce, owner.row, model.config.staffing
    if not wf.filled.item(row):
        return None
    if wf.skill.item(row, capability) < skill_bar(convergence, s.hybrid_roles.min_skill):
        return None
    if wf.backlog.item(row) > s.hours_per_week * s.backlog_tolerance_weeks:
        return None  # overloaded: the design's route takes it
    model.counts["hybrid_tasks"] += 1
    return owner


def training_capabilities(function: str, firewall: bool) -> list[int]:
    """The front-line capabilities a field person of ``function`` may grow into."""
    return [c for c in FRONTLINE_CAPABILITIES if may_cross(function, c, firewall)]


def cross_train(model) -> None:
    """Every filled field position spends c · training_hours on its cross capabilities."""
    if not model.design.converges_roles():
        return
    wf, dt = model.workforce, model.dt
    hours = model.config.staffing.hybrid_roles.training_hours
    if hours <= 0:
        return
    convergence, firewall = model.design.role_rules_by_position()
    n = wf.n
    present = wf.filled[:n] & wf.active[:n]
    for row in np.flatnonzero(present & (convergence[:n] > 0)):
        caps = training_capabilities(wf.agents[row].function, bool(firewall[row]))
        for c in caps:
            granted = wf.spend(int(row), convergence[row] * hours * dt / len(caps),
                               Activity.TRAINING, c)
            model.counts["training_hours"] += granted


def charge_medical_crossing(model, task, worker) -> None:
    """A non-medical person took a medical task: an incident risk while the firewall is off."""
    _, firewall = model.design.role_rules_for(task.job)
    if firewall:
        return  # only a last resort where no medical person exists (not a converged role)
    model.counts["medical_crossings"] += 1
    risk = (model.config.staffing.hybrid_roles.crossing_risk
            * (1.0 - model.config.staffing.interaction.governance))
    model.counts["expected_incidents"] += risk
    if risk > 0 and hybrid_stream(model.seed, task.job.job_id, task.capability).random() < risk:
        model.counts["crossing_incidents"] += 1
        record_incident(model)
        model.history.record(task.job, model.now, Event.COMPLIANCE_INCIDENT, worker,
                             "medical work outside medical staff")


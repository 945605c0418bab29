"""Costs: what the commercial organisation spends, booked once a step (ODD 7.9).

Per step, for every design alike:

* pay of the filled positions (``salary_*`` / 52 · dt, times the pay factor of value-sharing pay,
  sim/engine/pay.py: 1 unless a design ties pay to customer value) — a vacant position costs
  nothing;
* customer-facing hours (visits and deliveries) × ``staffing.visit_cost``; with the channel rule
  on (sim/engine/channels.py), what remote, content and event hours cost beyond that;
* hires × ``staffing.hiring_cost``;
* each compliance incident's cost, drawn log-normal with mean ``incident_cost`` and σ
  ``incident_cost_sigma`` — rare large fines (:func:`record_incident`; the chance of an incident
  is sim/engine/escalation.py's for decisions and sim/engine/visits.py's for promotion);
* the price of changing the organisation: severance and retraining (:func:`pay_transition`).

The submodels add to ``model.counts`` as things happen; :func:`book_costs` prices what this step
added (``model.this_step``). Cost per resolved job, per adopted account and per patient-year
divide the whole total (sim/engine/results.py).
"""

from __future__ import annotations

import math


def record_incident(model) -> None:
    """A compliance incident with a heavy-tailed cost (log-normal: rare large fines)."""
    s = model.config.staffing
    mu = math.log(max(s.incident_cost, 1e-12)) - s.incident_cost_sigma ** 2 / 2
    model.counts["incidents"] += 1
    if s.incident_cost > 0:
        model.counts["incident_cost"] += float(model.dynamics_rng.lognormal(
            mu, s.incident_cost_sigma))


def pay_transition(model, leaving: list, moved: list) -> None:
    """The price of changing the organisation: severance for positions that go, retraining
    for people moved into new roles (the learning-curve dip and resistance are the
    micro-enterprise settings ``initial_effectiveness`` and ``resistance``)."""
    s, wf = model.config.staffing, model.workforce
    cost = sum(wf.salary[m.row] for m in leaving) * s.severance_years
    cost += len(moved) * s.retraining_cost
    model.counts["transition_cost"] += cost


def book_costs(model) -> None:
    """Price this step: salaries, customer-facing hours, hires, incidents and transitions."""
    s, wf, n = model.config.staffing, model.workforce, model.workforce.n
    present = wf.filled[:n] & wf.active[:n]
    c = {k: model.this_step(k) for k in ("visit_hours", "hires", "incident_cost",
                                          "transition_cost", "channel_cost")}
    pay = wf.salary[:n] * wf.pay_factor[:n]  # salary at target × this step's pay factor
    model.cost_step = (pay[present].sum() / 52.0 * model.dt
                       + c["visit_hours"] * s.visit_cost + c["hires"] * s.hiring_cost
                       + c["incident_cost"] + c["transition_cost"] + c["channel_cost"])
    model.cost_total += model.cost_step

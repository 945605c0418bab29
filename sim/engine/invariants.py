"""Invariants that must hold after every step, for every design.

Used by the tests (and by ``run.check_invariants=true``): job conservation, capacity, one place per
person (a position or a desk job), stage rules, bounded state and no NaN, and that what is kept
until the structure changes (frictions, routes) is still what the structure gives. Each failure
names the broken rule and the step.
"""

from __future__ import annotations

import numpy as np

from sim.engine.interactions import relationship
from sim.engine.jobs import JobState


class InvariantError(AssertionError):
    pass


def _fail(model, message: str) -> None:
    raise InvariantError(f"step {model.steps} ({model.config.org.design}): {message}")


def check(model) -> None:
    wf, n = model.workforce, model.workforce.n

    # jobs arrived = open + resolved + abandoned, counted two independent ways
    by_state = {s: 0 for s in JobState}
    for job in model.jobs:
        by_state[job.state] += 1
    if by_state != model.state_count:
        _fail(model, f"job state counts drifted: {by_state} vs {model.state_count}")
    open_ = sum(by_state[s] for s in JobState if s.is_open)
    if len(model.jobs) != open_ + by_state[JobState.RESOLVED] + by_state[JobState.ABANDONED]:
        _fail(model, "jobs arrived ≠ open + resolved + abandoned")
    if model.counts["resolved"] != by_state[JobState.RESOLVED]:
        _fail(model, "resolved counter disagrees with job states")
    if model.counts["abandoned"] != by_state[JobState.ABANDONED]:
        _fail(model, "abandoned counter disagrees with job states")

    # nobody is allocated more hours than their capacity
    capacity = wf.capacity_step[:n]
    if np.any(capacity > wf.hours_per_week * model.dt + 1e-9):
        _fail(model, "a position was given more than a week of hours")
    if np.any(wf.used[:n] > capacity + 1e-6):
        row = int(np.argmax(wf.used[:n] - capacity))
        _fail(model, f"position {row} used {wf.used[row]:.3f} h of {capacity[row]:.3f}")
    if np.any(wf.step_activity[:n] < -1e-9):
        _fail(model, "negative hours")
    if np.any(wf.backlog[:n] < 0) or np.any(wf.shared_backlog[:n] < 0):
        _fail(model, "negative queued work (backlog)")  # the demo draws its square root

    # one person, one place: nobody holds two positions, or a position and a desk job
    held = wf.person_id[:n][wf.filled[:n]]
    desk = np.array([p.person_id for p in model.desk.people], np.int64)
    if len(np.unique(held)) != len(held) or np.intersect1d(held, desk).size:
        _fail(model, "a person holds two positions, or a position and a desk job")

    # stages only move forward, one at a time
    stage, before = model.dmus.stage, model._previous_stage
    if np.any(stage < before) or np.any(stage - before > 1):
        _fail(model, "a stakeholder moved backward or skipped a stage")
    if np.any((stage < 0) | (stage > 4)):
        _fail(model, "stage out of range")

    # bounded, finite state
    book = model.book
    for name, values, lo, hi in (
        ("trust", book.trust, 0, 1),
        ("engagement", wf.engagement[:n], 0, 1),
        ("skill", wf.skill[:n], 0, 1),
        ("effectiveness", wf.effectiveness[:n], 0, 1),
        ("patients treated", book.patients_treated, 0, np.inf),
        ("resolved stock", book.resolved_stock, 0, np.inf),
    ):
        if not np.all(np.isfinite(values)):
            _fail(model, f"{name} is not finite")
        if np.any(values < lo - 1e-9) or np.any(values > hi + 1e-9):
            _fail(model, f"{name} out of [{lo}, {hi}]")
    if not np.isfinite(model.cost_total) or model.cost_step < 0:
        _fail(model, "cost is not finite or negative")
    if np.any(book.patients_treated > model.market.patients + 1e-9):
        _fail(model, "more patients treated than eligible")
    adopted = book.adopted
    if np.any(adopted & (book.open_gates > 0)):
        _fail(model, "an account adopted with a trigger point still open")

    # kept until the structure changes (sim/engine/interactions.py ``friction``, a design's
    # routes): still what the structure gives now. A design that rewires teams, managers or
    # regions without ``structure_changed()`` would otherwise run on stale frictions and routes.
    version, known = model.frictions
    if version == model.design.structure_version:
        interaction = model.config.staffing.interaction
        for (a, b), kept in known.items():
            if kept != getattr(interaction, relationship(a, b)):
                _fail(model, f"a kept friction is stale ({relationship(a, b)} now): the "
                             "structure changed without structure_changed()")
    _check_kept_routes(model, model.design)


def _check_kept_routes(model, design) -> None:
    """A design's kept routes (the traditional design's, per owner, account and capability;
    a pilot's two designs each keep their own) equal a route worked out afresh."""
    for part in (design, getattr(design, "old", None), getattr(design, "new", None)):
        kept = getattr(part, "_routes", None)
        if part is None or kept is None or kept[0] != part.structure_version:
            continue
        for (owner, account, capability), route in kept[1].items():
            fresh = part._route(owner, account, capability)
            if (route.path, route.pool, route.platform) != \
                    (fresh.path, fresh.pool, fresh.platform):
                _fail(model, f"a kept route of {owner} for capability {capability} at account "
                             f"{account} is stale: the structure changed without "
                             "structure_changed()")

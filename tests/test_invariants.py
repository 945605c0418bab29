"""Invariants hold on every step, for every design; and the checker does catch violations."""

from __future__ import annotations

import numpy as np
import pytest
from settings import fragmented, organized, tiny

from sim import OrgSimModel, validate
from sim.configuration.schema import RELATIONSHIPS
from sim.designs import names
from sim.engine.interactions import relationship
from sim.engine.invariants import InvariantError, check


@pytest.mark.parametrize("design", names())
@pytest.mark.parametrize("seed", [0, 1])
def test_invariants_every_step_default_market(design, seed):
    model = OrgSimModel(organized(design, check_invariants=True), seed=seed)
    model.run()  # check() runs after every step and raises on any violation
    assert model.steps == 156
    assert model.counts["resolved"] > 0 and model.counts["abandoned"] >= 0


@pytest.mark.parametrize("design", names())
def test_invariants_every_step_tiny_and_fragmented_markets(design):
    for cfg in (tiny(design), fragmented(design)):
        cfg.run.check_invariants = True
        cfg.run.horizon_weeks = 40
        OrgSimModel(cfg, seed=4).run()


@pytest.mark.parametrize("design", ["traditional", "micro_enterprise"])
@pytest.mark.parametrize("step_weeks", [0.5, 2.0])
def test_invariants_hold_with_other_step_lengths(design, step_weeks):
    cfg = organized(design, check_invariants=True, horizon_weeks=52)
    cfg.run.step_weeks = step_weeks
    if step_weeks == 2.0:  # hop delays must be whole steps
        rules = cfg.staffing.interaction
        for r in RELATIONSHIPS:
            if rules.relationship(r).latency_weeks:
                rules.relationship(r).latency_weeks = 2.0
    model = OrgSimModel(validate(cfg), seed=2)
    model.run()
    assert model.now == pytest.approx(52.0)


def _stepped(design="traditional", steps=10):
    model = OrgSimModel(organized(design), seed=9)
    for _ in range(steps):
        model.step()
    check(model)  # a healthy model passes
    return model


def test_checker_catches_capacity_overrun():
    model = _stepped()
    model.workforce.used[0] = model.workforce.capacity_step[0] + 5
    with pytest.raises(InvariantError, match="used"):
        check(model)


def test_checker_catches_stage_moving_backward_or_skipping():
    model = _stepped()
    i = int(np.argmax(model.dmus.stage > 0))
    model.dmus.stage[i] -= 1
    with pytest.raises(InvariantError, match="stage"):
        check(model)
    model = _stepped()
    model._previous_stage = model.dmus.stage.copy()
    model.dmus.stage[0] = min(4, model.dmus.stage[0] + 2)
    with pytest.raises(InvariantError, match="stage"):
        check(model)


def test_checker_catches_lost_job_and_nan():
    model = _stepped()
    model.state_count[next(iter(model.state_count))] += 1
    with pytest.raises(InvariantError, match="job state"):
        check(model)
    model = _stepped()
    model.book.trust[0] = np.nan
    with pytest.raises(InvariantError, match="trust"):
        check(model)


def test_checker_catches_negative_queued_work():
    model = _stepped("micro_enterprise")
    model.workforce.shared_backlog[0] = -1e-16  # what float drift used to leave behind
    with pytest.raises(InvariantError, match="backlog"):
        check(model)


def test_checker_catches_a_friction_kept_past_a_structure_change():
    """Frictions are kept per (sender, receiver) until the design says its structure changed;
    a rewiring that does not say so is caught, not run on stale frictions."""
    model = _stepped()
    _, known = model.frictions
    a, b = next((a, b) for a, b in known
                if relationship(a, b) not in ("same_person", "hierarchy_level"))
    a.manager = b  # b now manages a: a hierarchy step, not what was kept
    with pytest.raises(InvariantError, match="kept friction is stale"):
        check(model)


def test_checker_catches_a_route_kept_past_a_structure_change():
    model = _stepped()
    routes = model.design._routes[1]
    route = next(r for r in routes.values() if len(r.pool) > 1 and r.path)
    manager = next(m for m in route.path if tuple(getattr(m, "reports", ())) == route.pool)
    manager.reports.pop()  # someone left the team, and the design did not say so
    with pytest.raises(InvariantError, match="kept route .* is stale"):
        check(model)

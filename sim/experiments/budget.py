"""Comparing designs at equal cost: the budget of a configuration and scaling a design to match.

A reorganisation is judged against the same money. By default (``compare: equal_budget``) the
compared design's staff (reps, MSLs, access managers, central experts; its managers follow from its
structure) are scaled by one factor so that its planned total cost over the horizon equals the
baseline's. ``equal_headcount`` scales to the same number of positions instead; ``as_configured``
leaves both as the user set them.

The planned budget is what the organisation commits to at launch: every position's fully loaded
salary over the horizon, the planned customer-facing hours at ``staffing.visit_cost`` and the
transformation price a design announces at launch (a pilot's retraining). It is computed by
building the model (no step is run), so it counts exactly the positions the design creates.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sim.configuration.schema import ConfigError, SimConfig
from sim.configuration.validation import validate

if TYPE_CHECKING:
    from sim.configuration.composition import Composed

# The modes are declared with the composition that checks ``compare:`` (sim/configuration/);
# read from there when needed, so that reading a report's basis line does not import Hydra.

SCALED = ("reps", "msls", "access", "operations_experts", "patient_services_experts")


@dataclass(frozen=True)
class Budget:
    headcount: int  # positions at launch (managers included)
    cost: float  # planned total cost over the horizon, k€


def planned_budget(config: SimConfig, seed: int | None = None) -> Budget:
    """Positions and planned cost of ``config`` (salaries, planned visits, announced
    transition costs) over its horizon."""
    from sim.engine.model import OrgSimModel  # here: Mesa only when a budget is computed

    model = OrgSimModel(config, seed)
    model.design.plan_if_due()
    wf, s = model.workforce, config.staffing
    active = wf.active[: wf.n] & wf.filled[: wf.n]
    years = config.run.horizon_weeks / 52.0
    salaries = float(wf.salary[: wf.n][active].sum()) * years
    # the enabling platform's staff (docs/ODD.md 7.4a): the same in every design, not positions
    salaries += s.platforms.enabling_staff * s.salary_expert * years
    visits = (float(model.design.plan.hours.sum()) * config.run.horizon_weeks * s.visit_cost
              * s.channels.planned_cost_factor())  # 1 unless the channel rule is on (ODD 7.1a)
    return Budget(int(active.sum()), salaries + visits + model.counts["transition_cost"])


def scaled(config: SimConfig, factor: float) -> SimConfig:
    """``config`` with every scaled staff count multiplied by ``factor`` (rounded, ≥ 1 if it
    was ≥ 1)."""
    out = copy.deepcopy(config)
    for name in SCALED:
        n = getattr(config.staffing, name)
        setattr(out.staffing, name, max(1 if n else 0, round(n * factor)))
    return validate(out)


def equalise(baseline: SimConfig, compared: SimConfig, mode: str,
             seed: int | None = None) -> tuple[SimConfig, dict]:
    """The compared design scaled to the baseline's budget or headcount (``mode``), and a
    description {design: {"headcount", "budget"}, "mode", "factor"} for tables and reports."""
    from sim.configuration.composition import MODES

    if mode not in MODES:
        raise ValueError(f"compare: must be one of {', '.join(MODES)}, got {mode!r}")
    target = planned_budget(baseline, seed)
    key = "cost" if mode == "equal_budget" else "headcount"
    factor, out = 1.0, compared
    if mode != "as_configured":
        current = planned_budget(compared, seed)
        for _ in range(4):  # secant-free fixed point: cost is nearly proportional to staff
            ratio = getattr(target, key) / max(getattr(current, key), 1e-9)
            if abs(ratio - 1.0) < 0.002:
                break
            factor *= ratio
            out = scaled(compared, factor)
            current = planned_budget(out, seed)
    mine = current if mode != "as_configured" else planned_budget(out, seed)  # current is out's
    info = {"mode": mode, "factor": round(factor, 4),
            baseline.org.design: {"headcount": target.headcount, "budget": target.cost},
            compared.org.design: {"headcount": mine.headcount, "budget": mine.cost}}
    return out, info


def equalised(composed: Composed, seed: int | None = None) -> Composed:
    """``composed`` with its compared design scaled to the baseline as its ``compare`` mode says
    (unchanged without a baseline); the description goes to ``budget``. A scaled staff out of
    its allowed range is an ``InputError``, like any other bad setting."""
    from sim.configuration.composition import InputError

    if composed.baseline is None:
        return composed
    try:
        config, budget = equalise(composed.baseline, composed.config, composed.compare, seed)
    except ConfigError as exc:
        raise InputError(str(exc)) from exc
    return replace(composed, config=config, budget=budget)


def describe_basis(budget: dict | None) -> str:
    """One line saying on what basis designs are compared, with headcount and planned budget
    (for the printed table, comparison.txt and the report)."""
    if not budget:
        return ""
    words = {"equal_budget": "at equal budget", "equal_headcount": "at equal headcount",
             "as_configured": "as configured (staffing not equalised)"}
    parts = [f"{d}: {b['headcount']} positions, {b['budget'] / 1000:.1f} M€ planned"
             for d, b in budget.items() if isinstance(b, dict)]
    scale = (f" (staff of the compared design × {budget['factor']:g})"
             if budget["mode"] != "as_configured" else "")
    return f"Compared {words[budget['mode']]}{scale} — " + "; ".join(parts) + "."

"""The shared rules of working together: one table of frictions, one coordination law.

Every request between two people — a handoff, pulling a teammate, pulling a platform or
head-office expert, an escalation, a decision, handing a result back — pays a latency, a chance of
being lost (or needing to be redone) and effort hours that depend only on the *relationship*
between sender and receiver (``staffing.interaction``):

* ``same_person`` — no request at all;
* ``same_team`` — members of one standing team (a micro-enterprise, a matrix account team, a
  first-line manager's team);
* ``same_function`` / ``other_function`` — colleagues of one region outside a shared team;
* ``hierarchy_level`` — between a person and their manager;
* ``central`` — to or from head office or the central platform;
* ``other_region`` — across regions.

The relationship follows from structure alone (who manages whom, who is in which team, where
people sit, their function), which is all a design decides. No design sets a friction.

Teams cost coordination by one law for every team in every design: a team of n people has
n(n−1)/2 communication channels (Brooks) and each member spends ``channel_hours`` a week on each
of their n − 1 channels. Everyone spends ``account_upkeep_hours`` a week per account they cover,
scaled by the account's degree of organisation.
"""

from __future__ import annotations

import numpy as np

from sim.configuration.schema import KpiWeights, RelationshipConfig
from sim.engine.workforce import Activity

# What "old habits" look like in the shared behaviour rule: measured on calls alone.
OLD_HABITS = KpiWeights(calls=1.0)


def is_central(person) -> bool:
    """Head office or the central platform (sits in no region)."""
    return bool(getattr(person, "central", False)) or getattr(person, "platform", None) is not None


def share_team(a, b) -> bool:
    """Whether ``a`` and ``b`` are members of one standing team."""
    return bool(a.teams) and bool(b.teams) and not a.teams.isdisjoint(b.teams)


def relationship(a, b) -> str:
    """The relationship between sender ``a`` and receiver ``b`` (a key of the friction table)."""
    if a is None or b is None or a is b or a.row == b.row:
        return "same_person"
    if a.manager is b or b.manager is a:
        return "hierarchy_level"
    teams_a, teams_b = a.teams, b.teams  # ``share_team``, inlined: asked for every request
    if teams_a and teams_b and not teams_a.isdisjoint(teams_b):
        return "same_team"
    if is_central(a) != is_central(b):
        return "central"
    if a.region != b.region:
        return "other_region"
    return "same_function" if function_of(a) == function_of(b) else "other_function"


def function_of(person) -> str:
    """A person's function; a manager's is the line they manage (sales, medical, …)."""
    return getattr(person, "line", None) or person.function


def friction(model, a, b) -> RelationshipConfig:
    """Latency, loss and effort of a request from ``a`` to ``b``.

    Asked for every request; the relationship follows from structure alone, so each (sender,
    receiver) pair's is worked out once and kept until the design's structure changes
    (``structure_version``: every change of teams, managers, regions or platforms bumps it)."""
    version, known = model.frictions
    if version != model.design.structure_version:
        known = {}
        model.frictions = (model.design.structure_version, known)
    f = known.get((a, b))
    if f is None:
        # ``interaction.relationship(name)`` is this ``getattr``, without a method call
        f = known[a, b] = getattr(model.config.staffing.interaction, relationship(a, b))
    return f


def retries(model, loss: float) -> int:
    """How many times a request with loss chance ``loss`` is lost before it gets through."""
    n, rng = 0, model.dynamics_rng
    while loss > 0 and rng.random() < loss and n < 100:
        n += 1
    return n


def coordination_hours(team_size: int, channel_hours: float) -> float:
    """Weekly coordination per member of a team of ``team_size`` (Brooks' n(n−1)/2 channels:
    each member is on n − 1 of them)."""
    return channel_hours * max(0, team_size - 1)


def reserve_time(model) -> None:
    """Overheads taken every week before job work, by one law for every design: each member of
    each of the design's teams spends ``channel_hours`` per teammate (Brooks' n(n−1)/2 channels),
    each person ``account_upkeep_hours`` × the account's degree of organisation per account in
    their portfolio, each manager the share of their week not kept for requests on admin. The
    hours are computed again only after the design's structure changed."""
    design, wf, dt = model.design, model.workforce, model.dt
    cached = model.overheads
    if cached is None or cached[0] != design.structure_version:
        rules = model.config.staffing.interaction
        coord: dict[int, float] = {}
        for team in design.teams():
            hours = coordination_hours(len(team.members), rules.channel_hours)
            for m in team.members:
                coord[m.row] = coord.get(m.row, 0.0) + hours
        organisation = model.market.organisation
        upkeep = {a.row: rules.account_upkeep_hours * float(organisation[a.accounts].sum())
                  for a in wf.agents if a.accounts and wf.active[a.row]}
        cached = (design.structure_version, _per_step(coord, dt), _per_step(upkeep, dt))
        model.overheads = cached
    _, coordination, upkeep = cached
    wf.spend_rows(*coordination, Activity.COORDINATION)
    wf.spend_rows(*upkeep, Activity.ORCHESTRATION)
    managers = design.managers()
    wf.spend_each([m.row for m in managers],
                  [wf.capacity(m.row) * (1.0 - m.inbox_share) for m in managers],
                  Activity.ADMIN)


def _per_step(weekly: dict[int, float], dt: float) -> tuple:
    """(rows, hours per step) of ``{row: hours a week}`` as arrays, for ``Workforce.spend_rows``
    (the rows are distinct: they are a dict's keys)."""
    return (np.fromiter(weekly, np.int64, len(weekly)),
            np.fromiter(weekly.values(), float, len(weekly)) * dt)

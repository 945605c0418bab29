"""The workforce as columns: one row per staff position, updated for everyone at once each step.

Staff agents (sim/engine/staff.py) are thin objects with behaviour — queues, managers, teams — and
read their numbers from here through their ``pos`` index. Keeping the numbers in arrays lets the
per-step updates (hours, learning, engagement, attrition, cost) run as a handful of numpy
operations instead of a Python loop over everybody.

Hours are spent through :meth:`Workforce.spend`, which never grants more than a position has left
in the step: the capacity invariant holds by construction and is checked in the tests.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from sim.configuration.capabilities import N_CAPABILITIES


class Activity(IntEnum):
    """What staff spend their hours on (columns of the hours ledger)."""

    CALLS = 0  # product calls against call targets
    EXCHANGE = 1  # planned medical scientific exchange
    ACCESS_MEETINGS = 2  # planned access meetings with payers / pharmacy
    ACCOUNT_TIME = 3  # a primary contact's needs-focused time with owned accounts
    COORDINATION = 4  # coordination inside any standing team; handing results back
    ORCHESTRATION = 5  # upkeep of each account a person covers or owns
    GOVERNANCE = 6  # compliance review of decisions taken at the front line
    JOB_WORK = 7  # work on customer-job tasks
    FRONTING = 8  # meeting the customer to deliver a task someone else did
    INBOX = 9  # a manager handling handoffs and decisions
    ADMIN = 10  # a manager's other duties (reporting, planning, coaching)
    TRAINING = 11  # cross-training of a converged front-line role (docs/ODD.md 7.8c)


ACTIVITY_NAMES = tuple(a.name.lower() for a in Activity)


class Workforce:
    """Per-position state. Positions are appended by designs while building their structure."""

    def __init__(self, hours_per_week: float, dt: float):
        self.hours_per_week = hours_per_week
        self.dt = dt
        self.n = 0
        self.changed_rows: set[int] = set()  # positions whose holder changed (consumer clears)
        self._cap = 0
        self.agents: list = []
        for name, shape, fill, dtype in self._COLUMNS:
            setattr(self, name, np.full((0, *shape), fill, dtype))
        self._view_cells()

    # name, trailing shape, initial fill, dtype
    _COLUMNS = (
        ("person_id", (), -1, np.int64),
        ("filled", (), False, bool),
        ("active", (), True, bool),  # False once a position is retired (e.g. after a roll-out)
        ("vacant_until", (), np.nan, float),
        ("salary", (), 0.0, float),
        ("admin_share", (), 0.0, float),  # share of each week taken by travel, CRM, admin
        ("experience", (), 0.0, float),
        ("skill", (N_CAPABILITIES,), 0.0, float),
        ("engagement", (), 0.0, float),
        ("leave_hazard", (), 0.0, float),
        ("leave_threshold", (), np.inf, float),
        ("capacity_step", (), 0.0, float),  # hours available this step (set when it starts)
        ("used", (), 0.0, float),  # hours spent this step
        ("hours_by_activity", (len(Activity),), 0.0, float),  # cumulative over the run
        ("step_activity", (len(Activity),), 0.0, float),  # this step
        ("cap_hours", (N_CAPABILITIES,), 0.0, float),  # this step, by capability
        ("backlog", (), 0.0, float),  # worker-hours of queued task work
        ("shared_backlog", (), 0.0, float),  # an expert's share of its shared queue (hours)
        ("resolved_memory", (), 0.0, float),  # decaying count of resolved jobs touched
        ("abandoned_memory", (), 0.0, float),  # decaying count of abandoned jobs touched
        ("own_decisions", (), 0.0, float),  # decaying count of owned jobs decided at own level
        ("escalated_decisions", (), 0.0, float),  # … and escalated
        ("kpi", (), 1.0, float),
        ("effectiveness", (), 1.0, float),  # < 1 while learning a new way of working
        ("pay_factor", (), 1.0, float),  # pay ÷ salary this step (value-sharing pay, pay.py)
        ("desk_hazard", (), 0.0, float),  # accumulated pull to a desk job (desk_moves.py)
    )

    # Columns read or written one cell at a time on every job event (spending hours, a worker's
    # pace and queue, a manager's inbox, who decided, how the jobs one touched ended), also seen
    # as memoryviews ``<column>_view``: a view's cell is read as a Python float (or bool) and
    # written from one in a third of the time of ``ndarray.item`` or ``column[row] = x``. A view
    # is the same memory, so the vectorised updates and the cell-by-cell ones see each other's
    # writes; the views are made again whenever the columns are reallocated (:meth:`_grow`).
    # Columns are only changed in place.
    _VIEWED = ("filled", "used", "capacity_step", "step_activity", "cap_hours", "backlog",
               "skill", "effectiveness", "resolved_memory", "abandoned_memory", "own_decisions",
               "escalated_decisions")

    def _view_cells(self) -> None:
        for name in self._VIEWED:
            setattr(self, f"{name}_view", memoryview(getattr(self, name)))

    def add(self, agent, person, salary: float, engagement: float) -> int:
        """Append a position for ``agent`` filled by ``person``; returns its index."""
        if self.n == self._cap:
            self._grow(max(16, 2 * self._cap))
        pos = self.n
        self.n += 1
        self.agents.append(agent)
        self.salary[pos] = salary
        self.fill(pos, person, engagement)
        return pos

    def _grow(self, capacity: int) -> None:
        for name, shape, fill, dtype in self._COLUMNS:
            old = getattr(self, name)
            new = np.full((capacity, *shape), fill, dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self._cap = capacity
        self._view_cells()

    def fill(self, pos: int, person, engagement: float) -> None:
        """Put ``person`` into position ``pos``."""
        self.changed_rows.add(pos)
        self.person_id[pos] = person.person_id
        self.agents[pos].person_id = person.person_id  # plain attribute: read on every event
        self.filled[pos] = True
        self.vacant_until[pos] = np.nan
        self.experience[pos] = person.experience
        self.skill[pos] = person.skills
        self.engagement[pos] = engagement
        self.leave_hazard[pos] = self.desk_hazard[pos] = 0.0
        self.leave_threshold[pos] = person.leave_threshold
        self.resolved_memory[pos] = self.abandoned_memory[pos] = 0.0
        self.own_decisions[pos] = self.escalated_decisions[pos] = 0.0

    def vacate(self, pos: int, until: float) -> None:
        """The holder leaves: the position keeps its queue, not the leaver's experience or
        skills."""
        self.changed_rows.add(pos)
        self.person_id[pos] = -1
        self.agents[pos].person_id = -1
        self.filled[pos] = False
        self.vacant_until[pos] = until
        self.experience[pos] = 0.0
        self.skill[pos] = 0.0

    def retire(self, pos: int) -> None:
        """Close a position for good (its holder is redeployed; it costs nothing further)."""
        self.vacate(pos, np.inf)
        self.active[pos] = False

    # ---------------------------------------------------------------------------- hours
    def new_step(self) -> None:
        """Start a step: positions filled now have a week of hours, less their admin share."""
        n = self.n
        self.capacity_step[:n] = np.where(self.filled[:n], self.hours_per_week * self.dt, 0.0)
        self.step_activity[:n] = 0.0
        self.step_activity[:n, Activity.ADMIN] = self.capacity_step[:n] * self.admin_share[:n]
        self.used[:n] = self.step_activity[:n, Activity.ADMIN]
        self.cap_hours[:n] = 0.0

    def capacity(self, pos: int) -> float:
        return float(self.capacity_step[pos])

    def hours_left(self, pos: int) -> float:
        return self.capacity_step_view[pos] - self.used_view[pos]

    def spend(self, pos: int, hours: float, activity: Activity, capability: int = -1) -> float:
        """Spend up to ``hours`` of position ``pos``; returns the hours actually granted.

        Called tens of thousands of times a run, one cell at a time, so cells are read and
        written through the views as Python floats and added to in Python (numpy scalar
        arithmetic costs several times more; the additions are the same IEEE ones, so results
        are bit-identical). ``activity`` indexes the view as it is (an ``IntEnum`` is an
        ``int``): converting it with ``int()`` cost more than the indexing."""
        used = self.used_view[pos]
        left = self.capacity_step_view[pos] - used
        granted = left if left < hours else hours  # ``min(hours, left)``, without a call
        if granted <= 0.0:
            return 0.0
        self.used_view[pos] = used + granted
        cell = (pos, activity)
        self.step_activity_view[cell] += granted
        if capability >= 0:
            cell = (pos, capability)
            self.cap_hours_view[cell] += granted
        return granted

    def spend_many(self, pos: np.ndarray, hours: np.ndarray, activity: np.ndarray,
                   capability: np.ndarray, one_each: bool | None = None) -> np.ndarray:
        """Vectorised :meth:`spend` for planned visits; ``pos`` may repeat.

        Each position's requests are scaled down proportionally if they exceed what it has left.
        ``one_each``: whether no position repeats in ``pos``, if the caller knows (else a sort
        finds out).
        """
        n = self.n
        left = self.capacity_step[:n] - self.used[:n]
        if one_each is None:
            one_each = len(np.unique(pos)) == len(pos)
        if one_each:  # one request each: exactly like spend()
            granted = np.maximum(np.minimum(hours, left[pos]), 0.0)
            self.used[pos] += granted
        else:
            want = np.bincount(pos, weights=hours, minlength=n)
            scale = np.divide(left, want, out=np.ones(n), where=want > left)
            granted = hours * np.minimum(1.0, scale)[pos]
            self.used[:n] += np.bincount(pos, weights=granted, minlength=n)
        # ``np.add.at`` adds in index order, so repeated cells get every request's hours in
        # turn. Indexed as flat cells of the (C-contiguous) columns, not by (row, column) pairs:
        # the same additions in the same order, in about half the time.
        _add_at(self.step_activity, pos, activity, granted)
        has_cap = capability >= 0
        if has_cap.any():
            _add_at(self.cap_hours, pos[has_cap], capability[has_cap], granted[has_cap])
        return granted

    def spend_each(self, rows: list[int], hours, activity: Activity) -> None:
        """Each of ``rows`` (distinct) spends its ``hours`` on ``activity``, within what it has."""
        if not rows:
            return
        if len(set(rows)) != len(rows):  # not as documented: the general rule
            rows = np.asarray(rows, np.int64)
            self.spend_many(rows, np.broadcast_to(np.asarray(hours, float), rows.shape).copy(),
                            np.full(len(rows), int(activity)), np.full(len(rows), -1))
            return
        self.spend_rows(np.asarray(rows, np.int64), np.asarray(hours, float), activity)

    def spend_rows(self, rows: np.ndarray, hours: np.ndarray, activity: Activity) -> None:
        """:meth:`spend_each` for an array of distinct ``rows`` (unchecked) and their hours.

        spend_many's branch for one request each, without its test (a sort) or np.add.at:
        a few times a step, the same IEEE operations."""
        if not len(rows):
            return
        left = self.capacity_step[rows] - self.used[rows]
        granted = np.maximum(np.minimum(hours, left), 0.0)
        self.used[rows] += granted
        self.step_activity[rows, int(activity)] += granted

    def end_step(self) -> None:
        n = self.n
        self.hours_by_activity[:n] += self.step_activity[:n]

    def utilisation(self) -> np.ndarray:
        """Share of capacity used this step by each filled, active position."""
        n = self.n
        mask = self.capacity_step[:n] > 0
        return self.used[:n][mask] / self.capacity_step[:n][mask]


def _add_at(column: np.ndarray, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
    """``np.add.at(column, (rows, cols), values)`` on the flat view of a 2-D column (the columns
    are allocated C-contiguous and only changed in place, so ``reshape(-1)`` is a view)."""
    np.add.at(column.reshape(-1), rows * column.shape[1] + cols, values)

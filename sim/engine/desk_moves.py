"""People moving between field and desk jobs: one rule for every design (ODD 7.8b).

[A0] tells of highly experienced colleagues who, frustrated with the old model, left the field for
desk-based jobs — and came back to customer-facing roles once the new one let them make a
difference. The rule (``staffing.desk_moves``) makes both directions explicit:

* **push**: a field person (a rep, MSL, access manager or primary contact) with at least
  ``min_experience`` years accumulates a hazard of taking a desk job,
  ``to_desk_annual``/52 · exp(``sensitivity`` · (0.6 − engagement)) per week — the same shape as
  attrition, so frustration pushes. When it passes the person's pre-drawn threshold they leave the
  position (it falls vacant for ``hiring_delay_weeks``, exactly as after a leaver; their accounts
  lose a contact) but stay in the company, in the desk pool, keeping experience and skills;
* **pull**: everyone in the desk pool accumulates a hazard of coming back,
  ``to_field_annual``/52 · exp(``sensitivity`` · (field engagement − 0.6)), field engagement being
  the mean engagement of the people now in field positions — what former colleagues hear about
  the field. Past their threshold they take the longest-vacant field position of their function
  they qualify for, at once (no hiring delay), bringing their experience and skills; with none
  vacant they wait for the next.

So field capacity (filled field positions) and experience follow engagement. The desk jobs are
outside the modelled field organisation: a person there costs the field budget nothing and serves
no account, gains experience with time and does not leave the company. Thresholds come from
:func:`sim.engine.rng.desk_stream`, keyed by (seed, person, move), never another submodel's stream.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.people import Person
from sim.engine.rng import desk_stream
from sim.engine.trust import lose_departed_contact

FIELD_FUNCTIONS = ("sales", "medical", "access")
FIELD_FORCE = {"sales": "reps", "medical": "msls", "access": "access"}  # staffing counts


class DeskPool:
    """People in desk jobs who once worked in the field, with their pull back to it."""

    def __init__(self, model):
        self.model = model
        self.people: list[Person] = []
        self.hazard: list[float] = []
        self.threshold: list[float] = []
        self.moves: dict[int, int] = {}  # person id → moves so far (keys their thresholds)
        self._field_threshold: dict[int, float] = {}
        rules, staffing = model.config.staffing.desk_moves, model.config.staffing
        if rules.initial_pool > 0:
            rng = desk_stream(model.seed)
            for function in FIELD_FUNCTIONS:
                count = round(rules.initial_pool * getattr(staffing, FIELD_FORCE[function]))
                for _ in range(count):
                    self.add(model.people.experienced(rng, function, rules.min_experience))

    def _draw(self, person_id: int) -> float:
        move = self.moves.get(person_id, 0)
        return float(desk_stream(self.model.seed, person_id, move).exponential(1.0))

    def field_threshold(self, person_id: int) -> float:
        """Hazard at which this person, in the field now, takes a desk job."""
        if person_id not in self._field_threshold:
            self._field_threshold[person_id] = self._draw(person_id)
        return self._field_threshold[person_id]

    def add(self, person: Person) -> None:
        """``person`` takes a desk job."""
        self._field_threshold.pop(person.person_id, None)
        self.moves[person.person_id] = self.moves.get(person.person_id, 0) + 1
        self.people.append(person)
        self.hazard.append(0.0)
        self.threshold.append(self._draw(person.person_id))

    def remove(self, index: int) -> Person:
        """The ``index``-th person leaves their desk job for the field."""
        self.hazard.pop(index), self.threshold.pop(index)
        person = self.people.pop(index)
        self.moves[person.person_id] += 1
        return person

    def __len__(self) -> int:
        return len(self.people)


def field_positions(model) -> np.ndarray:
    """True for every active customer-facing position (reps, MSLs, access, primary contacts).

    A position's function never changes (a promoted position keeps it, a new holder is hired
    for it), so which positions are customer-facing is worked out once, again only when
    positions are added: it is asked every step."""
    wf, n = model.workforce, model.workforce.n
    cached = getattr(model, "_field_functions", None)
    if cached is None or len(cached) != n:
        cached = model._field_functions = np.array(
            [a.function in FIELD_FUNCTIONS for a in wf.agents[:n]], bool)
    return cached & wf.active[:n]


def move_between_desk_and_field(model) -> None:
    """One step of the rule: frustrated experienced people take desk jobs, then people in desk
    jobs return to vacant field positions when the field is engaging. Off while the rule cannot
    move anybody (the defaults)."""
    rules = model.config.staffing.desk_moves
    if not rules.active():
        return
    field = field_positions(model)
    bring_back_to_field(model, field, rules)  # first: nobody returns the week they left
    send_frustrated_to_desk(model, field, rules)


def send_frustrated_to_desk(model, field: np.ndarray, rules) -> None:
    """Experienced field people accumulate the push hazard; past their threshold they move."""
    wf, n, dt = model.workforce, model.workforce.n, model.dt
    eligible = field & wf.filled[:n] & (wf.experience[:n] >= rules.min_experience)
    hazard = rules.to_desk_annual / 52.0 * np.exp(rules.sensitivity * (0.6 - wf.engagement[:n]))
    wf.desk_hazard[:n] += np.where(eligible, hazard * dt, 0.0)
    for row in np.flatnonzero(eligible):
        if wf.desk_hazard[row] >= model.desk.field_threshold(int(wf.person_id[row])):
            move_to_desk(model, int(row))


def move_to_desk(model, row: int) -> None:
    """The holder of field position ``row`` takes a desk job, keeping experience and skills."""
    wf = model.workforce
    pid = int(wf.person_id[row])
    person = Person(pid, wf.agents[row].function, float(wf.experience[row]), wf.skill[row].copy(),
                    max(float(wf.leave_threshold[row] - wf.leave_hazard[row]), 0.0))
    lose_departed_contact(model, pid)
    model.row_of_person.pop(pid, None)
    wf.vacate(row, model.now + model.config.staffing.hiring_delay_weeks)
    model.desk.add(person)
    model.counts["to_desk"] += 1


def field_engagement(model, field: np.ndarray) -> float:
    """Mean engagement of the people in field positions (the initial engagement if none)."""
    wf, n = model.workforce, model.workforce.n
    present = field & wf.filled[:n]
    return (float(wf.engagement[:n][present].mean()) if present.any()
            else model.config.staffing.engagement_initial)


def bring_back_to_field(model, field: np.ndarray, rules) -> None:
    """People in desk jobs accumulate the pull hazard; past their threshold they take a vacant
    field position of their function, the longest-vacant first."""
    pool = model.desk
    if not len(pool) or rules.to_field_annual <= 0:
        return
    dt = model.dt
    pull = rules.to_field_annual / 52.0 * math.exp(
        rules.sensitivity * (field_engagement(model, field) - 0.6))
    for i, person in enumerate(pool.people):
        person.experience += dt / 52.0
        pool.hazard[i] += pull * dt
    returned = []
    for i in [i for i in range(len(pool)) if pool.hazard[i] >= pool.threshold[i]]:
        row = vacant_field_position(model, field, pool.people[i])
        if row is not None:  # the earliest in the pool chooses first
            return_to_field(model, row, pool.people[i])
            returned.append(i)
    for i in reversed(returned):
        pool.remove(i)


def vacant_field_position(model, field: np.ndarray, person: Person) -> int | None:
    """The longest-vacant field position ``person`` may take (its function and seniority)."""
    wf, n = model.workforce, model.workforce.n
    open_rows = np.flatnonzero(field & ~wf.filled[:n])
    fits = [r for r in open_rows if wf.agents[r].function == person.function
            and person.experience >= wf.agents[r].min_hire_experience()]
    if not fits:
        return None
    return int(min(fits, key=lambda r: (wf.vacant_until[r], r)))


def return_to_field(model, row: int, person: Person) -> None:
    """``person`` fills field position ``row`` at once, with their experience and skills."""
    model.workforce.fill(row, person, model.config.staffing.engagement_initial)
    model.row_of_person[person.person_id] = row
    model.counts["to_field"] += 1

"""Company staff: the Mesa agents that discover, decide and work on customer jobs.

Each agent is a *position* filled by a person (sim/engine/people.py); its numbers live in the
workforce columns (sim/engine/workforce.py) under its ``pos``. Roles:

* :class:`SalesRep` — key account manager / product rep (home capability: commercial);
* :class:`MedicalLiaison` — medical science liaison, MSL (medical);
* :class:`AccessManager` — market access (access);
* :class:`PlatformExpert` — a central expert in patient services or operations / digital. The
  same pool sits in head office under the traditional design and forms the shared platform of
  the micro-enterprise design; only the way others reach it differs;
* :class:`PrimaryContact` — the micro-enterprise design's primary point of contact (the Patient
  Journey / Health Service Journey Partner of [A0]; ``primary_contact`` in settings and code): a
  senior frontline person who is the one face of a few accounts and orchestrates expertise for
  them;
* :class:`Manager` — a level of the hierarchy (traditional and matrix designs) or a platform owner
  (micro-enterprise design): has an inbox of handoffs and decisions, limited hours for it and an
  authority limit.

What a position does each week — calls, exchange, account time, coordination — is planned by the
organisation design; the agents only know how to do it.
"""

from __future__ import annotations

import heapq
from collections import deque

from mesa import Agent

from sim.configuration.capabilities import CAPABILITIES
from sim.engine.jobs import Event, JobState, Task
from sim.engine.people import HOME_CAPABILITY
from sim.engine.routing import pace
from sim.engine.teams import Team  # noqa: F401 - re-exported: staff and their teams
from sim.engine.work import complete_task
from sim.engine.workforce import Activity


class StaffMember(Agent):
    """A staff position. Subclasses set the function it hires from and its salary."""

    function = "sales"
    salary_field = "salary_rep"
    label = "staff"

    def __init__(self, model, person):
        super().__init__(model)
        salary = getattr(model.config.staffing, self.salary_field)
        self.row = model.workforce.add(self, person, salary,
                                       model.config.staffing.engagement_initial)
        model.workforce.admin_share[self.row] = self.admin_share(model)
        self.queue: deque[Task] = deque()
        self.manager: Manager | None = None
        self.region = -1
        self.accounts: list[int] = []  # accounts this position covers or owns
        self.team = None  # the MicroEnterprise this position belongs to, if any
        self.teams: set = set()  # every standing team it belongs to (Team, MicroEnterprise, …)
        self.product = -1  # product line of a rep in the traditional design
        self.resists_change = False

    def admin_share(self, model) -> float:
        """Share of the week taken by travel, CRM, training and admin before anything else."""
        return model.config.staffing.admin_share

    def min_hire_experience(self) -> float:
        """Experience a replacement needs (senior positions are filled by senior people)."""
        return 0.0

    # ----------------------------------------------------------------------- reading state
    # ``person_id`` (-1 while vacant) is a plain attribute kept up to date by the workforce.

    @property
    def vacant(self) -> bool:
        return not self.model.workforce.filled[self.row]

    @property
    def skills(self):
        return self.model.workforce.skill[self.row]

    @property
    def engagement(self) -> float:
        return float(self.model.workforce.engagement[self.row])

    @property
    def used_hours(self) -> float:
        return float(self.model.workforce.used[self.row])

    @property
    def hours_left(self) -> float:
        return self.model.workforce.hours_left(self.row)

    @staticmethod
    def capability_name(capability: int) -> str:
        return CAPABILITIES[capability]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(row={self.row}, person={self.person_id})"

    # ------------------------------------------------------------------------------ verbs
    def spend(self, hours: float, activity: Activity, capability: int = -1) -> float:
        return self.model.workforce.spend(self.row, hours, activity, capability)

    def promote(self, cls: type[StaffMember]) -> StaffMember:
        """Hand this position to a new agent of role ``cls``: same person, queue and links."""
        new = cls.__new__(cls)
        Agent.__init__(new, self.model)
        for attr in ("row", "queue", "manager", "region", "accounts", "team", "teams", "product",
                     "resists_change", "function", "person_id"):
            setattr(new, attr, getattr(self, attr))
        wf = self.model.workforce
        wf.agents[self.row] = new
        wf.salary[self.row] = getattr(self.model.config.staffing, cls.salary_field)
        for task in new.queue:
            task.worker = new
        self.model.replace_staff(self, new)
        self.remove()
        return new

    def take(self, task: Task, ready_at: float) -> None:
        """Queue ``task`` (first come, first served)."""
        task.worker = self
        task.ready_at = ready_at
        self.queue.append(task)
        self.model.workforce.backlog_view[self.row] += task.remaining / pace(self, task.capability)

    def work(self) -> None:
        """Spend the hours left this step on queued tasks, oldest first."""
        if not self.queue:
            return
        model = self.model
        wf, row = model.workforce, self.row
        ready_by = model.now + 1e-9
        left = wf.hours_left(row)
        kept: deque[Task] = deque()
        backlog = 0.0
        speeds: dict[int, float] = {}  # pace by capability: skills do not change while working
        last_open = JobState.IN_PROGRESS
        # An overloaded queue is long and scanned every step: once the hours are used up, the
        # rest only keeps the live tasks and sums their backlog (in the same order, so the sum is
        # bit-identical), with no per-task test of the hours.
        tasks = iter(self.queue)
        for task in (tasks if left > 1e-9 else ()):
            if task.done or task.job.state > last_open:
                continue  # the job was abandoned (or finished) while the task waited
            capability = task.capability
            speed = speeds.get(capability)
            if speed is None:
                speed = speeds[capability] = pace(self, capability)
            if task.ready_at <= ready_by:
                need = task.remaining / speed
                hours = wf.spend(row, left if left < need else need,  # ``min(need, left)``
                                 Activity.JOB_WORK, capability)
                left -= hours
                task.remaining -= hours * speed
                if task.remaining <= 1e-9:
                    task.done = True
                    complete_task(model, task, self)
                    if left <= 1e-9:
                        break
                    continue
            kept.append(task)
            backlog += task.remaining / speed
            if left <= 1e-9:
                break
        for task in tasks:  # no hours left (``left`` only falls): keep and count the rest
            if task.done or task.job.state > last_open:
                continue
            capability = task.capability
            speed = speeds.get(capability)
            if speed is None:
                speed = speeds[capability] = pace(self, capability)
            kept.append(task)
            backlog += task.remaining / speed
        self.queue = kept
        wf.backlog_view[row] = backlog


class SalesRep(StaffMember):
    function, salary_field, label = "sales", "salary_rep", "sales_rep"


class MedicalLiaison(StaffMember):
    function, salary_field, label = "medical", "salary_msl", "msl"


class AccessManager(StaffMember):
    function, salary_field, label = "access", "salary_access", "access_manager"


class PlatformExpert(StaffMember):
    """A central expert; ``function`` is set per person (patient_services or operations).

    Besides its own queue it serves its capability's shared queue
    (sim/designs/structures/platform.py): whenever it
    has hours left it takes the next waiting request.
    """

    salary_field, label = "salary_expert", "platform_expert"

    def __init__(self, model, person):
        self.function = person.function
        self.platform = None  # set when a Platform is formed around it
        super().__init__(model, person)

    def work(self) -> None:
        super().work()
        if self.platform is None:
            return
        capability, now = HOME_CAPABILITY[self.function], self.model.now
        while self.hours_left > 1e-9 and not self.vacant:
            task = self.platform.next_task(capability, now)
            if task is None:
                break
            self.take(task, ready_at=now)
            self.model.history.record(task.job, now, Event.ASSIGNED, self,
                                      self.capability_name(capability))
            super().work()


class PrimaryContact(StaffMember):
    """Primary point of contact: owns accounts, orchestrates the network for them [A0]."""

    function, salary_field, label = "sales", "salary_primary_contact", "primary_contact"

    def min_hire_experience(self) -> float:
        return self.model.config.staffing.primary_contact_min_experience


class Inbox:
    """A manager's requests: those not yet due in a heap by due week, the due ones in arrival
    order. Handling scans only what is due, however long the queue of future reviews.

    ``received`` (requests ever arrived: a change means there is something new to look at) and
    ``size`` (requests waiting, ``len``) are plain attributes kept up to date here: the loop over
    the managers' inboxes (escalation.review_inboxes) reads both for every manager on every pass,
    and an attribute costs a fraction of a property's or ``__len__``'s call."""

    __slots__ = ("_pending", "_due", "received", "size")

    def __init__(self):
        self.received = 0
        self.size = 0
        self._pending: list[tuple[float, int, object]] = []  # (due week, arrival, item)
        self._due: list[tuple[int, float, object]] = []  # (arrival, due week, item), in order

    def receive(self, item, ready_at: float) -> None:
        heapq.heappush(self._pending, (ready_at, self.received, item))
        self.received += 1
        self.size += 1

    def take_due(self, now: float) -> list[tuple[int, float, object]]:
        """Remove and return every request due by ``now``, oldest arrival first."""
        moved = []
        while self._pending and self._pending[0][0] <= now + 1e-9:
            ready_at, seq, item = heapq.heappop(self._pending)
            moved.append((seq, ready_at, item))
        due = sorted(self._due + moved) if moved else self._due
        self._due = []
        self.size -= len(due)
        return due

    def put_back(self, due: list[tuple[int, float, object]]) -> None:
        self._due = due
        self.size += len(due)

    def items(self) -> list:
        """Every request, oldest arrival first."""
        both = [(seq, item) for _, seq, item in self._pending]
        both += [(seq, item) for seq, _, item in self._due]
        return [item for _, item in sorted(both, key=lambda pair: pair[0])]

    def clear(self) -> None:
        self._pending, self._due, self.size = [], [], 0

    def __len__(self) -> int:
        return self.size


class Manager(StaffMember):
    """A manager: reviews decisions and passes handoffs, with limited hours for its inbox."""

    function, salary_field, label = "management", "salary_manager", "manager"

    def __init__(self, model, person, level: int, authority: float, central: bool = False):
        super().__init__(model, person)
        self.level = level
        self.authority = authority
        self.central = central  # sits at head office (or over the platform), in no region
        self.inbox_share = model.config.staffing.interaction.manager_inbox_share
        self.reports: list[StaffMember] = []
        self.inbox = Inbox()

    def admin_share(self, model) -> float:
        return 0.0  # a manager's admin is the share of the week not kept for the inbox

    def receive(self, item, ready_at: float) -> None:
        self.inbox.receive(item, ready_at)

    def process_inbox(self) -> None:
        """Handle ready requests in arrival order while hours remain; the rest wait.

        An overloaded manager's due list can hold thousands of requests, scanned on every pass
        (a cheaper one further back may still fit the hours left). Skipping a request changes
        nothing, so the hours left and whether the position is filled are read again only after
        a request was handled: the scan of the rest costs a liveness check each."""
        if not self.inbox.size:
            return
        model, now = self.model, self.model.now
        # Requests sent to this manager while handling wait for the next pass (not this one).
        waiting = []
        wf, row = model.workforce, self.row
        left, filled = wf.hours_left(row), wf.filled_view[row]
        last_open = JobState.IN_PROGRESS
        for entry in self.inbox.take_due(now):
            item = entry[2]
            if item.job.state > last_open:  # ``not item.is_live()``, without two calls
                continue
            cost = item.inbox_hours
            if filled and left >= cost - 1e-9:
                wf.spend(row, cost, Activity.INBOX)
                item.handle(self, model)
                left, filled = wf.hours_left(row), wf.filled_view[row]
            else:
                waiting.append(entry)  # first come, first served: older requests stay in front
        self.inbox.put_back(waiting)

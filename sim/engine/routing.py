"""Routing a task to the people who can do it: directly, or by handoff through managers.

A design answers "who works on this?" with a :class:`Route`: the managers a request must pass
through (empty when the owner can pull the expertise directly) and the pool of people who may do
the work. The engine does the rest the same way for every design: each hop pays the latency, loss
and effort of the sender's relationship to the receiver (one shared table,
sim/engine/interactions.py); a
:class:`Handoff` waits in each manager's inbox (their capacity is limited, so handoffs queue), may
be lost and re-sent, and at the end of the path whoever would finish first takes the task.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.capabilities import MEDICAL
from sim.engine.hybrid_roles import charge_medical_crossing
from sim.engine.interactions import friction, retries
from sim.engine.jobs import Event, Task

MIN_PACE = 0.05  # nobody works slower than 5% of an expert's pace


@dataclass(slots=True, eq=False)
class Route:
    """Structure only: who a request passes through and who may do the work. What each hop costs
    (latency, loss, effort) comes from the shared friction table (sim/engine/interactions.py).

    Treated as read-only, but not ``frozen``: one is made for every routed task, and a frozen
    dataclass sets each field through ``object.__setattr__`` (about three times the cost)."""

    path: tuple = ()  # Manager agents the request passes through, in order
    pool: tuple = ()  # StaffMember agents who may do the work
    platform: object | None = None  # a shared expert queue that may take the task instead


def pace(worker, capability: int) -> float:
    """Share of an expert's pace at which ``worker`` works on ``capability``."""
    wf, row = worker.model.workforce, worker.row
    # Called for every task a person queues, works or is considered for: read the two cells as
    # Python floats (numpy scalar arithmetic costs several times more; the product is the same).
    share = wf.skill_view[row, capability] * wf.effectiveness_view[row]
    return share if share > MIN_PACE else MIN_PACE  # ``max`` with a call's cost


def _fastest(pool: tuple, task: Task):
    """(the member of ``pool`` who would finish ``task`` first, their expected finish); ties go
    to the lower position row; (None, inf) for an empty pool.

    A member's expected finish is the worker-hours until they would finish ``task`` behind their
    current queue: their backlog + the task's hours at their :func:`pace` (+ 10⁶ for a vacant
    position, the last resort). It is worked out here, inline, for every member of every pool
    of every routed task: two function calls per member cost more than the arithmetic (the same
    operations in the same order as :func:`pace`, so the same floats). Each member's finish is
    computed once and compared as (finish, row) without building that tuple."""
    best, best_finish, best_row = None, float("inf"), -1
    if not pool:
        return best, best_finish
    wf = pool[0].model.workforce
    skill, effectiveness, backlog, filled = (wf.skill_view, wf.effectiveness_view,
                                             wf.backlog_view, wf.filled_view)
    remaining, capability = task.remaining, task.capability
    for worker in pool:
        row = worker.row
        share = skill[row, capability] * effectiveness[row]  # pace(worker, capability)
        finish = (backlog[row] + remaining / (share if share > MIN_PACE else MIN_PACE)
                  + (0.0 if filled[row] else 1e6))
        if best is None or finish < best_finish or (finish == best_finish and row < best_row):
            best, best_finish, best_row = worker, finish, row
    return best, best_finish


def assign(task: Task, route: Route, now: float, sender=None) -> None:
    """Give ``task`` to whoever would finish it first: a member of the route's pool, or the
    route's shared expert queue. The last hop (``sender`` → worker) pays its friction: a wait, a
    chance of being lost and re-sent, and briefing effort added to the task."""
    model = task.job.owner.model if sender is None else sender.model
    sender = task.job.owner if sender is None else sender
    worker, finish = _fastest(route.pool, task)
    platform = route.platform
    to_platform = platform is not None and platform.serves(task.capability) and (
        worker is None or platform.expected_finish(task) < finish)
    receiver = platform.experts_for(task.capability)[0] if to_platform else worker
    f = friction(model, sender, receiver)
    lost = retries(model, f.loss)
    delay = f.latency_weeks + lost * (model.config.staffing.interaction.loss_detection_weeks
                                      + f.latency_weeks)
    task.remaining += f.hours * (1 + lost)
    if lost:
        task.job.lost_handoffs += lost
        model.history.record(task.job, now, Event.HANDOFF_LOST, sender, f"{lost}x to worker")
    if to_platform:
        platform.submit(task, now, delay)
        return
    if task.capability == MEDICAL and worker.function != "medical":
        charge_medical_crossing(model, task, worker)  # the firewall's rule (docs/ODD.md 7.8c)
    worker.take(task, ready_at=now + delay)
    model.history.record(task.job, now, Event.ASSIGNED, worker, worker.capability_name(
        task.capability))


@dataclass(eq=False)
class Handoff:
    """A task request travelling hand to hand through the managers of a route."""

    task: Task
    route: Route
    hop: int = 0
    sent_at: float = 0.0
    inbox_hours: float = 0.0  # the receiving manager's effort, from the friction table
    loss: float = 0.0
    sender: object | None = None

    kind = "handoff"

    def __post_init__(self):
        self.job = self.task.job  # read by managers' inbox passes for every waiting request

    def start(self, now: float) -> None:
        self.hop = 0
        self.sent_at = now
        self._send(self.task.job.owner, now)

    def _send(self, sender, now: float, extra_weeks: float = 0.0) -> None:
        receiver = self.route.path[self.hop]
        f = friction(receiver.model, sender, receiver)
        self.inbox_hours = f.hours
        self.loss = f.loss
        self.sender = sender
        receiver.receive(self, ready_at=now + extra_weeks + f.latency_weeks)

    def handle(self, manager, model) -> None:
        """Called when ``manager`` works through this request in their inbox."""
        job, now = self.task.job, model.now
        if self.loss > 0 and model.dynamics_rng.random() < self.loss:
            job.lost_handoffs += 1
            model.history.record(job, now, Event.HANDOFF_LOST, manager)
            self.hop = 0  # the owner notices and re-sends from the start
            self._send(job.owner, now, model.config.staffing.interaction.loss_detection_weeks)
            return
        job.handoffs += 1
        model.history.record(job, now, Event.HANDOFF, manager, f"hop {self.hop + 1}")
        self.hop += 1
        if self.hop < len(self.route.path):
            self._send(manager, now)
        else:
            assign(self.task, self.route, now, sender=manager)

    def is_live(self) -> bool:
        return self.task.job.is_open


def dispatch(task: Task, route: Route, now: float) -> None:
    """Send ``task`` along ``route``: straight to the pool, or into the first manager's inbox."""
    if route.path:
        Handoff(task, route).start(now)
    else:
        assign(task, route, now)

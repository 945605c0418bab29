"""Routing a task to the people who can do it: directly, or by handoff through managers.

A design answers "who works on this?" with a :class:`Route`: the managers a request must pass
through (empty when the owner can pull the expertise directly), the pool of people who may do the
work, and the delays and information loss of each hop. The engine does the rest the same way for
every design: a :class:`Handoff` waits in each manager's inbox (their capacity is limited, so
handoffs queue), may be lost and re-sent, and at the end of the path the least-loaded member of the
pool takes the task.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.jobs import Event, Task

MIN_PACE = 0.05  # nobody works slower than 5% of an expert's pace


@dataclass(frozen=True, eq=False)
class Route:
    path: tuple = ()  # Manager agents the request passes through, in order
    pool: tuple = ()  # StaffMember agents who may do the work
    delay: float = 0.0  # weeks before work can start once assigned (e.g. waiting for a meeting)
    latency: float = 1.0  # weeks a request waits at each manager before being handled
    loss: float = 0.0  # chance per hop that the request is lost
    detection: float = 2.0  # weeks before the owner notices a lost request and re-sends it
    platform: object | None = None  # a shared expert queue that may take the task instead


def pace(worker, capability: int) -> float:
    """Share of an expert's pace at which ``worker`` works on ``capability``."""
    wf = worker.model.workforce
    return max(MIN_PACE, wf.skill[worker.row, capability] * wf.effectiveness[worker.row])


def expected_finish(worker, task: Task) -> float:
    """Worker-hours until ``worker`` would finish ``task`` behind their current queue."""
    wf = worker.model.workforce
    vacancy = 0.0 if wf.filled[worker.row] else 1e6  # a vacant position is the last resort
    return wf.backlog[worker.row] + task.remaining / pace(worker, task.capability) + vacancy


def assign(task: Task, route: Route, now: float) -> None:
    """Give ``task`` to whoever would finish it first: a member of the route's pool, or the
    route's shared expert queue."""
    worker = min(route.pool, key=lambda w: (expected_finish(w, task), w.row), default=None)
    platform = route.platform
    if platform is not None and platform.serves(task.capability) and (
            worker is None or platform.expected_finish(task) < expected_finish(worker, task)):
        platform.submit(task, now, route.delay)
        return
    worker.take(task, ready_at=now + route.delay)
    worker.model.history.record(task.job, now, Event.ASSIGNED, worker, worker.capability_name(
        task.capability))


@dataclass(eq=False)
class Handoff:
    """A task request travelling hand to hand through the managers of a route."""

    task: Task
    route: Route
    hop: int = 0
    sent_at: float = 0.0
    history: list = field(default_factory=list)

    kind = "handoff"

    def start(self, now: float) -> None:
        self.hop = 0
        self.sent_at = now
        self.route.path[0].receive(self, ready_at=now + self.route.latency)

    def handle(self, manager, model) -> None:
        """Called when ``manager`` works through this request in their inbox."""
        job, now = self.task.job, model.now
        if model.dynamics_rng.random() < self.route.loss:
            job.lost_handoffs += 1
            model.history.record(job, now, Event.HANDOFF_LOST, manager)
            self.hop = 0
            self.route.path[0].receive(self, ready_at=now + self.route.detection
                                       + self.route.latency)
            return
        job.handoffs += 1
        model.history.record(job, now, Event.HANDOFF, manager, f"hop {self.hop + 1}")
        self.hop += 1
        if self.hop < len(self.route.path):
            self.route.path[self.hop].receive(self, ready_at=now + self.route.latency)
        else:
            assign(self.task, self.route, now)

    def is_live(self) -> bool:
        return self.task.job.is_open


def dispatch(task: Task, route: Route, now: float) -> None:
    """Send ``task`` along ``route``: straight to the pool, or into the first manager's inbox."""
    if route.path:
        Handoff(task, route).start(now)
    else:
        assign(task, route, now)

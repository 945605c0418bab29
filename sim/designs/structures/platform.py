"""The platform: the shared pool of central experts behind the front line.

[A1] describes the micro-enterprise model as frontline teams backed by platform layers. Here the
platform is the pool of patient-services and operations / digital experts. The traditional design
employs the same people in head-office functions; what differs is the way in: a primary point of
contact puts a request straight into the platform's queue, while a traditional rep's request first
climbs the hierarchy and comes back down (sim/designs/structures/hierarchy.py).

Either way the experts of a capability work from one shared first-come-first-served queue: each
expert, when free, takes the next request (a multi-server queue). Many requests on few experts
therefore wait — the contention cost of a platform — and the wait a new request can expect is
known without looking at every expert.
"""

from __future__ import annotations

from collections import deque

from sim.configuration.capabilities import CAPABILITIES
from sim.engine.jobs import Event, Task
from sim.engine.people import HOME_CAPABILITY
from sim.engine.routing import pace


class Platform:
    """Central experts by capability, each capability with one shared queue of tasks."""

    def __init__(self, experts: list):
        self.experts = list(experts)
        self.by_capability: dict[int, tuple] = {}
        for e in self.experts:
            cap = HOME_CAPABILITY[e.function]
            self.by_capability[cap] = (*self.by_capability.get(cap, ()), e)
            e.platform = self
        self.queue: dict[int, deque[Task]] = {c: deque() for c in self.by_capability}
        self.queued_hours = dict.fromkeys(self.by_capability, 0.0)  # expert-hours waiting
        # per capability at the start of the week: (experts present, mean pace, their backlog)
        self.snapshot: dict[int, tuple[int, float, float]] = {}
        self.waits: list[float] = []  # weeks each request taken had queued (reported by 7.4a)

    def take_snapshot(self) -> None:
        """What a requester knows of the platform this week: who is there, how fast, how busy.
        Taken once a week, so estimating a request's wait does not look at every expert."""
        for cap, experts in self.by_capability.items():
            if not experts:
                self.snapshot[cap] = (0, 1.0, 0.0)
                continue
            wf = experts[0].model.workforce
            present = [e for e in experts if wf.filled_view[e.row]]  # ``not e.vacant``
            if not present:
                self.snapshot[cap] = (0, 1.0, 0.0)
                continue
            speed = sum(pace(e, cap) for e in present) / len(present)
            # numpy scalars, not the views' Python floats: ``sum`` of exact floats compensates
            # rounding (Python 3.12), which would change the total's last bits
            self.snapshot[cap] = (len(present), speed, sum(wf.backlog[e.row] for e in present))

    def experts_for(self, capability: int) -> tuple:
        return self.by_capability.get(capability, ())

    def serves(self, capability: int) -> bool:
        return capability in self.by_capability

    def submit(self, task: Task, now: float, delay: float = 0.0) -> None:
        """Put ``task`` at the back of its capability's queue."""
        task.worker, task.ready_at = None, now + delay
        self.queue[task.capability].append(task)
        self.queued_hours[task.capability] += task.remaining
        self.experts[0].model.history.record(task.job, now, Event.ASSIGNED, None,
                                             f"queue: {CAPABILITIES[task.capability]}")

    def expected_finish(self, task: Task) -> float:
        """Worker-hours until a new ``task`` would be done: the queue ahead of it (as it stands)
        and the experts' own backlogs (as of the start of the week), spread over the experts
        present, plus its own work at their average pace."""
        n, speed, backlog = self.snapshot.get(task.capability, (0, 1.0, 0.0))
        if n == 0:
            return float("inf")
        ahead = self.queued_hours[task.capability] / speed + backlog
        return ahead / n + task.remaining / speed

    def next_task(self, capability: int, now: float) -> Task | None:
        """The oldest ready request of ``capability`` still worth doing, taken off the queue."""
        queue = self.queue.get(capability)
        while queue:
            task = queue[0]
            if task.ready_at > now + 1e-9 and task.job.is_open:
                return None
            self._take_first(capability)
            if task.job.is_open:
                self.waits.append(now - task.ready_at)
                return task
        return None

    def _take_first(self, capability: int) -> None:
        """Pop the head of the queue; its hours leave the running total, which is reset exactly
        when the queue empties so float round-off cannot leave it slightly negative."""
        queue = self.queue[capability]
        task = queue.popleft()
        self.queued_hours[capability] = (max(0.0, self.queued_hours[capability] - task.remaining)
                                         if queue else 0.0)

    def share_of_queue(self, expert) -> float:
        """Expert-hours of the shared queue per expert of ``expert``'s capability (for overload)."""
        cap = HOME_CAPABILITY[expert.function]
        n = len(self.experts_for(cap)) or 1
        return self.queued_hours.get(cap, 0.0) / n

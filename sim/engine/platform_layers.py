"""The two platform layers behind the front line: one rule for every design (ODD 7.4a).

[A1]: the micro-enterprise model "should build on two core platform layers" behind the frontline.

* The **service platform** is the shared pool of central experts every design already has
  (patient services, operations / digital; sim/designs/structures/platform.py, ODD 7.4): a
  first-come-first-served queue per capability that front-line requests join. This module only
  measures it — utilisation of its experts, how long requests queue, the share started within
  the service-level target.
* The **enabling platform** (compliance review, HR, finance) is new: ``staffing.platforms.
  enabling_staff`` people whose weekly hours (``hours_per_week`` less ``admin_share``) serve one
  first-come-first-served queue of requests:

  - *compliance review*: a decision of at least ``review_threshold_k`` that no manager reviewed
    (taken at the front line) waits for a review of ``review_hours``; the review replaces the
    decider's own governance time and counts as one review in the incident risk (ODD 7.3);
  - *finance approval*: any decision of at least ``finance_threshold_k``, whoever took it, waits
    for ``finance_hours`` of approval;
  - *hiring*: a vacancy is filled only when the platform has done ``hiring_hours`` of
    recruiting for it, and no sooner than ``hiring_delay_weeks`` (ODD 7.8).

  A job's work starts only when all its sign-offs are done; while it waits its patience runs on.
  Sending a request to the platform pays the shared ``central`` friction (ODD 7.0: a week's
  latency, a chance of being lost and re-sent, briefing hours added to the request).

One rule for every design: which decisions need a review follows from who may decide what
(structure), never from a design's setting. With ``enabling_staff`` 0 (the default) nothing here
runs and the model is the one before 7.4a.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.engine.escalation import carry_out
from sim.engine.interactions import retries
from sim.engine.jobs import Event
from sim.engine.workforce import Activity

KINDS = ("compliance", "finance", "hiring")


@dataclass(eq=False)
class Request:
    """One piece of enabling work: a job's sign-off or a vacancy's recruiting."""

    kind: str
    hours: float  # enabling-platform hours still needed
    sent_at: float  # week the requester sent it
    ready_at: float  # week it reaches the platform (after the friction's latency)
    job: object | None = None  # the job waiting for this sign-off (sign-offs)
    row: int = -1  # the vacant position (hiring)
    started_at: float = math.nan
    cancelled: bool = False

    def live(self) -> bool:
        if self.cancelled:
            return False
        return self.job.is_open if self.job is not None else True


@dataclass
class _SignOff:
    """What a job waits for: its open requests and the decision to carry out afterwards."""

    decider: object
    reviews: int  # manager reviews before the decision
    open: int = 0  # requests not yet done
    decided_at: float = 0.0
    reviewed: bool = False  # the platform reviews its compliance: one more review


@dataclass
class _Tally:
    """Running totals for the tables."""

    capacity: float = 0.0  # enabling hours available so far
    used: float = 0.0  # enabling hours spent so far
    done: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    waits: list = field(default_factory=list)  # queue wait of every request started
    signoff_waits: list = field(default_factory=list)  # decision → work may start, per job
    fills: list = field(default_factory=list)  # vacancy → filled, per hire
    service_capacity: float = 0.0  # service experts' hours less admin, so far
    service_used: float = 0.0  # … of which used


class EnablingPlatform:
    """The enabling platform's queue and capacity, and the bookkeeping of both platforms."""

    def __init__(self, model):
        self.model = model
        s = model.config.staffing
        self.rules = s.platforms
        self.capacity_step = (self.rules.enabling_staff * s.hours_per_week
                              * (1.0 - s.admin_share) * model.dt)
        self.queue: list[Request] = []
        self.waiting: dict[int, _SignOff] = {}  # job id → its sign-offs
        self.hiring: dict[int, Request] = {}  # vacant position row → its recruiting request
        self.cleared: dict[int, float] = {}  # position row → week its vacancy was opened
        self.tally = _Tally()
        self.used_step = 0.0

    # ------------------------------------------------------------------- decisions
    def signoffs(self, job, reviews: int) -> tuple[str, ...]:
        """The sign-offs a decision of ``job`` needs, taken after ``reviews`` manager reviews."""
        r = self.rules
        kinds = ()
        if reviews == 0 and job.decision >= r.review_threshold_k:
            kinds += ("compliance",)
        if job.decision >= r.finance_threshold_k:
            kinds += ("finance",)
        return kinds

    def request_signoffs(self, job, decider, reviews: int, kinds: tuple[str, ...]) -> None:
        """Send ``job``'s sign-off requests; its work waits until all are done."""
        model, now = self.model, self.model.now
        self.waiting[job.job_id] = _SignOff(decider, reviews, len(kinds), now,
                                            "compliance" in kinds)
        hours = {"compliance": self.rules.review_hours, "finance": self.rules.finance_hours}
        for kind in kinds:
            self._send(Request(kind, hours[kind], now, now, job=job))
            model.history.record(job, now, Event.ASSIGNED, None, f"enabling platform: {kind}")

    def _send(self, request: Request) -> None:
        """The shared ``central`` friction: latency, a chance of loss (re-sent after
        ``loss_detection_weeks``) and briefing hours added to the request."""
        model = self.model
        rules = model.config.staffing.interaction
        f = rules.central
        lost = retries(model, f.loss)
        request.ready_at = request.sent_at + f.latency_weeks + lost * (
            rules.loss_detection_weeks + f.latency_weeks)
        request.hours += f.hours * (1 + lost)
        if lost and request.job is not None:
            request.job.lost_handoffs += lost
        self.queue.append(request)

    # ------------------------------------------------------------------- vacancies
    def open_vacancies(self) -> None:
        """Every newly vacant position asks the platform to recruit; a vacancy filled some other
        way (a return from a desk job) withdraws its request."""
        wf, n, now = self.model.workforce, self.model.workforce.n, self.model.now
        vacant = wf.active[:n] & ~wf.filled[:n]
        for row, request in list(self.hiring.items()):
            if not vacant[row]:
                request.cancelled = True
                del self.hiring[row]
        for row in list(self.cleared):
            if not vacant[row]:
                del self.cleared[row]
        for row in np.flatnonzero(vacant):
            row = int(row)
            if row not in self.hiring and row not in self.cleared:
                request = Request("hiring", self.rules.hiring_hours, now, now, row=row)
                self.hiring[row] = request
                self.queue.append(request)  # the vacancy is known centrally: no friction

    def hireable(self, due: np.ndarray) -> np.ndarray:
        """``due`` (vacancies whose hiring delay is over) less those still being recruited for;
        the time to fill of those hired now is recorded."""
        out = np.zeros_like(due)
        now = self.model.now
        for row in np.flatnonzero(due):
            row = int(row)
            if row in self.cleared:
                out[row] = True
                self.tally.fills.append(now - self.cleared.pop(row))
        return out

    # ------------------------------------------------------------------ the platform
    def serve(self) -> None:
        """Spend this step's hours on ready requests, oldest first; a request not finished keeps
        its place. Requests of closed jobs and withdrawn vacancies are dropped unworked."""
        now, left = self.model.now, self.capacity_step
        kept = []
        for request in self.queue:
            if not request.live():
                continue
            if left <= 1e-9 or request.ready_at > now + 1e-9:
                kept.append(request)
                continue
            if math.isnan(request.started_at):
                request.started_at = now
                self.tally.waits.append(now - request.ready_at)
            hours = min(request.hours, left)
            request.hours -= hours
            left -= hours
            if request.hours > 1e-9:
                kept.append(request)
            else:
                self._done(request)
        self.queue = kept
        self.used_step = self.capacity_step - left
        self.tally.capacity += self.capacity_step
        self.tally.used += self.used_step

    def _done(self, request: Request) -> None:
        self.tally.done[request.kind] += 1
        if request.kind == "hiring":
            del self.hiring[request.row]
            self.cleared[request.row] = request.sent_at
            return
        job = request.job
        wait = self.waiting[job.job_id]
        wait.open -= 1
        if wait.open == 0:
            del self.waiting[job.job_id]
            self.tally.signoff_waits.append(self.model.now - wait.decided_at)
            carry_out(self.model, job, wait.decider, wait.reviews + wait.reviewed)

    # ------------------------------------------------------------------ measurement
    def measure_service_platform(self) -> None:
        """This step's hours of the service platform's experts (less admin), used and not."""
        wf = self.model.workforce
        rows = [e.row for e in self.model.experts()]
        if not rows:
            return
        admin = wf.step_activity[rows, Activity.ADMIN]
        self.tally.service_capacity += float((wf.capacity_step[rows] - admin).sum())
        self.tally.service_used += float((wf.used[rows] - admin).sum())

    def queued_hours(self) -> float:
        return float(sum(r.hours for r in self.queue if r.live()))

    def book(self) -> float:
        """This step's pay of the enabling staff (k€), added to the run's cost."""
        s = self.model.config.staffing
        cost = self.rules.enabling_staff * s.salary_expert / 52.0 * self.model.dt
        self.model.cost_step += cost
        self.model.cost_total += cost
        return cost


def service_waits(model) -> list[float]:
    """Queue waits of every request the service platform's experts took (weeks)."""
    waits = []
    for platform in model.platforms():
        waits += platform.waits
    return waits


def _mean(values) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def _within(values, target: float) -> float:
    return float(np.mean(np.asarray(values) <= target + 1e-9)) if len(values) else float("nan")


def summary_columns(model) -> dict:
    """The headline outcomes of both platforms (only when the enabling platform exists)."""
    layer = model.enabling
    if layer is None:
        return {}
    t, target = layer.tally, layer.rules.service_level_weeks
    service = service_waits(model)
    return {
        "service_platform_utilisation": (t.service_used / t.service_capacity
                                         if t.service_capacity else float("nan")),
        "service_platform_wait_mean": _mean(service),
        "service_platform_within_target": _within(service, target),
        "enabling_platform_utilisation": t.used / t.capacity if t.capacity else float("nan"),
        "enabling_platform_wait_mean": _mean(t.waits),
        "enabling_platform_within_target": _within(t.waits, target),
        "compliance_reviews": int(t.done["compliance"]),
        "finance_approvals": int(t.done["finance"]),
        "hires_recruited": int(t.done["hiring"]),
        "signoff_wait_mean": _mean(t.signoff_waits),
        "time_to_fill_mean": _mean(t.fills),
        "enabling_platform_cost": float(layer.rules.enabling_staff
                                        * model.config.staffing.salary_expert / 52.0 * model.now),
    }


SERIES = ("service_queue_hours", "enabling_queue_hours", "enabling_utilisation")


def series_values(model) -> dict:
    """This step's row of the platform series (only when the enabling platform exists)."""
    layer = model.enabling
    return {
        "service_queue_hours": float(sum(sum(p.queued_hours.values())
                                         for p in model.platforms())),
        "enabling_queue_hours": layer.queued_hours(),
        "enabling_utilisation": (layer.used_step / layer.capacity_step
                                 if layer.capacity_step else 0.0),
    }

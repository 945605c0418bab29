"""Discovery: a job is only worked on once someone at the company has found it.

Each undiscovered job accumulates a hazard every week::

    hazard = discovery_rate · (trust / 0.5) · mean over the job's capabilities c of exposure[c]
             + self_report_rate

``exposure[c]`` is the account's customer-facing hours this week in which a problem needing
capability c can come up — all needs-focused time, plus conversations on c's own topic — each
weighted by the visitor's skill in c. The skill weighting is "ecosystem IQ" [A1]: people recognise
the problems they understand. Trust makes customers open up [A0]. Customers also report some
jobs themselves, to whoever the design says is their contact.

The job is discovered when its accumulated hazard passes its pre-drawn Exp(1) threshold, and the
discoverer is drawn in proportion to each visitor's share of the hazard (with the job's pre-drawn
``pick``, so no random number is consumed here). The design then names the job's owner, who takes
or requests the decision (sim/engine/escalation.py).

The jobs not yet found are one :class:`UndiscoveredJobs`: the jobs in arrival order and, row for
row, the columns the hazard needs. ODD section 7.2.
"""

from __future__ import annotations

import numpy as np

from sim.configuration.capabilities import N_CAPABILITIES
from sim.engine.escalation import request_decision
from sim.engine.jobs import CustomerJob, Event, JobState


def discovery_hazard(exposure: np.ndarray, needs: np.ndarray, trust: np.ndarray, rate: float,
                     self_report: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-job (total hazard, part due to company contact), both per week.

    ``exposure``: (jobs, capabilities) exposure of each job's account; ``needs``: boolean
    (jobs, capabilities) of what each job needs; ``trust``: each job's account trust.
    """
    needs = needs.astype(float)
    recognised = (exposure * needs).sum(1) / np.maximum(needs.sum(1), 1.0)
    contact = rate * (trust / 0.5) * recognised
    return contact + self_report, contact


class UndiscoveredJobs:
    """The jobs nobody at the company has found yet, in arrival order, one row per job.

    ``account``, ``needs`` (which capabilities it needs), ``accumulated`` (hazard so far),
    ``threshold`` and ``arrival`` are columns kept in step with ``jobs`` by this class alone:
    arrivals are appended (:meth:`append`, their rows added in one go by :meth:`extend`, once a
    step) and found or abandoned jobs removed (:meth:`keep`).
    """

    def __init__(self):
        self.jobs: list[CustomerJob] = []
        self.account = np.zeros(0, np.int64)
        self.needs = np.zeros((0, N_CAPABILITIES), bool)
        self.accumulated = np.zeros(0)
        self.threshold = np.zeros(0)
        self.arrival = np.zeros(0)
        self._arrived: list[CustomerJob] = []  # appended since the rows were last extended

    def __len__(self) -> int:
        return len(self.jobs) + len(self._arrived)

    def pending(self) -> bool:
        """Whether jobs arrived since the last :meth:`extend` (their rows are not added yet)."""
        return bool(self._arrived)

    def append(self, job: CustomerJob) -> None:
        """A job arrived; its row is added by the next :meth:`extend`."""
        self._arrived.append(job)

    def extend(self) -> None:
        """Add the rows of the jobs appended since the last call."""
        new, self._arrived = self._arrived, []
        if not new:
            return
        self.jobs.extend(new)
        self.account = np.concatenate(
            [self.account, np.fromiter((j.account for j in new), np.int64, len(new))])
        # one comparison of the stacked efforts, not one small array per job
        self.needs = np.concatenate([self.needs, np.array([j.effort for j in new]) > 0])
        self.accumulated = np.concatenate([self.accumulated, np.zeros(len(new))])
        self.threshold = np.concatenate(
            [self.threshold, np.fromiter((j.threshold for j in new), float, len(new))])
        self.arrival = np.concatenate(
            [self.arrival, np.fromiter((j.arrival for j in new), float, len(new))])

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is true (call after :meth:`extend`)."""
        if mask.all():
            return
        self.jobs = [j for j, k in zip(self.jobs, mask.tolist(), strict=True) if k]
        self.account = self.account[mask]
        self.needs = self.needs[mask]
        self.accumulated = self.accumulated[mask]
        self.threshold = self.threshold[mask]
        self.arrival = self.arrival[mask]


def discover_jobs(model) -> None:
    """Accumulate each undiscovered job's discovery hazard over this step; discover those whose
    threshold it passed (a job arriving during the step only since its arrival)."""
    und = model.undiscovered
    und.extend()
    if not und.jobs:
        return
    m = model.config.market
    jobs, acc = und.jobs, und.account
    hazard, contact_hazard = discovery_hazard(model.exposure[acc], und.needs,
                                              model.book.trust[acc], m.discovery_rate,
                                              m.self_report_rate)
    start = model.now - model.dt
    und.accumulated += hazard * np.minimum(model.dt, model.now - np.maximum(start, und.arrival))
    keep = np.ones(len(jobs), bool)
    for i in np.flatnonzero(und.accumulated >= und.threshold).tolist():
        job = jobs[i]
        if job.state != JobState.UNDISCOVERED:
            continue  # abandoned meanwhile: dropped below
        h, ch = hazard[i], contact_hazard[i]
        found = discoverer(model, job, ch / h if h > 0 else 0.0)
        if found:
            job.exposure = float(und.accumulated[i])
            discover(model, job, found)
            keep[i] = False
    # Drop jobs no longer undiscovered (abandoned since the last step, found some other way).
    # Every undiscovered job of the run is in these rows (none arrived since ``extend``), so
    # when as many rows are kept as the run has undiscovered jobs, all of them still are.
    if int(np.count_nonzero(keep)) != model.state_count[JobState.UNDISCOVERED] or und.pending():
        undiscovered = JobState.UNDISCOVERED  # a list, then one array: faster than fromiter
        keep &= np.array([j.state == undiscovered for j in jobs], bool)
    und.keep(keep)


def discoverer(model, job: CustomerJob, contact_share: float):
    """Who found ``job``: a visitor ∝ their share of the hazard, or the customer's report
    (which nobody hears while the customer's usual contact is vacant)."""
    if model.visit_groups is None or job.pick >= contact_share:
        contact = model.design.default_contact(job.account)
        return None if contact.vacant else contact
    rows, exposure, bounds = model.visit_groups
    lo, hi = int(bounds[job.account]), int(bounds[job.account + 1])
    u = job.pick / contact_share  # uniform on [0, 1) given the pick fell in the contact part
    k = _pick_visit(exposure, lo, hi, job.capabilities, u)
    if k is None:
        return model.design.default_contact(job.account)
    return model.workforce.agents[rows[lo + min(k, hi - lo - 1)]]


# An account rarely has more visits in a week than this: below it, :func:`_pick_visit` adds in
# Python, which for so few numbers is several times faster than numpy's small-array calls.
FEW_VISITS = 8


def _pick_visit(exposure: np.ndarray, lo: int, hi: int, capabilities: tuple, u: float):
    """Index (from ``lo``) of the visit whose cumulative share of the job's exposure first
    exceeds ``u``, or None when the visits carry no exposure to the job's capabilities.

    Both branches compute the same floats: numpy sums fewer than 8 numbers left to right (from
    8 on it uses partial sums in another order, hence the numpy branch), and cumulative sums
    and divisions are the same IEEE operations in Python (tests/test_job_discovery.py checks
    the two). Not Python's ``sum``: since 3.12 it compensates rounding, a different result."""
    if hi - lo >= FEW_VISITS:
        weight = exposure[lo:hi, list(capabilities)].sum(1)
        total = weight.sum()
        if total <= 0:
            return None
        return int(np.searchsorted(np.cumsum(weight) / total, u, side="right"))
    if hi <= lo or not capabilities:
        return None
    weights = []
    for r in range(lo, hi):
        w = exposure.item(r, capabilities[0])
        for c in capabilities[1:]:
            w += exposure.item(r, c)
        weights.append(w)
    total = weights[0]
    for w in weights[1:]:
        total += w
    if total <= 0:
        return None
    running = 0.0
    for k, w in enumerate(weights):
        running += w
        if running / total > u:  # searchsorted(side="right"): the first share above u
            return k
    return len(weights)


def discover(model, job: CustomerJob, found_by) -> None:
    """``found_by`` found ``job``: it becomes their contact; the design names the owner, who
    takes or requests the decision."""
    job.discovered_at = model.now
    model.move(job, JobState.AWAITING_DECISION)
    model.counts["discovered"] += 1
    job.discoverer = found_by
    model.history.record(job, model.now, Event.DISCOVERED, found_by)
    model.contacts.touch_one(job.account, found_by.person_id, model.now)
    owner = model.design.owner_of(job, found_by)
    job.owner = owner
    if owner is not found_by:
        model.history.record(job, model.now, Event.ASSIGNED, owner, "owner")
    request_decision(model, job)

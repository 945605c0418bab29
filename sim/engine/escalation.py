"""Escalation: a decision travelling up a chain of authority until someone may take it.

Every job carries a decision size (the k€ it commits: a patient-support programme, a pathway
pilot, a contract). The job's owner takes it on the spot if it is within their authority.
Otherwise an :class:`Escalation` enters the inbox of the first manager of the design's chain,
waits as long as any request between those two people does (the shared friction table,
sim/engine/interactions.py: a person and their manager are one hierarchy level apart), competes with
everything else in the manager's inbox for their hours, and is
either decided there or sent on to the next level. The time from request to decision is the job's
decision wait; the number of levels it climbed is its escalation depth.

Whoever decides, the decision carries a compliance risk that shrinks with the size of the
commitment, with each level that reviewed it and with governance (one setting for every design)
(:func:`incident_probability`): fast front-line decisions are not free.

Once a job is decided its work starts (sim/engine/work.py). Managers work through their inboxes
once a step (:func:`review_inboxes`). ODD section 7.3.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.engine.costs import record_incident
from sim.engine.interactions import friction
from sim.engine.jobs import CustomerJob, Event
from sim.engine.work import start_work
from sim.engine.workforce import Activity


def incident_probability(decision_k: float, reviews: int, governance: float, market) -> float:
    """Chance that a decision of ``decision_k`` k€ causes a compliance incident."""
    size = decision_k / (decision_k + market.compliance_reference_k)
    return (market.compliance_risk * 2.0 * size * (1.0 - governance)
            * market.review_risk_factor ** reviews)


@dataclass(eq=False)
class Escalation:
    """A job's decision request, currently at ``chain[level]``."""

    job: CustomerJob
    chain: tuple  # Manager agents, lowest level first
    requested_at: float
    min_reviews: int = 1  # levels that must review before any of them may decide
    level: int = 0
    inbox_hours: float = 0.0  # the reviewing manager's effort: decision review + the request
    loss: float = 0.0

    kind = "escalation"

    def start(self, now: float) -> None:
        self._send(self.job.owner, now)

    def _send(self, sender, now: float, extra_weeks: float = 0.0) -> None:
        receiver = self.chain[self.level]
        model = receiver.model
        f = friction(model, sender, receiver)
        self.inbox_hours = model.config.staffing.interaction.decision_hours + f.hours
        self.loss = f.loss
        self.job.escalation_levels += 1
        model.history.record(self.job, now, Event.ESCALATED, receiver,
                             f"level {self.job.escalation_levels}")
        receiver.receive(self, ready_at=now + extra_weeks + f.latency_weeks)

    def hand_over(self, chain: tuple, min_reviews: int, now: float) -> None:
        """Continue with a new chain (the old one was dissolved); already-waited time counts."""
        self.chain, self.min_reviews, self.level = chain, min_reviews, 0
        self.start(now)

    def handle(self, manager, model) -> None:
        """Called when ``manager`` reviews this request in their inbox."""
        job, now = self.job, model.now
        if self.loss > 0 and model.dynamics_rng.random() < self.loss:
            model.history.record(job, now, Event.HANDOFF_LOST, manager, "decision request")
            job.escalation_levels -= 1
            sender = job.owner if self.level == 0 else self.chain[self.level - 1]
            self._send(sender, now, model.config.staffing.interaction.loss_detection_weeks)
            return
        top = self.level == len(self.chain) - 1
        may_decide = self.level + 1 >= self.min_reviews and job.decision <= manager.authority
        if may_decide or top:
            take_decision(model, job, manager, reviews=self.level + 1)
            return
        self.level += 1
        self._send(manager, now)

    def is_live(self) -> bool:
        return self.job.is_open


def request_decision(model, job: CustomerJob) -> None:
    """Decide on the spot if within the owner's authority, else escalate."""
    chain = model.design.escalation_chain(job)
    if job.decision <= model.design.authority_of(job.owner, job) or not chain:
        take_decision(model, job, job.owner, reviews=0)
        return
    model.counts["escalations"] += 1
    Escalation(job, chain, model.now, min_reviews=model.design.min_reviews(job)).start(model.now)


def take_decision(model, job: CustomerJob, decider, reviews: int) -> None:
    """Record the decision, its compliance risk, and start the work (once the enabling platform
    signed it off, when it must: sim/engine/platform_layers.py)."""
    wf = model.workforce
    job.decided_at = model.now
    job.decision_wait = model.now - job.discovered_at
    job.decided_by_level = reviews
    model.history.record(job, model.now, Event.DECIDED, decider, f"{job.decision:.1f} k€")
    model.counts["decisions"] += 1
    owner_row = job.owner.row
    rules = model.config.staffing.interaction
    platform = model.enabling  # the enabling platform (7.4a), None unless staffed
    signoffs = platform.signoffs(job, reviews) if platform is not None else ()
    if reviews == 0:
        wf.own_decisions_view[owner_row] += 1
        if job.decision > 0 and "compliance" not in signoffs:  # else the platform reviews it
            decider.spend(rules.governance * rules.governance_hours, Activity.GOVERNANCE)
    else:
        wf.escalated_decisions_view[owner_row] += 1
        model.counts["escalated_decisions"] += 1
        model.counts["decision_wait"] += job.decision_wait
    if signoffs:  # the work waits for the enabling platform's sign-offs (7.4a)
        platform.request_signoffs(job, decider, reviews, signoffs)
        return
    carry_out(model, job, decider, reviews)


def carry_out(model, job: CustomerJob, decider, reviews: int) -> None:
    """A decision reviewed ``reviews`` times goes ahead: its compliance risk, then the work."""
    rules = model.config.staffing.interaction
    risk = incident_probability(job.decision, reviews, rules.governance, model.config.market)
    model.counts["expected_incidents"] += risk
    if risk > 0 and model.dynamics_rng.random() < risk:
        record_incident(model)
        model.history.record(job, model.now, Event.COMPLIANCE_INCIDENT, decider)
    start_work(model, job)


def review_inboxes(model) -> None:
    """Managers work through their inboxes; repeat while requests are handed on with no
    wait (latency 0), so the order in which managers are visited does not matter.

    After the first pass a manager is visited again only if a request reached them since their
    last visit: otherwise the visit would change nothing (their hours only fall during the step,
    and every request they left waiting cost more than the hours they had left), yet it would
    rescan a due list that is long exactly when they are overloaded."""
    managers = model.managers()
    rows = [m.row for m in managers]
    seen = [-1] * len(managers)  # each inbox's count of requests received, at its last visit
    load = _inbox_load(managers, model.workforce, rows)
    for _ in range(len(managers) + 1):
        before = load  # nothing happens between passes: the load after one is before the next
        for i, m in enumerate(managers):
            inbox = m.inbox
            if inbox.size and inbox.received != seen[i]:
                seen[i] = inbox.received  # requests arriving while it works wait for a pass
                m.process_inbox()
        load = _inbox_load(managers, model.workforce, rows)
        if load == before:
            break


def _inbox_load(managers, wf, rows) -> tuple:
    """What a pass can change: each manager's number of requests and hours used (the hours read
    in one indexing call, not one numpy scalar per manager)."""
    return [m.inbox.size for m in managers], wf.used[rows].tolist()

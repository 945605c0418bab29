"""Escalation: a decision travelling up a chain of authority until someone may take it.

Every job carries a decision size (the k€ it commits: a patient-support programme, a pathway
pilot, a contract). The job's owner takes it on the spot if it is within their authority.
Otherwise an :class:`Escalation` enters the inbox of the first manager of the design's chain,
waits for that level's review (weekly team meeting, monthly head-office committee: the level's
``review_weeks``), competes with everything else in the manager's inbox for their hours, and is
either decided there or sent on to the next level. The time from request to decision is the job's
decision wait; the number of levels it climbed is its escalation depth.

Whoever decides, the decision carries a compliance risk that shrinks with the size of the
commitment, with each level that reviewed it and with the design's governance setting
(:func:`incident_probability`): fast front-line decisions are not free.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.jobs import CustomerJob, Event


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

    kind = "escalation"

    def start(self, now: float) -> None:
        first = self.chain[0]
        self.job.escalation_levels += 1
        first.model.history.record(self.job, now, Event.ESCALATED, first,
                                   f"level {self.job.escalation_levels}")
        first.receive(self, ready_at=now + first.review_weeks)

    def hand_over(self, chain: tuple, min_reviews: int, now: float) -> None:
        """Continue with a new chain (the old one was dissolved); already-waited time counts."""
        self.chain, self.min_reviews, self.level = chain, min_reviews, 0
        self.start(now)

    def handle(self, manager, model) -> None:
        """Called when ``manager`` reviews this request in their inbox."""
        job, now = self.job, model.now
        top = self.level == len(self.chain) - 1
        may_decide = self.level + 1 >= self.min_reviews and job.decision <= manager.authority
        if may_decide or top:
            model.take_decision(job, manager, reviews=self.level + 1)
            return
        self.level += 1
        nxt = self.chain[self.level]
        job.escalation_levels += 1
        model.history.record(job, now, Event.ESCALATED, nxt, f"level {job.escalation_levels}")
        nxt.receive(self, ready_at=now + nxt.review_weeks)

    def is_live(self) -> bool:
        return self.job.is_open

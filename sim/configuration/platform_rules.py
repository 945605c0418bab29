"""The two platform layers behind the front line, as one shared rule (docs/ODD.md 7.4a).

[A1] says the micro-enterprise model "should build on two core platform layers" behind the
frontline: a *service* platform (shared services the front line pulls: here the central
patient-services and operations / digital experts every design already has, section 7.4) and an
*enabling* platform (compliance review, HR, finance). The article gives no size, rate or rule;
every number below is an assumption.

A design never sets these: how much enabling capacity there is, which requests need it and what
each costs is the same for every design (``staffing.platforms``). What differs between designs
is structure alone — who decides what (and so which decisions nobody above the decider reviewed),
how many vacancies they have. ``enabling_staff`` 0 (the default) switches the rule off: today's
model, where compliance review, hiring and approvals take no one's time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.params import A1, param


@dataclass
class PlatformsConfig:
    """Capacity, requests and service level of the enabling platform; service level of both.

    With ``enabling_staff`` > 0: a decision of at least ``review_threshold_k`` that no manager
    reviewed waits for a compliance review, and any decision of at least ``finance_threshold_k``
    for a finance approval, before its work starts; a vacancy is filled only once the platform
    has done ``hiring_hours`` of recruiting for it (and ``hiring_delay_weeks`` have passed).
    """

    enabling_staff: float = param(
        0.0, unit="people", doc="Full-time staff of the enabling platform (compliance review, "
        "HR, finance), each with hours_per_week less admin_share, paid salary_expert; 0 = no "
        "enabling platform: reviews, hiring and approvals take nobody's time (the model before "
        "7.4a)", ge=0, le=10000,
        source=f"assumption: off by default; {A1} names the enabling platform layer (no size)",
    )
    review_threshold_k: float = param(
        10.0, unit="k€", doc="Smallest decision that needs a compliance review from the "
        "enabling platform when no manager reviewed it (decided at the front line)", ge=0,
        source="assumption: what a first-line manager signs in the traditional design "
        "(org.level_authority[0] = 10 k€); below it the decider's own governance time suffices",
    )
    review_hours: float = param(
        2.0, unit="hours", doc="Enabling-platform time per compliance review", gt=0, le=40,
        source="assumption: twice the one hour of a manager's decision review "
        "(staffing.interaction.decision_hours): a reviewer reads a case they did not see "
        "coming",
    )
    finance_threshold_k: float = param(
        25.0, unit="k€", doc="Smallest decision (a contract, a price, a programme budget) that "
        "needs a finance approval from the enabling platform, whoever took it", ge=0,
        source="assumption: the size of a reimbursement or pathway commitment in the job "
        "catalogue (market.jobs.reimbursement.decision_k = 25 k€)",
    )
    finance_hours: float = param(
        3.0, unit="hours", doc="Enabling-platform time per finance approval", gt=0, le=40,
        source="assumption: pricing and contract checks take somewhat longer than a "
        "compliance read",
    )
    hiring_hours: float = param(
        16.0, unit="hours", doc="Enabling-platform (HR) time to recruit one person for a "
        "vacancy: sourcing, interviews, offer, onboarding paperwork", gt=0, le=400,
        source="assumption: two working days of recruiter time per hire",
    )
    service_level_weeks: float = param(
        2.0, unit="weeks", doc="Service-level target of both platforms: a request should be "
        "started within this many weeks of reaching the platform (reported as the share "
        "that was)", gt=0, le=52,
        source="assumption: a fortnight, two of the model's weekly rhythms",
    )

    def active(self) -> bool:
        """Whether the enabling platform exists (and the rule runs at all)."""
        return self.enabling_staff > 0

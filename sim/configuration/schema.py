"""The typed configuration of one simulation run.

The tree mirrors the model and the Hydra groups in conf/: ``market`` (accounts, networks, customer
jobs), ``therapy`` (the launch and its adoption), ``staffing`` (the people and what they cost),
``org`` (the organisation design: one config class per design, defined next to the design in
sim/designs/) and ``run`` (horizon, step length, seed). Defaults describe the default scenario: an
oncology launch into organized health systems.

Every field is declared with :func:`sim.configuration.params.param`, so its unit, meaning, source
and allowed range live in one place; :func:`validate` turns that range into a one-line error.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, is_dataclass
from functools import cache
from typing import Any

from sim.configuration.capabilities import CAPABILITIES
from sim.configuration.params import A0, A1, A2, A3, A4, ASSUMPTION, BASS, TTM, allowed_text, param


class ConfigError(ValueError):
    """A setting that is not allowed. ``str(error)`` is the one line shown to the user."""

    def __init__(self, setting: str, message: str):
        self.setting = setting
        super().__init__(f"{setting}: {message}")


# --------------------------------------------------------------------------------------- run
@dataclass
class RunConfig:
    horizon_weeks: int = param(
        156, unit="weeks", doc="Length of the simulated period after launch", gt=0, le=2600,
        source="MODEL.md: horizon of several years",
    )
    step_weeks: float = param(
        1.0, unit="weeks", doc="Length of one model step", gt=0, le=4,
        source="MODEL.md: discrete weekly steps, configurable",
    )
    seed: int = param(0, unit="-", doc="Seed of the run (first seed of a replication set)", ge=0)
    replications: int = param(
        10, unit="runs", doc="Paired seeds per design used by the command line", ge=1, le=100000,
    )
    workers: int = param(
        0, unit="processes", doc="Worker processes for the replications (0 = all cores); results "
        "do not depend on it", ge=0, le=1024,
    )
    check_invariants: bool = param(
        False, unit="-", doc="Check conservation, capacity and stage rules after every step",
    )


# ------------------------------------------------------------------------------------ market
@dataclass
class AccountTypeConfig:
    share: float = param(0.25, unit="share", doc="Share of accounts of this type", ge=0, le=1)
    patients: float = param(
        100.0, unit="patients", doc="Median eligible patients per account", gt=0, le=1e6,
    )
    organisation: float = param(
        0.5, unit="0-1", doc="Mean degree of organisation (0 fragmented … 1 integrated)",
        ge=0, le=1, source=A1,
    )
    stakeholders: int = param(
        5, unit="people", doc="Mean size of the decision-making unit", ge=1, le=200, source=A1,
    )


@dataclass
class JobTypeConfig:
    effort: dict[str, float] = param(
        {"commercial": 4.0}, unit="expert-hours",
        doc="Effort per capability the job needs (expert at skill 1)",
    )
    patience_weeks: float = param(
        8.0, unit="weeks", doc="Median time the account waits before abandoning", gt=0, le=520,
    )
    decision_k: float = param(
        1.0, unit="k€", doc="Median size of the commitment the job needs decided", ge=0, le=1e6,
    )
    weight: float = param(
        1.0, unit="-", doc="Relative frequency within its class (single/cross-functional)", ge=0,
    )


def _default_job_types() -> dict[str, JobTypeConfig]:
    """The customer jobs of MODEL.md plus the simple product-centric requests of fragmented
    practices.

    Effort, patience and decision sizes are order-of-magnitude assumptions (see docs/ODD.md).
    """
    J = JobTypeConfig
    return {
        "service_request": J({"commercial": 3.0}, 4.0, 0.2, 3.0),
        "access_query": J({"access": 5.0}, 6.0, 1.0, 2.0),
        "education_gap": J({"medical": 6.0}, 8.0, 0.5, 3.0),
        "patient_support": J({"patient_services": 10.0, "access": 4.0}, 8.0, 8.0, 2.0),
        "formulary_evidence": J({"medical": 14.0, "access": 10.0}, 16.0, 3.0, 2.0),
        "reimbursement": J({"access": 14.0, "commercial": 4.0}, 16.0, 25.0, 2.0),
        "infusion_capacity": J({"operations": 20.0, "medical": 6.0, "access": 6.0},
                               20.0, 60.0, 1.0),
        "care_pathway": J(
            {"medical": 12.0, "operations": 12.0, "commercial": 6.0}, 26.0, 30.0, 1.0
        ),
    }


@dataclass
class MarketConfig:
    accounts: int = param(60, unit="accounts", doc="Number of organized customers", ge=1, le=20000)
    regions: int = param(6, unit="regions", doc="Geographic regions (territories)", ge=1, le=500)
    integrated: AccountTypeConfig = param(
        AccountTypeConfig(0.35, 400.0, 0.85, 10), unit="-",
        doc="Integrated delivery networks / integrated care systems", source=A1,
    )
    academic: AccountTypeConfig = param(
        AccountTypeConfig(0.15, 300.0, 0.7, 12), unit="-", doc="Academic medical centres",
        source=A1,
    )
    community: AccountTypeConfig = param(
        AccountTypeConfig(0.30, 150.0, 0.45, 6), unit="-", doc="Community networks", source=A1,
    )
    fragmented: AccountTypeConfig = param(
        AccountTypeConfig(0.20, 40.0, 0.1, 2), unit="-", doc="Fragmented independent practices",
        source=A1,
    )
    patients_sigma: float = param(
        0.5, unit="log", doc="Log-normal spread of account size around the type median", ge=0, le=3,
    )
    organisation_sd: float = param(
        0.08, unit="0-1", doc="Spread of organisation around the type mean", ge=0, le=1,
    )
    patients_per_hcp: float = param(
        10.0, unit="patients", doc="Eligible patients per prescriber (sets the detailing audience)",
        gt=0,
    )
    links_per_account: float = param(
        4.0, unit="links", doc="Mean referral / KOL links per account", ge=0, le=100, source=A1,
    )
    cross_region_links: float = param(
        0.15, unit="share", doc="Share of links that cross regions", ge=0, le=1,
    )
    job_rate: float = param(
        0.08, unit="jobs/week", doc="Job arrival rate of a reference account (100 patients, "
        "organisation 0)", ge=0, le=100, source="MODEL.md: more jobs in more organized accounts",
    )
    size_elasticity: float = param(
        0.5, unit="-", doc="Arrival rate grows as (patients/100)^elasticity", ge=0, le=2,
    )
    organisation_gain: float = param(
        2.0, unit="-", doc="Arrival rate grows as (1 + gain × organisation)", ge=0, le=50,
        source=A1,
    )
    cross_functional_base: float = param(
        0.15, unit="probability", doc="Chance a job needs several capabilities at organisation 0",
        ge=0, le=1, source=A1,
    )
    cross_functional_gain: float = param(
        0.6, unit="probability", doc="Added chance of a cross-functional job per unit of "
        "organisation", ge=0, le=1, source=A1,
    )
    effort_sigma: float = param(0.5, unit="log", doc="Log-normal spread of job effort", ge=0, le=3)
    patience_sigma: float = param(
        0.3, unit="log", doc="Log-normal spread of job patience", ge=0, le=3,
    )
    decision_sigma: float = param(
        1.0, unit="log", doc="Log-normal spread of decision size", ge=0, le=5,
    )
    discovery_rate: float = param(
        0.08, unit="1/hour", doc="Discovery hazard per needs-focused contact hour at full "
        "recognition and trust 0.5", ge=0, le=10, source=A3,
    )
    self_report_rate: float = param(
        0.02, unit="1/week", doc="Hazard that an account reports an undiscovered job itself",
        ge=0, le=10,
    )
    reraise_weeks: float = param(
        8.0, unit="weeks", doc="Delay before an account raises an abandoned trigger-point job "
        "again", gt=0, le=520, source=A1,
    )
    trust_initial: float = param(
        0.5, unit="0-1", doc="Mean initial trust of accounts in the company", ge=0, le=1,
    )
    trust_sd: float = param(0.1, unit="0-1", doc="Spread of initial trust", ge=0, le=1)
    trust_gain: float = param(
        0.08, unit="share", doc="Trust gained per resolved job (share of the gap to 1)", ge=0,
        le=1, source=A0,
    )
    trust_loss: float = param(
        0.15, unit="share", doc="Trust lost per abandoned job (share of current trust)", ge=0,
        le=1, source=A0,
    )
    trust_reversion: float = param(
        0.01, unit="1/week", doc="Rate trust drifts back to its initial value", ge=0, le=1,
    )
    comfortable_contacts: float = param(
        3.0, unit="people", doc="Distinct company contacts an account handles without strain",
        ge=0, source=A0,
    )
    contact_strain: float = param(
        0.0005, unit="1/week per person", doc="Trust lost per week per contact above the "
        "comfortable number ('complicated to deal with')", ge=0, le=1, source=A0,
    )
    departure_trust_loss: float = param(
        0.03, unit="share", doc="Trust an account loses when one of its recent contacts leaves "
        "the company", ge=0, le=1, source=A0,
    )
    contact_window_weeks: float = param(
        13.0, unit="weeks", doc="Window over which distinct contacts are counted", gt=0, le=520,
    )
    compliance_risk: float = param(
        0.02, unit="probability", doc="Incident chance of an unreviewed, ungoverned decision of "
        "reference size", ge=0, le=1, source="assumption ([A4] names regulatory limits, no rate)",
    )
    compliance_reference_k: float = param(
        20.0, unit="k€", doc="Decision size at which risk is half its maximum", gt=0,
    )
    promotion_risk_per_hour: float = param(
        5e-5, unit="1/hour", doc="Incident chance per hour of promotional detailing at "
        "governance 0 (off-label promotion), the same in every design", ge=0, le=1,
        source="assumption: a few incidents a year in a 100-rep call-driven field force",
    )
    review_risk_factor: float = param(
        0.5, unit="-", doc="Risk multiplier per hierarchy level that reviewed a decision", ge=0,
        le=1,
    )
    jobs: dict[str, JobTypeConfig] = param(
        _default_job_types(), unit="-", doc="Catalogue of customer job types", source=A1,
    )

    def account_types(self) -> dict[str, AccountTypeConfig]:
        return {
            "integrated": self.integrated,
            "academic": self.academic,
            "community": self.community,
            "fragmented": self.fragmented,
        }


# ----------------------------------------------------------------------------------- therapy
@dataclass
class TherapyConfig:
    name: str = param("oncology_launch", unit="-", doc="Label of the launched therapy")
    innovation: float = param(
        0.006, unit="1/week", doc="Bass p: baseline external hazard of advancing a stage",
        ge=0, le=5, source=BASS + "; calibrated so the traditional design reaches 50% of "
        "organized accounts in about two years (docs/ODD.md, 'Calibration')",
    )
    imitation: float = param(
        0.05, unit="1/week", doc="Bass q: hazard per unit share of adopted peers", ge=0, le=5,
        source=BASS,
    )
    initial_stages: list[float] = param(
        [0.6, 0.3, 0.1, 0.0, 0.0], unit="shares",
        doc="Initial shares in precontemplation, contemplation, preparation, action, maintenance",
        source=TTM,
    )
    maintenance_rate: float = param(
        0.04, unit="1/week", doc="Hazard of moving from action to maintenance", ge=0, le=5,
        source=TTM,
    )
    exchange_effect: float = param(
        2.0, unit="per hour/HCP/week", doc="External-term gain from medical scientific exchange",
        ge=0, source=A2,
    )
    detailing_effect: float = param(
        1.0, unit="per hour/HCP/week", doc="External-term gain from product detailing", ge=0,
        source=A3,
    )
    detailing_tolerance: float = param(
        0.5, unit="hours/HCP/week", doc="Detailing an HCP absorbs before receptivity falls", ge=0,
        source=A3,
    )
    over_detailing_penalty: float = param(
        1.0, unit="per excess hour", doc="Receptivity lost per hour/HCP/week above tolerance",
        ge=0, source=A3,
    )
    job_effect: float = param(
        1.0, unit="-", doc="External-term gain at saturation of recently resolved jobs", ge=0,
        source=A0,
    )
    access_effect: float = param(
        1.0, unit="-", doc="External-term gain once access is won at the account", ge=0,
        source=A1,
    )
    resolved_memory_weeks: float = param(
        26.0, unit="weeks", doc="Time over which resolved jobs keep influencing stakeholders",
        gt=0,
    )
    trust_elasticity: float = param(
        1.0, unit="-", doc="External term scales as (trust/0.5)^elasticity", ge=0, le=10,
    )
    within_account: float = param(
        0.6, unit="weight", doc="Weight of adopted peers inside the account (internal term)",
        ge=0, le=1, source=A1,
    )
    linked_accounts: float = param(
        0.3, unit="weight", doc="Weight of adopted peers in linked accounts", ge=0, le=1,
        source=A1,
    )
    global_mixing: float = param(
        0.1, unit="weight", doc="Weight of adopted peers in the whole market (1 = fully mixed)",
        ge=0, le=1, source=BASS,
    )
    consensus: float = param(
        0.6, unit="share", doc="Share of the decision-making unit in action or maintenance for "
        "the account to adopt", gt=0, le=1, source=A1,
    )
    peak_share: float = param(
        0.3, unit="share", doc="Share of eligible patients treated at peak in an adopted account",
        ge=0, le=1,
    )
    ramp_weeks: float = param(
        26.0, unit="weeks", doc="Time from account adoption to peak treatment", gt=0,
    )
    intravenous: bool = param(
        True, unit="-", doc="Delivered by infusion, so infusion chairs cap patients treated",
        source=A0,
    )
    infusion_capacity_ratio: float = param(
        2.0, unit="-", doc="Infusion capacity as a multiple of peak demand", gt=0, source=A0,
    )
    capacity_job: str = param(
        "infusion_capacity", unit="-", doc="Job type whose solution frees infusion capacity "
        "(the IV → subcutaneous switch)", source=A0,
    )
    sc_capacity_gain: float = param(
        0.5, unit="share", doc="Capacity freed when an infusion-capacity job (IV → SC) is solved",
        ge=0, le=10, source=A0,
    )
    gates: dict[str, float] = param(
        {"formulary_evidence": 1.0, "reimbursement": 0.5, "infusion_capacity": 0.15},
        unit="probability per unit of organisation",
        doc="Trigger points: chance (× the account's organisation) that solving a job of this "
        "type gates the account's adoption", ge=0, le=1, source=A1,
    )
    gate_arrival_weeks: float = param(
        8.0, unit="weeks", doc="Mean time after launch before a trigger-point job surfaces",
        gt=0,
    )


# ------------------------------------------------------------------ shared rules of working
# Every design reads these; no design declares or overrides any of them (tests/test_fair_fight.py).
RELATIONSHIPS = ("same_person", "same_team", "same_function", "other_function",
                 "hierarchy_level", "central", "other_region")


@dataclass
class RelationshipConfig:
    latency_weeks: float = param(
        0.0, unit="weeks", doc="Wait before the receiver acts on a request", ge=0, le=52)
    loss: float = param(
        0.0, unit="probability", doc="Chance the request is lost or must be redone (it is "
        "noticed and re-sent after loss_detection_weeks)", ge=0, lt=1)
    hours: float = param(
        0.0, unit="hours", doc="Effort the receiver spends on the request itself (briefing, "
        "passing on) besides the work", ge=0, le=40)


ASSUMED_RELATIONSHIPS = (
    "assumption: requests inside a standing team are answered the same week; a request that "
    "crosses a function, a hierarchy level, head office / the platform or a region waits for the "
    "receiver's weekly rhythm (one week) and is more likely to lose context the further it goes")


@dataclass
class InteractionConfig:
    """One table of frictions for every request between two people, by their relationship."""

    same_person: RelationshipConfig = param(
        RelationshipConfig(0.0, 0.0, 0.0), unit="-",
        doc="Doing it oneself: no request", source="definition")
    same_team: RelationshipConfig = param(
        RelationshipConfig(0.0, 0.02, 0.25), unit="-",
        doc="Members of one standing team (a micro-enterprise, an account team, a first-line "
        "manager's team)", source=ASSUMED_RELATIONSHIPS)
    same_function: RelationshipConfig = param(
        RelationshipConfig(0.0, 0.03, 0.25), unit="-",
        doc="Colleagues of one function in one region, not in one team",
        source=ASSUMED_RELATIONSHIPS)
    other_function: RelationshipConfig = param(
        RelationshipConfig(1.0, 0.05, 0.5), unit="-",
        doc="Another function in the same region, not in one team", source=ASSUMED_RELATIONSHIPS)
    hierarchy_level: RelationshipConfig = param(
        RelationshipConfig(1.0, 0.05, 0.25), unit="-",
        doc="Between a person and their manager (either direction)",
        source=ASSUMED_RELATIONSHIPS)
    central: RelationshipConfig = param(
        RelationshipConfig(1.0, 0.05, 0.5), unit="-",
        doc="To or from head office or the central platform", source=ASSUMED_RELATIONSHIPS)
    other_region: RelationshipConfig = param(
        RelationshipConfig(1.0, 0.08, 0.5), unit="-",
        doc="Between people of different regions", source=ASSUMED_RELATIONSHIPS)
    loss_detection_weeks: float = param(
        2.0, unit="weeks", doc="Time before a lost request is noticed and re-sent", ge=0, le=52,
        source="assumption: a requester chases an unanswered request after about two weeks")
    decision_hours: float = param(
        1.0, unit="hours", doc="Time a manager spends reviewing one escalated decision", gt=0,
        le=40, source="assumption: one hour of reading and sign-off per decision")
    governance: float = param(
        0.6, unit="0-1", doc="Strength of compliance governance over decisions, the same in "
        "every design (cuts incident risk, costs review time)", ge=0, le=1,
        source="assumption: middle of the range; varied in conf/space/default.yaml")
    governance_hours: float = param(
        1.0, unit="hours", doc="Review time per front-line decision at governance 1", ge=0,
        le=40, source="assumption: one hour of compliance review per commitment")
    channel_hours: float = param(
        0.5, unit="hours/week", doc="Coordination per communication channel of a team: a team of "
        "n has n(n−1)/2 channels and each member spends this on each of their n−1 (Brooks' "
        "law); the same for every team in every design", ge=0, le=40,
        source="assumption: a 30-minute share of weekly team meetings and messages per "
        "teammate (Brooks 1975 gives the n(n−1)/2 form, not the hours)")
    account_upkeep_hours: float = param(
        1.0, unit="hours/week", doc="Upkeep per account a person covers or owns (account "
        "plan, internal follow-up) at organisation 1; scales with the account's degree of "
        "organisation (a solo practice needs almost none); the same for everyone", ge=0, le=40,
        source="assumption: an hour a week keeps the plan of a fully integrated system current; "
        "a flat charge per account was tried first and made every rep covering 17 small "
        "practices spend 8 hours a week on account plans (docs/VALIDATION.md)")
    manager_inbox_share: float = param(
        0.4, unit="share", doc="Share of any manager's week available for requests and "
        "decisions (the rest is reporting, planning, coaching)", gt=0, le=1,
        source="assumption")
    min_skill_to_work: float = param(
        0.35, unit="skill", doc="Skill a person needs to take a task outside their home "
        "capability, wherever they are allowed to", ge=0, le=1, source="assumption")

    def relationship(self, name: str) -> RelationshipConfig:
        return getattr(self, name)


@dataclass
class KpiWeights:
    """What a position is measured and paid on (weights are normalised to sum 1)."""

    calls: float = param(0.0, unit="weight", doc="Calls and visits done against plan", ge=0,
                         le=1)
    sales: float = param(0.0, unit="weight", doc="Sales volume: adoption in covered accounts",
                         ge=0, le=1)
    jobs: float = param(0.0, unit="weight", doc="Customer jobs resolved in covered accounts",
                        ge=0, le=1)
    value: float = param(0.0, unit="weight", doc="Customer value: trust of covered accounts",
                         ge=0, le=1)

    def normalised(self) -> dict[str, float]:
        total = self.calls + self.sales + self.jobs + self.value
        if total <= 0:
            return {"calls": 0.25, "sales": 0.25, "jobs": 0.25, "value": 0.25}
        return {k: getattr(self, k) / total for k in ("calls", "sales", "jobs", "value")}


@dataclass
class BehaviourConfig:
    """One rule from incentives to behaviour, read by every design.

    With call pressure c (the weight of calls) and volume pressure v (calls + sales):
    customer-facing share of a rep's week = visit_share_base + visit_share_gain · c;
    detailing share of that time = detailing_base + detailing_gain · v;
    plan revised every 1 + (planning_max_weeks − 1) · c weeks, from data that old.
    """

    visit_share_base: float = param(
        0.3, unit="share", doc="Share of a rep's or primary contact's week planned with "
        "customers when calls carry no weight", ge=0, le=1,
        source="calibrated: with visit_share_gain, a rep on the traditional KPI (call weight "
        "0.6) spends 0.3 + 0.3 × 0.6 = 48% of the week with customers, the published share for "
        "specialty reps (36% detailing physicians + 12% nurses; Cutting Edge Information 2011)")
    visit_share_gain: float = param(
        0.3, unit="share", doc="Extra customer-facing share at full call pressure (call targets "
        "take time before any job does)", ge=0, le=1,
        source="article claim [A3] (direction only): call metrics push volume; size assumed "
        "(see visit_share_base)")
    detailing_base: float = param(
        0.2, unit="share", doc="Share of customer time on the product message with no volume "
        "pressure", ge=0, le=1, source="assumption")
    detailing_gain: float = param(
        0.5, unit="share", doc="Extra product-message share at full volume pressure", ge=0,
        le=1, source="article claim [A3] (direction only): reps measured on calls rush through "
        "slides; size assumed")
    planning_max_weeks: float = param(
        13.0, unit="weeks", doc="Plan revision interval at full call pressure (quarterly call "
        "plans); plans are made from data as old as the interval", ge=1, le=52,
        source="assumption: quarterly call-plan cycle")
    msl_exchange_share: float = param(
        0.25, unit="share", doc="Share of an MSL's week planned for scientific exchange", ge=0,
        le=1, source="published figure: MSLs spend 'approximately one quarter' of their time "
        "meeting KOLs face to face (Cutting Edge Information 2016)")
    exchange_needs_share: float = param(
        0.3, unit="share", doc="Share of scientific-exchange time spent on the customer's needs",
        ge=0, le=1, source="assumption")
    access_meeting_share: float = param(
        0.3, unit="share", doc="Share of an access manager's week planned for account meetings",
        ge=0, le=1, source="assumption")

    def visit_share(self, w: KpiWeights) -> float:
        return min(1.0, self.visit_share_base + self.visit_share_gain * w.normalised()["calls"])

    def detailing_share(self, w: KpiWeights) -> float:
        n = w.normalised()
        return min(1.0, self.detailing_base + self.detailing_gain * (n["calls"] + n["sales"]))

    def planning_weeks(self, w: KpiWeights, step_weeks: float) -> float:
        weeks = 1.0 + (self.planning_max_weeks - 1.0) * w.normalised()["calls"]
        return max(step_weeks, round(weeks / step_weeks) * step_weeks)


# ---------------------------------------------------------------------------------- staffing
@dataclass
class StaffingConfig:
    reps: int = param(90, unit="people", doc="Sales reps / key account managers", ge=0, le=1e5)
    msls: int = param(25, unit="people", doc="Medical science liaisons", ge=0, le=1e5)
    access: int = param(20, unit="people", doc="Market-access managers", ge=0, le=1e5)
    operations_experts: int = param(
        8, unit="people", doc="Central operations / digital experts (head office or platform)",
        ge=0, le=1e5, source=A1,
    )
    patient_services_experts: int = param(
        7, unit="people", doc="Central patient-services experts (head office or platform)",
        ge=0, le=1e5, source=A1,
    )
    products: int = param(
        3, unit="products", doc="Product lines in the portfolio (one rep line each)", ge=1,
        le=50, source=A0,
    )
    team_size: int = param(
        8, unit="people", doc="Target size of a micro-enterprise (designs with micro-enterprises)",
        ge=1, le=1000, source=A1,
    )
    ppoc_span: float = param(
        2.0, unit="accounts", doc="Target accounts per primary point of contact (more if the "
        "team lacks senior people; designs with primary contacts)", ge=1, le=10000, source=A0,
    )
    ppoc_min_experience: float = param(
        4.0, unit="years", doc="Experience a person needs to be a primary point of contact "
        "(a 'single, senior point of contact')", ge=0, le=40, source=A0,
    )
    hours_per_week: float = param(40.0, unit="hours", doc="Weekly capacity per person", gt=0,
                                  le=100)
    experience_years: float = param(
        6.0, unit="years", doc="Mean experience of incumbent staff", ge=0, le=40,
    )
    hire_experience_years: float = param(
        3.0, unit="years", doc="Mean experience of new hires", ge=0, le=40,
    )
    engagement_initial: float = param(
        0.6, unit="0-1", doc="Initial engagement of staff", ge=0, le=1, source=A3,
    )
    engagement_rate: float = param(
        0.05, unit="1/week", doc="Speed at which engagement moves toward its target", ge=0, le=1,
    )
    engagement_base: float = param(
        0.6, unit="0-1", doc="Engagement target of neutral working conditions", ge=0, le=1,
    )
    weight_impact: float = param(
        0.4, unit="-", doc="Engagement weight of seeing one's jobs resolved", ge=0, le=2,
        source=A0,
    )
    weight_autonomy: float = param(
        0.3, unit="-", doc="Engagement weight of decision rights", ge=0, le=2, source=A0,
    )
    weight_kpi: float = param(
        0.2, unit="-", doc="Engagement weight of meeting one's KPI", ge=0, le=2, source=A2,
    )
    weight_overload: float = param(
        0.4, unit="-", doc="Engagement lost at full overload", ge=0, le=2,
    )
    attrition_annual: float = param(
        0.12, unit="1/year", doc="Attrition at engagement 0.6", ge=0, le=5,
    )
    attrition_sensitivity: float = param(
        4.0, unit="per unit engagement", doc="Attrition grows as exp(sensitivity × (0.6 − "
        "engagement))", ge=0, le=20, source=A0,
    )
    memory_weeks: float = param(
        26.0, unit="weeks", doc="Time over which staff remember outcomes and decisions (impact, "
        "autonomy)", gt=0, le=520,
    )
    backlog_tolerance_weeks: float = param(
        4.0, unit="weeks", doc="Backlog of queued work felt as normal; overload is full at "
        "twice this", gt=0, le=52,
    )
    delivery_hours: float = param(
        1.0, unit="hours", doc="Time to deliver a finished task's result to the customer", ge=0,
        le=40,
    )
    hiring_delay_weeks: float = param(
        12.0, unit="weeks", doc="Vacancy length before a leaver is replaced", ge=0, le=520,
    )
    learning_rate: float = param(
        0.01, unit="1/week", doc="Skill gain per week of full-time work on a capability", ge=0,
        le=1,
    )
    forgetting_rate: float = param(
        0.002, unit="1/week", doc="Skill loss per week on an unused capability", ge=0, le=1,
    )
    salary_rep: float = param(
        210.0, unit="k€/year", doc="Fully loaded cost of a rep", ge=0,
        source="published figure: US specialty rep US$228k a year fully loaded (Cutting Edge "
        "Information 2013, reported by WSJ 2014); taken as 210 k€")
    salary_msl: float = param(
        220.0, unit="k€/year", doc="Fully loaded cost of an MSL", ge=0,
        source="published figure: US$237k spent per MSL a year (Cutting Edge Information "
        "2012); taken as 220 k€")
    salary_access: float = param(
        250.0, unit="k€/year", doc="Fully loaded cost of an access manager", ge=0,
        source="assumption: 1.2 × a rep (no published loaded cost; UK 2009 KAM/NHS-liaison "
        "salaries are 1.35–1.5 × a medical rep's, Pf Magazine survey)",
    )
    salary_expert: float = param(
        220.0, unit="k€/year", doc="Fully loaded cost of a central / platform expert", ge=0,
        source="assumption: as an MSL (specialists of similar seniority)",
    )
    salary_manager: float = param(
        330.0, unit="k€/year", doc="Fully loaded cost of a manager or platform owner", ge=0,
        source="assumption: 1.6 × a rep (UK 2009 first-line manager median £55k vs medical rep "
        "£32k, Pf Magazine survey)",
    )
    salary_ppoc: float = param(
        250.0, unit="k€/year", doc="Fully loaded cost of a primary point of contact (senior)",
        ge=0, source="assumption: a senior key-account role, as an access manager ([A0]: "
        "'single, senior point of contact')",
    )
    hiring_cost: float = param(40.0, unit="k€", doc="Cost of one hire", ge=0)
    call_hours: float = param(
        0.5, unit="hours", doc="Length of one sales call (3 minutes to a working day: the "
        "number of calls is hours ÷ this)", ge=0.05, le=8,
    )
    visit_cost: float = param(
        0.08, unit="k€/hour", doc="Direct cost of customer-facing time of any kind (travel, "
        "materials); a call costs call_hours × this", ge=0, source=A3,
    )
    admin_share: float = param(
        0.2, unit="share", doc="Share of every frontline and expert week taken by travel, CRM, "
        "training and internal admin", ge=0, lt=1,
    )
    incident_cost: float = param(
        250.0, unit="k€", doc="Mean cost of one compliance incident", ge=0,
        source="assumption: order of magnitude of an internal investigation and remediation",
    )
    incident_cost_sigma: float = param(
        1.5, unit="log", doc="Log-normal spread of incident cost (heavy tail: rare large fines)",
        ge=0, le=4, source="assumption: the mean is carried by rare large settlements",
    )
    severance_years: float = param(
        0.5, unit="years of salary", doc="Severance paid for a position that goes in a "
        "reorganisation", ge=0, le=5, source="assumption: six months' pay",
    )
    retraining_cost: float = param(
        15.0, unit="k€", doc="Retraining per person moved into a new role in a reorganisation",
        ge=0, source="assumption",
    )

    interaction: InteractionConfig = param(
        InteractionConfig(), unit="-", doc="Frictions of every request between two people, by "
        "relationship; coordination and account upkeep laws")
    behaviour: BehaviourConfig = param(
        BehaviourConfig(), unit="-", doc="How what people are paid on sets how they spend "
        "their week")

    def frontline(self) -> int:
        return self.reps + self.msls + self.access


# ---------------------------------------------------------------------------------- the tree
@dataclass
class SimConfig:
    """Everything one run needs besides its seed."""

    market: MarketConfig = param(MarketConfig(), unit="-", doc="Accounts, networks and jobs")
    therapy: TherapyConfig = param(TherapyConfig(), unit="-", doc="The launch and its adoption")
    staffing: StaffingConfig = param(StaffingConfig(), unit="-", doc="People and their cost")
    org: Any = None  # a DesignConfig subclass; None means the traditional design's defaults
    run: RunConfig = param(RunConfig(), unit="-", doc="Horizon, step length, seed")

    def __post_init__(self):
        if self.org is None:
            from sim.configuration.design_registry import design_config

            self.org = design_config("traditional")


# ------------------------------------------------------------------------- memory estimate
# Bytes one run holds at its peak, per unit of its dominant arrays. Measured as the growth of peak
# RSS (getrusage ru_maxrss) over the imported interpreter, one fresh process per size, varying
# one driver at a time on the default market (see _memory_estimate): e.g. 500 → 2000 accounts with
# no ordinary jobs, 150 → 2200 staff, stakeholders 7.5 → 100 per account, job_rate 0.08 → 0.64.
# Coefficients are the measured slopes rounded up.
BYTES_PER_JOB = 3 * 1024  # job object, its history events and table rows (measured 2.5 KiB)
BYTES_RETAINED_PER_JOB = 512  # a finished run's tables kept until all runs end (0.4 KiB)
BYTES_PER_ACCOUNT = 5 * 1024  # account, trigger-point jobs, network (measured 5.0 KiB)
BYTES_PER_STAKEHOLDER = 100  # decision-making-unit arrays (measured 65 B)
BYTES_PER_ACCOUNT_STEP = 128  # per-step history of every account (measured 116 B)
BYTES_PER_PERSON = 3 * 1024  # workforce arrays, skills, staff table (measured 2.6 KiB)
BYTES_PER_PROCESS = 160 * 2**20  # a worker's interpreter with numpy, pandas, mesa (150 MiB)
MEMORY_SAFETY = 0.75  # use at most this share of the machine's memory


@cache
def machine_memory() -> int:
    """Physical memory in bytes, or the container's limit if that is lower (cgroup v2)."""
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    try:
        limit = open("/sys/fs/cgroup/memory.max").read().strip()  # noqa: SIM115
        if limit.isdigit():
            total = min(total, int(limit))
    except OSError:
        pass
    return total


def expected_jobs(config: SimConfig) -> float:
    """Mean number of customer jobs one run creates: the Poisson arrival rate of
    sim/engine/market.py
    summed over account types (log-normal size: E[s^e] = median^e · exp((e·sigma)^2 / 2))."""
    m = config.market
    size = math.exp((m.size_elasticity * m.patients_sigma) ** 2 / 2)
    per_account = sum(
        t.share * (t.patients / 100.0) ** m.size_elasticity * size
        * (1 + m.organisation_gain * t.organisation)
        for t in m.account_types().values()
    )
    gates = len(config.therapy.gates)  # at most one trigger-point job per gate and account
    return m.accounts * (m.job_rate * per_account * config.run.horizon_weeks + gates)


def _memory_estimate(config: SimConfig) -> tuple[float, dict[str, float]]:
    """(bytes, {driving setting: bytes it drives}) for the runs of one design run together."""
    m, s, r = config.market, config.staffing, config.run
    stakeholders = m.accounts * sum(t.share * t.stakeholders for t in m.account_types().values())
    steps = r.horizon_weeks / r.step_weeks + 1
    people = s.frontline() + s.operations_experts + s.patient_services_experts
    jobs = expected_jobs(config)
    workers = r.workers or os.cpu_count() or 1
    parallel = min(workers, r.replications)
    terms = {
        "market.job_rate": jobs * BYTES_PER_JOB,
        "market.accounts": m.accounts * BYTES_PER_ACCOUNT + stakeholders * BYTES_PER_STAKEHOLDER,
        "run.horizon_weeks": m.accounts * steps * BYTES_PER_ACCOUNT_STEP,
        "staffing.reps": people * BYTES_PER_PERSON,
    }
    per_run = sum(terms.values())
    total = parallel * (BYTES_PER_PROCESS + per_run) + r.replications * jobs * \
        BYTES_RETAINED_PER_JOB
    terms = {k: v * parallel for k, v in terms.items()}
    terms["run.workers"] = parallel * BYTES_PER_PROCESS
    terms["run.replications"] = r.replications * jobs * BYTES_RETAINED_PER_JOB
    return total, terms


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PiB"


def _check_memory(config: SimConfig) -> None:
    """Refuse, before anything is allocated, a run that would exhaust the machine's memory."""
    need, terms = _memory_estimate(config)
    allowed = MEMORY_SAFETY * machine_memory()
    if need <= allowed:
        return
    m, r = config.market, config.run
    setting = max(terms, key=terms.get)
    if setting in ("market.job_rate", "market.accounts", "run.horizon_weeks"):
        # these multiply: name the one furthest above its default
        ratios = {"market.accounts": m.accounts / MarketConfig().accounts,
                  "market.job_rate": m.job_rate / MarketConfig().job_rate,
                  "run.horizon_weeks": r.horizon_weeks / RunConfig().horizon_weeks}
        if setting != "market.accounts" or ratios["market.accounts"] < 1:
            setting = max(ratios, key=ratios.get)
    value = {"market.job_rate": m.job_rate, "market.accounts": m.accounts,
             "run.horizon_weeks": r.horizon_weeks, "staffing.reps": config.staffing.reps,
             "run.workers": r.workers, "run.replications": r.replications}[setting]
    raise ConfigError(
        setting,
        f"got {value:g}: {m.accounts} accounts, {expected_jobs(config):.3g} customer jobs per "
        f"run over {r.horizon_weeks:g} weeks, {config.staffing.frontline()} frontline staff and "
        f"{r.replications} replications ({min(r.workers or os.cpu_count() or 1, r.replications)}"
        f" at once) would need about {_size(need)} of memory; allowed: at most "
        f"{_size(allowed)} on this machine (reduce market.accounts, market.job_rate, "
        "run.horizon_weeks, staffing or run.workers)",
    )


# -------------------------------------------------------------------------------- validation
def _check_number(path: str, value: Any, meta: dict) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(path, f"must be a number ({allowed_text(meta)}), got {value!r}")
    if isinstance(value, int) and abs(value) > 10**300:  # math.isfinite overflows past 1e308
        raise ConfigError(path, f"must be {allowed_text(meta)}, got a "
                          f"{len(str(abs(value)))}-digit number")
    if not math.isfinite(value) and not (value == math.inf and meta.get("le") is None):
        raise ConfigError(path, f"must be a finite number ({allowed_text(meta)}), got {value!r}")
    ok = (
        (meta.get("ge") is None or value >= meta["ge"])
        and (meta.get("gt") is None or value > meta["gt"])
        and (meta.get("le") is None or value <= meta["le"])
        and (meta.get("lt") is None or value < meta["lt"])
    )
    if not ok:
        raise ConfigError(path, f"must be {allowed_text(meta)}, got {value!r}")


_KIND_WORDS = {list: "a list of numbers", dict: "a mapping of names to values"}


def _container_type(node: Any, f) -> type | None:
    """list, dict or the dataclass a field holds by default (None for plain values): a number
    where a group of settings belongs must be refused here, not crash a later rule."""
    if isinstance(f.type, str) and f.type.startswith(("list", "dict")):
        return list if f.type.startswith("list") else dict
    return None if f.type in _PLAIN else _default_dataclass(type(node), f.name)


@cache
def _default_dataclass(cls: type, name: str) -> type | None:
    default = getattr(cls(), name, None)
    return type(default) if is_dataclass(default) else None


_PLAIN = ("int", "float", "bool", "str", int, float, bool, str, "Any")


def _validate_node(node: Any, path: str) -> None:
    for f in fields(node):
        value = getattr(node, f.name)
        where = f"{path}.{f.name}" if path else f.name
        meta = f.metadata
        kind = _container_type(node, f)
        if kind is not None and not isinstance(value, kind):
            raise ConfigError(where, f"must be {_KIND_WORDS.get(kind, 'a group of settings')}, "
                              f"got {value!r}")
        if is_dataclass(value):
            _validate_node(value, where)
        elif f.name == "jobs" and isinstance(value, dict) and isinstance(node, MarketConfig):
            for name, job in value.items():
                _validate_node(job, f"{where}.{name}")
        elif f.name == "effort" and isinstance(value, dict):
            if not value:
                raise ConfigError(where, "must name at least one capability")
            for cap, hours in value.items():
                if cap not in CAPABILITIES:
                    raise ConfigError(
                        f"{where}.{cap}", "unknown capability; allowed: " + ", ".join(CAPABILITIES)
                    )
                _check_number(f"{where}.{cap}", hours, {"gt": 0, "le": 10000})
        elif f.name == "gates" and isinstance(value, dict):
            for name, chance in value.items():
                _check_number(f"{where}.{name}", chance, {"ge": 0, "le": 1})
        elif kind is list:
            for i, v in enumerate(value):
                _check_number(f"{where}[{i}]", v, {k: meta.get(k) for k in ("ge", "le")})
        elif meta.get("choices"):
            if value not in meta["choices"]:
                raise ConfigError(where, f"must be {allowed_text(meta)}, got {value!r}")
        elif f.type in ("bool", bool):
            if not isinstance(value, bool):
                raise ConfigError(where, f"must be true or false, got {value!r}")
        elif f.type in ("str", str):
            if not isinstance(value, str):
                raise ConfigError(where, f"must be text, got {value!r}")
        elif f.type in ("int", int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(where, f"must be a whole number ({allowed_text(meta)}), "
                                  f"got {value!r}")
            _check_number(where, value, meta)
        elif f.type in ("float", float):
            _check_number(where, value, meta)


def validate(config: SimConfig) -> SimConfig:
    """Check every setting against its declared range and the cross-setting rules.

    Raises :class:`ConfigError` naming the first offending setting and what is allowed.
    """
    _validate_node(config, "")
    m, t, s = config.market, config.therapy, config.staffing
    shares = [a.share for a in m.account_types().values()]
    if abs(sum(shares) - 1.0) > 1e-6:
        raise ConfigError(
            "market.<type>.share",
            f"account type shares must sum to 1, got {sum(shares):g}",
        )
    if len(t.initial_stages) != 5 or abs(sum(t.initial_stages) - 1.0) > 1e-6:
        raise ConfigError(
            "therapy.initial_stages", "must be 5 shares (one per stage) summing to 1",
        )
    mix = t.within_account + t.linked_accounts + t.global_mixing
    if abs(mix - 1.0) > 1e-6:
        raise ConfigError(
            "therapy.within_account",
            f"within_account + linked_accounts + global_mixing must sum to 1, got {mix:g}",
        )
    if s.frontline() == 0:
        raise ConfigError("staffing.reps", "there must be at least one frontline person "
                          "(reps + msls + access ≥ 1)")
    if t.capacity_job and t.capacity_job not in m.jobs:
        raise ConfigError("therapy.capacity_job",
                          "not a job type; allowed: " + ", ".join(m.jobs))
    for name in t.gates:
        if name not in m.jobs:
            raise ConfigError(
                f"therapy.gates.{name}", "not a job type; allowed: " + ", ".join(m.jobs)
            )
    if not m.jobs:
        raise ConfigError("market.jobs", "the job catalogue must not be empty")
    rules = s.interaction
    waits = {f"staffing.interaction.{r}.latency_weeks": rules.relationship(r).latency_weeks
             for r in RELATIONSHIPS}
    waits["staffing.interaction.loss_detection_weeks"] = rules.loss_detection_weeks
    for setting, weeks in waits.items():
        steps = weeks / config.run.step_weeks
        if abs(steps - round(steps)) > 1e-6:
            raise ConfigError(setting, f"{weeks:g} weeks is not a whole number of steps of "
                              f"run.step_weeks={config.run.step_weeks:g}; use a multiple of the "
                              "step (or a step of 1/n weeks)")
    if not any(j.weight > 0 for j in m.jobs.values()):
        raise ConfigError("market.jobs", "at least one job type needs a weight > 0")
    from sim.configuration.design_registry import design_class  # here: it imports this module

    design = getattr(config.org, "design", None)
    if not isinstance(design, str) or type(config.org) is not design_class(design).Config:
        raise ConfigError("org.design", f"must name the design of the org settings "
                          f"({type(config.org).__name__}), got {design!r}")
    config.org.validate(config)
    _check_memory(config)  # last: the sizes are known to be in range and consistent
    return config


__all__ = [
    "A0", "A1", "A2", "A3", "A4", "ASSUMPTION",
    "AccountTypeConfig", "ConfigError", "JobTypeConfig", "MarketConfig", "RunConfig",
    "SimConfig", "StaffingConfig", "TherapyConfig", "validate",
]

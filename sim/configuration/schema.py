"""The typed configuration of one simulation run.

The tree mirrors the model and the Hydra groups in conf/: ``market`` (accounts, networks, customer
jobs), ``therapy`` (the launch and its adoption), ``staffing`` (the people and what they cost),
``org`` (the organisation design: one config class per design, defined next to the design in
sim/designs/) and ``run`` (horizon, step length, seed). Defaults describe the default scenario: an
oncology launch into organized health systems.

Every field is declared with :func:`sim.configuration.params.param`, so its unit, meaning, source
and allowed range live in one place; :func:`sim.configuration.validation.validate` turns that range
into a one-line error, and sim/configuration/memory.py refuses runs that would not fit in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.configuration.business import BusinessConfig
from sim.configuration.channel_rules import ChannelMarketConfig, ChannelUseConfig
from sim.configuration.early_use import EarlyUseConfig
from sim.configuration.ecosystem_iq import EcosystemIqConfig
from sim.configuration.hcp_access import HcpAccessConfig
from sim.configuration.hybrid_rules import HybridRolesConfig
from sim.configuration.params import A0, A1, A2, A3, A4, ASSUMPTION, BASS, TTM, param
from sim.configuration.people_rules import DeskMovesConfig, ValuePayConfig
from sim.configuration.platform_rules import PlatformsConfig
from sim.configuration.portfolio import PortfolioConfig


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
        False, unit="-",
        doc="Check conservation, capacity, stage rules and kept frictions and routes after "
            "every step",
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
    source: str = param(
        "synthetic", unit="-", doc="Where the accounts come from: drawn (synthetic) or your own "
        "file (market=file sets it)", choices=("synthetic", "file"),
        source="definition: a switch, not a quantity",
    )
    path: str = param(
        "", unit="-", doc="With source file: your accounts, a .csv or .xlsx file. Sets accounts "
        "(and regions, if the file has a region column)",
        source="definition: the user's own data (docs/ODD.md, 5. Initialisation, 'Your own "
        "market')",
    )
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
    channels: ChannelMarketConfig = param(
        ChannelMarketConfig(), unit="-", doc="How customers take each channel, who restricts "
        "rep access, what inconsistent contact costs in trust (docs/ODD.md 7.1a)")
    hcp_access: HcpAccessConfig = param(
        HcpAccessConfig(), unit="-", doc="HCPs who see no rep or reps only by appointment, and "
        "how many visits an appointment-only HCP grants (docs/ODD.md 7.1b)")

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
    portfolio: PortfolioConfig = param(
        PortfolioConfig(), unit="-", doc="Further products or indications launching after the "
        "therapy, each adopted by the same rule (docs/ODD.md 7.6a)")
    early_use: EarlyUseConfig = param(
        EarlyUseConfig(), unit="-", doc="First users: prescribers who treat their own patients "
        "before their account's formal decision (docs/ODD.md 7.6b)")


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
    source: str = param(
        "settings", unit="-", doc="Where headcount and salaries come from: these settings, or "
        "your own file (staffing=file sets it)", choices=("settings", "file"),
        source="definition: a switch, not a quantity",
    )
    path: str = param(
        "", unit="-", doc="With source file: your organisation (role, region, headcount, "
        "salary_k), a .csv or .xlsx file. Sets the role counts and salaries below",
        source="definition: the user's own data (docs/ODD.md, 5. Initialisation, 'Your own "
        "organisation')",
    )
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
        3, unit="products", doc="Rep product lines of the traditional design while the "
        "therapy is the only product; with therapy.portfolio the lines follow the products "
        "launched (one line each) and this is not read", ge=1,
        le=50, source=A0,
    )
    team_size: int = param(
        8, unit="people", doc="Target size of a micro-enterprise (designs with micro-enterprises)",
        ge=1, le=1000, source=A1,
    )
    primary_contact_span: float = param(
        2.0, unit="accounts", doc="Target accounts per primary point of contact (more if the "
        "team lacks senior people; designs with primary contacts)", ge=1, le=10000, source=A0,
    )
    primary_contact_min_experience: float = param(
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
    salary_primary_contact: float = param(
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
    value_pay: ValuePayConfig = param(
        ValuePayConfig(), unit="-", doc="How pay tied to customer value is paid and felt "
        "(a design sets only how much of pay: org.value_pay_fraction)")
    desk_moves: DeskMovesConfig = param(
        DeskMovesConfig(), unit="-", doc="Experienced people moving between field and desk "
        "jobs, by one rule")
    platforms: PlatformsConfig = param(
        PlatformsConfig(), unit="-", doc="The two platform layers behind the front line: the "
        "enabling platform's capacity and what needs it, both platforms' service level")
    channels: ChannelUseConfig = param(
        ChannelUseConfig(), unit="-", doc="The channel mix of customer time and what each "
        "channel costs and reaches, by one rule (docs/ODD.md 7.1a)")
    ecosystem_iq: EcosystemIqConfig = param(
        EcosystemIqConfig(), unit="-", doc="What people learn of the customers' referral / KOL "
        "network from contact, and how they use it, by one rule (docs/ODD.md 7.2a)")
    hybrid_roles: HybridRolesConfig = param(
        HybridRolesConfig(), unit="-", doc="What a converged front-line role may do, its "
        "cross-training and the risk of medical work outside medical staff (a design sets only "
        "how far roles converge: org.role_convergence)")

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
    business: BusinessConfig = param(BusinessConfig(), unit="-", doc="Net price, its ramp, "
                                     "the transformation cost and the discount rate")

    def __post_init__(self):
        if self.org is None:
            from sim.configuration.design_registry import design_config

            self.org = design_config("traditional")


__all__ = [
    "A0", "A1", "A2", "A3", "A4", "ASSUMPTION",
    "AccountTypeConfig", "BusinessConfig", "ConfigError", "JobTypeConfig", "MarketConfig",
    "RunConfig", "SimConfig", "StaffingConfig", "TherapyConfig",
]

"""The micro-enterprise (Rendanheyi) design: small teams own customers; one primary contact each.

As [A0] and [A1] describe it: frontline staff self-organise into small cross-functional teams
(micro-enterprises) that own the accounts of a territory; each account has a single primary point
of contact who listens for the customer's needs and may pull expertise directly from
teammates and from the shared platform; decisions up to a large threshold are taken in the team;
plans are remade weekly from current data; staff are rewarded for customer outcomes (resolved
jobs), not call counts, so less customer time goes to the product message [A2, A3].

Its costs are modelled, not assumed away, by the rules every design shares: coordination time for
every member with every teammate and upkeep per account (sim/engine/interactions.py); primary
contacts
overloaded if they own too many accounts; generalists working outside their discipline are slower
than specialists (thin depth); teams compete for few platform experts; decisions taken in the team
get no hierarchical review, so compliance risk is higher per decision; and, when set, a learning
curve, resistance to change and sliding back to old habits (then the team behaves as if measured
on calls again).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.configuration.params import param, redefault
from sim.configuration.schema import KpiWeights
from sim.designs import register
from sim.designs.base import DesignConfig, OrganisationDesign
from sim.designs.structures.platform import Platform
from sim.engine.interactions import OLD_HABITS
from sim.engine.routing import Route
from sim.engine.visits import PlanEntry, PlanTemplate, VisitKind

if TYPE_CHECKING:  # Mesa agents: imported where they are built or checked (fast command line)
    from sim.designs.structures.micro_enterprise_team import MicroEnterprise
    from sim.engine.staff import Manager, PrimaryContact

FUNCTION_ORDER = {"sales": 0, "access": 1, "medical": 2}


@dataclass
class MicroEnterpriseConfig(DesignConfig):
    kpi: KpiWeights = redefault(DesignConfig, "kpi", KpiWeights(sales=0.2, jobs=0.5, value=0.3))
    team_authority: float = param(
        50.0, unit="k€", doc="Largest commitment a team may decide itself", ge=0,
        source="article claim [A0] (direction only: decision rights at the front line); size "
        "assumed",
    )
    single_contact: bool = param(
        True, unit="-", doc="Only the primary contacts (and MSLs, for scientific exchange) meet "
        "the team's accounts; false: every member visits the accounts they cover, as in a "
        "functional field force", source="article claim [A0]: 'a single, senior point of "
        "contact'",
    )
    contact_owns_jobs: bool = param(
        True, unit="-", doc="A job found at an account is owned by the account's primary contact, "
        "who orchestrates the expertise it needs; false: whoever found it owns it, as in a "
        "functional field force", source="article claim [A0]: the primary point of contact "
        "orchestrates expertise across the network",
    )
    platform_owner_span: int = param(
        6, unit="teams", doc="Teams per platform owner (who decides above team authority)",
        ge=1, le=10000, source="assumption: one owner per handful of micro-enterprises ([A1] "
        "describes the platform layer, not its span)",
    )
    initial_effectiveness: float = param(
        1.0, unit="share", doc="Pace of a newly formed team relative to an established one "
        "(learning curve; the transformation's learning-curve dip)", gt=0, le=1,
        source="article claim [A4] (direction only); size assumed",
    )
    learning_weeks: float = param(
        26.0, unit="weeks", doc="Time constant of the learning curve", gt=0, le=520,
        source="assumption",
    )
    resistance: float = param(
        0.0, unit="share", doc="Chance a member resists the change", ge=0, le=1,
        source="article claim [A4] (direction only); size assumed",
    )
    revert_rate: float = param(
        0.0, unit="1/week", doc="Hazard that a team of resisters reverts to old habits", ge=0,
        le=10, source="article claim [A4] (direction only); size assumed",
    )
    reinforcement_rate: float = param(
        0.1, unit="1/week", doc="Hazard that a reverted team is brought back to the new way",
        ge=0, le=10, source="assumption",
    )


@register
class MicroEnterpriseDesign(OrganisationDesign):
    name = "micro_enterprise"
    Config = MicroEnterpriseConfig

    def __init__(self, model, config):
        super().__init__(model, config)
        self.me_teams: list[MicroEnterprise] = []
        self.owners: list[Manager] = []
        self.primary_contact: dict[int, PrimaryContact] = {}
        self.platform: Platform | None = None
        self._template: PlanTemplate | None = None

    # ------------------------------------------------------------------------ structure
    def build(self) -> None:
        from sim.designs.structures.territories import create_staff, incumbents

        frontline, experts = create_staff(self.model, incumbents(self.model))
        self.platform = Platform(experts)
        self.form_teams(regional_groups(self.model, frontline,
                                        list(range(self.model.market.n_accounts))))

    def form_teams(self, groups: list[tuple[list, list[int]]], now: float = 0.0) -> None:
        """Split each (members, accounts) group into teams; appoint primary contacts."""
        staffing = self.model.config.staffing
        wf = self.model.workforce
        new_teams = []
        for members, accounts in groups:
            if not members:
                continue
            n_teams = max(1, min(round(len(members) / staffing.team_size),
                                 max(1, len(accounts))))
            ordered = sorted(members, key=lambda m: (FUNCTION_ORDER.get(m.function, 3),
                                                     -wf.experience[m.row], m.row))
            for t in range(n_teams):
                team_members = ordered[t::n_teams]
                team_accounts = accounts[t::n_teams]
                new_teams.append(self._form_team(team_members, team_accounts, now))
        self.me_teams += new_teams
        self._appoint_owners(new_teams)
        self._template = None
        self.structure_changed()

    def _form_team(self, members: list, accounts: list[int], now: float) -> MicroEnterprise:
        from sim.designs.structures.micro_enterprise_team import MicroEnterprise
        from sim.designs.structures.territories import cover
        from sim.engine.staff import PrimaryContact

        cfg, wf = self.config, self.model.workforce
        staffing = self.model.config.staffing
        # Primary contacts are senior frontline people, sales first; a team always has one.
        by_seniority = sorted(members, key=lambda m: (m.function != "sales",
                                                      -wf.experience[m.row], m.row))
        seniors = [m for m in by_seniority
                   if m.function != "medical" and not m.vacant
                   and wf.experience[m.row] >= staffing.primary_contact_min_experience]
        seniors = seniors or by_seniority[:1]
        n_contacts = (min(len(seniors), math.ceil(len(accounts) / staffing.primary_contact_span))
                  if accounts else 0)
        promoted = {m: m.promote(PrimaryContact) for m in seniors[:n_contacts]}
        members = [promoted.get(m, m) for m in members]
        contacts = [promoted[m] for m in seniors[:n_contacts]]
        for m in members:
            m.accounts = []
        for a, contact in zip(accounts, self.deal_to_contacts(accounts, contacts), strict=True):
            contact.accounts.append(a)
            self.primary_contact[a] = contact
        cover(accounts, [m for m in members if m.function == "medical"])
        if not cfg.single_contact:  # everyone meets the customers of their function
            cover(accounts, [m for m in members if m.function == "sales"
                             and not isinstance(m, PrimaryContact)])
            cover(accounts, [m for m in members if m.function == "access"])
        team = MicroEnterprise(self.model, members, accounts, formed_at=now)
        rng = self.model.dynamics_rng
        for m in members:
            wf.effectiveness[m.row] = cfg.initial_effectiveness
            m.resists_change = bool(rng.random() < cfg.resistance)
        return team

    def deal_to_contacts(self, accounts: list[int], contacts: list) -> list:
        """The primary contact of each of a team's accounts: dealt round-robin, largest first."""
        return [contacts[i % len(contacts)] for i in range(len(accounts))]

    def _appoint_owners(self, teams: list[MicroEnterprise]) -> None:
        from sim.engine.staff import Manager

        cfg = self.config
        for g in range(0, len(teams), cfg.platform_owner_span):
            person = self.model.people.incumbents("management", 1)[0]
            owner = Manager(self.model, person, level=1, authority=math.inf)
            for team in teams[g:g + cfg.platform_owner_span]:
                team.owner = owner
                for m in team.members:
                    m.manager = owner
                owner.reports += team.members
            owner.central = len({m.region for m in owner.reports}) > 1
            owner.region = owner.reports[0].region if owner.reports else -1
            self.owners.append(owner)

    # --------------------------------------------------------------- capacity planning
    def plan_template(self) -> PlanTemplate:
        """Who visits which accounts and how; rebuilt when teams form, revert or come back. Each
        team spreads its hours ∝ its accounts' current potential."""
        from sim.engine.staff import PrimaryContact

        if self._template is None:
            b, hours = self.behaviour, self.model.config.staffing.hours_per_week
            entries = []
            for team in self.me_teams:
                weights = OLD_HABITS if team.reverted else self.config.kpi
                detailing = self.detailing_share(weights)
                visit = self.visit_share(weights) * hours
                for m in team.members:
                    if isinstance(m, PrimaryContact):
                        entries.append(PlanEntry(m.row, list(m.accounts), visit,
                                                 VisitKind.ACCOUNT_TIME, detailing=detailing))
                    elif m.function == "medical":
                        entries.append(PlanEntry(m.row, list(m.accounts),
                                                 b.msl_exchange_share * hours,
                                                 VisitKind.EXCHANGE,
                                                 exchange=1 - b.exchange_needs_share))
                    elif team.reverted and m.function == "sales":  # old habits: calls again
                        entries.append(PlanEntry(m.row, list(team.accounts), visit,
                                                 VisitKind.CALL, detailing=detailing))
                    elif m.function == "sales" and m.accounts:  # no single contact
                        entries.append(PlanEntry(m.row, list(m.accounts), visit,
                                                 VisitKind.CALL, detailing=detailing))
                    elif m.function == "access" and m.accounts:
                        entries.append(PlanEntry(m.row, list(m.accounts),
                                                 b.access_meeting_share * hours,
                                                 VisitKind.ACCESS_MEETING))
            self._template = PlanTemplate(entries)
        return self._template

    def teams(self) -> list:
        return self.me_teams

    def managers(self) -> list:
        return self.owners

    # ------------------------------------------------------------------------ discovery
    def owner_of(self, job, discoverer):
        """The account's primary contact; while that position is vacant (or where contacts do not
        own jobs), whoever found it."""
        if not self.config.contact_owns_jobs:
            return discoverer
        contact = self.primary_contact.get(job.account)
        return discoverer if contact is None or contact.vacant else contact

    def default_contact(self, account: int):
        return self.primary_contact.get(account) or self.me_teams[0].members[0]

    # ------------------------------------------------------------------- decision rights
    def authority_of(self, owner, job) -> float:
        from sim.engine.staff import Manager

        if isinstance(owner, Manager):
            return owner.authority
        if owner.team is not None and owner.team.reverted:
            return self.config.frontline_authority
        return self.config.team_authority

    def escalation_chain(self, job) -> tuple:
        team = job.owner.team
        return (team.owner,) if team is not None else (self.owners[0],)

    # ------------------------------------------------------------------ who works on it
    def route(self, job, capability: int) -> Route:
        """The primary contact pulls whoever would finish soonest: a teammate or an expert."""
        cfg, owner = self.config, job.owner
        team = owner.team
        platform = self.platform if self.platform and self.platform.serves(capability) else None
        min_skill = self.model.config.staffing.interaction.min_skill_to_work
        candidates = tuple(team.workers_for(capability, min_skill,
                                            cfg.medical_firewall)) if team else ()
        if not candidates and platform is None:
            candidates = (owner,)  # nobody else can: do it oneself
        if team is not None and team.reverted:  # old habits: ask the boss to find someone
            return Route(path=(team.owner,), pool=candidates, platform=platform)
        return Route(pool=candidates, platform=platform)

    def front(self, task, worker):
        """The account's primary contact delivers results when they have the time."""
        contact = self.primary_contact.get(task.job.account)
        if contact is None or contact is worker or (contact.team is not None
                                                    and contact.team.reverted):
            return worker
        delivery = self.model.config.staffing.delivery_hours
        return contact if contact.hours_left >= delivery else worker

    # ----------------------------------------------------------------------- incentives
    def kpi_weights(self, agent):
        team = getattr(agent, "team", None)
        return OLD_HABITS if team is not None and team.reverted else self.config.kpi

    # ---------------------------------------------------------------------------- time
    def on_step(self) -> None:
        cfg, wf, now, dt = self.config, self.model.workforce, self.model.now, self.model.dt
        rng = self.model.dynamics_rng
        for team in self.me_teams:
            if cfg.initial_effectiveness < 1.0:
                gap = (1.0 - cfg.initial_effectiveness) * math.exp(
                    -(now - team.formed_at) / cfg.learning_weeks)
                for m in team.members:
                    wf.effectiveness[m.row] = 1.0 - gap
            if cfg.revert_rate > 0:
                # the share of resisters (the mean of the flags, in plain Python: teams are small)
                resisters = (sum(m.resists_change for m in team.members) / len(team.members)
                             if team.members else math.nan)
                rate = cfg.reinforcement_rate if team.reverted else cfg.revert_rate * resisters
                if rng.random() < 1.0 - math.exp(-rate * dt):
                    team.reverted = not team.reverted
                    team.reversions += team.reverted
                    self._next_plan = now  # the team re-plans its week at once
                    self._template = self._kpi_map = None


def regional_groups(model, frontline: list, accounts: list[int]) -> list[tuple[list, list[int]]]:
    """(members, accounts) per region; people of regions without accounts join the nearest."""
    from sim.designs.structures.territories import accounts_by_region

    by_region = accounts_by_region(model, accounts)
    regions = sorted(by_region)
    members: dict[int, list] = {r: [] for r in regions}
    for m in frontline:
        r = m.region if m.region in members else regions[
            int(np.argmin([abs(x - m.region) for x in regions]))]
        m.region = r
        members[r].append(m)
    return [(members[r], by_region[r]) for r in regions]

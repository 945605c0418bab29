"""The micro-enterprise (Rendanheyi) design: small teams own customers; one primary contact each.

As [A0] and [A1] describe it: frontline staff self-organise into small cross-functional teams
(micro-enterprises) that own the accounts of a territory; each account has a single primary point
of contact (PPOC) who listens for the customer's needs and may pull expertise directly from
teammates and from the shared platform; decisions up to a large threshold are taken in the team;
plans are remade weekly from current data; staff are rewarded for customer outcomes (resolved
jobs), not call counts, so less customer time goes to the product message [A2, A3].

Its costs are modelled, not assumed away: coordination time for every member with every teammate;
orchestration time per owned account for each primary contact, who is overloaded if they own too
many; generalists working outside their discipline are slower than specialists (thin depth);
teams compete for few platform experts; decisions taken in the team get no hierarchical review, so
compliance risk must be held down by governance (which costs review time); and, when set, a
learning curve, resistance to change and sliding back to old habits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.designs import register
from sim.designs.base import DesignConfig, OrganisationDesign, require_whole_steps
from sim.params import A0, A1, A2, A3, A4, param, redefault
from sim.platform import Platform
from sim.routing import Route
from sim.visits import PlanEntry, PlanTemplate, VisitKind, VisitPlan
from sim.workforce import Activity

if TYPE_CHECKING:
    from sim.micro_enterprise import MicroEnterprise
    from sim.staff import Manager, PrimaryContact

# Agents (staff, teams, the hierarchy) are Mesa classes, imported inside the methods that
# build or inspect them: the command line reads a design's settings without loading Mesa.

FUNCTION_ORDER = {"sales": 0, "access": 1, "medical": 2}


@dataclass
class MicroEnterpriseConfig(DesignConfig):
    detailing_share: float = redefault(DesignConfig, "detailing_share", 0.2)
    governance: float = redefault(DesignConfig, "governance", 0.7)
    planning_interval_weeks: float = redefault(DesignConfig, "planning_interval_weeks", 1.0)
    data_lag_weeks: float = redefault(DesignConfig, "data_lag_weeks", 0.0)
    account_time_share: float = param(
        0.5, unit="share", doc="Share of a primary contact's week spent with owned accounts",
        ge=0, le=1, source=A0,
    )
    orchestration_hours: float = param(
        1.0, unit="hours/week", doc="Upkeep per owned account (plans, internal follow-up)",
        ge=0, le=40, source=A0,
    )
    coordination_hours: float = param(
        0.5, unit="hours/week", doc="Coordination time per teammate (team meetings)", ge=0,
        le=40, source=A4,
    )
    team_authority: float = param(
        50.0, unit="k€", doc="Largest commitment a team may decide itself", ge=0, source=A0,
    )
    platform_owner_span: int = param(
        6, unit="teams", doc="Teams per platform owner (who decides above team authority)",
        ge=1, le=10000, source=A1,
    )
    owner_review_weeks: float = param(
        1.0, unit="weeks", doc="Time a decision waits for the platform owner's review", ge=0,
        le=52,
    )
    owner_inbox_share: float = param(
        0.5, unit="share", doc="Share of a platform owner's week available for decisions",
        gt=0, le=1,
    )
    min_skill_to_work: float = param(
        0.35, unit="skill", doc="Skill a team member needs to take a task outside their home "
        "capability", ge=0, le=1, source=A2,
    )
    initial_effectiveness: float = param(
        1.0, unit="share", doc="Pace of a newly formed team relative to an established one "
        "(learning curve)", gt=0, le=1, source=A4,
    )
    learning_weeks: float = param(
        26.0, unit="weeks", doc="Time constant of the learning curve", gt=0, le=520, source=A4,
    )
    resistance: float = param(
        0.0, unit="share", doc="Chance a member resists the change", ge=0, le=1, source=A4,
    )
    revert_rate: float = param(
        0.0, unit="1/week", doc="Hazard that a team of resisters reverts to old habits", ge=0,
        le=10, source=A4,
    )
    reinforcement_rate: float = param(
        0.1, unit="1/week", doc="Hazard that a reverted team is brought back to the new way",
        ge=0, le=10, source=A4,
    )
    reverted_detailing_share: float = param(
        0.7, unit="share", doc="Detailing share of a team that reverted to old habits", ge=0,
        le=1, source=A3,
    )


    def validate(self, config, prefix: str = "org") -> None:
        require_whole_steps(self.owner_review_weeks, f"{prefix}.owner_review_weeks", config)


@register
class MicroEnterpriseDesign(OrganisationDesign):
    name = "micro_enterprise"
    Config = MicroEnterpriseConfig

    def __init__(self, model, config):
        super().__init__(model, config)
        self.teams: list[MicroEnterprise] = []
        self.owners: list[Manager] = []
        self.account_owner: dict[int, PrimaryContact] = {}
        self.platform: Platform | None = None
        self._template: PlanTemplate | None = None
        self._kpi_cache = None
        self._overheads = None

    # ------------------------------------------------------------------------ structure
    def build(self) -> None:
        from sim.territories import create_staff, incumbents

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
        self.teams += new_teams
        self._appoint_owners(new_teams)
        self._template = self._kpi_cache = self._overheads = None

    def _form_team(self, members: list, accounts: list[int], now: float) -> MicroEnterprise:
        from sim.micro_enterprise import MicroEnterprise
        from sim.staff import PrimaryContact
        from sim.territories import cover

        cfg, wf = self.config, self.model.workforce
        staffing = self.model.config.staffing
        # Primary contacts are senior frontline people, sales first; a team always has one.
        by_seniority = sorted(members, key=lambda m: (m.function != "sales",
                                                      -wf.experience[m.row], m.row))
        seniors = [m for m in by_seniority
                   if m.function != "medical" and not m.vacant
                   and wf.experience[m.row] >= staffing.ppoc_min_experience]
        seniors = seniors or by_seniority[:1]
        n_ppoc = (min(len(seniors), math.ceil(len(accounts) / staffing.ppoc_span))
                  if accounts else 0)
        promoted = {m: m.promote(PrimaryContact) for m in seniors[:n_ppoc]}
        members = [promoted.get(m, m) for m in members]
        ppocs = [promoted[m] for m in seniors[:n_ppoc]]
        for m in members:
            m.accounts = []
        for i, a in enumerate(accounts):
            ppoc = ppocs[i % len(ppocs)]
            ppoc.accounts.append(a)
            self.account_owner[a] = ppoc
        cover(accounts, [m for m in members if m.function == "medical"])
        team = MicroEnterprise(self.model, members, accounts, formed_at=now)
        rng = self.model.dynamics_rng
        for m in members:
            wf.effectiveness[m.row] = cfg.initial_effectiveness
            m.resists_change = bool(rng.random() < cfg.resistance)
        return team

    def _appoint_owners(self, teams: list[MicroEnterprise]) -> None:
        from sim.staff import Manager

        cfg = self.config
        for g in range(0, len(teams), cfg.platform_owner_span):
            person = self.model.people.incumbents("management", 1)[0]
            owner = Manager(self.model, person, level=1, authority=math.inf,
                            review_weeks=cfg.owner_review_weeks,
                            inbox_share=cfg.owner_inbox_share, costs=self.inbox_hours)
            for team in teams[g:g + cfg.platform_owner_span]:
                team.owner = owner
                for m in team.members:
                    m.manager = owner
                owner.reports += team.members
            self.owners.append(owner)

    # --------------------------------------------------------------- capacity planning
    def plan_visits(self) -> VisitPlan:
        """Each team plans its week from current data: account time, exchange, (old habits)."""
        potential = self.model.account_potential(self.config.data_lag_weeks)
        return self.plan_template().plan(potential)

    def plan_template(self) -> PlanTemplate:
        """Who visits which accounts and how; rebuilt when teams form, revert or come back."""
        from sim.staff import PrimaryContact

        if self._template is None:
            cfg, hours = self.config, self.model.config.staffing.hours_per_week
            entries = []
            for team in self.teams:
                detailing = (cfg.reverted_detailing_share if team.reverted
                             else cfg.detailing_share)
                for m in team.members:
                    if isinstance(m, PrimaryContact):
                        entries.append(PlanEntry(m.row, list(m.accounts),
                                                 cfg.account_time_share * hours,
                                                 VisitKind.ACCOUNT_TIME, detailing=detailing))
                    elif m.function == "medical":
                        entries.append(PlanEntry(m.row, list(m.accounts),
                                                 cfg.msl_exchange_share * hours,
                                                 VisitKind.EXCHANGE,
                                                 exchange=1 - cfg.exchange_needs_share))
                    elif team.reverted and m.function == "sales":  # old habits: calls again
                        entries.append(PlanEntry(m.row, list(team.accounts),
                                                 cfg.account_time_share * hours,
                                                 VisitKind.CALL, detailing=detailing))
            self._template = PlanTemplate(entries)
        return self._template

    def reserve_time(self) -> None:
        """Team meetings for every member, then each primary contact's upkeep of its accounts,
        then the platform owners' admin."""
        from sim.staff import PrimaryContact

        cfg, dt, wf = self.config, self.model.dt, self.model.workforce
        if self._overheads is None:  # who meets and who keeps accounts: fixed until teams change
            rows, hours, ppocs, upkeep = [], [], [], []
            for team in self.teams:
                per_member = cfg.coordination_hours * (len(team.members) - 1) * dt
                for m in team.members:
                    rows.append(m.row)
                    hours.append(per_member)
                    if isinstance(m, PrimaryContact):
                        ppocs.append(m.row)
                        upkeep.append(cfg.orchestration_hours * len(m.accounts) * dt)
            self._overheads = (rows, hours, ppocs, upkeep)
        rows, hours, ppocs, upkeep = self._overheads
        wf.spend_each(rows, hours, Activity.COORDINATION)
        wf.spend_each(ppocs, upkeep, Activity.ORCHESTRATION)
        wf.spend_each([o.row for o in self.owners],
                      [wf.capacity(o.row) * (1.0 - o.inbox_share) for o in self.owners],
                      Activity.ADMIN)

    # ------------------------------------------------------------------------ discovery
    def owner_of(self, job, discoverer):
        """The account's primary contact; while that position is vacant, whoever found it."""
        ppoc = self.account_owner.get(job.account)
        return discoverer if ppoc is None or ppoc.vacant else ppoc

    def default_contact(self, account: int):
        return self.account_owner.get(account) or self.teams[0].members[0]

    # ------------------------------------------------------------------- decision rights
    def authority_of(self, owner, job) -> float:
        from sim.staff import Manager

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
        candidates = tuple(team.workers_for(capability, cfg.min_skill_to_work,
                                            cfg.medical_firewall)) if team else ()
        if not candidates and platform is None:
            candidates = (owner,)  # nobody else can: do it oneself
        if team is not None and team.reverted:  # old habits: ask the boss to find someone
            return Route(path=(team.owner,), pool=candidates, latency=1.0, platform=platform)
        return Route(pool=candidates, platform=platform)

    def front(self, task, worker):
        """The account's primary contact delivers results when they have the time."""
        ppoc = self.account_owner.get(task.job.account)
        if ppoc is None or ppoc is worker or (ppoc.team is not None and ppoc.team.reverted):
            return worker
        delivery = self.model.config.staffing.delivery_hours
        return ppoc if ppoc.hours_left >= delivery else worker

    # ----------------------------------------------------------------------- incentives
    def kpi(self) -> np.ndarray:
        """Customer-outcome KPIs: share of the team's accounts' recent jobs that were solved."""
        book, n = self.model.book, self.model.workforce.n
        kpi = np.ones(n)
        for accounts, member_rows, member_team in self._kpi_groups():
            r = book.resolved_stock[accounts].sum(axis=1)
            a = book.abandoned_stock[accounts].sum(axis=1)
            kpi[member_rows] = ((r + 1.0) / (r + a + 2.0))[member_team]
        if self.platform:
            r, a = book.resolved_stock.sum(), book.abandoned_stock.sum()
            kpi[[e.row for e in self.platform.experts]] = (r + 1.0) / (r + a + 2.0)
        return kpi

    def _kpi_groups(self) -> list:
        """Teams grouped by number of accounts: (accounts matrix, member rows, member's team)."""
        if self._kpi_cache is None:
            groups = []
            sizes = sorted({len(t.accounts) for t in self.teams})
            for k in sizes:
                teams = [t for t in self.teams if len(t.accounts) == k]
                rows = [m.row for t in teams for m in t.members]
                which = [i for i, t in enumerate(teams) for _ in t.members]
                groups.append((np.array([t.accounts for t in teams], np.int64).reshape(-1, k),
                               np.array(rows, np.int64), np.array(which, np.int64)))
            self._kpi_cache = groups
        return self._kpi_cache

    # ---------------------------------------------------------------------------- time
    def on_step(self) -> None:
        cfg, wf, now, dt = self.config, self.model.workforce, self.model.now, self.model.dt
        rng = self.model.dynamics_rng
        for team in self.teams:
            if cfg.initial_effectiveness < 1.0:
                gap = (1.0 - cfg.initial_effectiveness) * math.exp(
                    -(now - team.formed_at) / cfg.learning_weeks)
                for m in team.members:
                    wf.effectiveness[m.row] = 1.0 - gap
            if cfg.revert_rate > 0:
                resisters = np.mean([m.resists_change for m in team.members])
                rate = cfg.reinforcement_rate if team.reverted else cfg.revert_rate * resisters
                if rng.random() < 1.0 - math.exp(-rate * dt):
                    team.reverted = not team.reverted
                    team.reversions += team.reverted
                    self._next_plan = now  # the team re-plans its week at once
                    self._template = None


def regional_groups(model, frontline: list, accounts: list[int]) -> list[tuple[list, list[int]]]:
    """(members, accounts) per region; people of regions without accounts join the nearest."""
    from sim.territories import accounts_by_region

    by_region = accounts_by_region(model, accounts)
    regions = sorted(by_region)
    members: dict[int, list] = {r: [] for r in regions}
    for m in frontline:
        r = m.region if m.region in members else regions[
            int(np.argmin([abs(x - m.region) for x in regions]))]
        m.region = r
        members[r].append(m)
    return [(members[r], by_region[r]) for r in regions]

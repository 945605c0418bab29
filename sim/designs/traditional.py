"""The traditional top-down design: head-office plans, product reps with call targets, silos.

As [A0] describes it: strategy is set in head office and passed down; each planning cycle, call
plans are made from lagged data; several product-aligned reps call on the same customer, with call
targets that take their time before any customer problem does; medical, sales and access are
separate functions, so a job that needs another function is handed off through managers (each hop
waits in a manager's inbox and may lose information); decisions above a small authority limit climb
the hierarchy, waiting at each level's review. Central expertise (patient services, operations)
sits in head office and is reached by climbing to the top and back down.

It also has real strengths the model keeps: many calls mean much contact time (so simple jobs are
found and product awareness is high), functional pools let a first-line manager give a task to the
least-loaded specialist, specialists stay deep in their discipline, and every escalated decision is
reviewed (fewer compliance incidents).

This module decides structure (territories, product lines, functional lines, who routes to whom,
authority per level) and incentives (``kpi``: calls and sales volume). What each handoff and
escalation costs, how long teams meet and how much of a call is product message come from the
shared rules (sim/engine/interactions.py, ``staffing.behaviour``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.configuration.capabilities import ACCESS, COMMERCIAL, MEDICAL
from sim.configuration.params import param
from sim.designs import register
from sim.designs.base import DesignConfig, OrganisationDesign, require
from sim.designs.structures.platform import Platform
from sim.engine.people import HOME_CAPABILITY
from sim.engine.routing import Route
from sim.engine.visits import PlanEntry, PlanTemplate, VisitKind

FUNCTION_OF = {COMMERCIAL: "sales", MEDICAL: "medical", ACCESS: "access"}


@dataclass
class TraditionalConfig(DesignConfig):
    span_of_control: int = param(
        10, unit="people", doc="Direct reports per manager (at least 2: a span of 1 never reaches "
        "a top)", ge=2, le=1000, source="published figure: sales-manager spans 'almost "
        "doubled to 10–12 reps' (Sales Outcomes, via Strategic Accounts Today); 5–6 → 12–15 "
        "after one pharma company's cuts (ZS 2014); 10 taken",
    )
    level_spans: list[int] = param(
        [], unit="people", doc="Direct reports per manager at each management level (first "
        "line, the level above, …; the last repeats above it); empty = org.span_of_control at "
        "every level. An organisation file's manager rows set it", ge=2, le=1000,
        source="definition: empty by default; the user's own hierarchy when an organisation "
        "file gives one (docs/ODD.md, 5. Initialisation, 'Your own organisation')",
    )
    level_authority: list[float] = param(
        [10.0, 50.0, 1e6], unit="k€", doc="Authority limit per management level (first-line, "
        "regional, head office, …); the top decides anything", ge=0,
        source="article claim [A0] (direction only: decisions escalate up a hierarchy); "
        "limits assumed",
    )
    pooling: bool = param(
        True, unit="-", doc="First-line managers give a handed-off task to the least-loaded "
        "member of their team (not only the account's own specialist)",
    )

    def validate(self, config, prefix: str = "org") -> None:
        require(len(self.level_authority) >= 1, f"{prefix}.level_authority",
                "needs at least one level")
        for i, span in enumerate(self.level_spans):
            require(isinstance(span, int) and not isinstance(span, bool),
                    f"{prefix}.level_spans[{i}]", f"must be a whole number, got {span!r}")

    def spans(self) -> list[int]:
        """The span of control per management level (sim/configuration/org_hierarchy.span_at)."""
        return list(self.level_spans) or [self.span_of_control]


@register
class TraditionalDesign(OrganisationDesign):
    name = "traditional"
    Config = TraditionalConfig

    # ------------------------------------------------------------------------ structure
    def build(self) -> None:
        from sim.designs.structures.territories import (  # Mesa agents: built, not read
            create_staff,
            incumbents,
        )

        frontline, experts = create_staff(self.model, incumbents(self.model))
        self.organise(frontline, experts, list(range(self.model.market.n_accounts)))

    def organise(self, frontline: list, experts: list, accounts: list[int]) -> None:
        """Cover ``accounts`` with ``frontline`` staff by territory and product; build the tree."""
        from sim.designs.structures.hierarchy import Hierarchy
        from sim.designs.structures.territories import accounts_by_region, cover

        cfg = self.config
        self.frontline, self.experts = frontline, experts
        self.accounts = list(accounts)
        by_region = accounts_by_region(self.model, accounts)
        regions = sorted(by_region)
        for agent in frontline:  # people of regions without accounts help the nearest region
            if agent.region not in by_region and regions:
                agent.region = regions[int(np.argmin([abs(r - agent.region) for r in regions]))]
        self.lines = self.product_lines()
        for region, region_accounts in by_region.items():
            local = [s for s in frontline if s.region == region]
            self.cover_by_product(region_accounts, [s for s in local if s.function == "sales"])
            for function in ("medical", "access"):
                cover(region_accounts, [s for s in local if s.function == function])
        self.find_covering()
        self.hierarchy = Hierarchy(self.model, cfg.spans(), cfg.level_authority)
        self.hierarchy.build(frontline + experts)
        self.platform = getattr(self, "platform", None) or Platform(experts)
        self._template = None
        self.structure_changed()

    def product_lines(self) -> int:
        """Rep lines: one per product launched when the market has a portfolio (ODD 7.6a),
        else ``staffing.products``."""
        portfolio = self.model.portfolio
        if portfolio is None:
            return self.model.config.staffing.products
        return portfolio.launched(self.model.now)

    def cover_by_product(self, accounts: list[int], reps: list) -> None:
        """Deal ``reps`` into the product lines; each line covers all of ``accounts``."""
        from sim.designs.structures.territories import cover

        for i, rep in enumerate(reps):
            rep.product = i % self.lines
        for p in range(self.lines):
            cover(accounts, [r for r in reps if r.product == p])

    def find_covering(self) -> None:
        self.covering: dict[int, dict[str, list]] = {a: {} for a in self.accounts}
        for s in self.frontline:
            for a in s.accounts:
                self.covering[a].setdefault(s.function, []).append(s)

    def on_step(self) -> None:
        """A product launches: the reps are dealt again into one line per product launched, each
        line covering every account of its region (the managers and teams stay)."""
        if getattr(self.model, "portfolio", None) is None or self.product_lines() == self.lines:
            return
        from sim.designs.structures.territories import accounts_by_region

        self.lines = self.product_lines()
        for region, region_accounts in accounts_by_region(self.model, self.accounts).items():
            reps = [s for s in self.frontline if s.region == region and s.function == "sales"]
            for rep in reps:
                rep.accounts = []
            self.cover_by_product(region_accounts, reps)
        self.find_covering()
        self._template = None
        self.structure_changed()

    # --------------------------------------------------------------- capacity planning
    def plan_template(self) -> PlanTemplate:
        """Who visits which accounts and how; the same until the structure changes. Head office
        spreads the hours ∝ each account's lagged potential."""
        if getattr(self, "_template", None) is None:
            b, hours = self.behaviour, self.model.config.staffing.hours_per_week
            shares = {
                "sales": (self.visit_share(), VisitKind.CALL),
                "medical": (b.msl_exchange_share, VisitKind.EXCHANGE),
                "access": (b.access_meeting_share, VisitKind.ACCESS_MEETING),
            }
            detailing = self.detailing_share()
            entries = []
            for s in self.frontline:
                share, kind = shares[s.function]
                entries.append(PlanEntry(
                    s.row, list(s.accounts), share * hours, kind,
                    detailing=detailing if kind == VisitKind.CALL else 0.0,
                    exchange=(1 - b.exchange_needs_share) if kind == VisitKind.EXCHANGE
                    else 0.0))
            self._template = PlanTemplate(entries)
        return self._template

    def teams(self) -> list:
        return self.hierarchy.teams

    def managers(self) -> list:
        return self.hierarchy.managers()

    # ------------------------------------------------------------------------ discovery
    def owner_of(self, job, discoverer):
        return discoverer  # whoever found it owns it: there is no single point of contact

    def default_contact(self, account: int):
        cov = self.covering.get(account, {})
        for function in ("sales", "access", "medical"):
            if cov.get(function):
                return cov[function][0]
        return self.frontline[0] if self.frontline else self.experts[0]

    # ------------------------------------------------------------------- decision rights
    def authority_of(self, owner, job) -> float:
        from sim.engine.staff import Manager

        return owner.authority if isinstance(owner, Manager) else self.config.frontline_authority

    def escalation_chain(self, job) -> tuple:
        chain = self.hierarchy.chain_above(job.owner)
        return chain or ((self.hierarchy.top,) if self.hierarchy.top else ())

    # ------------------------------------------------------------------ who works on it
    def handoff_route(self, path: tuple, pool: tuple, platform=None) -> Route:
        return Route(path=tuple([m for m in path if m is not None]), pool=pool, platform=platform)

    def route(self, job, capability: int) -> Route:
        """Who works on ``job``'s ``capability`` and through whom: it follows from structure
        alone — the owner, the account's coverage, the lines of managers — so each (owner,
        account, capability)'s route is worked out once and shared by every task that asks
        until the structure changes (``structure_version``); routes are read-only."""
        cached = getattr(self, "_routes", None)
        if cached is None or cached[0] != self.structure_version:
            cached = self._routes = (self.structure_version, {})
        key = (job.owner, job.account, capability)
        route = cached[1].get(key)
        if route is None:
            route = cached[1][key] = self._route(job.owner, job.account, capability)
        return route

    def _route(self, owner, account: int, capability: int) -> Route:
        if HOME_CAPABILITY.get(owner.function) == capability:
            return Route(pool=(owner,))  # inside one's own silo: no handoff
        if capability in FUNCTION_OF:
            function = FUNCTION_OF[capability]
            flms = self.hierarchy.first_line_for(function, owner.region)
            covering = self.covering.get(account, {}).get(function, [])
            rank = self.hierarchy.first_line_rank(function, owner.region)
            theirs = [c.manager for c in covering if c.manager in rank]
            flm = min(theirs, key=rank.__getitem__) if theirs else (flms[0] if flms else None)
            if flm is None:
                return Route(pool=(owner,))  # nobody of that function here: do it oneself
            if self.config.pooling:  # the first-line manager's whole team
                pool = tuple(flm.reports)
            else:  # the account's own specialists under that manager, if any
                own = tuple([c for c in covering if c.manager is flm])
                pool = own or tuple(flm.reports)
            path = (owner.manager,) if owner.manager is flm else (owner.manager, flm)
            return self.handoff_route(path, pool)
        central = self.hierarchy.first_line_for(_function_of_central(capability), owner.region)
        if not central:
            return Route(pool=(owner,))
        # Head-office expertise: up one's own line to the top, then down the experts' line.
        down = (*reversed(self.hierarchy.chain_above(central[0].reports[0])),)
        path = _join(self.hierarchy.chain_above(owner), down)
        return self.handoff_route(path, (), platform=self.platform)  # head office's queue


def _join(up: tuple, down: tuple) -> tuple:
    """The path up one line and down another, meeting at their lowest common manager."""
    common = next((m for m in up if m in down), None)
    if common is None:
        return up + down
    return up[: up.index(common) + 1] + down[down.index(common) + 1:]


def _function_of_central(capability: int) -> str:
    return _FUNCTION_OF_CAPABILITY[capability]


# The first function whose home is each capability (asked for every task sent to head office;
# built in reverse so the first function wins).
_FUNCTION_OF_CAPABILITY = {c: f for f, c in reversed(HOME_CAPABILITY.items())}

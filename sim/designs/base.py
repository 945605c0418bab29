"""What an organisation design is: a policy the engine asks questions of.

The engine (sim/engine/model.py) runs the same mechanisms for every design — visits, discovery,
decisions,
handoffs, work, abandonment, adoption, engagement, attrition, cost — and asks the design only:

* **structure**: ``build()`` — which positions exist, who reports to whom, who covers which account;
* **capacity planning**: ``plan_template()`` — who visits which accounts in what kind of visit;
  how many hours, how much of them on the product message and how often the plan is revised
  follow from the KPI weights by the shared behaviour rule; ``teams()`` — the standing teams,
  whose coordination the shared law charges;
* **discovery**: ``owner_of(job, discoverer)`` — who owns a job once somebody found it, and
  ``default_contact(account)`` — who hears about a job the customer reports itself;
* **decision rights**: ``authority_of(owner, job)`` and ``escalation_chain(job)``;
* **who works on it**: ``route(job, capability)`` and ``front(task, worker)`` — who meets the
  customer to deliver the result;
* **incentives**: the KPI weights (``config.kpi``): what people are measured and paid on, and
  ``value_pay_fraction``: how much of their pay is tied to the customer value they help create.

Frictions (latency, loss and effort of every request), overheads and behaviour values are never
the design's: they are shared rules (sim/engine/interactions.py, ``staffing.interaction``,
``staffing.behaviour``).

Designs never reach into the engine's bookkeeping; a new design is a new module in this package
that subclasses :class:`OrganisationDesign`, declares its :class:`DesignConfig` subclass and
registers itself with :func:`sim.designs.register`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim.configuration.params import param
from sim.configuration.schema import ConfigError, KpiWeights
from sim.engine.visits import VisitPlan
from sim.engine.workforce import Activity

# The customer-facing activities a visit plan plans (columns of the hours ledger), as an index
# array made once: a list of enum members is converted again on every use.
_VISIT_ACTIVITIES = np.array([Activity.CALLS, Activity.EXCHANGE, Activity.ACCESS_MEETINGS,
                              Activity.ACCOUNT_TIME], np.intp)


@dataclass
class DesignConfig:
    """Settings every design has: structure (decision rights) and incentives (KPI weights).

    A design never sets a friction, an overhead or a behaviour value: those are shared rules
    (``staffing.interaction``, ``staffing.behaviour``) every design reads; tests/test_fair_fight.py
    fails if a design declares one.
    """

    design: str = param("traditional", unit="-", doc="Organisation design (a module in "
                        "sim/designs)")
    frontline_authority: float = param(
        1.0, unit="k€", doc="Largest commitment front-line staff may decide alone", ge=0,
        source="article claim [A0] (direction only: decisions above a small threshold escalate);"
        " size assumed",
    )
    medical_firewall: bool = param(
        True, unit="-", doc="Only medical staff may do medical work (regulatory separation)",
        source="article claim [A4]: regulatory limits on converging roles",
    )
    role_convergence: float = param(
        0.0, unit="0-1", doc="How far front-line roles converge into one hybrid role: 0 = "
        "separate sales, medical and access roles; 1 = a job's owner does any front-line task "
        "they are skilled enough for themselves (medical work only while medical_firewall is "
        "off). What that allows, the cross-training and the risk are the shared rule "
        "staffing.hybrid_roles", ge=0, le=1,
        source="article claim [A2]: 'the roles of medical, commercial and market access "
        "converge' (no degree); 0 (separate roles) in every design by default",
    )
    kpi: KpiWeights = param(
        KpiWeights(calls=0.6, sales=0.4), unit="-", doc="What staff are measured and paid on; "
        "their time split, detailing and planning follow by the shared rule "
        "(staffing.behaviour)", source="article claim [A3]: call-count CRM metrics; weights "
        "assumed",
    )
    value_pay_fraction: float = param(
        0.0, unit="of pay", doc="Fraction of everyone's pay tied to the customer value they "
        "help create (resolved jobs, adopted accounts, patients on therapy); how it is paid and "
        "felt is the shared rule staffing.value_pay", ge=0, le=1,
        source="assumption: 0 (pay fixed apart from the KPI) in every design by default; [A4] "
        "asks that compensation align with the patient-centric focus and [A1] that each "
        "employee be connected to the user's needs (no figure)",
    )

    def validate(self, config, prefix: str = "org") -> None:
        """Cross-setting checks of this design; raise ConfigError naming the setting."""


class OrganisationDesign(ABC):
    """Base class of all designs. Subclasses answer the engine's questions."""

    name: ClassVar[str]
    Config: ClassVar[type[DesignConfig]]

    def __init__(self, model, config: DesignConfig):
        self.model = model
        self.config = config
        self.plan: VisitPlan = VisitPlan.empty()
        self._next_plan = 0.0
        self._kpi_map = None  # (position rows, account indices) for the shared KPI rule
        self.structure_version = 0  # counts structure changes: cached overheads follow

    # ------------------------------------------------------------------------ structure
    @abstractmethod
    def build(self) -> None:
        """Create the staff positions and the structure that connects them."""

    # --------------------------------------------------------------- capacity planning
    # behaviour from incentives: one rule for every design (sim/configuration/schema.py,
    # BehaviourConfig)
    @property
    def behaviour(self):
        return self.model.config.staffing.behaviour

    def planning_weeks(self) -> float:
        """How often plans are revised (and how old their data is): follows call pressure."""
        return self.behaviour.planning_weeks(self.config.kpi, self.model.dt)

    def visit_share(self, weights=None) -> float:
        return self.behaviour.visit_share(weights or self.config.kpi)

    def detailing_share(self, weights=None) -> float:
        return self.behaviour.detailing_share(weights or self.config.kpi)

    def plan_if_due(self) -> bool:
        """Re-plan visits when the planning cycle comes round; True if it did."""
        if self.model.now + 1e-9 >= self._next_plan:
            self.plan = self.plan_visits()
            self._next_plan = self.model.now + self.planning_weeks()
            return True
        return False

    def plan_visits(self) -> VisitPlan:
        """Weekly customer-facing hours per (position, account, kind), from data as old as the
        planning interval."""
        potential = self.model.account_potential(self.planning_weeks() - self.model.dt)
        return self.plan_template().plan(potential)

    @abstractmethod
    def plan_template(self):
        """Who visits which accounts in what kind of visit (a :class:`PlanTemplate`)."""

    # ------------------------------------------------------------- shared overheads
    def teams(self) -> list:
        """Every standing team of this design (objects with ``members``)."""
        return []

    def managers(self) -> list:
        """Every manager position (their non-inbox share of the week is admin)."""
        return []

    def structure_changed(self) -> None:
        """Forget cached structure (teams formed or dissolved, portfolios changed)."""
        self._kpi_map = None
        self.structure_version += 1


    # ------------------------------------------------------------------------ discovery
    @abstractmethod
    def owner_of(self, job, discoverer):
        """Who owns ``job`` once ``discoverer`` has found it."""

    @abstractmethod
    def default_contact(self, account: int):
        """Who receives a job the account reports itself."""

    # ------------------------------------------------------------------- decision rights
    @abstractmethod
    def authority_of(self, owner, job) -> float:
        """Largest decision (k€) ``owner`` may take alone on ``job``."""

    @abstractmethod
    def escalation_chain(self, job) -> tuple:
        """Managers a decision above the owner's authority climbs, lowest first."""

    def min_reviews(self, job) -> int:
        """Levels of the chain that must review an escalated decision before one may take it."""
        return 1

    # ------------------------------------------------------------------ who works on it
    @abstractmethod
    def route(self, job, capability: int):
        """A :class:`sim.engine.routing.Route` for the task of ``job`` needing ``capability``."""

    def front(self, task, worker):
        """Who meets the customer to deliver ``task``'s result (by default, the worker)."""
        return worker

    # ----------------------------------------------------------------------- incentives
    def kpi_weights(self, agent):
        """The KPI weights ``agent`` is measured on (the design's, by default)."""
        return self.config.kpi

    def kpi_accounts(self, agent) -> list[int]:
        """Accounts whose outcomes count for ``agent``: its team's, its own, or (for central
        people and managers) every account."""
        team = getattr(agent, "team", None)
        if team is not None and getattr(team, "accounts", None):
            return list(team.accounts)
        return list(agent.accounts) or list(range(self.model.market.n_accounts))

    def kpi(self) -> np.ndarray:
        """How far each position met what it is rewarded for this step, in [0, 1]: one rule for
        every design — calls done against plan, adoption (sales), resolved share of jobs and
        trust in the accounts it answers for, weighted by its KPI weights."""
        book, n = self.model.book, self.model.workforce.n
        rows, accs, count, weights = self._answered_map()
        # A part nobody is rewarded on is left at 0: every part is finite and ≥ 0, so its
        # weight × part is +0.0 either way, and the sums below are bit for bit the same.
        rewarded = weights[:n].any(0).tolist()
        nothing = np.zeros(n)

        def mean(values):
            return np.bincount(rows, values[accs], minlength=n) / count

        def resolved_share():
            r, a = np.bincount(rows, book.resolved_stock[accs], n), np.bincount(
                rows, book.abandoned_stock[accs], n)
            return (r + 1.0) / (r + a + 2.0)

        parts = np.stack([self.visit_attainment() if rewarded[0] else nothing,
                          mean(book.adopted.astype(float)) if rewarded[1] else nothing,
                          resolved_share() if rewarded[2] else nothing,
                          mean(book.trust) if rewarded[3] else nothing], axis=1)
        return (parts * weights[:n]).sum(1)

    def _answered_map(self):
        """(position rows, account indices, accounts per position, KPI weights per position),
        rebuilt when the structure changes."""
        wf = self.model.workforce
        n = wf.n
        if self._kpi_map is None or len(self._kpi_map[2]) != n:
            rows, accs, weights = [], [], np.zeros((n, 4))
            seen: list = []  # (weights object, its normalised row): most positions share one
            for agent in wf.agents[:n]:
                accounts = self.kpi_accounts(agent)
                rows += [agent.row] * len(accounts)
                accs += accounts
                kw = self.kpi_weights(agent)
                row = next((r for k, r in seen if k is kw), None)
                if row is None:
                    w = kw.normalised()
                    row = [w["calls"], w["sales"], w["jobs"], w["value"]]
                    seen.append((kw, row))
                weights[agent.row] = row
            rows, accs = np.array(rows, np.int64), np.array(accs, np.int64)
            self._kpi_map = (rows, accs, np.bincount(rows, minlength=n).clip(1), weights)
        return self._kpi_map

    def answered_accounts(self) -> tuple[np.ndarray, np.ndarray]:
        """(position rows, account indices): every account each position answers for, as pairs
        (``kpi_accounts``); the engine's shared pay rule reads the value created there."""
        rows, accs, _, _ = self._answered_map()
        return rows, accs

    def value_pay_fractions(self) -> np.ndarray:
        """Fraction of each position's pay tied to customer value (an incentive)."""
        return np.full(self.model.workforce.n, self.config.value_pay_fraction)

    # ------------------------------------------------------------------ role definition
    def converges_roles(self) -> bool:
        """Whether any of this design's front-line roles converge (the shared rule of
        sim/engine/hybrid_roles.py then runs; otherwise it costs nothing)."""
        return self.config.role_convergence > 0

    def role_rules_for(self, job) -> tuple[float, bool]:
        """(how far roles converge, whether the medical firewall holds) where ``job`` is."""
        return self.config.role_convergence, self.config.medical_firewall

    def role_rules_by_position(self) -> tuple[np.ndarray, np.ndarray]:
        """(convergence, medical firewall) for each position, as arrays."""
        n = self.model.workforce.n
        return (np.full(n, float(self.config.role_convergence)),
                np.full(n, bool(self.config.medical_firewall)))

    def visit_attainment(self) -> np.ndarray:
        """Executed / planned customer-facing hours per position (1 where nothing planned).

        The planned hours change only with the plan: they are kept with it (asked every step,
        re-planned every few)."""
        wf, n = self.model.workforce, self.model.workforce.n
        cached = getattr(self, "_planned", None)
        if cached is None or cached[0] is not self.plan or len(cached[1]) != n:
            cached = self._planned = (self.plan, np.bincount(
                self.plan.row, weights=self.plan.hours * self.model.dt, minlength=n))
        planned = cached[1]
        done = wf.step_activity[:n, _VISIT_ACTIVITIES].sum(1)
        return np.divide(done, planned, out=np.ones(n), where=planned > 0).clip(0, 1)

    # ---------------------------------------------------------------------------- time
    def on_step(self) -> None:
        """Anything that changes the organisation itself over time (transitions)."""

    def describe(self) -> dict:
        """Counts of positions by role, for the run summary."""
        counts: dict[str, int] = {}
        for agent in self.model.workforce.agents:
            if self.model.workforce.active[agent.row]:
                counts[agent.label] = counts.get(agent.label, 0) + 1
        return counts


def require_whole_steps(weeks: float, setting: str, config) -> None:
    """Delays a request waits at each hop must be whole steps: a step can only hand a request on
    at its end, so a 1-week wait run in 2-week steps would silently become 2 weeks per hop."""
    dt = config.run.step_weeks
    steps = weeks / dt
    require(abs(steps - round(steps)) < 1e-6, setting,
            f"{weeks:g} weeks is not a whole number of steps of run.step_weeks={dt:g}; use a "
            "multiple of the step (or a step of 1/n weeks)")


def require(condition: bool, setting: str, message: str) -> None:
    """Raise the one-line :class:`ConfigError` unless ``condition`` holds."""
    if not condition:
        raise ConfigError(setting, message)

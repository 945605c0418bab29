"""What an organisation design is: a policy the engine asks questions of.

The engine (sim/model.py) runs the same mechanisms for every design — visits, discovery, decisions,
handoffs, work, abandonment, adoption, engagement, attrition, cost — and asks the design only:

* **structure**: ``build()`` — which positions exist, who reports to whom, who covers which account;
* **capacity planning**: ``plan_visits()`` — who spends how much time with which account, in what
  kind of visit, planned every ``planning_interval_weeks`` from data ``data_lag_weeks`` old; and
  ``reserve_time()`` — overheads taken each week before any job work (management admin,
  coordination, orchestration);
* **discovery**: ``owner_of(job, discoverer)`` — who owns a job once somebody found it, and
  ``default_contact(account)`` — who hears about a job the customer reports itself;
* **decision rights**: ``authority_of(owner, job)`` and ``escalation_chain(job)``;
* **who works on it**: ``route(job, capability)`` and ``front(task, worker)`` — who meets the
  customer to deliver the result;
* **incentives**: ``kpi()`` — how far each position meets what it is rewarded for, and the share of
  customer time spent on the product message (``detailing_share``).

Designs never reach into the engine's bookkeeping; a new design is a new module in this package
that subclasses :class:`OrganisationDesign`, declares its :class:`DesignConfig` subclass and
registers itself with :func:`sim.designs.register`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim.config import ConfigError
from sim.params import A0, A3, A4, param
from sim.visits import VisitPlan
from sim.workforce import Activity


@dataclass
class DesignConfig:
    """Settings every design has. Values differ by design; meanings do not."""

    design: str = param("traditional", unit="-", doc="Organisation design (a module in "
                        "sim/designs)")
    detailing_share: float = param(
        0.7, unit="share", doc="Share of a rep's or primary contact's customer time spent on the "
        "product message rather than the customer's needs (follows what staff are rewarded for)",
        ge=0, le=1, source=A3,
    )
    msl_exchange_share: float = param(
        0.4, unit="share", doc="Share of an MSL's week planned for scientific exchange visits",
        ge=0, le=1, source=A0,
    )
    exchange_needs_share: float = param(
        0.3, unit="share", doc="Share of scientific-exchange time spent on the customer's needs",
        ge=0, le=1,
    )
    frontline_authority: float = param(
        1.0, unit="k€", doc="Largest commitment front-line staff may decide alone", ge=0,
        source=A0,
    )
    governance: float = param(
        0.5, unit="0-1", doc="Strength of compliance governance over decisions (cuts incident "
        "risk, costs review time)", ge=0, le=1, source=A4,
    )
    governance_hours: float = param(
        1.0, unit="hours", doc="Review time per front-line decision at governance 1", ge=0,
        le=40, source=A4,
    )
    decision_hours: float = param(
        1.0, unit="hours", doc="Manager time to review one escalated decision", gt=0, le=40,
    )
    handoff_hours: float = param(
        0.25, unit="hours", doc="Manager time to pass on one handoff", gt=0, le=40,
    )
    planning_interval_weeks: float = param(
        13.0, unit="weeks", doc="How often customer-facing time is re-planned", gt=0, le=520,
        source=A0,
    )
    data_lag_weeks: float = param(
        13.0, unit="weeks", doc="Age of the data the plan is made from", ge=0, le=520, source=A0,
    )
    medical_firewall: bool = param(
        True, unit="-", doc="Only medical staff may do medical work (regulatory separation)",
        source=A4,
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
        # hours a manager of this design spends per inbox item, by kind
        self.inbox_hours = {"handoff": config.handoff_hours, "escalation": config.decision_hours}

    # ------------------------------------------------------------------------ structure
    @abstractmethod
    def build(self) -> None:
        """Create the staff positions and the structure that connects them."""

    # --------------------------------------------------------------- capacity planning
    def plan_if_due(self) -> bool:
        """Re-plan visits when the planning cycle comes round; True if it did."""
        if self.model.now + 1e-9 >= self._next_plan:
            self.plan = self.plan_visits()
            self._next_plan = self.model.now + self.config.planning_interval_weeks
            return True
        return False

    @abstractmethod
    def plan_visits(self) -> VisitPlan:
        """Weekly customer-facing hours per (position, account, kind)."""

    def reserve_time(self) -> None:
        """Overheads taken every week before job work."""

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

    def governance_of(self, job) -> tuple[float, float]:
        """(governance strength, review hours at strength 1) over ``job``'s decision."""
        return self.config.governance, self.config.governance_hours

    # ------------------------------------------------------------------ who works on it
    @abstractmethod
    def route(self, job, capability: int):
        """A :class:`sim.routing.Route` for the task of ``job`` needing ``capability``."""

    def front(self, task, worker):
        """Who meets the customer to deliver ``task``'s result (by default, the worker)."""
        return worker

    # ----------------------------------------------------------------------- incentives
    @abstractmethod
    def kpi(self) -> np.ndarray:
        """How far each position met what it is rewarded for this step, in [0, 1]."""

    def visit_attainment(self) -> np.ndarray:
        """Executed / planned customer-facing hours per position (1 where nothing planned)."""
        wf, n = self.model.workforce, self.model.workforce.n
        planned = np.bincount(self.plan.row, weights=self.plan.hours * self.model.dt,
                              minlength=n)
        done = wf.step_activity[:n, [Activity.CALLS, Activity.EXCHANGE,
                                     Activity.ACCESS_MEETINGS, Activity.ACCOUNT_TIME]].sum(1)
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

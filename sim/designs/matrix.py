"""The matrix design: cross-functional account teams inside the functional lines [A4].

Everything of the traditional design stays — product reps with (lighter) call targets, functional
managers, head-office experts, volumetric KPIs — but each account also gets an account team: its
lead rep, its MSL and its access manager. Team members pull each other's expertise directly,
without a manager in between, once the weekly account-team meeting comes round; the account lead
may decide somewhat larger commitments.

[A4] names the matrix's own costs, and they are modelled: people sit on several account teams and
spend coordination time in each; functional loyalties remain (call targets still come first,
KPIs are still volumetric); and unclear decision rights mean a cross-functional decision above the
lead's authority needs sign-off from the other function's line too (dual approval).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.configuration.params import param, redefault
from sim.configuration.schema import KpiWeights
from sim.designs import register
from sim.designs.traditional import TraditionalConfig, TraditionalDesign
from sim.engine.people import HOME_CAPABILITY
from sim.engine.routing import Route
from sim.engine.teams import Team

if TYPE_CHECKING:
    from sim.engine.staff import Manager


@dataclass
class MatrixConfig(TraditionalConfig):
    kpi: KpiWeights = redefault(TraditionalConfig, "kpi", KpiWeights(calls=0.4, sales=0.4,
                                                                     jobs=0.2))
    account_lead_authority: float = param(
        5.0, unit="k€", doc="Largest commitment an account-team lead may decide alone", ge=0,
        source="article claim [A4] (direction only: unclear decision rights); size assumed",
    )
    dual_approval: bool = param(
        True, unit="-", doc="Cross-functional decisions above the lead's authority also need "
        "the other function's first-line manager", source="article claim [A4]",
    )


class AccountTeam(Team):
    """The lead rep, MSL and access manager of one account: a standing team."""

    def __init__(self, account: int, members: list):
        super().__init__(members)
        self.account = account
        self.lead = members[0] if members else None


@register
class MatrixDesign(TraditionalDesign):
    name = "matrix"
    Config = MatrixConfig

    def organise(self, frontline, experts, accounts) -> None:
        for team in getattr(self, "account_teams", {}).values():
            team.dissolve()
        super().organise(frontline, experts, accounts)
        self.account_teams: dict[int, AccountTeam] = {}
        for a in self.accounts:
            cov = self.covering.get(a, {})
            members = [cov[f][0] for f in ("sales", "medical", "access") if cov.get(f)]
            self.account_teams[a] = AccountTeam(a, members)

    def teams(self) -> list:
        return [*super().teams(), *self.account_teams.values()]

    def authority_of(self, owner, job) -> float:
        team = self.account_teams.get(job.account)
        if team is not None and owner is team.lead:
            return max(self.config.account_lead_authority, self.config.frontline_authority)
        return super().authority_of(owner, job)

    def _other_line(self, job, chain) -> Manager | None:
        """The first-line manager of another function in the account team, if any."""
        from sim.engine.staff import Manager  # Mesa agents: imported where used (fast command line)

        team = self.account_teams.get(job.account)
        if not (self.config.dual_approval and job.cross_functional and team and chain):
            return None
        own = job.owner.function
        return next((m.manager for m in team.members
                     if m.function != own and isinstance(m.manager, Manager)
                     and m.manager not in chain), None)

    def escalation_chain(self, job) -> tuple:
        chain = super().escalation_chain(job)
        other = self._other_line(job, chain)
        return (chain[0], other, *chain[1:]) if other else chain

    def min_reviews(self, job) -> int:
        """Dual approval: both functional lines sign off a cross-functional decision."""
        chain = super().escalation_chain(job)
        return 2 if self._other_line(job, chain) else 1

    def route(self, job, capability: int) -> Route:
        team = self.account_teams.get(job.account)
        if team is not None and HOME_CAPABILITY.get(job.owner.function) != capability:
            mates = tuple(m for m in team.members if HOME_CAPABILITY.get(m.function) == capability)
            if mates:
                return Route(pool=mates)
        return super().route(job, capability)

"""A micro-enterprise: a small self-organized cross-functional team that owns accounts [A1].

Haier's Rendanheyi model organizes employees into thousands of micro-enterprises with "zero
distance to the customer" [A1]; Roche gives each customer one primary point of contact who pulls
expertise from across the network [A0]. Here a :class:`MicroEnterprise` owns the accounts of a
territory; each account has one of the team's primary contacts; any member may work on any
capability they are skilled enough in (thin depth: they are slower than a specialist), except
medical work, which stays with medical staff while the regulatory firewall is on [A4].

Its costs are those of every team (the shared law of sim/engine/interactions.py: coordination per
teammate, upkeep per account), and a team may slide back to old habits
(``reverted``): its members then stick to their own function and hand decisions upward, as in
the design it replaced [A4: "reverting to old habits"].
"""

from __future__ import annotations

from mesa import Agent

from sim.configuration.capabilities import MEDICAL
from sim.engine.people import HOME_CAPABILITY


class MicroEnterprise(Agent):
    """A team of staff positions that owns a set of accounts."""

    def __init__(self, model, members: list, accounts: list[int], formed_at: float = 0.0):
        super().__init__(model)
        self.members = list(members)
        self.accounts = list(accounts)
        self.formed_at = formed_at
        self.owner = None  # the platform owner it escalates to
        self.reverted = False  # slid back to old habits
        self.reversions = 0
        for m in self.members:
            m.team = self
            m.teams.add(self)

    def may_work(self, member, capability: int, min_skill: float, firewall: bool) -> bool:
        """Whether ``member`` may take a task needing ``capability`` inside this team."""
        home = HOME_CAPABILITY[member.function]
        if self.reverted:
            return home == capability
        if firewall and capability == MEDICAL and member.function != "medical":
            return False
        # one cell read as a Python float: asked for every member of every routed task
        return home == capability or (
            member.model.workforce.skill_view[member.row, capability] >= min_skill)

    def workers_for(self, capability: int, min_skill: float, firewall: bool) -> list:
        return [m for m in self.members if self.may_work(m, capability, min_skill, firewall)]


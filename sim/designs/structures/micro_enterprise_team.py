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

    def workers_for(self, capability: int, min_skill: float, firewall: bool) -> list:
        """The members who may take a task needing ``capability`` inside this team: anyone whose
        home capability it is, or who is skilled enough in it (``min_skill``) — except medical
        work, which stays with medical staff while the ``firewall`` holds; a team that slid back
        to old habits sticks to home capabilities.

        Asked for every routed task: what holds for the whole team is decided once, not per
        member, and a skill is one cell read as a Python float."""
        if self.reverted:
            return [m for m in self.members if HOME_CAPABILITY[m.function] == capability]
        medical_only = firewall and capability == MEDICAL
        skill = self.model.workforce.skill_view
        return [m for m in self.members
                if not (medical_only and m.function != "medical")
                and (HOME_CAPABILITY[m.function] == capability
                     or skill[m.row, capability] >= min_skill)]


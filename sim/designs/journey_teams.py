"""Journey-aligned teams: micro-enterprises that each own patient journeys, not a region [A4].

[A4] asks for "cross-functional account teams aligned around specific patient journeys or disease
states", because that is how organized customers such as IDNs approach their own business. This
design is the micro-enterprise design (sim/designs/micro_enterprise.py) with one structural
difference: a team owns the accounts a patient passes through — an academic centre or integrated
system and the community networks and practices that refer to it (the market's referral / KOL
links; sim/designs/structures/journeys.py) — wherever they lie, instead of the accounts of one
region. Journeys are never split between teams, and inside a team each journey goes whole to one
primary contact (the orchestrating contact of [A0]) as far as the contact's span allows.

Everything else is the micro-enterprise's: team size, primary-contact span and seniority, the
platform, decision rights, KPI weights and pay, the transition settings. Every friction and
overhead is the shared rules'; a team spanning regions pays nothing extra for it here (members
share a team, so their requests are same-team requests by the shared friction table), and its
members are placed in the region where most of its patients are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.designs import register
from sim.designs.micro_enterprise import (
    FUNCTION_ORDER,
    MicroEnterpriseConfig,
    MicroEnterpriseDesign,
)
from sim.designs.structures.platform import Platform


@dataclass
class JourneyTeamsConfig(MicroEnterpriseConfig):
    """The micro-enterprise's settings: structure and incentives are alike but for who owns
    which accounts (a journey instead of a region)."""


@register
class JourneyTeamsDesign(MicroEnterpriseDesign):
    name = "journey_teams"
    Config = JourneyTeamsConfig

    def build(self) -> None:
        from sim.designs.structures.territories import create_staff, incumbents

        frontline, experts = create_staff(self.model, incumbents(self.model))
        self.platform = Platform(experts)
        self.form_journey_teams(frontline)

    def form_journey_teams(self, frontline: list) -> None:
        """As many teams as the micro-enterprise would form from these people; journeys dealt
        to them whole; people dealt by function and experience as the micro-enterprise deals
        them."""
        from sim.designs.structures.journeys import deal_journeys, patient_journeys

        market, wf = self.model.market, self.model.workforce
        staffing = self.model.config.staffing
        journeys = patient_journeys(market)
        n_teams = max(1, min(round(len(frontline) / staffing.team_size), len(journeys)))
        dealt = [t for t in deal_journeys(journeys, market.patients, n_teams) if t]
        ordered = sorted(frontline, key=lambda m: (FUNCTION_ORDER.get(m.function, 3),
                                                   -wf.experience[m.row], m.row))
        self._journeys: dict[int, int] = {}  # account -> index of its journey
        teams = []
        for t, team_journeys in enumerate(dealt):
            members = ordered[t::len(dealt)]
            accounts = [a for j in team_journeys for a in j]
            for j in team_journeys:
                for a in j:
                    self._journeys[a] = j[0]
            home = _main_region(market, accounts)
            for m in members:
                m.region = home
            teams.append(self._form_team(members, accounts, 0.0))
        self.me_teams += teams
        self._appoint_owners(teams)
        self._template = None
        self.structure_changed()

    def deal_to_contacts(self, accounts: list[int], contacts: list) -> list:
        """Each journey whole to the contact with the fewest accounts so far (ties: the first),
        largest journey first; a journey longer than the contact's share is split in turn."""
        span = -(-len(accounts) // len(contacts))  # the most any contact carries
        journeys: dict[int, list[int]] = {}
        for a in accounts:
            journeys.setdefault(self._journeys.get(a, a), []).append(a)
        owned = [0] * len(contacts)
        contact_of: dict[int, object] = {}
        for members in sorted(journeys.values(), key=lambda j: -len(j)):
            c = None
            for a in members:
                if c is None or owned[c] >= span:  # the next contact with room, fewest first
                    c = min((k for k in range(len(contacts)) if owned[k] < span),
                            key=lambda k: (owned[k], k))
                contact_of[a] = contacts[c]
                owned[c] += 1
        return [contact_of[a] for a in accounts]


def _main_region(market, accounts: list[int]) -> int:
    """The region holding most of ``accounts``' patients (ties: the lowest)."""
    if not accounts:
        return 0
    weight = np.bincount(market.region[accounts], market.patients[accounts],
                         minlength=market.n_regions)
    return int(np.argmax(weight))

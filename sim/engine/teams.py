"""A standing team: people who share coordination channels.

Every design has them — a first-line manager with their reports, a matrix account team, a
micro-enterprise — and every one pays the same coordination law (sim/engine/interactions.py). Its
members are one ``same_team`` relationship apart. A plain class, not a Mesa agent, so that a
design module can subclass it without importing the agent machinery.
"""

from __future__ import annotations


class Team:
    """A standing team (any design): its members share coordination channels and are one
    ``same_team`` relationship apart (sim/engine/interactions.py)."""

    def __init__(self, members: list):
        self.members = list(members)
        for m in self.members:
            m.teams.add(self)

    def dissolve(self) -> None:
        for m in self.members:
            m.teams.discard(self)

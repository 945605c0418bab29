"""Consistency: how many different voices of the company an account hears (docs/ODD.md 7.1a).

[A0]'s customers found the company "complicated to deal with" when several representatives, each
on their own product, called on them; [A3] asks for one consistent experience across every
channel. The contact strain of 7.7 counts *people*; this rule counts *voices*: two recent contacts
of an account speak with one voice when they share a standing team (sim/engine/teams.py — a
micro-enterprise, a matrix account team, a first-line manager's team), since a team coordinates
what its members tell a customer (and pays for it: 7.0's coordination law). Voices are the
connected groups of an account's recent contacts under "shares a team with"; a person who left
the company, or who is on no team, is a voice of their own. A channel carries the voice of the
person using it, so a person using four channels is still one voice; several people using one
channel without a shared team are several.

Each voice beyond the first costs the account ``market.channels.consistency_strain`` trust a
week (sim/engine/trust.py), by one rule in every design: what a design decides is only who
shares a team with whom.
"""

from __future__ import annotations

import numpy as np


def voices(model) -> np.ndarray:
    """Uncoordinated voices per account among its contacts of the last ``contact_window_weeks``.

    One pass over the recent (account, person) pairs, with a union-find over the teams of each
    account's people — linear in the recent relationships.
    """
    book, n = model.contacts, model.contacts.n
    window = model.config.market.contact_window_weeks
    recent = book.last[:n] > model.now - window
    accounts, people = book.account[:n][recent], book.person[:n][recent]
    agents, row_of = model.workforce.agents, model.row_of_person
    out = np.zeros(model.market.n_accounts)
    order = np.argsort(accounts, kind="stable")
    bounds = np.searchsorted(accounts[order], np.arange(len(out) + 1))
    for a in np.flatnonzero(np.diff(bounds)):
        group = people[order[bounds[a]:bounds[a + 1]]].tolist()
        out[a] = count_voices([_teams(agents, row_of.get(p)) for p in group])
    return out


def _teams(agents, row) -> list[int]:
    return [] if row is None else [id(t) for t in agents[row].teams]


def count_voices(teams_of_people: list[list[int]]) -> int:
    """Connected groups of people, two people joined when they share a team (by team id)."""
    parent = list(range(len(teams_of_people)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[int, int] = {}  # team → the first person seen on it
    for i, teams in enumerate(teams_of_people):
        for t in teams:
            j = first.setdefault(t, i)
            parent[root(i)] = root(j)
    return sum(1 for i in range(len(parent)) if root(i) == i)


def consistency_strain(model) -> np.ndarray:
    """This week's trust strain per account: ``consistency_strain`` per voice beyond the first
    (also keeps the voices for the results)."""
    rule = model.channels
    rule.voices = voices(model)
    return model.config.market.channels.consistency_strain * np.maximum(0.0, rule.voices - 1.0)

"""Patient journeys: the accounts a patient passes through, read off the referral network.

The market links accounts by referral and key-opinion-leader ties (sim/engine/market.py, mostly
inside a region, more of them at the larger accounts). Patients are referred from community
networks and practices to the academic centres and integrated systems that treat them, so a
journey is drawn around each such *hub*: every account joins the journey of the hub it is
fewest referral steps from (ties: the larger hub). Accounts on no path to a hub form journeys of
their own around their largest account, the same way; an unlinked account is a journey of one.

A pure function of the market: the same seed gives the same journeys whatever else runs.
"""

from __future__ import annotations

import heapq

import numpy as np

HUB_TYPES = ("integrated", "academic")


def patient_journeys(market) -> list[list[int]]:
    """The journeys of ``market``: lists of accounts, each starting with its hub, then the other
    accounts by size (largest first); journeys ordered by their hub's size."""
    from sim.engine.market import ACCOUNT_TYPES

    n = market.n_accounts
    patients = market.patients
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(market.link_src.tolist(), market.link_dst.tolist(), strict=True):
        neighbours[a].append(b)
    hub_type = [ACCOUNT_TYPES.index(t) for t in HUB_TYPES]
    by_size = sorted(range(n), key=lambda a: (-patients[a], a))
    journey_of = np.full(n, -1, np.int64)
    hubs = [a for a in by_size if int(market.account_type[a]) in hub_type]
    _grow(hubs, neighbours, journey_of, first=0)
    while (journey_of < 0).any():  # a part of the network with no hub: around its largest
        seed = next(a for a in by_size if journey_of[a] < 0)
        _grow([seed], neighbours, journey_of, first=int(journey_of.max()) + 1)
    journeys: dict[int, list[int]] = {}
    for a in by_size:  # hubs come first in their journey: they are its largest account
        journeys.setdefault(int(journey_of[a]), []).append(a)
    return [journeys[j] for j in sorted(journeys)]


def _grow(hubs: list[int], neighbours: list[list[int]], journey_of: np.ndarray,
          first: int) -> None:
    """Multi-source breadth-first search over unassigned accounts: each reached account joins
    the nearest hub's journey (``first`` + the hub's rank; ties go to the lower rank)."""
    heap = [(0, rank, hub) for rank, hub in enumerate(hubs)]
    heapq.heapify(heap)
    while heap:
        dist, rank, a = heapq.heappop(heap)
        if journey_of[a] >= 0:
            continue
        journey_of[a] = first + rank
        for b in neighbours[a]:
            if journey_of[b] < 0:
                heapq.heappush(heap, (dist + 1, rank, b))


def deal_journeys(journeys: list[list[int]], patients: np.ndarray, n_teams: int
                  ) -> list[list[list[int]]]:
    """Journeys dealt to ``n_teams`` teams, largest journey first to the team with the fewest
    patients so far (ties: the lower team), so no journey is split and loads stay even."""
    teams: list[list[list[int]]] = [[] for _ in range(n_teams)]
    load = [0.0] * n_teams
    order = sorted(range(len(journeys)),
                   key=lambda j: (-float(patients[journeys[j]].sum()), j))
    for j in order:
        t = min(range(n_teams), key=lambda t: (load[t], t))
        teams[t].append(journeys[j])
        load[t] += float(patients[journeys[j]].sum())
    return teams

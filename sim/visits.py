"""Planned customer-facing time: calls, scientific exchange, access meetings, account time.

A design plans, each planning cycle, who spends how many hours a week with which account and in
what kind of visit (:class:`VisitPlan`). Every step the engine carries the plan out for all
positions at once: hours are spent (never beyond capacity), and the visit's hours feed the account's
engagement channels — product detailing, medical exchange and *needs-focused* time, which is what
discovers customer jobs [A3: reps measured on calls "rush through 20 slides"]. Everyone who visits
an account becomes one of its company contacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from sim.capabilities import ACCESS, COMMERCIAL, MEDICAL
from sim.workforce import Activity


class VisitKind(IntEnum):
    CALL = 0  # product call by a rep, against a call target
    EXCHANGE = 1  # medical scientific exchange by an MSL
    ACCESS_MEETING = 2  # access manager with pharmacy / payer
    ACCOUNT_TIME = 3  # a primary point of contact's time with an owned account


ACTIVITY_OF = {
    VisitKind.CALL: (Activity.CALLS, COMMERCIAL),
    VisitKind.EXCHANGE: (Activity.EXCHANGE, MEDICAL),
    VisitKind.ACCESS_MEETING: (Activity.ACCESS_MEETINGS, ACCESS),
    VisitKind.ACCOUNT_TIME: (Activity.ACCOUNT_TIME, COMMERCIAL),
}


@dataclass
class VisitPlan:
    """Columns: one row per (position, account, kind) with weekly hours and how they are used."""

    row: np.ndarray  # workforce row of the visiting position
    account: np.ndarray
    hours: np.ndarray  # per week
    kind: np.ndarray
    detailing: np.ndarray  # share of the hours spent on the product message
    exchange: np.ndarray  # share spent on scientific exchange
    needs: np.ndarray  # share spent listening to the customer's needs

    @classmethod
    def empty(cls) -> VisitPlan:
        z = np.zeros(0)
        zi = np.zeros(0, np.int64)
        return cls(zi, zi, z, zi, z, z, z)

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> VisitPlan:
        """Rows of (row, account, hours, kind, detailing, exchange, needs)."""
        if not rows:
            return cls.empty()
        cols = list(zip(*rows, strict=True))
        return cls(np.array(cols[0], np.int64), np.array(cols[1], np.int64),
                   np.array(cols[2], float), np.array(cols[3], np.int64),
                   np.array(cols[4], float), np.array(cols[5], float), np.array(cols[6], float))

    def __len__(self) -> int:
        return len(self.row)

    def activities(self) -> tuple[np.ndarray, np.ndarray]:
        act = np.array([ACTIVITY_OF[VisitKind(k)][0] for k in range(len(VisitKind))])
        cap = np.array([ACTIVITY_OF[VisitKind(k)][1] for k in range(len(VisitKind))])
        return act[self.kind], cap[self.kind]


def spread(row: int, accounts: list[int], weights: np.ndarray, hours: float, kind: VisitKind,
           detailing: float = 0.0, exchange: float = 0.0) -> list[tuple]:
    """Rows spreading ``hours`` a week of one position over ``accounts`` ∝ ``weights``."""
    if not accounts or hours <= 0:
        return []
    w = np.asarray(weights, float)
    w = w / w.sum() if w.sum() > 0 else np.full(len(accounts), 1.0 / len(accounts))
    needs = max(0.0, 1.0 - detailing - exchange)
    return [(row, a, hours * share, int(kind), detailing, exchange, needs)
            for a, share in zip(accounts, w, strict=True) if share > 0]

"""Company contacts per account: who from the company the customer has dealt with, and when.

"Complicated to deal with" [A0] is measured as the number of distinct company people an account
dealt with in the last ``contact_window_weeks``. The book is a dense (accounts × people) matrix of
the last week each pair met, so recording a week of visits and counting recent contacts are single
array operations. It grows by columns as people are hired.
"""

from __future__ import annotations

import numpy as np


class ContactBook:
    def __init__(self, n_accounts: int, n_people: int = 64):
        self.last = np.full((n_accounts, n_people), -np.inf, dtype=np.float32)

    def _ensure(self, person_id: int) -> None:
        if person_id >= self.last.shape[1]:
            width = max(person_id + 1, 2 * self.last.shape[1])
            grown = np.full((self.last.shape[0], width), -np.inf, dtype=np.float32)
            grown[:, : self.last.shape[1]] = self.last
            self.last = grown

    def touch(self, accounts, people, week: float) -> None:
        """Record that each person in ``people`` met the matching account in ``accounts``."""
        people = np.asarray(people, np.int64)
        accounts = np.asarray(accounts, np.int64)
        present = people >= 0  # a vacant position (-1) meets nobody
        if present.any():
            self._ensure(int(people[present].max()))
            self.last[accounts[present], people[present]] = week

    def recent(self, week: float, window: float) -> np.ndarray:
        """Distinct people per account met within ``window`` weeks up to ``week``."""
        return (self.last > week - window).sum(axis=1)

    def ever(self) -> np.ndarray:
        """Distinct people per account met at any time in the run."""
        return np.isfinite(self.last).sum(axis=1)

    def accounts_of(self, person_id: int, week: float, window: float) -> np.ndarray:
        """Accounts ``person_id`` met within ``window`` weeks up to ``week``."""
        if person_id >= self.last.shape[1]:
            return np.zeros(0, np.int64)
        return np.flatnonzero(self.last[:, person_id] > week - window)

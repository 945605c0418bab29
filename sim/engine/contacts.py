"""Company contacts per account: who from the company the customer has dealt with, and when.

"Complicated to deal with" [A0] is measured as the number of distinct company people an account
dealt with in the last ``contact_window_weeks``. The book keeps one entry per (account, person)
pair that ever met, with the week they last met: recording is a dictionary look-up per new pair
and an array write per meeting, and counting recent contacts is one pass over the pairs — linear
in the number of relationships, not in accounts × people.
"""

from __future__ import annotations

import numpy as np


class ContactBook:
    def __init__(self, n_accounts: int, capacity: int = 1024):
        self.n_accounts = n_accounts
        self.slot: dict[tuple[int, int], int] = {}  # (account, person) → index
        self.n = 0
        self.account = np.zeros(capacity, np.int64)
        self.person = np.zeros(capacity, np.int64)
        self.last = np.full(capacity, -np.inf)

    def _new(self, account: int, person: int) -> int:
        if self.n == len(self.last):
            self.account = np.concatenate([self.account, np.zeros(self.n, np.int64)])
            self.person = np.concatenate([self.person, np.zeros(self.n, np.int64)])
            self.last = np.concatenate([self.last, np.full(self.n, -np.inf)])
        i = self.n
        self.slot[(account, person)] = i
        self.account[i], self.person[i] = account, person
        self.n += 1
        return i

    def slots(self, accounts, people) -> np.ndarray:
        """Indices of the (account, person) pairs, creating new ones (vacancies, -1, skipped)."""
        # Built as a Python list, converted once: a cell of a numpy array written and read back
        # per pair costs several times a list's append (thousands of pairs a step).
        out = []
        get = self.slot.get
        for a, p in zip(np.asarray(accounts).tolist(), np.asarray(people).tolist(), strict=True):
            i = -1 if p < 0 else get((a, p), -2)
            out.append(self._new(a, p) if i == -2 else i)
        return np.array(out, np.int64)

    def touch_slots(self, slots: np.ndarray, week: float) -> None:
        self.last[slots[slots >= 0]] = week

    def touch(self, accounts, people, week: float) -> None:
        """Record that each person in ``people`` met the matching account in ``accounts``."""
        self.touch_slots(self.slots(accounts, people), week)

    def touch_one(self, account: int, person: int, week: float) -> None:
        if person >= 0:
            i = self.slot.get((account, person))
            if i is None:
                i = self._new(account, person)  # may grow the arrays: index afterwards
            self.last[i] = week

    def recent(self, week: float, window: float) -> np.ndarray:
        """Distinct people per account met within ``window`` weeks up to ``week``."""
        n = self.n
        met = self.account[:n][self.last[:n] > week - window]
        return np.bincount(met, minlength=self.n_accounts)

    def ever(self) -> np.ndarray:
        """Distinct people per account met at any time in the run."""
        n = self.n
        return np.bincount(self.account[:n][np.isfinite(self.last[:n])],
                           minlength=self.n_accounts)

    def accounts_of(self, person_id: int, week: float, window: float) -> np.ndarray:
        """Accounts ``person_id`` met within ``window`` weeks up to ``week``, in account order."""
        n = self.n
        mine = (self.person[:n] == person_id) & (self.last[:n] > week - window)
        return np.sort(self.account[:n][mine])

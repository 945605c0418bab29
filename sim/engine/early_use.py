"""First users: prescribers who treat their own patients before the account's formal decision
(docs/ODD.md 7.6b).

An account adopts formally when its decision-making unit agrees and every trigger point is
cleared (sim/engine/adoption.py). Before that, a first-user segment of its prescribers — the
share ``therapy.early_use.first_users`` of them — treat their own eligible patients as soon as
they themselves have adopted (action or maintenance), through the routes a prescriber has without
the organisation's decision (non-formulary requests, individual funding, early-access
programmes). The first prescribers of the account's decision-making unit to adopt stand for
them, so at account a::

    early_a = patients_a · peak_share · min(first_users, adopted share of a's prescribers)

within the account's infusion capacity like any treatment. Once the account adopts, its patients
ramp up by the rule of 7.6 and the first users' patients are among them: patients treated is the
larger of the two. The rule draws no random numbers.
"""

from __future__ import annotations

import numpy as np

from sim.engine.market import PRESCRIBER


def early_use_on(config) -> bool:
    return config.therapy.early_use.active()


class FirstUsers:
    """Which stakeholders are prescribers, per account, fixed by the market."""

    def __init__(self, model):
        self.share = model.config.therapy.early_use.first_users
        market, n = model.market, model.market.n_accounts
        self.prescriber = np.asarray(market.stakeholder_role) == PRESCRIBER
        self.account = np.asarray(model.dmus.account)
        self.count = np.bincount(self.account, self.prescriber.astype(float), n)
        self.n = n

    def patients(self, model) -> np.ndarray:
        """Patients the first users of each account treat this step (before any cap)."""
        adopted = model.dmus.adopted() & self.prescriber
        share = np.bincount(self.account, adopted.astype(float), self.n) / np.maximum(
            self.count, 1.0)
        t = model.config.therapy
        return model.market.patients * t.peak_share * np.minimum(self.share, share)


def treat_first_users(model, treated: np.ndarray) -> np.ndarray:
    """Patients on therapy per account with the first users' patients counted in."""
    early = model.first_users.patients(model)
    t = model.config.therapy
    if t.intravenous:
        capacity = (model.market.patients * t.peak_share * t.infusion_capacity_ratio
                    * (1.0 + t.sc_capacity_gain * model.book.infusion_solved))
        early = np.minimum(early, capacity)
    return np.maximum(treated, early)

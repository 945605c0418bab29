"""Organized customers (accounts): the agents whose jobs the company must solve.

An :class:`Account` is a Mesa agent: an integrated delivery network, integrated care system,
academic centre, community network or fragmented practice. Its fixed traits come from the market
(size, degree of organisation, decision-making unit, links, trigger points); what changes during a
run — trust, recent resolved jobs, access won, adoption — is kept in :class:`AccountBook` columns so
that the whole market updates in a few array operations per step.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent

from sim.engine.market import ACCOUNT_TYPES


class AccountBook:
    """Per-account state that changes during a run, as arrays indexed by account."""

    def __init__(self, market):
        n = market.n_accounts
        self.trust = market.trust0.copy()
        self.resolved_stock = np.zeros(n)  # decaying count of recently resolved jobs
        self.abandoned_stock = np.zeros(n)  # decaying count of recently abandoned jobs
        self.access_won = np.zeros(n)  # 1 once an access job has been solved
        self.infusion_solved = np.zeros(n)  # 1 once an infusion-capacity job has been solved
        self.adopted_week = np.full(n, np.nan)
        self.open_gates = np.array([len(g) for g in market.gates], np.int64)
        self.patients_treated = np.zeros(n)
        self.jobs_arrived = np.zeros(n, np.int64)
        self.jobs_resolved = np.zeros(n, np.int64)
        self.jobs_abandoned = np.zeros(n, np.int64)
        # engagement received this step, per week
        self.detailing_hours = np.zeros(n)
        self.exchange_hours = np.zeros(n)
        self.needs_hours = np.zeros(n)

    @property
    def adopted(self) -> np.ndarray:
        return ~np.isnan(self.adopted_week)


class Account(Agent):
    """One organized customer."""

    def __init__(self, model, index: int):
        super().__init__(model)
        market = model.market
        self.index = index
        self.kind = ACCOUNT_TYPES[market.account_type[index]]
        self.region = int(market.region[index])
        self.patients = float(market.patients[index])
        self.organisation = float(market.organisation[index])
        self.stakeholders = slice(int(market.dmu_start[index]), int(market.dmu_start[index + 1]))
        self.links = market.link_dst[market.link_src == index]
        self.gates: set[str] = set(market.gates[index])  # trigger points not yet solved

    @property
    def book(self) -> AccountBook:
        return self.model.book

    @property
    def trust(self) -> float:
        return float(self.book.trust[self.index])

    @property
    def adopted(self) -> bool:
        return not np.isnan(self.book.adopted_week[self.index])

    def gated_by(self, job) -> bool:
        """True if solving ``job`` removes one of this account's trigger points."""
        return job.gating and job.job_type in self.gates

    def solve_gate(self, job) -> None:
        self.gates.discard(job.job_type)
        self.book.open_gates[self.index] = len(self.gates)

    def gain_trust(self) -> None:
        t = self.book.trust
        t[self.index] += self.model.config.market.trust_gain * (1.0 - t[self.index])

    def lose_trust(self, share: float) -> None:
        self.book.trust[self.index] *= 1.0 - share

    def adopt(self, week: float) -> None:
        self.book.adopted_week[self.index] = week

"""Stakeholders of every account's decision-making unit, held as arrays for speed.

Each stakeholder is in one stage of the transtheoretical model of behaviour change [A2]:
precontemplation → contemplation → preparation → action → maintenance. Stages only move forward,
by at most one per step. A stakeholder "has adopted" once in action or maintenance.

Transitions use pre-drawn thresholds: each stakeholder carries one Exp(1) threshold per transition
and moves on when the hazard accumulated in its current stage exceeds it. That is the same as a
per-step probability ``1 − exp(−hazard·dt)`` but makes the draws independent of the organisation
design, so paired runs differ only through the hazards the designs produce.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stage(IntEnum):
    PRECONTEMPLATION = 0
    CONTEMPLATION = 1
    PREPARATION = 2
    ACTION = 3
    MAINTENANCE = 4


STAGE_NAMES = tuple(s.name.lower() for s in Stage)


class DecisionMakingUnits:
    """All stakeholders of all accounts: stage, role, account and transition thresholds."""

    def __init__(self, market):
        self.account = market.stakeholder_account
        self.role = market.stakeholder_role
        self.stage = market.stakeholder_stage0.copy()
        self.thresholds = market.stakeholder_thresholds
        self.cumulative_hazard = np.zeros(len(self.stage))
        self.n_accounts = market.n_accounts
        self.size = np.bincount(self.account, minlength=self.n_accounts).astype(float)

    def __len__(self) -> int:
        return len(self.stage)

    def adopted(self) -> np.ndarray:
        """Boolean mask of stakeholders in action or maintenance."""
        return self.stage >= Stage.ACTION

    def adopted_share_by_account(self) -> np.ndarray:
        counts = np.bincount(self.account, weights=self.adopted(), minlength=self.n_accounts)
        return counts / np.maximum(self.size, 1.0)

    def stage_counts(self) -> np.ndarray:
        return np.bincount(self.stage, minlength=len(Stage))

    def advance(self, hazard: np.ndarray, maintenance_rate: float, dt: float) -> np.ndarray:
        """Accumulate one step of hazard and move stakeholders whose threshold is crossed.

        ``hazard`` (per week) drives the three transitions up to action; ``maintenance_rate``
        drives action → maintenance. Returns the mask of stakeholders that moved.
        """
        rate = np.where(self.stage == Stage.ACTION, maintenance_rate, hazard)
        rate = np.where(self.stage == Stage.MAINTENANCE, 0.0, rate)
        self.cumulative_hazard += rate * dt
        movable = self.stage < Stage.MAINTENANCE
        idx = np.minimum(self.stage, 3).astype(np.int64)
        crossed = movable & (self.cumulative_hazard >= self.thresholds[np.arange(len(idx)), idx])
        self.stage[crossed] += 1
        self.cumulative_hazard[crossed] = 0.0
        return crossed

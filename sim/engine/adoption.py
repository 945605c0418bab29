"""Adoption of the launched therapy: stakeholder hazard, account decision, patients treated.

Stakeholder hazard of advancing one stage (per week)::

    external = p · (trust/0.5)^ε · receptivity · (1 + channels)
    internal = q · (w_in · A_account + w_link · A_linked + w_global · A_market)
    hazard   = external + internal

* ``channels`` are the company's engagement with the account this week: medical scientific
  exchange (all roles), product detailing (prescribers and nurses), recently resolved customer
  jobs (all roles) and access won (pharmacy, administration, payer) [A0, A1, A2, A3].
* ``receptivity`` falls exponentially with detailing beyond what an HCP tolerates: over-detailing
  lowers receptivity [A3].
* ``A_*`` are shares of stakeholders who have adopted (action or maintenance) in the same account,
  in linked accounts (referral / KOL network) and in the whole market.

With every channel effect and the trust elasticity at 0, and ``w_global = 1``, the hazard is
``p + q·F(t)``: the Bass model, which :func:`bass_cdf` solves in closed form. The docking test
checks the simulation against it.

An account adopts when its decision-making unit reaches consensus (a share of stakeholders in
action or maintenance) and every trigger-point job of the account is solved [A1]. Patients treated
then ramp up to a peak share of eligible patients within the account's infusion capacity, which an
IV → subcutaneous switch can free [A0].
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.early_use import treat_first_users
from sim.engine.market import CLINICAL_ROLES
from sim.engine.portfolio import update_portfolio


def bass_cdf(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Closed-form cumulative adoption F(t) of the Bass model with F(0) = 0."""
    t = np.asarray(t, float)
    if p <= 0:
        return np.zeros_like(t)
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


class AdoptionModel:
    """Computes stakeholder hazards from account-level engagement and peer adoption."""

    def __init__(self, therapy, market):
        self.t = therapy
        self.hcps = market.hcps
        self.clinical = np.isin(market.stakeholder_role, CLINICAL_ROLES)
        self.link_src, self.link_dst = market.link_src, market.link_dst
        self.n_accounts = market.n_accounts

    def receptivity(self, detailing_per_hcp: np.ndarray) -> np.ndarray:
        excess = np.maximum(0.0, detailing_per_hcp - self.t.detailing_tolerance)
        return np.exp(-self.t.over_detailing_penalty * excess)

    def linked_share(self, adopted_count: np.ndarray, size: np.ndarray) -> np.ndarray:
        """Share of adopted stakeholders over all accounts linked to each account."""
        num = np.bincount(self.link_src, weights=adopted_count[self.link_dst],
                          minlength=self.n_accounts)
        den = np.bincount(self.link_src, weights=size[self.link_dst], minlength=self.n_accounts)
        return np.divide(num, den, out=np.zeros(self.n_accounts), where=den > 0)

    def hazard(self, dmus, trust: np.ndarray, exchange_h: np.ndarray, detailing_h: np.ndarray,
               resolved_stock: np.ndarray, access_won: np.ndarray,
               all_detailing_h: np.ndarray | None = None) -> np.ndarray:
        """Per-stakeholder hazard (1/week). Engagement arguments are per account, per week.

        With a portfolio, ``detailing_h`` is this product's detailing and ``all_detailing_h``
        every product's: receptivity falls with all the detailing an HCP hears."""
        t = self.t
        acc = dmus.account
        exchange = exchange_h / self.hcps
        detailing = detailing_h / self.hcps
        trust_factor = (np.maximum(trust, 1e-9) / 0.5) ** t.trust_elasticity
        account_level = (t.exchange_effect * exchange
                         + t.job_effect * (1.0 - np.exp(-resolved_stock)))
        clinical_only = t.detailing_effect * detailing
        other_only = t.access_effect * access_won
        heard = detailing if all_detailing_h is None else all_detailing_h / self.hcps
        reach = t.innovation * (trust_factor * self.receptivity(heard))

        adopted = dmus.adopted()
        count = np.bincount(acc, weights=adopted, minlength=self.n_accounts)
        share = count / np.maximum(dmus.size, 1.0)
        peers = t.within_account * share
        if t.linked_accounts:
            peers = peers + t.linked_accounts * self.linked_share(count, dmus.size)
        internal = t.imitation * (peers + t.global_mixing * adopted.mean())
        # Everything above is per account; a stakeholder's hazard is its account's, for a
        # clinical role or another. Worked out per account and then handed to the stakeholders,
        # each stakeholder's value comes from the same operations on the same numbers as when
        # computed stakeholder by stakeholder, so it is bit for bit the same, for a fraction of
        # the work (accounts are far fewer than stakeholders).
        clinical = reach * (1.0 + (account_level + clinical_only)) + internal
        other = reach * (1.0 + (account_level + other_only)) + internal
        return np.where(self.clinical, clinical[acc], other[acc])

    def consensus(self, dmus) -> np.ndarray:
        """Accounts whose decision-making unit has reached consensus."""
        return dmus.adopted_share_by_account() >= self.t.consensus - 1e-12

    def patients_treated(self, patients: np.ndarray, adopted_week: np.ndarray,
                         infusion_solved: np.ndarray, week: float) -> np.ndarray:
        """Patients on therapy per account at ``week`` (0 where not adopted)."""
        t = self.t
        since = np.where(np.isnan(adopted_week), -1.0, week - adopted_week)
        with np.errstate(over="ignore"):  # a near-zero ramp is a step: clipped to 1
            ramp = np.clip(since / t.ramp_weeks, 0.0, 1.0) * (since >= 0)
        demand = patients * t.peak_share * ramp
        if not t.intravenous:
            return demand
        capacity = (patients * t.peak_share * t.infusion_capacity_ratio
                    * (1.0 + t.sc_capacity_gain * infusion_solved))
        return np.minimum(demand, capacity)


def update_adoption(model) -> None:
    """One step: stakeholders advance, accounts reaching consensus adopt, patients are treated,
    and the memory of resolved and abandoned jobs fades (ODD 7.6)."""
    book, t = model.book, model.config.therapy
    pf = model.portfolio
    if pf is None:
        hazard = model.adoption.hazard(model.dmus, book.trust, book.exchange_hours,
                                       book.detailing_hours, book.resolved_stock, book.access_won)
    else:  # the therapy's own detailing; every product's for receptivity (ODD 7.6a)
        hazard = model.adoption.hazard(model.dmus, book.trust, book.exchange_hours,
                                       pf.detailing[0], book.resolved_stock, book.access_won,
                                       all_detailing_h=book.detailing_hours)
    model.dmus.advance(hazard, t.maintenance_rate, model.dt)
    ready = model.adoption.consensus(model.dmus) & ~book.adopted & (book.open_gates == 0)
    for a in np.flatnonzero(ready):
        model.accounts[a].adopt(model.now)
    book.patients_treated = model.adoption.patients_treated(
        model.market.patients, book.adopted_week, book.infusion_solved, model.now)
    if model.first_users is not None:  # first users treat before the decision (7.6b)
        book.patients_treated = treat_first_users(model, book.patients_treated)
        model.first_user_patient_weeks += float(book.patients_treated[~book.adopted].sum()
                                                ) * model.dt
    model.adopted_share_history[model.steps] = model.dmus.adopted_share_by_account()
    if pf is not None:  # further products, by the same rule, on this step's engagement
        update_portfolio(model)
    decay = math.exp(-model.dt / t.resolved_memory_weeks)
    book.resolved_stock *= decay
    book.abandoned_stock *= decay

"""Planned customer-facing time: calls, scientific exchange, access meetings, account time.

A design plans, each planning cycle, who spends how many hours a week with which account and in
what kind of visit (:class:`VisitPlan`). Every step the engine carries the plan out for all
positions at once: hours are spent (never beyond capacity), and the visit's hours feed the account's
engagement channels — product detailing, medical exchange and *needs-focused* time, which is what
discovers customer jobs [A3: reps measured on calls "rush through 20 slides"]. Everyone who visits
an account becomes one of its company contacts.

Carrying the plan out (:func:`visit_accounts`) also sets this step's *exposure*: per account and
capability, the hours in which a problem needing that capability can come up, weighted by the
visitor's skill — what discovery (sim/engine/job_discovery.py) runs on. Promotional hours carry a
compliance risk (:func:`promotional_risk`). ODD section 7.1; with the channel rule on, the hours
go through channels first (sim/engine/channels.py, 7.1a).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from sim.configuration.capabilities import ACCESS, COMMERCIAL, MEDICAL, N_CAPABILITIES
from sim.engine.costs import record_incident
from sim.engine.workforce import Activity


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

    def __len__(self) -> int:
        return len(self.row)

    def activities(self) -> tuple[np.ndarray, np.ndarray]:
        act = np.array([ACTIVITY_OF[VisitKind(k)][0] for k in range(len(VisitKind))])
        cap = np.array([ACTIVITY_OF[VisitKind(k)][1] for k in range(len(VisitKind))])
        return act[self.kind], cap[self.kind]

    def layout(self, n_accounts: int, like: VisitPlan | None = None) -> PlanLayout:
        """What follows from the plan's rows alone, worked out on first use and kept: a plan is
        carried out every week until the next planning cycle, and its rows do not change. A
        plan with the very rows of ``like`` (:meth:`same_rows`) takes over its layout."""
        cached = getattr(self, "_layout", None)
        if cached is None and like is not None and self.same_rows(like):
            cached = self._layout = getattr(like, "_layout", None)
        if cached is None or cached.n_accounts != n_accounts:
            cached = self._layout = PlanLayout(self, n_accounts)
        return cached

    def same_rows(self, other: VisitPlan) -> bool:
        """Whether ``other`` has this plan's very rows: the same arrays of who visits which
        account in what kind of visit (:meth:`PlanTemplate.plan` hands every plan its own
        read-only columns when a re-plan only re-weights the hours), so everything that follows
        from the rows alone — the layout, the contact-book slots — is the same."""
        return self.row is other.row and self.account is other.account and self.kind is other.kind


class PlanLayout:
    """A :class:`VisitPlan`'s activity and capability per row, its visits grouped by account
    (``order``, ``bounds``, the visitors' rows in that order), which rows are calls, and whether
    each position appears once (``Workforce.spend_many`` then spends without grouping)."""

    def __init__(self, plan: VisitPlan, n_accounts: int):
        self.n_accounts = n_accounts
        self.activity, self.capability = plan.activities()
        self.order = np.argsort(plan.account, kind="stable")
        self.bounds = np.searchsorted(plan.account[self.order], np.arange(n_accounts + 1))
        self.rows_by_account = plan.row[self.order]
        self.calls = plan.kind == VisitKind.CALL
        self.one_each = len(np.unique(plan.row)) == len(plan.row)


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


@dataclass
class PlanEntry:
    """One position's planned customer time: ``hours`` a week spread over ``accounts``."""

    row: int
    accounts: list[int]
    hours: float
    kind: VisitKind
    detailing: float = 0.0
    exchange: float = 0.0


class PlanTemplate:
    """The structure of a plan (who visits which accounts, how); re-weighting it is vectorised.

    ``plan(weights)`` gives the same rows, in the same order and with bit-identical hours, as
    calling :func:`spread` entry by entry: positions with the same number of accounts are
    weighted together as the rows of one matrix (a row sum equals the 1-D sum).
    """

    def __init__(self, entries: list[PlanEntry]):
        entries = [e for e in entries if e.accounts and e.hours > 0]
        self.sizes = np.array([len(e.accounts) for e in entries], np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])[:-1]
        self.row = np.repeat(np.array([e.row for e in entries], np.int64), self.sizes)
        self.account = np.array([a for e in entries for a in e.accounts], np.int64)
        self.kind = np.repeat(np.array([int(e.kind) for e in entries], np.int64), self.sizes)
        self.detailing = np.repeat(np.array([e.detailing for e in entries], float), self.sizes)
        self.exchange = np.repeat(np.array([e.exchange for e in entries], float), self.sizes)
        self.needs = np.repeat(np.array([max(0.0, 1.0 - e.detailing - e.exchange)
                                         for e in entries], float), self.sizes)
        self.hours = np.array([e.hours for e in entries], float)
        # per number of accounts k: the (positions × k) cells of the plan and their accounts;
        # with each row's weekly hours, what every re-plan needs of the template, made once
        self.groups = []
        for k in np.unique(self.sizes).tolist():
            starts = self.offsets[self.sizes == k]
            cells = starts[:, None] + np.arange(k)[None, :]
            self.groups.append((cells, self.account[cells]))
        self.row_hours = np.repeat(self.hours, self.sizes)
        # plans share these columns (``plan``): a write into one would change every plan made
        # from the template, so a write raises instead
        for column in (self.row, self.account, self.kind, self.detailing, self.exchange,
                       self.needs):
            column.setflags(write=False)

    def plan(self, weights: np.ndarray) -> VisitPlan:
        share = np.empty(len(self.account))
        with np.errstate(invalid="ignore", divide="ignore"):
            for cells, accounts in self.groups:
                w = weights[accounts]
                total = w.sum(axis=1)
                even = total <= 0
                part = w / total[:, None]
                part[even] = 1.0 / cells.shape[1]
                share[cells] = part
        hours = self.row_hours * share
        keep = share > 0
        if keep.all():  # the usual case: the template's own columns, so the rows carry over
            return VisitPlan(self.row, self.account, hours, self.kind, self.detailing,
                             self.exchange, self.needs)
        return VisitPlan(self.row[keep], self.account[keep], hours[keep], self.kind[keep],
                         self.detailing[keep], self.exchange[keep], self.needs[keep])


def visit_accounts(model) -> None:
    """Carry out this week's planned customer-facing time and feed the account channels."""
    plan, book, wf, n = model.design.plan, model.book, model.workforce, model.market.n_accounts
    if len(plan) == 0:
        book.detailing_hours[:] = book.exchange_hours[:] = book.needs_hours[:] = 0.0
        if model.portfolio is not None:
            model.portfolio.detailing[:] = 0.0
        model.exposure[:] = 0.0
        model.visit_groups = None
        return
    layout = plan.layout(n, like=model.plan_slots[0])  # the plan carried out last step
    activity, capability = layout.activity, layout.capability
    detailing, exchange, listening = plan.detailing, plan.exchange, plan.needs
    hours = plan.hours
    if model.hcp_access is not None:  # no-see and appointment-only HCPs (7.1b)
        allowed = model.hcp_access.granted_share(plan.account, hours, plan.kind)
        model.hcp_access.record(hours, allowed, plan.kind, model.dt)
        hours = hours * allowed
    if model.channels is None:
        granted = wf.spend_many(plan.row, hours * model.dt, activity, capability,
                                one_each=layout.one_each)
    else:  # through channels (7.1a): some time refused, the rest reaching the customer less
        spent, q = model.channels.split(plan.account, plan.kind)
        granted = wf.spend_many(plan.row, hours * spent * model.dt, activity, capability,
                                one_each=layout.one_each)
        model.channels.record(model, plan, spent, granted, q)
        effect = model.channels.effect(plan.account, q)
        detailing, exchange, listening = (plan.detailing * effect[:, 0],
                                          plan.exchange * effect[:, 1], plan.needs * effect[:, 2])
    per_week = granted / model.dt
    book.detailing_hours = np.bincount(plan.account, per_week * detailing, n)
    book.exchange_hours = np.bincount(plan.account, per_week * exchange, n)
    if model.portfolio is not None:  # who details which product (sim/engine/portfolio.py)
        model.portfolio.split_detailing(model, plan.row, plan.account, per_week * detailing)
    needs = per_week * listening
    book.needs_hours = np.bincount(plan.account, needs, n)
    # Hours in which a problem needing capability c can come up and be recognised: all
    # needs-focused time, plus conversations on c's own topic (product talk surfaces
    # commercial problems, scientific exchange surfaces medical ones), each weighted by the
    # visitor's skill in c.
    skill = wf.skill.take(plan.row, 0)  # ``wf.skill[plan.row]``: ``take`` is the faster call
    topic = np.zeros((len(plan), N_CAPABILITIES))
    topic[:, COMMERCIAL] = per_week * detailing
    topic[:, MEDICAL] = per_week * exchange
    exposure = (needs[:, None] + topic) * skill
    for c in range(N_CAPABILITIES):
        model.exposure[:, c] = np.bincount(plan.account, exposure[:, c], n)
    # visits grouped by account
    model.visit_groups = (layout.rows_by_account, exposure.take(layout.order, 0), layout.bounds)
    slots = _visit_slots(model, plan)
    model.contacts.touch_slots(slots[granted > 0], model.now)
    calls = granted[layout.calls].sum() / model.config.staffing.call_hours
    model.counts["calls"] += calls
    model.counts["visit_hours"] += granted.sum()
    promotional_risk(model, float((granted * plan.detailing).sum()))


def promotional_risk(model, detailing_hours: float) -> None:
    """Compliance risk of the work itself: promotional hours may stray off-label; the same
    rate and governance in every design."""
    m = model.config.market
    expected = (m.promotion_risk_per_hour * detailing_hours
                * (1.0 - model.config.staffing.interaction.governance))
    if expected <= 0:
        return
    model.counts["expected_incidents"] += expected
    for _ in range(int(model.dynamics_rng.poisson(expected))):
        record_incident(model)


def _visit_slots(model, plan: VisitPlan) -> np.ndarray:
    """Contact-book slots of the plan's (account, person) pairs, kept from the last step's plan
    when this one has the same rows (:meth:`VisitPlan.same_rows`), refreshed only for the
    positions whose holder changed since the last step."""
    wf = model.workforce
    last, slots = model.plan_slots
    if last is None or not plan.same_rows(last):
        slots = model.contacts.slots(plan.account, wf.person_id[plan.row])
    elif wf.changed_rows:
        changed = np.isin(plan.row, np.fromiter(wf.changed_rows, np.int64))
        slots[changed] = model.contacts.slots(plan.account[changed],
                                              wf.person_id[plan.row[changed]])
    model.plan_slots = (plan, slots)
    wf.changed_rows.clear()
    return slots

"""Channels: face to face, remote meetings, email / portal content, congress / peer events
(docs/ODD.md 7.1a).

A visit plan (sim/engine/visits.py) says who spends how many hours a week with which account.
This rule says *through which channel* those hours reach the customer, the same way for every
position of every design:

* **the mix** — a share of every plan row's hours goes through each channel
  (``staffing.channels.<channel>.share``; face to face takes the rest). It is a shared behaviour,
  never a design's number;
* **access** — a share of an account's stakeholders refuses face-to-face rep access
  (``market.channels.restricted_*``, by stakeholder type): that share of the row's face-to-face
  *commercial* time (product calls and a primary contact's account time) is refused; a share
  ``remote_fallback`` of it is held as a remote meeting, the rest is not spent at all (the hours
  stay free for job work);
* **what reaches the customer** — an hour in channel c delivers ``reach`` customer hours, each
  counting ``receptivity`` (by stakeholder type, averaged over the account's decision-making
  unit) of a face-to-face hour, and only for the parts of a visit the channel can carry
  (:data:`CARRIES`): content cannot listen (no needs-focused time), an event carries no product
  detailing. The product of the three scales the account's detailing, exchange and needs hours
  and the discovery exposure of 7.1 and 7.2 — adoption and discovery see the channel through them;
* **cost** — an hour in channel c costs ``cost`` × ``staffing.visit_cost``
  (:func:`ChannelRule.record` books the difference to a face-to-face hour).

Who hears from whom is unchanged: everyone whose time reaches an account, through any channel,
is one of its contacts (7.7), and one voice of the company unless coordinated with the others
(sim/engine/consistency.py).
"""

from __future__ import annotations

import numpy as np

from sim.configuration.channel_rules import CHANNELS, OTHER_CHANNELS
from sim.engine.market import CLINICAL_ROLES

F2F, REMOTE = 0, 1
# What each channel can carry of a visit: (detailing, exchange, needs) — a definition of the
# channels, not a setting: a one-way email cannot listen; a congress carries science and
# conversation but no product call.
CARRIES = np.array([
    [1.0, 1.0, 1.0],  # face to face
    [1.0, 1.0, 1.0],  # remote meeting
    [1.0, 1.0, 0.0],  # email / portal content
    [0.0, 1.0, 1.0],  # congress / peer event
])
# Visit kinds a restricting stakeholder refuses face to face (sim/engine/visits.py VisitKind):
# the product call and a primary contact's account time; scientific exchange and access meetings
# are not rep calls.
RESTRICTED_KINDS = (0, 3)


def channels_on(config) -> bool:
    """Whether the rule changes anything: some time leaves face to face, someone restricts
    access, or inconsistent contact costs trust."""
    m = config.market.channels
    return config.staffing.channels.active() or m.restricts() or m.consistency_strain > 0


class ChannelRule:
    """The channel arithmetic of one run: per-account receptivity and restriction (fixed by the
    market), the mix, and running totals of hours by channel."""

    def __init__(self, model):
        use, market = model.config.staffing.channels, model.config.market.channels
        dmus, n = model.dmus, model.market.n_accounts
        clinical = np.isin(dmus.role, CLINICAL_ROLES).astype(float)
        self.clinical_share = np.bincount(dmus.account, clinical, n) / np.maximum(dmus.size, 1.0)
        self.receptivity = np.ones((n, len(CHANNELS)))  # per account and channel
        for i, name in enumerate(OTHER_CHANNELS, start=1):
            r = market.receptivity()[name]
            self.receptivity[:, i] = (self.clinical_share * r.clinical
                                      + (1.0 - self.clinical_share) * r.organisational)
        self.restricted = (self.clinical_share * market.restricted_clinical
                           + (1.0 - self.clinical_share) * market.restricted_organisational)
        uses = use.uses()
        other = np.array([uses[c].share for c in OTHER_CHANNELS])
        self.mix = np.concatenate([[max(0.0, 1.0 - other.sum())], other])
        self.reach = np.array([1.0, *(uses[c].reach for c in OTHER_CHANNELS)])
        self.cost = np.array([1.0, *(uses[c].cost for c in OTHER_CHANNELS)])
        self.fallback = use.remote_fallback
        self.visit_cost = model.config.staffing.visit_cost
        self.call_hours = model.config.staffing.call_hours
        # running totals over the run
        self.hours = np.zeros(len(CHANNELS))  # person-hours spent per channel
        self.refused_hours = 0.0  # face-to-face hours refused and not spent
        self.f2f_call_hours = 0.0
        self.voices = np.zeros(n)  # uncoordinated voices per account (consistency.py)

    def split(self, account: np.ndarray, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(spent, q) per plan row: the share of planned hours actually spent, and the share of
        the spent hours in each channel (rows × channels)."""
        share = np.tile(self.mix, (len(account), 1))
        refused = np.where(np.isin(kind, RESTRICTED_KINDS), self.restricted[account], 0.0)
        moved = share[:, F2F] * refused
        share[:, F2F] -= moved
        share[:, REMOTE] += moved * self.fallback
        spent = share.sum(axis=1)
        q = share / np.where(spent > 0, spent, 1.0)[:, None]
        return spent, q

    def effect(self, account: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Customer effect of one spent hour on (detailing, exchange, needs), per plan row:
        Σ over channels of share × reach × receptivity × whether the channel carries it."""
        weight = q * self.reach[None, :] * self.receptivity[account]
        return weight @ CARRIES

    def record(self, model, plan, spent: np.ndarray, granted: np.ndarray,
               q: np.ndarray) -> None:
        """Add this step's hours by channel, refused hours and face-to-face calls; book the cost
        of the channels beyond a face-to-face hour's."""
        by_channel = granted[:, None] * q
        self.hours += by_channel.sum(axis=0)
        self.refused_hours += float((plan.hours * model.dt * (1.0 - spent)).sum())
        calls = plan.kind == 0
        self.f2f_call_hours += float(by_channel[calls, F2F].sum())
        extra = float((by_channel * (self.cost - 1.0)[None, :]).sum()) * self.visit_cost
        model.counts["channel_cost"] += extra

    # ------------------------------------------------------------------ outputs (results.py)
    def shares(self) -> dict[str, float]:
        total = self.hours.sum()
        return {f"{c}_share": float(self.hours[i] / total) if total > 0 else float("nan")
                for i, c in enumerate(CHANNELS)}

    def summary(self, model, after_launch) -> dict:
        return {
            "voices_per_account": float(after_launch.voices_per_account.mean()),
            **self.shares(),
            "refused_hours": self.refused_hours,
            "calls_face_to_face": self.f2f_call_hours / self.call_hours,
            "channel_cost": float(model.counts["channel_cost"]),
        }


SERIES = ("voices_per_account", "calls_face_to_face")


def record_series(model, columns: dict, step: int) -> None:
    rule = model.channels
    columns["voices_per_account"][step] = rule.voices.mean()
    columns["calls_face_to_face"][step] = rule.f2f_call_hours / rule.call_hours

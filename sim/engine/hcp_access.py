"""HCP access: no-see and appointment-only HCPs grant fewer visits than a plan asks for
(docs/ODD.md 7.1b).

A visit plan (sim/engine/visits.py) says how many hours a week each position spends with each
account. For rep visits — product calls and a primary contact's account time, the visits HCPs
restrict — this rule says how many of the planned hours the account's HCPs grant, the same way
for every position of every design:

* a share ``no_see`` of the account's HCPs grants none of them;
* a share ``by_appointment`` grants a visiting person at most ``appointments_per_year`` visits a
  year each: a plan row asking for v visits per HCP a year (its hours ÷ ``staffing.call_hours``
  over the account's HCP audience, ``market.hcps``) gets min(1, appointments / v) of them;
* the rest grant every planned visit.

So one row's granted share of its planned hours is
``1 − no_see − by_appointment · (1 − min(1, appointments / v))``. The refused hours are not spent
(the visitor's hours stay free for other work, as in 7.1a); a visitor's plan is per HCP, so a
refused visit is not made up with more visits to the open HCPs, whose own frequency is already in
the plan. The rule draws no random numbers: the shares are expected values over an account's
HCPs.
"""

from __future__ import annotations

import numpy as np

from sim.engine.visits import VisitKind

# Visits an HCP's access policy restricts: the product call and a primary contact's account time;
# scientific exchange and access meetings are not rep calls (as in 7.1a's channel rule).
RESTRICTED_KINDS = (int(VisitKind.CALL), int(VisitKind.ACCOUNT_TIME))
WEEKS_PER_YEAR = 52.0


def hcp_access_on(config) -> bool:
    return config.market.hcp_access.active()


class HcpAccess:
    """The access arithmetic of one run and its running totals."""

    def __init__(self, model):
        rule = model.config.market.hcp_access
        self.no_see, self.by_appointment = rule.no_see, rule.by_appointment
        self.appointments = rule.appointments_per_year
        self.call_hours = model.config.staffing.call_hours
        self.hcps = np.asarray(model.market.hcps, float)
        self.planned_hours = 0.0  # restricted visit hours planned (person-hours)
        self.refused_hours = 0.0  # of which the HCPs refused

    def granted_share(self, account: np.ndarray, hours: np.ndarray,
                      kind: np.ndarray) -> np.ndarray:
        """Share of each plan row's weekly ``hours`` the account's HCPs grant."""
        per_hcp_year = hours / self.call_hours / self.hcps[account] * WEEKS_PER_YEAR
        with np.errstate(divide="ignore", invalid="ignore"):
            kept = np.where(per_hcp_year > self.appointments,
                            self.appointments / per_hcp_year, 1.0)
        share = 1.0 - self.no_see - self.by_appointment * (1.0 - kept)
        return np.where(np.isin(kind, RESTRICTED_KINDS), np.clip(share, 0.0, 1.0), 1.0)

    def record(self, hours: np.ndarray, share: np.ndarray, kind: np.ndarray, dt: float) -> None:
        restricted = np.isin(kind, RESTRICTED_KINDS)
        self.planned_hours += float(hours[restricted].sum()) * dt
        self.refused_hours += float((hours * (1.0 - share))[restricted].sum()) * dt

    def summary(self) -> dict:
        return {
            "hcp_refused_hours": self.refused_hours,
            "hcp_refused_share": (self.refused_hours / self.planned_hours
                                  if self.planned_hours > 0 else float("nan")),
        }

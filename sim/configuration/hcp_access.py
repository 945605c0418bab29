"""HCP access: prescribers who see no rep, and prescribers who see reps only by appointment
(docs/ODD.md 7.1b).

A shared rule of the market, read alike by every design: a share of an account's HCPs refuses
rep visits altogether ("no-see"), a share sees a rep only by appointment, and an
appointment-only HCP grants one visiting person at most ``appointments_per_year`` visits a year.
The rest see reps as planned. What a design decides is only whom it sends and how often it
plans to call (structure and incentives); how many of those visits the customers grant is this
rule's.

Every default switches the rule off: nobody restricts, and the model is the one of 7.1. It is
switched on in ``scenarios/oncology_access.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.params import param

SKA = ("SK&A Physician Access survey, December 2008 (telephone interviews with 227,000 "
       "practices, 640,400 physicians; Pharmaceutical Executive, 'Physicians Continue to Limit "
       "Face Time with Reps', 18 February 2009)")


@dataclass
class HcpAccessConfig:
    """Who among an account's HCPs receives rep visits, and how often."""

    no_see: float = param(
        0.0, unit="share", doc="Share of an account's HCPs who refuse rep visits altogether "
        "('no-see'): that share of every product call and primary contact's account time is "
        "refused (0 = off)", ge=0, le=1,
        source=f"assumption: off by default; the published figure is {SKA}: 'the number that "
        "forbid rep access altogether went from 22.3 percent to 23.6 percent' (0.236 in "
        "scenarios/oncology_access.yaml)",
    )
    by_appointment: float = param(
        0.0, unit="share", doc="Share of an account's HCPs who see reps only by appointment, "
        "each granting a visiting person at most appointments_per_year visits (0 = off)",
        ge=0, le=1,
        source=f"assumption: off by default; the published figure is {SKA}: 'the percentage of "
        "docs who require appointments rose from 31.4 percent to 38.5 percent' (0.385 in "
        "scenarios/oncology_access.yaml)",
    )
    appointments_per_year: float = param(
        14.6, unit="visits / HCP / visiting person / year", doc="Visits a year an "
        "appointment-only HCP grants one rep or primary contact (planned visits beyond it are "
        "refused)", ge=0, le=520,
        source="published figure: Health Strategies Group (Pharmaceutical Executive, 'Out to "
        "Lunch?', 1 May 2005): representatives have a sit-down lunch meeting 'every 25 days with "
        "specialists' — 365/25 = 14.6 a year, read as the cadence of a booked meeting",
    )

    def active(self) -> bool:
        """Whether anyone restricts rep visits."""
        return self.no_see > 0 or self.by_appointment > 0

"""First users: prescribers who treat before their account's formal decision (docs/ODD.md 7.6b).

An account adopts formally when its decision-making unit agrees and its trigger points (formulary,
reimbursement, infusion capacity) are cleared (7.6). Real launches sell from the first year:
some prescribers obtain a new therapy for their own patients before their organisation lists it
(non-formulary requests, individual funding, named-patient and early-access programmes). This
rule gives every account a *first-user segment*: a share of its prescribers who, once they
themselves have adopted, treat their own eligible patients without waiting for the account.

It is the market's rule, the same under every design: who the first users are and what they may
do does not depend on the organisation; how soon they adopt does, through the adoption hazard.
Off by default (share 0).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.params import param


@dataclass
class EarlyUseConfig:
    """The first-user segment of every account."""

    first_users: float = param(
        0.0, unit="share of prescribers", doc="Share of an account's prescribers who, once "
        "adopted themselves, treat their own eligible patients before the account's formal "
        "decision (0 = off: nobody treats before it)", ge=0, le=1,
        source="assumption: off by default; the published figure is the innovators' share of "
        "adopters, 2.5% (E. M. Rogers, Diffusion of Innovations, adopter categories: "
        "innovators 2.5%, early adopters 13.5%) — venturesome users who act ahead of their "
        "local system (0.025 in scenarios/oncology_access.yaml)",
    )

    def active(self) -> bool:
        return self.first_users > 0

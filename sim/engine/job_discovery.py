"""Discovery: a job is only worked on once someone at the company has found it.

Each undiscovered job accumulates a hazard every week::

    hazard = discovery_rate · (trust / 0.5) · mean over the job's capabilities c of exposure[c]
             + self_report_rate

``exposure[c]`` is the account's customer-facing hours this week in which a problem needing
capability c can come up — all needs-focused time, plus conversations on c's own topic — each
weighted by the visitor's skill in c. The skill weighting is "ecosystem IQ" [A1]: people recognise
the problems they understand. Trust makes customers open up [A0]. Customers also report some
jobs themselves, to whoever the design says is their contact.

The job is discovered when its accumulated hazard passes its pre-drawn Exp(1) threshold, and the
discoverer is drawn in proportion to each visitor's share of the hazard.
"""

from __future__ import annotations

import numpy as np


def discovery_hazard(exposure: np.ndarray, needs: np.ndarray, trust: np.ndarray, rate: float,
                     self_report: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-job (total hazard, part due to company contact), both per week.

    ``exposure``: (jobs, capabilities) exposure of each job's account; ``needs``: boolean
    (jobs, capabilities) of what each job needs; ``trust``: each job's account trust.
    """
    needs = needs.astype(float)
    recognised = (exposure * needs).sum(1) / np.maximum(needs.sum(1), 1.0)
    contact = rate * (trust / 0.5) * recognised
    return contact + self_report, contact

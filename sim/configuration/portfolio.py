"""The portfolio: further products or indications launching after the therapy (docs/ODD.md 7.6a).

The therapy (``therapy.*``) is the first product, launched at week 0. ``therapy.portfolio`` lists
further products or indications, each with its launch week and its own stream of customer jobs.
Every product is adopted by the same rule (``therapy.*``: hazard, consensus, trigger points), with
its own stages of change per stakeholder. With the list empty (the default) the therapy is the only
product and nothing changes.

The portfolio is the market's, not the design's: which products exist and when they launch is the
same under every design. A design decides only who details which product (the traditional
design's product lines follow the products launched).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.params import A0, param


@dataclass
class PortfolioConfig:
    """Further products or indications: one entry per product in each list, in launch order."""

    launch_weeks: list[float] = param(
        [], unit="weeks", doc="Launch week of each further product or indication, after the "
        "therapy's launch at week 0 (empty: the therapy is the only product)", ge=0, le=520,
        source=f"assumption: empty by default; {A0} describes a portfolio 'diversifying' with "
        "several products or indications per customer (no dates)",
    )
    job_rates: list[float] = param(
        [], unit="× market.job_rate", doc="Each further product's own ordinary customer jobs "
        "from its launch on, as a multiple of the market's job rate (one value per launch week; "
        "its trigger points come on top, drawn by therapy.gates)", ge=0, le=10,
        source="assumption: a new indication brings new questions (formulary, reimbursement, "
        "education) at a fraction of the first launch's stream; 0.5 in scenarios/portfolio.yaml",
    )

    def products(self) -> int:
        """Products in all, the therapy included."""
        return 1 + len(self.launch_weeks)

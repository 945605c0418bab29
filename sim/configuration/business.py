"""The settings of the business case: what a patient-year on therapy earns, how fast the price is
realised, what moving to another design costs once, and how future money is discounted.

They change no simulated behaviour — the business case (sim/experiments/business_case.py) is
computed from each run's weekly patients on therapy and commercial cost — so every number here is
the user's to set; the defaults are stated assumptions (docs/ODD.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.params import param


@dataclass
class BusinessConfig:
    net_price_k: float = param(
        40.0, unit="k€/patient-year", doc="Net price per patient-year on therapy (after "
        "rebates and discounts)", ge=0, le=10000,
        source="assumption: order of magnitude (tens of k€ a year) of a launched oncology "
        "therapy after rebates; replace it with your own net price",
    )
    revenue_ramp_weeks: float = param(
        26.0, unit="weeks", doc="Weeks from launch until a patient-year earns the full net "
        "price, linearly from 0 (reimbursement and contracts phasing in); 0 = at once", ge=0,
        le=520, source="assumption: half a year of pricing and reimbursement phasing in",
    )
    discount_rate: float = param(
        0.08, unit="1/year", doc="Annual discount rate of the net present value", ge=0, le=1,
        source="assumption: a cost of capital in the range usually assumed for large "
        "pharmaceutical companies",
    )
    transformation_cost_k: float = param(
        5000.0, unit="k€", doc="One-off cost of moving from the baseline design to the compared "
        "one (change programme, training, systems), paid at launch, on top of the severance and "
        "retraining the model charges", ge=0, le=1e7,
        source="assumption: about 30 k€ per position of a 170-position organisation",
    )

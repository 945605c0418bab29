"""Two shared rules about people that every design runs with one parameter set (docs/ODD.md 7.8a,
7.8b): how pay tied to customer value is paid and felt, and how experienced people move between
field and desk roles.

A design never sets these: it only decides *how much* of its people's pay is tied to customer value
(``org.value_pay_fraction``, an incentive). What that pay amounts to, and how a pay cheque above or
below target moves engagement, is the same rule for everyone (``staffing.value_pay``); who moves
to a desk job and who comes back to the field is one rule too (``staffing.desk_moves``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.params import A0, param


@dataclass
class ValuePayConfig:
    """Variable pay on customer value: paid and felt by one rule in every design.

    A position whose design ties a fraction f of pay to customer value earns
    salary · (1 − f + f · min(value / on_target_value, cap)); the engagement target moves by
    pay_weight · (that ÷ salary − 1). With f = 0 nothing changes.
    """

    on_target_value: float = param(
        0.5, unit="0-1", doc="Customer-value index at which variable pay pays exactly its target "
        "(the value index is the mean of resolved-job share, adopted-account share and patients "
        "on therapy against the peak, over the accounts a person answers for)", gt=0, le=1,
        source="assumption: the middle of the index's range, so the budget at target is what a "
        "design plans to pay; below it people are paid less, above it more",
    )
    cap: float = param(
        2.0, unit="× target", doc="Largest payout of the variable part, as a multiple of its "
        "target", ge=1, le=10,
        source="assumption: bonus plans commonly cap payout at about twice target",
    )
    pay_weight: float = param(
        1.0, unit="per unit of pay", doc="Engagement target gained per unit of pay above salary "
        "(pay 10% above target raises the target by 0.1 × this)", ge=0, le=5,
        source="assumption: a tenth of pay above or below target moves engagement about as much "
        "as a tenth of one's jobs resolved rather than abandoned (weight_impact 0.4 × 0.25)",
    )


@dataclass
class DeskMovesConfig:
    """Experienced people leaving the field for desk jobs and coming back, by one rule.

    The desk jobs themselves (marketing, training, head office) are outside the modelled field
    organisation: a person there costs the field budget nothing and serves no account. Zero rates
    and an empty pool (the defaults) switch the rule off.
    """

    to_desk_annual: float = param(
        0.0, unit="1/year", doc="Rate at which an experienced field person moves to a desk job "
        "at engagement 0.6 (0 = nobody moves)", ge=0, le=5,
        source=f"assumption: off by default; {A0} reports frustrated experienced colleagues "
        "leaving the field for desk jobs (no rate)",
    )
    to_field_annual: float = param(
        0.0, unit="1/year", doc="Rate at which a person in a desk job returns to a vacant field "
        "position when field engagement is 0.6 (0 = nobody returns)", ge=0, le=5,
        source=f"assumption: off by default; {A0} reports experienced colleagues returning to "
        "customer-facing roles (no rate)",
    )
    sensitivity: float = param(
        4.0, unit="per unit engagement", doc="Moving to a desk grows as exp(sensitivity × "
        "(0.6 − own engagement)); returning as exp(sensitivity × (field engagement − 0.6))",
        ge=0, le=20, source="assumption: the same shape and size as attrition_sensitivity",
    )
    min_experience: float = param(
        5.0, unit="years", doc="Experience a field person needs to be offered a desk job",
        ge=0, le=40, source=f"assumption; {A0} speaks of 'highly experienced colleagues'",
    )
    initial_pool: float = param(
        0.0, unit="share", doc="People in desk jobs at launch who once worked in the field, as "
        "a share of the configured field force (reps, MSLs, access managers)", ge=0, le=1,
        source="assumption: off by default; the field people who left before the launch",
    )

    def active(self) -> bool:
        """Whether the rule can move anybody at all."""
        return self.to_desk_annual > 0 or (self.to_field_annual > 0 and self.initial_pool > 0)

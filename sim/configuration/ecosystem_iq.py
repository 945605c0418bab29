"""The shared rule of "ecosystem IQ" (docs/ODD.md 7.2a): what the company's people learn about how
the customer's network is linked, and how they use it.

A design never sets these: who meets which accounts is its structure, and from that structure one
rule for every design decides how fast people learn the referral / key-opinion-leader links
between the accounts they meet (``learning_rate``) and how strongly a job solved at one account
leads them to the same problem at a linked account they know about (``lead_strength``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.params import A1, param


@dataclass
class EcosystemIqConfig:
    """Learning the customers' network from contact, and using it, by one rule.

    A person learns link a–b at the hazard ``learning_rate`` · √(e_a · e_b) per week, e_x their
    skill-weighted listening hours a week at account x (so only someone who meets both ends
    learns it); when a job is resolved, its owner adds ``lead_strength`` × what they know of each
    link from its account to the discovery hazard of the undiscovered jobs of the same type at the
    linked account. Both 0 (the defaults) switch the rule off.
    """

    learning_rate: float = param(
        0.0, unit="1/hour", doc="Hazard of learning a referral / KOL link between two accounts, "
        "per weekly hour of attentive contact at both of its ends (geometric mean of the two); "
        "0 = nobody learns the network (the rule is off)", ge=0, le=10,
        source=f"assumption: off by default; {A1} names ecosystem IQ — understanding the "
        "stakeholders' influence networks — as a driver of successful launches (no rate)",
    )
    lead_strength: float = param(
        0.0, unit="Exp(1) units", doc="Discovery hazard a resolved job adds, per unit of its "
        "owner's knowledge of the link, to each undiscovered job of the same type at a linked "
        "account (a pre-drawn Exp(1) threshold: 1.0 finds about 63% of them when the link is "
        "fully known); 0 = knowledge is not used", ge=0, le=20,
        source=f"assumption: off by default; {A1}: knowing the influence network and the "
        "trigger points along it turns one solved customer job into the next (no figure)",
    )

    def active(self) -> bool:
        """Whether people learn the network at all (nothing is computed otherwise)."""
        return self.learning_rate > 0

"""Converging medical / commercial / access roles: the shared rule every design runs (docs/ODD.md
7.8c).

A design decides only *how far* its front-line roles converge (``org.role_convergence``, a
role-definition choice, like who owns an account). What a converged role may do, how its people
are trained and what it risks when a non-medical person does medical work are one rule for every
design (``staffing.hybrid_roles``); whether medical work may cross at all is the regulatory rule
``org.medical_firewall``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.params import A2, A4, param


@dataclass
class HybridRolesConfig:
    """What a hybrid front-line role may do and what it costs, by one rule in every design.

    At convergence c > 0 the owner of a job (a rep, MSL, access manager or primary contact) does
    a front-line task outside their home capability themselves when their skill in it is at least
    1 − c · (1 − min_skill) and their backlog is within ``staffing.backlog_tolerance_weeks``;
    medical work only while the firewall is off. With c = 0 (every design's default) nothing
    changes.
    """

    min_skill: float = param(
        0.35, unit="skill", doc="Skill a fully converged role (org.role_convergence = 1) needs "
        "to do a front-line task outside its home capability itself; at convergence c the bar "
        "is 1 − c·(1 − this)", ge=0, le=1,
        source="assumption: the bar staffing.interaction.min_skill_to_work sets for working "
        "outside one's home capability (a third of an expert's pace)",
    )
    training_hours: float = param(
        2.0, unit="hours/week", doc="Cross-training per field person at full convergence (× "
        "org.role_convergence), spread over the front-line capabilities their role may grow "
        "into; it counts as work on them for the shared learning rule", ge=0, le=40,
        source=f"article claim {A2} (direction only: integrated teams must adapt to new ways of "
        "engaging); hours assumed: half a day a fortnight",
    )
    crossing_risk: float = param(
        0.02, unit="probability", doc="Chance that a medical task done by someone who is not "
        "medical staff (possible only while org.medical_firewall is off) causes a compliance "
        "incident, at governance 0 (× 1 − staffing.interaction.governance)", ge=0, le=1,
        source=f"assumption: as risky as an unreviewed, ungoverned decision of reference size "
        f"(market.compliance_risk); {A4} names regulatory limits on converging roles (no rate)",
    )

"""People: who is on the payroll, what they can do, and who gets hired next.

A *person* is distinct from a *position* (a staff agent). Designs arrange the same people into
different positions — a senior rep becomes a primary point of contact, an operations expert sits in
head office or on the shared platform — so for one seed the workforce's talent is identical under
every design (common random numbers). When somebody leaves, the position stays and is refilled by
the next person from that function's hiring pool.

Skill is a number in [0, 1] per capability: the share of an expert's pace at which the person
works on it (an expert at 1.0 needs exactly the job's effort hours). Each function is deep in its
home capability and shallow elsewhere; experience raises both (an assumption documented in
docs/ODD.md, "Initialisation").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.configuration.capabilities import (
    ACCESS,
    COMMERCIAL,
    MEDICAL,
    N_CAPABILITIES,
    OPERATIONS,
    PATIENT_SERVICES,
)
from sim.engine.rng import function_streams

FUNCTIONS = ("sales", "medical", "access", "patient_services", "operations", "management")
HOME_CAPABILITY = {
    "sales": COMMERCIAL,
    "medical": MEDICAL,
    "access": ACCESS,
    "patient_services": PATIENT_SERVICES,
    "operations": OPERATIONS,
    "management": None,
}

# (base, gain with experience) of skill per capability, in CAPABILITIES order:
# commercial, medical, access, patient_services, operations.
SKILL_PROFILE: dict[str, tuple[tuple[float, float], ...]] = {
    "sales": ((0.5, 0.35), (0.15, 0.15), (0.2, 0.2), (0.2, 0.15), (0.2, 0.15)),
    "medical": ((0.1, 0.1), (0.5, 0.35), (0.2, 0.15), (0.2, 0.1), (0.1, 0.1)),
    "access": ((0.25, 0.15), (0.15, 0.1), (0.5, 0.35), (0.25, 0.15), (0.15, 0.1)),
    "patient_services": ((0.1, 0.1), (0.15, 0.1), (0.25, 0.15), (0.6, 0.3), (0.15, 0.1)),
    "operations": ((0.1, 0.1), (0.1, 0.1), (0.15, 0.1), (0.15, 0.1), (0.6, 0.3)),
    "management": ((0.35, 0.15), (0.2, 0.1), (0.3, 0.15), (0.2, 0.1), (0.2, 0.1)),
}
SKILL_NOISE = 0.05
EXPERIENCE_SCALE_YEARS = 5.0  # experience at which 63% of the experience gain is reached
MANAGER_EXPERIENCE_YEARS = 12.0


@dataclass(slots=True)
class Person:
    """One employee: identity, function, experience, skills and a pre-drawn attrition threshold."""

    person_id: int
    function: str
    experience: float
    skills: np.ndarray  # shape (N_CAPABILITIES,)
    leave_threshold: float  # leaves when accumulated attrition hazard exceeds this (Exp(1))


def skills_for(function: str, experience: float, noise: np.ndarray) -> np.ndarray:
    """Skill vector of a person of ``function`` with ``experience`` years (plus drawn noise)."""
    g = 1.0 - np.exp(-experience / EXPERIENCE_SCALE_YEARS)
    profile = np.array(SKILL_PROFILE[function])
    return np.clip(profile[:, 0] + profile[:, 1] * g + noise, 0.05, 1.0)


class PeoplePool:
    """Draws the incumbent workforce and, per function, the sequence of future hires.

    The k-th hire of a function is the same person under every design, because each function's
    hires come from their own child stream, drawn in order.
    """

    def __init__(self, rng: np.random.Generator, staffing):
        self._staffing = staffing
        self._incumbent_rng, self._hire_rng = function_streams(rng, FUNCTIONS)
        self._next_id = 0

    def _draw(self, rng: np.random.Generator, function: str, mean_experience: float) -> Person:
        # Gamma(shape 2) keeps experience positive with a realistic right tail.
        experience = float(rng.gamma(2.0, mean_experience / 2.0)) if mean_experience > 0 else 0.0
        noise = rng.normal(0.0, SKILL_NOISE, N_CAPABILITIES)
        person = Person(
            person_id=self._next_id,
            function=function,
            experience=experience,
            skills=skills_for(function, experience, noise),
            leave_threshold=float(rng.exponential(1.0)),
        )
        self._next_id += 1
        return person

    def incumbents(self, function: str, count: int) -> list[Person]:
        """The ``count`` people of ``function`` on the payroll at launch (same for every design)."""
        mean = (MANAGER_EXPERIENCE_YEARS if function == "management"
                else self._staffing.experience_years)
        rng = self._incumbent_rng[function]
        return [self._draw(rng, function, mean) for _ in range(count)]

    def hire(self, function: str, min_experience: float = 0.0) -> Person:
        """The next candidate of ``function`` with at least ``min_experience`` years."""
        mean = (MANAGER_EXPERIENCE_YEARS if function == "management"
                else self._staffing.hire_experience_years)
        return self._draw_at_least(self._hire_rng[function], function, mean, min_experience)

    def experienced(self, rng: np.random.Generator, function: str,
                    min_experience: float) -> Person:
        """A person of ``function`` with at least ``min_experience`` years, drawn from ``rng``
        like an incumbent: someone outside the field organisation (a desk job at launch)."""
        return self._draw_at_least(rng, function, self._staffing.experience_years,
                                   min_experience)

    def _draw_at_least(self, rng: np.random.Generator, function: str, mean: float,
                       min_experience: float) -> Person:
        mean = max(mean, min_experience)  # a senior search looks in a more senior pool
        for _ in range(1000):
            person = self._draw(rng, function, mean)
            if person.experience >= min_experience:
                return person
        person.experience = min_experience
        return person

"""Named random streams derived from one seed, so design comparisons are paired.

Common random numbers: for one seed the market — accounts, stakeholders, network, every job's
arrival and properties, and the people on the payroll and the hiring pool — must be identical
whichever organisation design runs. Each of those is drawn from its own child of
``SeedSequence(seed)``, so how many numbers a design consumes elsewhere cannot shift them. Only
``dynamics`` (handed to Mesa as ``Model(rng=...)``, i.e. ``model.rng``) is consumed differently by
different designs.

Most stochastic events are also pre-drawn as thresholds (an exponential "resistance" per job, per
stakeholder stage and per person): an event happens when its accumulated hazard crosses the
threshold. Identical hazards therefore give identical events under every design.
"""

from __future__ import annotations

import numpy as np

STREAMS = ("market", "jobs", "stakeholders", "people", "dynamics")


class RandomStreams:
    """One ``numpy.random.Generator`` per name in :data:`STREAMS`, all from ``seed``."""

    def __init__(self, seed: int):
        children = np.random.SeedSequence(int(seed)).spawn(len(STREAMS))
        for name, child in zip(STREAMS, children, strict=True):
            setattr(self, name, np.random.default_rng(child))

    market: np.random.Generator
    jobs: np.random.Generator
    stakeholders: np.random.Generator
    people: np.random.Generator
    dynamics: np.random.Generator

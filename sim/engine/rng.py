"""Every random stream of a run, named in one place and derived from the run's one seed.

Common random numbers: for one seed the market — accounts, stakeholders, network, every job's
arrival and properties, and the people on the payroll and the hiring pool — must be identical
whichever organisation design runs. Each of those is drawn from its own child of
``SeedSequence(seed)``, so how many numbers a design consumes elsewhere cannot shift them. Only
``dynamics`` (handed to Mesa as ``Model(rng=...)``, i.e. ``model.rng`` and
``model.dynamics_rng``) is consumed differently by different designs: lost requests, compliance
incidents and their cost, a design's own transitions. (Mesa itself takes one number from it
when the model is made, to seed its ``model.random``, which orgsim never uses.)

Two further streams are keyed to something other than the run's progress, so that they too are
the same under every design:

* :func:`reraise_stream` — the fresh discovery draws of a trigger-point job raised again after it
  was abandoned depend only on (seed, original job, generation), not on how many numbers the
  design drew before;
* :func:`compliance_stream` — the simulated distribution of the run's compliance cost
  (sim/engine/results.py) depends only on the seed;
* :func:`desk_stream` — the people in desk jobs at launch and each person's threshold for moving
  between field and desk (sim/engine/desk_moves.py) depend only on (seed, person, move);
* :func:`portfolio_stream` — the further products of a portfolio (sim/engine/portfolio.py): each
  stakeholder's stage and thresholds for product k, each account's trigger points for it and its
  own jobs depend only on (seed, k), never on the market's streams or the design.
* :func:`hybrid_stream` — whether medical work done outside medical staff causes an incident
  (sim/engine/hybrid_roles.py) depends only on (seed, job, capability).

:func:`bootstrap_stream` is not a run's stream: it draws the seed sets with which a calibration
is refitted (sim/experiments/calibration_bootstrap.py), keyed by the calibration's first seed.
Nor is :func:`sobol_bootstrap_stream`: the resampling of SALib's Sobol intervals in
``orgsim-sensitivity`` (sim/experiments/sensitivity.py), keyed by the sample seed.

``people`` is split further (:func:`function_streams`): one child per function for the
incumbents and one per function for the hires, so the k-th hire of a function is the same person
everywhere.

Most stochastic events are also pre-drawn as thresholds (an exponential "resistance" per job, per
stakeholder stage and per person): an event happens when its accumulated hazard crosses the
threshold. Identical hazards therefore give identical events under every design.

A new submodel that draws random numbers gets a new name here, never another submodel's stream.
"""

from __future__ import annotations

import numpy as np

STREAMS = ("market", "jobs", "stakeholders", "people", "dynamics")

# spawn keys of the keyed streams: distinct from each other and from the children of
# SeedSequence(seed).spawn(len(STREAMS)), whose keys are (0,) ... (4,)
RERAISE_KEY = 7
COMPLIANCE_KEY = 11
DESK_KEY = 13
BOOTSTRAP_KEY = 17  # distinct from every run stream's key
PORTFOLIO_KEY = 37
HYBRID_KEY = 29


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


def reraise_stream(seed: int, origin: int, generation: int) -> np.random.Generator:
    """The draws of the ``generation``-th raising again of market job ``origin``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(RERAISE_KEY, origin,
                                                                         generation)))


def compliance_stream(seed: int) -> np.random.Generator:
    """The draws that estimate a run's compliance-cost percentile."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(COMPLIANCE_KEY,)))


def desk_stream(seed: int, *key: int) -> np.random.Generator:
    """The draws of the desk↔field rule: ``()`` for the desk pool at launch, ``(person, move)``
    for one person's threshold before their ``move``-th move."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DESK_KEY, *key)))


def portfolio_stream(seed: int, *key: int) -> np.random.Generator:
    """The draws of a portfolio's further products: ``(k,)`` for product k's stakeholders and
    trigger points, ``(k, 1)`` for its own jobs."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PORTFOLIO_KEY, *key)))
def hybrid_stream(seed: int, job: int, capability: int) -> np.random.Generator:
    """The draw of whether ``job``'s ``capability`` task, done outside its function, causes an
    incident (converging roles, docs/ODD.md 7.8c)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(HYBRID_KEY, job,
                                                                         capability)))


def bootstrap_stream(seed: int) -> np.random.Generator:
    """The resampled seed sets of a calibration's bootstrap."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(BOOTSTRAP_KEY,)))


def function_streams(people: np.random.Generator, functions: tuple[str, ...]
                     ) -> tuple[dict[str, np.random.Generator], dict[str, np.random.Generator]]:
    """Children of the ``people`` stream: (incumbents, hires), one generator per function each."""
    children = people.bit_generator.seed_seq.spawn(2 * len(functions))
    incumbents = {f: np.random.default_rng(children[i]) for i, f in enumerate(functions)}
    hires = {f: np.random.default_rng(children[len(functions) + i])
             for i, f in enumerate(functions)}
    return incumbents, hires


def sobol_bootstrap_stream(sample_seed: int) -> np.random.Generator:
    """The generator SALib's ``sobol.analyze`` resamples with: ``default_rng(sample_seed)``, the
    stream SALib itself makes from a non-zero seed. Handed over as a generator because SALib seeds
    only ``if seed:``, so a bare 0 left the intervals unseeded."""
    return np.random.default_rng(sample_seed)

"""Who found a job: the few-visits branch (Python sums) picks exactly as numpy's branch does."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import job_discovery
from sim.engine.job_discovery import _pick_visit


def _both(monkeypatch, exposure, lo, hi, capabilities, u):
    few = _pick_visit(exposure, lo, hi, capabilities, u)
    monkeypatch.setattr(job_discovery, "FEW_VISITS", 0)  # always numpy
    many = _pick_visit(exposure, lo, hi, capabilities, u)
    monkeypatch.undo()
    return few, many


@pytest.mark.parametrize("visits", range(1, job_discovery.FEW_VISITS))
def test_a_few_visits_pick_the_same_discoverer_as_numpy_would(monkeypatch, visits):
    rng = np.random.default_rng(visits)
    for _ in range(500):
        # exposures over several orders of magnitude and some zeros, so rounding order matters
        exposure = rng.random((visits + 4, 6)) * 10.0 ** rng.integers(-3, 4, (visits + 4, 6))
        exposure[rng.random(exposure.shape) < 0.3] = 0.0
        capabilities = tuple(sorted(rng.choice(6, rng.integers(1, 4), replace=False).tolist()))
        # u near a boundary between two visits' shares is where a last-bit difference would show
        weight = exposure[2:2 + visits, list(capabilities)].sum(1)
        shares = np.cumsum(weight) / weight.sum() if weight.sum() > 0 else np.zeros(1)
        for u in (rng.random(), float(shares[rng.integers(len(shares))]), 0.0):
            few, many = _both(monkeypatch, exposure, 2, 2 + visits, capabilities, u)
            assert few == many


def test_an_account_without_exposure_to_the_job_has_no_visitor_to_pick(monkeypatch):
    exposure = np.zeros((5, 6))
    exposure[:, 0] = 1.0
    assert _both(monkeypatch, exposure, 1, 4, (2, 3), 0.5) == (None, None)
    assert _pick_visit(exposure, 3, 3, (0,), 0.5) is None  # no visits at all

"""How many paired seeds the fair-fight null test needs: the power of its equivalence test.

tests/test_fair_fight.py accepts equivalence of two designs on an outcome when TOST (two
one-sided paired t-tests, α = 0.05 each) shows the mean paired difference within ± the
outcome's margin. :func:`power` is the probability that TOST succeeds at ``n`` seeds if the
paired differences are normal with a given mean and standard deviation — the power of
equivalence when the true difference is the one observed over the 20 seeds the test used
before (docs/VALIDATION.md section 2 records them). Monte Carlo with a fixed seed, so the figure
is reproducible.

    .venv/bin/python tests/tost_power.py MEAN SD MARGIN N   # power of one TOST at N seeds
"""

from __future__ import annotations

import math
import sys

import numpy as np
from scipy import stats

ALPHA = 0.05


def power(mean: float, sd: float, margin: float, n: int, draws: int = 200_000) -> float:
    """P(TOST shows |difference| < ``margin`` at ``n`` seeds) for paired differences
    ~ Normal(mean, sd)."""
    if sd == 0:
        return float(abs(mean) < margin)
    d = np.random.default_rng(0).normal(mean, sd, size=(draws, n))
    m, se = d.mean(axis=1), d.std(axis=1, ddof=1) / math.sqrt(n)
    above = stats.t.sf((m + margin) / se, n - 1)   # H0: difference <= -margin
    below = stats.t.cdf((m - margin) / se, n - 1)  # H0: difference >= +margin
    return float(np.mean(np.maximum(above, below) < ALPHA))


if __name__ == "__main__":
    mu, s, mg, k = (
        float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))
    print(f"power {power(mu, s, mg, k):.4f} at {k} seeds (TOST ± {mg}, α = {ALPHA})")

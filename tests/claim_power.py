"""How many paired seeds a claim test needs: the power of the claims criterion.

The claims files (tests/test_*claims*.py) accept a claim when the stated design is better in at
least :func:`min_wins` of ``n`` paired seeds (four fifths, as 16 of 20) AND a one-sided paired
t-test gives p < 0.01. Where the 20-seed runs recorded in docs/VALIDATION.md section 2 show a
large effect, fewer seeds keep the test's power high; :func:`power` is the probability that the
criterion is met at ``n`` seeds if the paired differences are normal with the recorded mean and
standard deviation (Monte Carlo, a fixed seed, so the figure is reproducible). Each file states
the power of its weakest claim at its number of seeds next to the criterion.

    .venv/bin/python tests/claim_power.py MEAN SD N   # power of one claim at N seeds

Claims that do NOT hold (strict expected failures) keep their 20 seeds: their failure must be
the effect's size, not too few seeds.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from scipy import stats

ALPHA = 0.01
SHARE = 0.8  # the share of seeds in the stated direction (16 of 20)


def min_wins(n: int) -> int:
    """Seeds in the stated direction the criterion asks for: four fifths of ``n``, rounded up."""
    return math.ceil(SHARE * n - 1e-9)


def power(mean: float, sd: float, n: int, draws: int = 200_000) -> float:
    """P(criterion met at ``n`` seeds) for paired differences ~ Normal(mean, sd), mean > 0 in
    the stated direction."""
    if sd == 0:
        return float(mean > 0)
    d = np.random.default_rng(0).normal(mean, sd, size=(draws, n))
    wins = (d > 0).sum(axis=1)
    t = d.mean(axis=1) / (d.std(axis=1, ddof=1) / math.sqrt(n))
    return float(np.mean((wins >= min_wins(n)) & (stats.t.sf(t, n - 1) < ALPHA)))


if __name__ == "__main__":
    m, s, k = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    print(f"power {power(m, s, k):.4f} at {k} seeds (criterion {min_wins(k)} of {k}, p < {ALPHA})")

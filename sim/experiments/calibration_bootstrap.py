"""Bootstrap intervals of calibrated settings over seed sets.

A calibration averages the simulator over a set of seeds (common random numbers), so its
estimates depend on which markets those seeds drew. The bootstrap makes that visible: draw the
seed set again with replacement (``resamples`` times), refit from the estimate with each seed
counted as often as it was drawn, and read the 2.5th and 97.5th percentiles of the refitted
values. Unlike the Jacobian standard errors (which treat the residuals of one cumulative curve as
independent), these intervals carry the seed-to-seed variation of the model itself; they do not
carry the sampling error of the observed curve, which is one curve.

The draws come from :func:`sim.engine.rng.bootstrap_stream` keyed by the first seed of the fit,
so a calibration is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.engine.rng import bootstrap_stream


def seed_bootstrap(refit: Callable[[np.ndarray], np.ndarray], n_seeds: int, resamples: int,
                   seed: int, say: Callable[[str], None] = lambda _m: None) -> np.ndarray | None:
    """One row of refitted values per resample (None when ``resamples`` is 0 or there is a
    single seed, which has nothing to resample). ``refit(weights)`` refits with seed i counted
    ``weights[i]`` times."""
    if resamples <= 0 or n_seeds < 2:
        return None
    rng = bootstrap_stream(seed)
    rows = []
    for b in range(resamples):
        weights = np.bincount(rng.integers(0, n_seeds, n_seeds), minlength=n_seeds)
        say(f"bootstrap resample {b + 1}/{resamples}: seed counts {weights.tolist()}")
        rows.append(refit(weights.astype(float)))
    return np.array(rows)


def with_intervals(params: pd.DataFrame, boot: np.ndarray | None) -> pd.DataFrame:
    """``params`` with the bootstrap's standard deviation and 95% percentile interval of each
    setting (``boot_sd``, ``boot_low95``, ``boot_high95``; NaN without a bootstrap)."""
    out = params.copy()
    if boot is None:
        out["boot_sd"] = out["boot_low95"] = out["boot_high95"] = np.nan
        return out
    out["boot_sd"] = boot.std(axis=0, ddof=1)
    out["boot_low95"] = np.percentile(boot, 2.5, axis=0)
    out["boot_high95"] = np.percentile(boot, 97.5, axis=0)
    return out

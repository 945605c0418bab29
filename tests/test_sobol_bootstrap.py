"""The Sobol bootstrap of ``orgsim-sensitivity`` is seeded by the sample seed, 0 included.

SALib's ``sobol.analyze`` seeds its resampling only ``if seed:``, so sample seed 0 (the default)
used to leave the confidence intervals to numpy's global state: two identical calls differed.
No simulation here: the model output is a fixed function of the sampled points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol as sobol_analyze

from sim.experiments.sensitivity import RESAMPLES, analyse, sample
from sim.experiments.space import load_space


def _values(points: pd.DataFrame) -> pd.DataFrame:
    x = points.to_numpy(float)
    y = x[:, 0] * 2 + np.sin(x[:, 1] / 30) + 0.01 * x[:, 0] * x[:, 2]
    columns = pd.MultiIndex.from_tuples([("resolved_share", "difference")],
                                        names=["outcome", "target"])
    return pd.DataFrame(y, index=points.index, columns=columns)


@pytest.mark.parametrize("seed", [0, 7])
def test_two_identical_sobol_analyses_give_identical_intervals(seed):
    space = load_space("tiny")
    points = sample(space, "sobol", 16, seed=seed)
    first = analyse(space, "sobol", points, _values(points), seed=seed)
    again = analyse(space, "sobol", points, _values(points), seed=seed)
    assert first.conf.notna().all() and (first.conf > 0).any()
    pd.testing.assert_frame_equal(first, again)


def test_a_nonzero_seed_keeps_the_intervals_salib_gave_it_before():
    space = load_space("tiny")
    points = sample(space, "sobol", 16, seed=7)
    y = _values(points).iloc[:, 0].to_numpy()
    before = sobol_analyze.analyze(space.salib_problem(), y, calc_second_order=False,
                                   num_resamples=RESAMPLES, conf_level=0.95, seed=7)
    now = analyse(space, "sobol", points, _values(points), seed=7)
    st = now[now["index"] == "ST"].set_index("parameter").conf
    assert st.to_numpy() == pytest.approx(before["ST_conf"], rel=0, abs=0)

"""``orgsim-calibrate --fit-population``: the closed-form Bass reference printed beside the
simulator may use no market potential the simulator may not (sim/experiments/calibration.py).

Both fit m between the observed adopters and the given population. Fast: the curve is an early
stretch of a Bass curve of a market three times the given population (so a free m runs past
it), and the simulator is stood in for by the closed form itself (its adopted share at the
settings tried), so no model runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim.experiments.calibration as cal
from sim.configuration.composition import compose_run

GIVEN = 300.0  # the population column
WEEKS = np.arange(0.0, 33.0, 4.0)  # up to 200 adopters, two thirds of 300
CURVE = 3 * GIVEN * cal.bass_cdf(WEEKS, 0.002, 0.08)  # a market of 900: m wants to exceed 300


def test_a_free_bass_population_stops_at_the_given_population():
    groups = np.array(["all"] * len(WEEKS))
    free = cal.fit_bass(WEEKS, CURVE, groups, {"all": GIVEN}, True)
    capped = cal.fit_bass(WEEKS, CURVE, groups, {"all": GIVEN}, True, {"all": GIVEN})
    assert free["population"]["all"] > 1.5 * GIVEN  # the premise: uncapped, m runs past it
    assert CURVE.max() <= capped["population"]["all"] <= GIVEN * (1 + 1e-5)
    assert capped["r2"] < free["r2"]  # the cap costs the closed form some fit, as it should


def test_calibrate_caps_the_simulator_and_the_bass_reference_at_the_same_population(
        monkeypatch):
    def closed_form(config, seeds, weeks, level="accounts", workers=1):
        share = cal.bass_cdf(np.asarray(weeks, float), config.therapy.innovation,
                             config.therapy.imitation)
        return np.tile(share, (len(seeds), 1))

    monkeypatch.setattr(cal, "simulated_shares", closed_form)
    observed = pd.DataFrame({"group": "all", "week": WEEKS, "period": np.arange(len(WEEKS)),
                             "cumulative": CURVE, "population": GIVEN})
    base = compose_run(["scenario=workshop", "org=traditional"]).config
    result = cal.calibrate(observed, base, {"therapy.innovation": (0.0005, 0.2),
                                            "therapy.imitation": (0.001, 1.0)},
                           [0, 1], fit_population=True, max_evals=4)
    simulator = float(result.population.set_index("group").value["all"])
    bass = result.bass["population"]["all"]
    for m in (simulator, bass):
        assert CURVE.max() <= m <= GIVEN * (1 + 1e-5)
    # the same law, the same box: the two fits reach the same market potential and fit
    assert bass == pytest.approx(simulator, rel=0.02)

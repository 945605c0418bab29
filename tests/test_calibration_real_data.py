"""orgsim-calibrate on real, published diffusion curves of individual adopters.

The curves (tests/data/diffusion/, sources in each file's header and the folder's README) are
counts of people, so they are fitted at the stakeholder level with the ``individuals`` setup
(conf/calibration/individuals.yaml): Bass p and q and the share of stakeholders who start in
preparation. Claim (tolerance set before the runs, from issue 18): on every series the
simulator's R², averaged over the setup's 4 common seeds, is within 0.02 of the closed-form Bass
model's R² on the same curve with the same population. docs/VALIDATION.md, section 6, holds the
table and why the account level and the base stage mix cannot reach it.

The fast tests check the pieces: the data files and their sources, one share of a list of
shares, the seed bootstrap and the closed-form reference. The national curves (national/: shares
of US households, docs/VALIDATION.md 6.1) have no slow fit here: each costs several CPU minutes.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.configuration.composition import compose_run
from sim.configuration.validation import validate
from sim.experiments import calibration as cal
from sim.experiments.calibration_bootstrap import seed_bootstrap, with_intervals
from sim.experiments.calibration_settings import setting_value, with_share
from sim.experiments.calibration_setup import fitted_settings, load_setup
from sim.experiments.observed import WEEKS_PER, read_observed

DATA = Path(__file__).parent / "data" / "diffusion"
SERIES = sorted(p.name for p in DATA.glob("*.csv"))
NATIONAL = sorted((DATA / "national").glob("*.csv"))
R2_TOLERANCE = 0.02
# Optimiser steps of the search test (max_evals: trial points, finite differences not counted;
# the setup, and docs/VALIDATION.md 6.1, use 20). The trust-region search only moves to a point
# that lowers the squared error, so a fit stopped early is the start of the 20-step fit and its
# R² is at most that fit's: passing here implies the full fit passes. Traced
# (docs/PERFORMANCE.md): after 6 steps R² ≥ 0.994 on tetracycline (Bass 0.993).
MAX_STEPS = 6
# The two yearly series cost 5.7 s (family planning, 522 weeks) and 11 s (hybrid corn, 991
# weeks) of CPU per evaluation of the 4 seeds; searched from the setup's base values they took
# about 480 s together. The claim is that the simulator CAN fit each curve as well as the closed
# form, so on these two the simulator is run once, at the optimum the documented 20-step fit
# found (docs/VALIDATION.md 6.1, as printed there, rounded), and its R² there must be within the
# tolerance of Bass. The search itself — the starting-point candidates, the Bass mapping, the
# optimiser's steps — is what the tetracycline test runs on real data (a full search stopped
# after 6 steps, ≈ 25 s) and tests/test_calibration.py on a synthetic curve.
DOCUMENTED_OPTIMUM = {
    "korean_family_planning.csv": {"therapy.innovation": 0.00077, "therapy.imitation": 0.0027,
                                   "therapy.initial_stages[2]": 0.68},
    "brazilian_farmers_hybrid_corn.csv": {"therapy.innovation": 0.00051,
                                          "therapy.imitation": 0.0093,
                                          "therapy.initial_stages[2]": 0.055},
}
SEARCHED = [name for name in SERIES if name not in DOCUMENTED_OPTIMUM]


def test_every_public_series_names_its_source_and_reads_with_its_period():
    assert len(SERIES) >= 3
    for name in SERIES:
        header = [line for line in (DATA / name).read_text().splitlines() if line.startswith("#")]
        assert any("Source:" in line and "USCCANA/netdiffuseR" in line for line in header), name
        curve = read_observed(DATA / name, None)  # the period column names its unit
        unit = "month" if "tetracycline" in name else "year"
        assert curve.attrs["period_weeks"] == pytest.approx(WEEKS_PER[unit]), name
        assert curve.cumulative.iloc[0] == 0 and curve.cumulative.is_monotonic_increasing
        assert (curve.cumulative <= curve.population).all()


def test_every_national_series_names_its_source_and_is_a_share_of_households():
    assert len(NATIONAL) >= 2
    for path in NATIONAL:
        header = [line for line in path.read_text().splitlines() if line.startswith("#")]
        assert any("Source: owid/owid-datasets" in line and
                   "70e7f7ee23256467bb6a44fb61fe6a16a83a2081" in line for line in header), path
        curve = read_observed(path, None)
        assert curve.attrs["period_weeks"] == pytest.approx(WEEKS_PER["year"]), path
        assert curve.cumulative.is_monotonic_increasing, path  # cut at the first fall
        assert (curve.population == 100).all() and curve.cumulative.max() < 100, path


def test_the_closed_form_reference_fits_a_curve_spread_over_decades():
    # From its old single start (p 0.01, q 0.1 per week) the curve was saturated at every
    # observation but the first and the fit never moved (R² −0.56).
    curve = read_observed(DATA / "national" / "us_households_microwave.csv", None)
    bass = cal.fit_bass(curve.week.to_numpy(), curve.cumulative.to_numpy(),
                        curve.group.to_numpy(), {"all": 100.0}, False)
    assert bass["r2"] > 0.98 and bass["p"] < 0.001 and bass["q"] < 0.01


def test_setting_one_share_rescales_the_others_in_proportion():
    shares = with_share([0.6, 0.3, 0.1, 0.0, 0.0], 2, 0.5)
    assert sum(shares) == pytest.approx(1.0)
    assert shares[2] == 0.5 and shares[0] / shares[1] == pytest.approx(2.0)
    assert with_share([0.0, 0.0, 1.0, 0.0, 0.0], 2, 0.6)[0] == pytest.approx(0.1)
    base = compose_run(["scenario=workshop", "baseline=null"]).config
    fitted = cal.with_settings(base, {"therapy.initial_stages[2]": 0.8})
    assert setting_value(fitted, "therapy.initial_stages[2]") == pytest.approx(0.8)
    assert sum(fitted.therapy.initial_stages) == pytest.approx(1.0)


def test_the_individuals_setup_fits_stakeholders_and_the_preparation_share():
    setup = load_setup("individuals")
    base = compose_run([*setup["overrides"], "baseline=null"]).config
    params = fitted_settings(setup, base)
    assert setup["level"] == "stakeholders" and "therapy.initial_stages[2]" in params
    assert setup["bootstrap"] > 0


def test_the_seed_bootstrap_is_reproducible_and_resamples_the_seed_set():
    seen = []

    def refit(weights):
        seen.append(weights)
        return np.array([weights @ np.arange(len(weights)) / weights.sum()])

    first = seed_bootstrap(refit, 5, 30, seed=3)
    again = seed_bootstrap(refit, 5, 30, seed=3)
    assert first.shape == (30, 1) and np.array_equal(first, again)
    assert all(w.sum() == 5 for w in seen) and len({tuple(w) for w in seen}) > 5
    table = with_intervals(pd.DataFrame({"name": ["x"], "value": [2.0]}), first)
    assert table.boot_low95[0] < 2.0 < table.boot_high95[0]
    assert seed_bootstrap(refit, 1, 30, seed=3) is None  # one seed: nothing to resample


@pytest.mark.slow
@pytest.mark.statistical
@pytest.mark.parametrize("name", SEARCHED)
def test_the_simulator_fits_a_public_series_as_well_as_the_closed_form_bass(name):
    setup = load_setup("individuals")
    base = compose_run([*setup["overrides"], "baseline=null"]).config
    observed = read_observed(DATA / name, None)
    seeds = list(range(int(setup["seeds"])))
    # All cores for the seeds of each evaluation (identical results with any number of workers):
    # this file runs on one test worker (--dist loadfile), whose fits would otherwise hold one
    # core for minutes while the other has finished.
    result = cal.calibrate(observed, base, fitted_settings(setup, base), seeds,
                           max_evals=min(int(setup["max_evals"]), MAX_STEPS),
                           level=setup["level"], workers=0)
    assert result.r2 >= result.bass["r2"] - R2_TOLERANCE, (name, result.r2, result.bass["r2"])
    assert result.extra["moved"]  # searched from the setup's base values: it moved


@pytest.mark.slow
@pytest.mark.statistical
@pytest.mark.parametrize("name", sorted(DOCUMENTED_OPTIMUM))
def test_at_its_documented_fit_the_simulator_matches_the_closed_form_bass(name):
    setup = load_setup("individuals")
    observed = read_observed(DATA / name, None)
    weeks, cum = observed.week.to_numpy(), observed.cumulative.to_numpy()
    config = cal.with_settings(compose_run([*setup["overrides"], "baseline=null"]).config,
                               DOCUMENTED_OPTIMUM[name])
    population = cal.populations(observed, config, False)  # the respondents, as calibrate's
    config.run.horizon_weeks = math.ceil(weeks.max())  # run up to the last observed week
    seeds = list(range(int(setup["seeds"])))
    shares = cal.simulated_shares(validate(config), seeds, weeks, setup["level"], workers=0)
    fitted = shares.mean(axis=0) * observed.group.map(population).to_numpy()
    r2 = cal.goodness(fitted - cum, cum)["r2"]
    bass = cal.fit_bass(weeks, cum, observed.group.to_numpy(), population, False)
    assert r2 >= bass["r2"] - R2_TOLERANCE, (name, r2, bass["r2"])

"""Pattern-oriented validation (Grimm et al. 2005): the default scenario against public patterns.

docs/VALIDATION.md, section 7, states each pattern with its source and the figure as printed, and
what counts as reproduced — written down before the metrics were first computed. The default
scenario's traditional design (the status quo the figures were observed in) runs on seeds 0–9
exactly as ``orgsim`` composes it; the metrics come from ``sim/experiments/patterns.py``.
Every pattern is checked twice: on the default scenario and on ``oncology_access`` — the default
with the two customer rules the default leaves out switched on (HCPs who see no rep or reps only
by appointment, docs/ODD.md 7.1b; first users who treat before their account decides, 7.6b), at
values taken from sources other than the patterns'.

A pattern the model misses is a strict expected failure with the numbers in its reason: it fails
the suite the day the model starts to reproduce it, so that the page is updated. The first tests
check the metrics themselves on small hand-made tables (fast tier).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from settings import compared

from sim.experiments.paired import run_paired
from sim.experiments.patterns import (
    access_weeks,
    calls_per_rep_day,
    calls_per_rep_hcp_year,
    launch_year_volumes,
    pattern_table,
)

SEEDS = range(10)
DESIGN = "traditional"
DEFAULT, ACCESS = "oncology_launch", "oncology_access"


# --- the metrics, on hand-made tables --------------------------------------------------------

def test_launch_year_volumes_sum_each_years_weeks_and_leave_an_unfinished_year_out():
    weeks = np.arange(0, 121)
    series = pd.DataFrame({"week": weeks, "patients_treated": np.where(weeks > 52, 2.0, 1.0)})
    y1, y2, y3 = launch_year_volumes(series)
    assert (y1, y2) == (52.0, 104.0)  # week 0 (launch) is not in year 1; week 52 is
    assert np.isnan(y3)  # the run stopped at week 120


def test_access_is_the_week_the_last_trigger_point_was_first_cleared():
    accounts = pd.DataFrame({"account": [0, 1, 2],
                             "gates": ["formulary_evidence,reimbursement", "reimbursement", ""]})
    jobs = pd.DataFrame({
        "account": [0, 0, 0, 1],
        "job_type": ["formulary_evidence", "reimbursement", "reimbursement", "reimbursement"],
        "gating": [True, True, True, True],
        "state": ["resolved", "resolved", "resolved", "abandoned"],
        "closed_at": [10.0, 30.0, 50.0, 5.0],
    })
    weeks = access_weeks(jobs, accounts)
    assert weeks[0] == 30.0  # the later gate, at its first resolution (not the duplicate at 50)
    assert np.isnan(weeks[1])  # its only trigger point was abandoned: no access yet
    assert 2 not in weeks.index  # no trigger points: never waited


def test_call_frequencies_count_rep_calls_per_day_and_per_covered_hcp_per_year():
    staff = pd.DataFrame({"role": ["sales_rep", "sales_rep", "msl"],
                          "hours_calls": [520.0, 520.0, 999.0], "accounts": [2, 2, 4]})
    accounts = pd.DataFrame({"patients": [100.0, 300.0], "stakeholders": [5, 5]})
    # 2080 calls of half an hour by 2 reps over 52 weeks of 5 days
    assert calls_per_rep_day(staff, 52, 0.5) == pytest.approx(2080 / (2 * 52 * 5))
    # HCPs per account 100/10+5 = 15 and 300/10+5 = 35, mean 25; 4 (rep, account) pairs
    assert calls_per_rep_hcp_year(staff, accounts, 52, 0.5, 10.0) == pytest.approx(2080 / 100)


# --- the patterns, on the default scenario ---------------------------------------------------

@pytest.fixture(scope="module", params=[DEFAULT, ACCESS])
def patterns(request) -> pd.DataFrame:
    configs = {DESIGN: compared(request.param)[DESIGN]}
    results = run_paired(configs, seeds=SEEDS, workers=1)
    if request.param == ACCESS:  # the two rules really were on
        rows = pd.DataFrame([r.headline() for r in results.values()])
        assert rows.hcp_refused_share.gt(0).all() and rows.first_user_patient_weeks.gt(0).all()
    return pattern_table(results, configs)


@pytest.mark.slow
def test_sales_are_still_rising_in_the_third_launch_year(patterns):
    """P1, part 1: no peak within three years (median time to peak 6 years, IQR 4–9, minimum 2;
    Nature Reviews Drug Discovery 2017 via VOI Consulting). Every seed: year 3 > year 2."""
    assert (patterns.year3_volume > patterns.year2_volume).all(), patterns


@pytest.mark.slow
def test_the_first_launch_year_is_a_small_share_of_the_third(patterns):
    """P1, part 2: year 1 / year 3 within the median curve shifted a year either way, 0–0.41
    (median 11/58 = 0.19)."""
    assert 0.0 <= patterns.year1_to_year3.mean() <= 0.41, patterns.year1_to_year3


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "P1 missed: year 2 / year 3 is 0.164 (seeds 0–9: 0.123–0.215) where the median launch's "
    "31/58 = 0.53 shifted a year either way gives 0.35–0.76; the model's uptake is back-loaded "
    "(year 1 ≈ 0: no account adopts before its trigger points clear and its decision-making unit "
    "agrees). With first users treating before the decision (oncology_access, Rogers' 2.5% "
    "innovators) 0.183 (0.159–0.223): still missed"))
def test_the_second_launch_year_is_about_half_the_third(patterns):
    """P1, part 3: year 2 / year 3 within 0.35–0.76 (median 31/58 = 0.53)."""
    assert 0.35 <= patterns.year2_to_year3.mean() <= 0.76, patterns.year2_to_year3


@pytest.mark.slow
def test_time_to_access_lies_within_the_range_of_european_countries(patterns):
    """P2: mean days from launch to an account's last trigger point cleared, within the EFPIA
    Patients W.A.I.T. range of country averages, 120 days (Germany) to 899 (Romania) — the mean
    over seeds and every seed."""
    days = patterns.access_days_mean
    assert 120 <= days.mean() <= 899, days
    assert days.between(120, 899).all(), days


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "P3a missed: 7.52 calls a rep a day (seeds 0–9: 7.47–7.58) where oncology reps deliver "
    "'fewer than three' / 'around three' (ZS AccessMonitor 2013); the default field force is "
    "call-heavy for oncology (docs/ODD.md, Known limits). With no-see and appointment-only HCPs "
    "(oncology_access, SK&A 2008 shares) 4.27 (4.16–4.39): still missed"))
def test_oncology_reps_deliver_about_three_calls_a_day(patterns):
    """P3a: calls per rep per working day ≤ 3.5 (mean over seeds)."""
    assert patterns.calls_per_rep_day.mean() <= 3.5, patterns.calls_per_rep_day


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "P3b missed: a rep calls on each HCP of its accounts 28.0 times a year (seeds 0–9: "
    "26.2–30.3) where the average oncology rep sees an oncologist 7–8 times a year and the best "
    "once a month (ZS AccessMonitor 2013); the model has no access restriction by HCPs. With "
    "no-see and appointment-only HCPs (oncology_access) 15.9 (15.2–16.8): still missed"))
def test_an_oncologist_sees_a_given_rep_five_to_twelve_times_a_year(patterns):
    """P3b: calls per rep per covered HCP per year within 5–12 (mean over seeds)."""
    assert 5 <= patterns.calls_per_rep_hcp_year.mean() <= 12, patterns.calls_per_rep_hcp_year

"""The articles' claims about patient-journey teams and ecosystem IQ, tested with the journey_teams
design (docs/ODD.md 7.10) and the shared ecosystem-IQ rule (7.2a) of
scenarios/patient_journeys.yaml.

Three variants run on every seed's market (common random numbers, so differences are paired):
the traditional baseline, journey-aligned teams at its budget (exactly as
``orgsim scenario=patient_journeys`` compares them) and regional micro-enterprise teams at its
budget (``orgsim scenario=patient_journeys org=micro_enterprise``); one ecosystem-IQ rule for all
three. Criterion, as in tests/test_claims.py: the stated direction in at least 16 of 20 seeds and a
one-sided paired t-test p < 0.01. docs/VALIDATION.md (section 2) gives the numbers and what they
mean, whichever way they came out.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats
from settings import compared

from sim import simulate
from sim.configuration.composition import compose_run
from sim.experiments.budget import equalised

pytestmark = [pytest.mark.slow, pytest.mark.statistical]

SEEDS = range(20)
MIN_WINS = 16
ALPHA = 0.01
EARLY_WEEK = 26  # "grows faster": what is known half a year after launch


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    journeys = compared("patient_journeys")
    regional = equalised(compose_run(["scenario=patient_journeys", "org=micro_enterprise"]))
    variants = {**journeys, "micro_enterprise": regional.config_for("micro_enterprise")}
    rows = []
    for name, config in variants.items():
        for seed in SEEDS:
            result = simulate(config, seed=seed)
            early = result.series.loc[result.series.week == EARLY_WEEK, "ecosystem_iq"]
            rows.append({**result.headline(), "variant": name,
                         "ecosystem_iq_early": float(early.iloc[0])})
    return pd.DataFrame(rows)


def _holds(df, column, higher, lower) -> tuple[int, float]:
    """(seeds where ``higher`` > ``lower``, one-sided paired t-test p of that)."""
    wide = df.pivot(index="seed", columns="variant", values=column)
    a, b = wide[higher], wide[lower]
    return int((a > b).sum()), float(stats.ttest_rel(a, b, alternative="greater").pvalue)


def test_journey_teams_learn_the_customers_network_faster_than_regional_teams(runs):
    """[A4] + [A1]: a team that owns the accounts a patient passes through, with one contact
    per journey as far as the span allows, meets both ends of more referral links."""
    for column in ("ecosystem_iq_early", "ecosystem_iq_final"):
        wins, p = _holds(runs, column, "journey_teams", "micro_enterprise")
        assert wins >= MIN_WINS and p < ALPHA, (column, wins, p)


def test_journey_teams_find_more_jobs_along_referral_links_than_regional_teams(runs):
    wins, p = _holds(runs, "lead_discoveries", "journey_teams", "micro_enterprise")
    assert wins >= MIN_WINS and p < ALPHA, (wins, p)


def test_journey_teams_find_more_jobs_along_referral_links_than_the_traditional_field_force(runs):
    """The traditional reps know more links (below) but a job's owner there is whoever found
    it, who knows less of that account's links than a journey's primary contact."""
    wins, p = _holds(runs, "lead_discoveries", "journey_teams", "traditional")
    assert wins >= MIN_WINS and p < ALPHA, (wins, p)


@pytest.mark.xfail(strict=True, reason="not reproduced: journey teams resolve a share of jobs "
                   "within 0.003 of regional teams (11 of 20 seeds higher, p = 0.08; "
                   "docs/VALIDATION.md, section 2): the jobs found through links are ~3% of all "
                   "resolved jobs; strict: a model change that makes it hold fails here until the "
                   "documentation says so")
def test_journey_teams_resolve_more_of_the_customers_jobs_than_regional_teams(runs):
    wins, p = _holds(runs, "resolved_share", "journey_teams", "micro_enterprise")
    assert wins >= MIN_WINS and p < ALPHA, (wins, p)


@pytest.mark.xfail(strict=True, reason="not reproduced: half the accounts adopt at the same week "
                   "under journey and regional teams (8 of 20 seeds sooner, 5 tied, p = 0.22; "
                   "docs/VALIDATION.md, section 2): adoption spreads along links by the shared "
                   "peer term (7.6), which no structure changes; strict, as above")
def test_journey_teams_speed_adoption_along_referral_chains_compared_with_regional_teams(runs):
    wins, p = _holds(runs.assign(sooner=-runs.week_50pct_adoption), "sooner", "journey_teams",
                     "micro_enterprise")
    assert wins >= MIN_WINS and p < ALPHA, (wins, p)


def test_one_contact_per_account_learns_the_network_slower_than_a_traditional_field_force(runs):
    """Not the claim ("ecosystem IQ grows faster with one orchestrating contact"): the opposite.
    The traditional design sends about seven people to each account, several of whom meet both
    ends of a link; the company knows a link when anyone does. Regional single contacts know the
    least; journey teams recover part of the gap but not all of it."""
    for orchestrated in ("micro_enterprise", "journey_teams"):
        wins, p = _holds(runs, "ecosystem_iq_early", "traditional", orchestrated)
        assert wins >= MIN_WINS and p < ALPHA, (orchestrated, wins, p)

"""The articles' claims about pay and about experienced people returning to the field, tested with
the shared people rules of docs/ODD.md 7.8a and 7.8b (scenarios/people_and_pay.yaml).

The scenario is compared exactly as ``orgsim scenario=people_and_pay`` compares it: the
micro-enterprise design at the traditional design's budget, paying 30% of pay on customer value;
the traditional design paying on its KPI only; one desk↔field rule for both. Each seed runs every
variant on the same market (common random numbers), so differences are paired. Criterion, as in
tests/test_claims.py: the stated direction in at least four fifths of the seeds and a one-sided
paired t-test p < 0.01. docs/VALIDATION.md (section 2) gives the 20-seed numbers and what they
mean. The claims that hold held in 20 of 20 seeds; the weakest (turnover, +0.0155 a year, sd
0.0056) has power 0.9999 at the criterion at 10 seeds (tests/claim_power.py), so they are tested
on seeds 0–9. The claim that does not hold (returns to the field) keeps its 20 seeds for both
designs: its failure must be the effect's size (15 of 20, p = 0.019), not too few seeds.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from claim_power import min_wins
from scipy import stats
from settings import compared

from sim import simulate, validate

pytestmark = [pytest.mark.slow, pytest.mark.statistical]

SEEDS = range(10)
MIN_WINS = min_wins(len(SEEDS))  # 8 of 10
XFAIL_SEEDS = range(20)  # the claim that does not hold, and its criterion, as recorded
XFAIL_MIN_WINS = min_wins(len(XFAIL_SEEDS))  # 16 of 20
ALPHA = 0.01


def _fixed_pay(config):
    """The same configuration with no pay tied to customer value."""
    config = copy.deepcopy(config)
    config.org.value_pay_fraction = 0.0
    return validate(config)


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    configs = compared("people_and_pay")
    # both designs on the expected failure's 20 seeds; the fixed-pay variant is compared with the
    # micro-enterprise design only, on SEEDS
    variants = {**{d: (c, XFAIL_SEEDS) for d, c in configs.items()},
                "micro_enterprise_fixed_pay": (_fixed_pay(configs["micro_enterprise"]), SEEDS)}
    rows = []
    for name, (config, seeds) in variants.items():
        for seed in seeds:
            row = simulate(config, seed=seed).headline()
            rows.append({**row, "variant": name})
    df = pd.DataFrame(rows)
    field = df.field_headcount_mean
    df["net_return_rate"] = (df.returns_to_field_per_year - df.moves_to_desk_per_year) / field
    return df


def _paired(df, column, higher, lower, seeds=SEEDS):
    wide = df[df.seed.isin(seeds)].pivot(index="seed", columns="variant", values=column)
    return wide[higher], wide[lower]


def _holds(a, b) -> tuple[int, float]:
    """(seeds where a > b, one-sided paired t-test p of a > b)."""
    return int((a > b).sum()), float(stats.ttest_rel(a, b, alternative="greater").pvalue)


def test_value_sharing_pay_raises_engagement_at_the_horizon(runs):
    wins, p = _holds(*_paired(runs, "engagement_final", "micro_enterprise",
                              "micro_enterprise_fixed_pay"))
    assert wins >= MIN_WINS and p < ALPHA, (wins, p)


def test_value_sharing_pay_raises_attrition_over_a_launch_because_value_comes_late(runs):
    """Not the retention gain the articles imply: before adoption the value index is below its
    target, pay falls below salary in the first year and more people leave."""
    wins, p = _holds(*_paired(runs, "staff_turnover", "micro_enterprise",
                              "micro_enterprise_fixed_pay"))
    assert wins >= MIN_WINS and p < ALPHA, (wins, p)


def test_variable_pay_pays_above_target_where_the_micro_enterprise_creates_value(runs):
    me = runs[(runs.variant == "micro_enterprise") & runs.seed.isin(SEEDS)].set_index("seed")
    wins, p = _holds(me.variable_pay, me.variable_pay_target)
    assert wins >= MIN_WINS and p < ALPHA, (wins, p)
    assert (runs[runs.variant == "traditional"].variable_pay == 0).all()


@pytest.mark.xfail(strict=True, reason="not reproduced at the criterion: the direction is the "
                   "claimed one but the micro-enterprise design wins in 15 of 20 seeds, one-sided "
                   "p = 0.019 (docs/VALIDATION.md, section 2); strict: a model change that makes "
                   "it hold fails here until the documentation says so")
def test_more_experienced_people_come_back_to_the_field_under_the_micro_enterprise_design(runs):
    """[A0]: net returns to the field per field position and year, micro-enterprise vs
    traditional, under one desk↔field rule."""
    wins, p = _holds(*_paired(runs, "net_return_rate", "micro_enterprise", "traditional",
                              XFAIL_SEEDS))
    assert wins >= XFAIL_MIN_WINS and p < ALPHA, (wins, p)

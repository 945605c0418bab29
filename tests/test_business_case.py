"""The business case (sim/experiments/business_case.py) against a calculation done by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.configuration.business import BusinessConfig
from sim.experiments.analysis import outcome_range
from sim.experiments.business_case import cash_flows, comparison, payback_week, ramp, run_values

# Two designs, one seed, five weekly steps. A net price of 52 k€ a year is 1 k€ a patient-week.
SERIES = pd.DataFrame({
    "design": ["traditional"] * 5 + ["micro_enterprise"] * 5,
    "seed": [0] * 10,
    "week": [0.0, 1, 2, 3, 4] * 2,
    "patients_treated": [0, 10, 10, 10, 10, 0, 20, 20, 20, 20],
    "cost_step": [0, 5, 5, 5, 5, 0, 6, 6, 6, 6],
})
SETTINGS = BusinessConfig(net_price_k=52.0, revenue_ramp_weeks=2.0, discount_rate=0.5,
                          transformation_cost_k=10.0)


def _values():
    return run_values(cash_flows(SERIES, SETTINGS, dt=1.0, baseline="traditional"),
                      "traditional").set_index("design")


def test_revenue_cost_and_cash_flow_match_the_hand_calculation():
    # By hand: the ramp earns 0, ½, 1, 1, 1 of the price in weeks 0–4.
    # traditional: revenue 0 + 5 + 10 + 10 + 10 = 35, cost 20, cash flow 15, no transformation.
    # micro_enterprise: revenue 0 + 10 + 20 + 20 + 20 = 70, cost 24, transformation 10 → 36.
    v = _values()
    assert v.loc["traditional", ["net_revenue", "commercial_cost", "transformation_cost",
                                 "net_cash_flow"]].tolist() == [35, 20, 0, 15]
    assert v.loc["micro_enterprise", ["net_revenue", "commercial_cost", "transformation_cost",
                                      "net_cash_flow"]].tolist() == [70, 24, 10, 36]


def test_npv_discounts_each_week_at_the_annual_rate():
    # micro_enterprise's cash flows −10, 4, 14, 14, 14 at weeks 0–4, discounted at 50% a year.
    d = 1.5 ** (-1 / 52)
    by_hand = -10 + 4 * d + 14 * (d ** 2 + d ** 3 + d ** 4)
    assert _values().loc["micro_enterprise", "npv"] == pytest.approx(by_hand, rel=1e-12)
    assert _values().loc["traditional", "npv"] == pytest.approx(5 * (d**2 + d**3 + d**4))


def test_the_move_pays_back_in_the_week_its_cumulative_gain_turns_positive_for_good():
    # Δ cash flow −10, 4, 9, 9, 9 → cumulative −10, −6, 3, 12, 21: paid back in week 2.
    v = _values()
    assert v.loc["micro_enterprise", "payback_week"] == 2
    assert math.isnan(v.loc["traditional", "payback_week"])  # the baseline does not move
    weeks = np.arange(5.0)
    assert payback_week(weeks, [1, -2, 3, -5, 4]) == 4  # dips below 0 again in week 3
    assert math.isnan(payback_week(weeks, [-10, 1, 1, 1, 1]))  # never within the horizon
    assert payback_week(weeks, [0, 1, 1, 1, 1]) == 0


def test_the_ramp_is_linear_and_a_zero_ramp_is_the_full_price_at_once():
    assert ramp(np.array([0, 13, 26, 52]), 26).tolist() == [0, 0.5, 1, 1]
    assert ramp(np.array([0, 5]), 0).tolist() == [1, 1]


def test_the_npv_of_the_move_is_the_paired_difference_with_an_interval_over_seeds():
    seeds = []
    for seed, extra in enumerate([0, 2, 4]):
        s = SERIES.copy()
        s["seed"] = seed
        s.loc[s.design == "micro_enterprise", "patients_treated"] += extra * (s.week > 0)
        seeds.append(s)
    flows = cash_flows(pd.concat(seeds), SETTINGS, dt=1.0, baseline="traditional")
    values = run_values(flows, "traditional")
    table = comparison(values, "traditional").set_index(["outcome", "design"])
    move = table.loc[("npv", "micro_enterprise − traditional")]
    per_seed = (values[values.design == "micro_enterprise"].npv.to_numpy()
                - values[values.design == "traditional"].npv.to_numpy())
    assert move["mean"] == pytest.approx(per_seed.mean())
    assert move.low < move["mean"] < move.high and move.n == 3
    assert outcome_range("npv") == (-np.inf, np.inf)  # money may be < 0: never clipped at 0
    assert cash_flows(SERIES, SETTINGS, 1.0, None).transformation_cost.sum() == 0

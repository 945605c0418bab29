"""Step-level tests of the portfolio (docs/ODD.md 7.6a, sim/engine/portfolio.py): further products
or indications with their own launch week, stages of change, trigger points and jobs, in the style
of tests/test_steps.py — a tiny market, hand-set state, one call of the rule, then what must follow.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from settings import tiny
from test_steps import add_job, quiet

from sim import OrgSimModel, validate
from sim.configuration.schema import ConfigError
from sim.engine.portfolio import update_portfolio, weeks_to_adoption
from sim.engine.stakeholders import Stage
from sim.engine.work import resolve


def with_portfolio(cfg, launch=(4.0,), rates=(0.5,)):
    cfg = copy.deepcopy(cfg)
    cfg.therapy.portfolio.launch_weeks = list(launch)
    cfg.therapy.portfolio.job_rates = list(rates)
    return validate(cfg)


def test_without_a_portfolio_nothing_is_built_and_no_product_column_appears():
    model = OrgSimModel(tiny("traditional"), seed=1)
    assert model.portfolio is None and model.market.jobs.product is None
    result = model.run()
    assert not any(c.startswith("product") for c in result.summary.columns)
    assert "product" not in result.jobs.columns


def test_a_portfolio_leaves_the_markets_own_accounts_stakeholders_and_jobs_as_they_were():
    plain = OrgSimModel(tiny("traditional"), seed=3).market
    market = OrgSimModel(with_portfolio(tiny("traditional"), rates=(2.0,)), seed=3).market
    np.testing.assert_array_equal(plain.patients, market.patients)
    np.testing.assert_array_equal(plain.stakeholder_thresholds, market.stakeholder_thresholds)
    own = market.jobs.product == 0
    assert own.sum() == len(plain.jobs) and (~own).sum() > 0
    np.testing.assert_array_equal(market.jobs.arrival[own], plain.jobs.arrival)
    np.testing.assert_array_equal(market.jobs.effort[own], plain.jobs.effort)
    assert (market.jobs.arrival[~own] >= 4.0).all()  # the second product's jobs: after launch


def test_the_portfolio_is_the_same_under_every_design():
    a = OrgSimModel(with_portfolio(tiny("traditional")), seed=5)
    b = OrgSimModel(with_portfolio(tiny("micro_enterprise")), seed=5)
    np.testing.assert_array_equal(a.portfolio.dmus[1].stage, b.portfolio.dmus[1].stage)
    np.testing.assert_array_equal(a.market.jobs.arrival, b.market.jobs.arrival)
    assert a.portfolio.gates[1] == b.portfolio.gates[1]


def test_job_rates_need_one_value_per_launch_week():
    cfg = tiny("traditional")
    cfg.therapy.portfolio.launch_weeks = [10.0, 20.0]
    cfg.therapy.portfolio.job_rates = [0.5]
    with pytest.raises(ConfigError, match="therapy.portfolio.job_rates"):
        validate(cfg)


def test_a_rep_details_only_the_product_of_its_line_others_share_among_launched_products():
    model = OrgSimModel(with_portfolio(quiet("traditional"), launch=(0.0, 50.0),
                                       rates=(0.0, 0.0)), seed=1)
    pf, agents = model.portfolio, model.workforce.agents
    rep = next(a for a in agents if a.function == "sales")
    msl = next(a for a in agents if a.function == "medical")
    rep.product = 1
    rows, accounts = np.array([rep.row, msl.row]), np.array([0, 1])
    pf.split_detailing(model, rows, accounts, np.array([4.0, 3.0]))
    # two products on the market at week 0: the rep's 4 h go to product 2 only, the MSL's 3 h
    # are shared 1.5 / 1.5; the third product is not launched and hears nothing
    np.testing.assert_allclose(pf.detailing[:, :2], [[0.0, 1.5], [4.0, 1.5], [0.0, 0.0]])


def test_the_traditional_reps_form_one_line_per_product_launched_covering_every_account():
    cfg = with_portfolio(quiet("traditional"), launch=(3.0,), rates=(0.0,))
    cfg.staffing.reps = 4
    model = OrgSimModel(validate(cfg), seed=1)
    reps = [s for s in model.design.frontline if s.function == "sales"]
    assert model.design.lines == 1 and {r.product for r in reps} == {0}
    for _ in range(4):
        model.step()
    assert model.design.lines == 2 and sorted(r.product for r in reps) == [0, 0, 1, 1]
    for a in range(model.market.n_accounts):
        lines = {s.product for s in model.design.covering[a]["sales"]}
        assert lines == {0, 1}  # every account now sees a rep of each product


def test_before_its_launch_a_product_does_not_move_and_after_it_can_be_adopted():
    model = OrgSimModel(with_portfolio(quiet("micro_enterprise"), launch=(10.0,),
                                       rates=(0.0,)), seed=2)
    pf = model.portfolio
    pf.gates[1] = [set() for _ in pf.gates[1]]
    pf.open_gates[1][:] = 0
    model.config.therapy.innovation = 50.0  # every stakeholder crosses a stage each step
    start = pf.dmus[1].stage.copy()
    model.now = 5.0
    update_portfolio(model)
    np.testing.assert_array_equal(pf.dmus[1].stage, start)
    for week in (10.0, 11.0, 12.0, 13.0):
        model.now = week
        update_portfolio(model)
    assert (pf.dmus[1].stage >= Stage.ACTION).all()
    assert np.isfinite(pf.adopted_week[1]).all() and (pf.adopted_week[1] >= 10.0).all()
    assert np.isnan(model.book.adopted_week).all()  # the therapy's own adoption untouched


def test_a_products_trigger_point_gates_only_that_product():
    model = OrgSimModel(with_portfolio(quiet("traditional"), launch=(1.0,), rates=(0.0,)),
                        seed=1)
    pf = model.portfolio
    model.accounts[0].gates = {"formulary_evidence"}
    model.book.open_gates[0] = 1
    pf.gates[1][0] = {"formulary_evidence"}
    pf.open_gates[1][0] = 1
    job = add_job(model, {"medical": 1.0}, account=0, gating=True,
                  job_type="formulary_evidence")
    job.product = 1
    resolve(model, job)
    assert pf.open_gates[1][0] == 0 and model.book.open_gates[0] == 1
    assert pf.jobs_resolved.tolist() == [0, 1]


def test_weeks_to_adoption_count_an_account_not_adopted_as_the_whole_window():
    adopted = np.array([12.0, 30.0, np.nan, np.nan])
    assert weeks_to_adoption(adopted, 10.0, 50.0) == pytest.approx((2 + 20 + 40 + 40) / 4)
    assert np.isnan(weeks_to_adoption(adopted, 60.0, 50.0))  # launched after the horizon


def test_with_a_portfolio_each_product_has_its_outcomes_in_the_tables():
    result = OrgSimModel(with_portfolio(tiny("micro_enterprise"), launch=(8.0,)), seed=1).run()
    h = result.headline()
    assert h["product2_launch_week"] == 8.0 and h["product1_launch_week"] == 0.0
    assert 0 <= h["product2_accounts_adopted_share"] <= 1
    assert h["product1_jobs_resolved"] + h["product2_jobs_resolved"] == h["jobs_resolved"]
    assert set(result.jobs["product"]) <= {1, 2}
    assert "product2_accounts_adopted_share" in result.series
    assert "product2_adopted_week" in result.accounts


def test_a_product_launching_after_the_horizon_never_moves_and_has_no_time_to_adoption():
    cfg = with_portfolio(tiny("traditional"), launch=(8.0, 500.0), rates=(0.5, 0.5))
    model = OrgSimModel(cfg, seed=1)
    h = model.run().headline()
    assert h["product3_accounts_adopted_share"] == 0 and np.isnan(h["product3_weeks_to_adoption"])
    assert np.isfinite(h["product2_weeks_to_adoption"]) and model.design.lines == 2

"""The business case in a sweep (sim/experiments/sweep_business.py): every stored run's weekly
series and settings go through the business case, and the sweep's result table carries, per point
and compared design, the NPV of the move and the seeds in which it pays back — checked against a
calculation done by hand on a tiny store written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli.analyze import write_analysis
from sim.experiments.sweep_business import store_values

# Four weekly steps, no ramp, no discounting: a net price of 52 k€ a year is 1 k€ a patient-week,
# and the move costs 10 k€ at week 0. The baseline earns 5 − 3 = 2 k€ a week; the
# micro-enterprise earns 2 + d more, d by seed: its cumulative gain is −10 + d·(w + 1) at week w.
BUSINESS = {"net_price_k": 52.0, "revenue_ramp_weeks": 0.0, "discount_rate": 0.0,
            "transformation_cost_k": 10.0}
GAIN = {0: 4.0, 1: 1.0, 2: 10.0}  # d by seed
# by hand: NPV of the move = 4·d − 10; payback week = first w with −10 + d·(w + 1) ≥ 0 for good
NPV_MOVE = {0: 6.0, 1: -6.0, 2: 30.0}
PAYBACK = {0: 2.0, 1: np.nan, 2: 0.0}


def _write_store(root: Path, price: float = 52.0) -> None:
    """A sweep store by hand: two designs × three seeds at one point (summary, series,
    manifests)."""
    for table in ("summary", "series", "runs"):
        (root / "store" / table).mkdir(parents=True, exist_ok=True)
    for seed, d in GAIN.items():
        for design in ("traditional", "micro_enterprise"):
            rid = f"{design}-{seed}"
            extra = d if design == "micro_enterprise" else 0.0
            series = pd.DataFrame({"run_id": rid, "design": design, "seed": seed,
                                   "week": [0.0, 1.0, 2.0, 3.0],
                                   "patients_treated": 5.0 + extra, "cost_step": 3.0})
            series.to_parquet(root / "store" / "series" / f"{rid}.parquet")
            pd.DataFrame([{"run_id": rid, "design": design, "seed": seed,
                           "scenario": "oncology_launch", "setting": "market.accounts=30",
                           "resolved_share": 0.5}]).to_parquet(
                root / "store" / "summary" / f"{rid}.parquet")
            config = {"business": {**BUSINESS, "net_price_k": price},
                      "run": {"step_weeks": 1.0, "horizon_weeks": 4}, "org": {"design": design}}
            (root / "store" / "runs" / f"{rid}.json").write_text(json.dumps(
                {"run_id": rid, "status": "ok", "config": config}))


def test_a_sweeps_result_table_carries_the_npv_of_the_move_and_its_payback_per_point(tmp_path):
    _write_store(tmp_path / "sweep")
    comparison = write_analysis([tmp_path / "sweep"], tmp_path / "a", show=False)
    point = pd.read_csv(tmp_path / "a" / "business_case.csv").iloc[0]
    assert point.design == "micro_enterprise" and point.seeds == 3
    assert point.npv_move == pytest.approx(np.mean(list(NPV_MOVE.values())))  # 10
    assert point.seeds_paying_back == 2 and point.share_paying_back == pytest.approx(2 / 3)
    assert point.payback_week_median == pytest.approx(1.0)  # median of weeks 2 and 0
    # the same NPV of the move is the paired difference of NPVs in the comparison
    npv = comparison[(comparison.outcome == "npv") & (comparison.kind == "difference")]
    assert npv["mean"].iloc[0] == pytest.approx(10.0) and npv.n.iloc[0] == 3
    diffs = np.array(list(NPV_MOVE.values()))
    half = 4.302652729911275 * diffs.std(ddof=1) / np.sqrt(3)  # t(0.975, 2)
    assert point.npv_move_low == pytest.approx(10.0 - half)


def test_each_stored_run_gets_its_own_payback_week_and_npv_of_the_move(tmp_path):
    _write_store(tmp_path / "sweep")
    summary = pd.read_parquet(tmp_path / "sweep" / "store" / "summary").assign(
        configuration="c", folder=str(tmp_path / "sweep"))
    values = store_values(tmp_path / "sweep", summary, "traditional").set_index("run_id")
    for seed in GAIN:
        moved = values.loc[f"micro_enterprise-{seed}"]
        assert moved.npv_move == pytest.approx(NPV_MOVE[seed])
        assert moved.payback_week == pytest.approx(PAYBACK[seed], nan_ok=True)
        assert moved.pays_back == float(not np.isnan(PAYBACK[seed]))
        stayed = values.loc[f"traditional-{seed}"]
        assert stayed.npv == pytest.approx(4 * (5 - 3)) and np.isnan(stayed.pays_back)


def test_the_business_settings_each_run_was_made_with_price_its_revenue(tmp_path):
    _write_store(tmp_path / "sweep", price=104.0)  # 2 k€ a patient-week
    summary = pd.read_parquet(tmp_path / "sweep" / "store" / "summary").assign(
        configuration="c", folder=str(tmp_path / "sweep"))
    values = store_values(tmp_path / "sweep", summary, "traditional").set_index("run_id")
    assert values.loc["traditional-0"].net_revenue == pytest.approx(4 * 5 * 2)


def test_a_folder_without_a_store_of_series_adds_no_business_columns(tmp_path):
    (tmp_path / "sweep" / "store" / "summary").mkdir(parents=True)
    summary = pd.DataFrame({"run_id": ["a"], "design": ["traditional"], "seed": [0],
                            "folder": [str(tmp_path / "sweep")]})
    assert store_values(tmp_path / "sweep", summary, "traditional").empty

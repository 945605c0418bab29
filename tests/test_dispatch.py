"""The one dispatcher (sim/experiments/dispatch.py): the same runs give the same results in one
process or on a pool, kept in memory or stored, and a stored run is never run twice."""

from __future__ import annotations

import pandas as pd
import pytest

import sim.experiments.dispatch
from sim.experiments.dispatch import Run, dispatch
from sim.experiments.store import ResultsStore, run_id
from tests.settings import scenario


@pytest.fixture(scope="module")
def runs() -> list[Run]:
    configs = [scenario("workshop", d, horizon_weeks=20) for d in ("traditional",
                                                                  "micro_enterprise")]
    return [Run(c, seed, "workshop", (f"org={c.org.design}",)) for seed in (0, 1) for c in configs]


def test_results_come_back_in_the_order_given_whatever_the_number_of_workers(runs):
    serial = dispatch(runs, workers=1)
    pooled = dispatch(runs, workers=2)
    assert serial.counts == pooled.counts == {"done": 4, "skipped": 0, "failed": 0}
    for run, one, other in zip(runs, serial.results, pooled.results, strict=True):
        assert one.summary["design"].iloc[0] == run.design
        pd.testing.assert_frame_equal(one.summary, other.summary)
        pd.testing.assert_frame_equal(one.series, other.series)


def test_stored_runs_equal_the_runs_in_memory_and_are_not_run_again(runs, tmp_path, monkeypatch):
    in_memory = dispatch(runs, workers=1).results
    stored = dispatch(runs, workers=2, store=tmp_path / "store")
    assert stored.results is None and stored.counts["done"] == 4
    store = ResultsStore(tmp_path / "store")
    assert store.counts() == {"ok": 4, "failed": 0}
    assert {m["setting"] for m in store.manifests()} == {""}

    def refuse(*args, **kwargs):
        raise AssertionError("a stored run was simulated again")

    monkeypatch.setattr(sim.experiments.dispatch, "simulate", refuse)
    again = dispatch(runs, workers=1, store=tmp_path / "store")
    assert again.counts == {"done": 0, "skipped": 4, "failed": 0}
    for run, result in zip(runs, in_memory, strict=True):
        kept = pd.read_parquet(store.root / "summary" / f"{run_id(run.config, run.seed)}.parquet")
        assert kept["resolved_share"].iloc[0] == result.summary["resolved_share"].iloc[0]


def test_every_finished_run_is_reported_once(runs):
    seen = []
    dispatch(runs, workers=2, on_done=seen.append)
    assert sorted(map(id, seen)) == sorted(map(id, runs))

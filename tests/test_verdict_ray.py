"""The verdict's runs on a local Ray cluster (sim/experiments/ray_cluster.py through the one
dispatcher): the same stored runs and the same numbers as the local pool, resumable, and a run
whose worker dies is recorded as failed while the others carry on.

One local cluster of 2 CPUs serves the whole file (starting one costs seconds); it is started
with a failure planted for seed 5 (``ORGSIM_INJECT_FAILURE=die:micro_enterprise:5``: that run
kills its worker, as the out-of-memory killer would), which the verdict's seed 0 never meets.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_verdict import SMALL  # the same small space as the local-pool verdict tests

from sim.experiments.dispatch import INJECT
from sim.experiments.space import load_space

pytestmark = pytest.mark.slow

N, SEEDS = 2, [0]


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    path = tmp_path_factory.mktemp("space") / "small.yaml"
    path.write_text(SMALL)
    return load_space(str(path))


@pytest.fixture(scope="module")
def cluster():
    from sim.experiments import ray_cluster

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(INJECT, "die:micro_enterprise:5")  # the workers inherit it at start
        found = ray_cluster.parse("local:2")
        assert ray_cluster.connect(found) == 2
    yield found
    ray_cluster.shutdown()


def _stored(store) -> pd.DataFrame:
    """Every stored run's summary, by run id."""
    frames = [pd.read_parquet(p) for p in sorted((store / "summary").glob("*.parquet"))]
    return pd.concat(frames).set_index("run_id").sort_index()


def test_a_verdict_on_ray_stores_the_same_runs_and_numbers_as_the_local_pool_and_resumes(
        space, cluster, tmp_path):
    from sim.experiments.verdict import verdict

    local = verdict(space, N, SEEDS, tmp_path / "local", workers=2, progress=False)
    on_ray = verdict(space, N, SEEDS, tmp_path / "ray", progress=False, cluster=cluster)
    assert on_ray.counts == local.counts and on_ray.counts["done"] > 0
    assert on_ray.failed == 0
    pd.testing.assert_frame_equal(_stored(tmp_path / "local"), _stored(tmp_path / "ray"))
    pd.testing.assert_frame_equal(local.wins, on_ray.wins)
    pd.testing.assert_frame_equal(local.sobol, on_ray.sobol)
    pd.testing.assert_frame_equal(local.business.per_point, on_ray.business.per_point)

    again = verdict(space, N, SEEDS, tmp_path / "ray", progress=False, cluster=cluster)
    assert again.counts == {"done": 0, "skipped": 0, "failed": 0}  # all read back
    pd.testing.assert_frame_equal(on_ray.sobol, again.sobol)


def test_a_run_that_kills_its_ray_worker_is_recorded_failed_and_the_others_carry_on(
        space, cluster, tmp_path):
    from sim.experiments.doe import evaluate
    from sim.experiments.verdict import sample

    points = sample(space, N, 0)[space.names].head(2)
    frame = evaluate(space, points, [5], tmp_path / "store", progress=False, cluster=cluster)
    died = frame[frame.design == "micro_enterprise"]
    assert (died.status == "failed").all()
    assert (frame[frame.design == "traditional"].status == "ok").all()
    [manifest] = {json.loads(p.read_text())["error"]
                  for p in (tmp_path / "store" / "runs").glob("*.json")
                  if json.loads(p.read_text())["status"] == "failed"}
    assert "LostRun" in manifest


def test_points_configured_as_ray_tasks_are_those_of_the_serial_loop_errors_included(
        space, cluster):
    from sim.configuration.composition import InputError
    from sim.experiments.doe import configure_points
    from sim.experiments.space import configure
    from sim.experiments.verdict import sample

    frame = sample(space, N, 0)[space.names]
    points = [{k: float(v) for k, v in row.items()} for _, row in frame.iterrows()]
    on_ray = configure_points(space, points, cluster=cluster, in_process_below=0)
    assert on_ray == [configure(space, p) for p in points]
    bad = [points[0], {**points[1], "org.span_of_control": 0.0}, points[2],
           {**points[3], "org.span_of_control": -1.0}]
    with pytest.raises(InputError, match="^org.span_of_control: must be ≥ 2 and ≤ 1000, got 0$"):
        configure_points(space, bad, cluster=cluster, in_process_below=0)

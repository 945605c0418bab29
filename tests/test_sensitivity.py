"""Global sensitivity analysis (sim/experiments/sensitivity.py) and ``orgsim-sensitivity``.

The planted truth uses the tiny space (conf/space/tiny.yaml: workshop market, 52 weeks) whose
``org.span_of_control`` exists only in the traditional design:

* **provable zeros.** A micro-enterprise run does not read that setting, so its configuration —
  hence its run id and its result — is the same whatever the value: every elementary effect of
  ``org.span_of_control`` on a micro-enterprise outcome is exactly 0, so mu* = 0 (tolerance
  1e-12, floating point only); likewise ``org.team_authority`` for the traditional design, and
  the Sobol total index ST (its estimator differences f(A) − f(A_B) vanish exactly).
* **the difference inherits them.** For the paired difference (micro − traditional) the effect of
  a traditional-only setting is minus its effect on the traditional design, so their mu* agree
  (tolerance 1e-9).
* **a strong lever ranks first.** Over 0.05–0.6, the base share of cross-functional jobs decides
  the traditional design's resolved share: every such job needs handoffs through the functional
  lines, each paying the shared frictions (docs/ODD.md 7.0, 7.4). mu* − conf of
  ``market.cross_functional_base`` must exceed mu* + conf of every other setting
  (non-overlapping 95% intervals over 4 trajectories × 2 seeds).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.sensitivity import main
from sim.experiments.sensitivity import analyse, censor, sample, targets
from sim.experiments.space import load_space
from sim.experiments.store import ResultsStore

pytestmark = pytest.mark.slow  # multi-run or multi-seed: not in the fast tier (make check)

ARGS = ["--space", "tiny", "--method", "morris", "--trajectories", "4", "--seeds", "2",
        "--difference", "--outcomes", "resolved_share,week_50pct_adoption", "--workers", "1",
        "--no-progress"]


@pytest.fixture(scope="module")
def morris(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    out = tmp_path_factory.mktemp("sens") / "morris"
    main([*ARGS, "--out", str(out)])
    return out, pd.read_csv(out / "indices.csv")


def _value(indices, outcome, target, parameter, index="mu_star") -> pd.Series:
    row = indices[(indices.outcome == outcome) & (indices.target == target)
                  & (indices.parameter == parameter) & (indices["index"] == index)]
    assert len(row) == 1
    return row.iloc[0]


def test_a_setting_the_design_ignores_has_mu_star_zero(morris):
    _, indices = morris
    for outcome in ("resolved_share", "week_50pct_adoption"):
        assert _value(indices, outcome, "micro_enterprise",
                      "org.span_of_control").value == pytest.approx(0, abs=1e-12)
        assert _value(indices, outcome, "traditional",
                      "org.team_authority").value == pytest.approx(0, abs=1e-12)


def test_the_difference_inherits_the_traditional_only_effect(morris):
    _, indices = morris
    trad = _value(indices, "resolved_share", "traditional", "org.span_of_control").value
    diff = _value(indices, "resolved_share", "difference", "org.span_of_control").value
    assert diff == pytest.approx(trad, abs=1e-9)


def test_cross_functional_jobs_rank_first_for_the_traditional_resolved_share(morris):
    _, indices = morris
    rows = indices[(indices.outcome == "resolved_share") & (indices.target == "traditional")
                   & (indices["index"] == "mu_star")].set_index("parameter")
    top = rows.loc["market.cross_functional_base"]
    others = rows.drop(index="market.cross_functional_base")
    assert (top.value - top.conf > others.value + others.conf).all()


def test_outputs_and_report(morris):
    out, indices = morris
    assert list(indices.columns) == ["outcome", "target", "parameter", "index", "value", "conf"]
    assert set(indices.target) == {"traditional", "micro_enterprise", "difference"}
    assert set(indices["index"]) == {"mu_star", "mu", "sigma"}
    samples = pd.read_parquet(out / "samples.parquet")
    assert len(samples) == 4 * (3 + 1)
    page = (out / "report.html").read_text()
    assert "plotly.js v" in page and "<script src=" not in page  # plotly.js embedded: offline
    assert page.count("class='reading'") == 2 * 3  # one figure per outcome and target
    assert "matters most" in page


def test_rerunning_into_the_same_folder_resumes_without_rerunning(morris, capsys):
    out, indices = morris
    before = {p.name: p.stat().st_mtime_ns for p in (out / "store" / "runs").glob("*.json")}
    main([*ARGS, "--out", str(out)])
    assert "(resuming)" in capsys.readouterr().out
    after = {p.name: p.stat().st_mtime_ns for p in (out / "store" / "runs").glob("*.json")}
    assert after == before and ResultsStore(out / "store").counts()["failed"] == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "indices.csv"), indices)


@pytest.mark.parametrize("extra, words", [
    (["--outcomes", "happiness"], "--outcomes"),
    (["--method", "sobol", "--samples", "12"], "--samples"),
    (["--space", "nowhere"], "space: no file"),
    (["--trajectories", "1"], "--trajectories"),
    (["--seeds", "0"], "--seeds"),
    (["--ray", "local:2"], "--ray: the cluster's CPUs decide"),  # ARGS give --workers
])
def test_bad_input_one_line_exit_2_no_folder(tmp_path, capsys, extra, words):
    out = tmp_path / "never"
    with pytest.raises(SystemExit) as exit_:
        main([*ARGS, *extra, "--out", str(out)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and words in err and err.count("\n") == 1
    assert not out.exists()


def test_a_folder_of_another_analysis_is_not_overwritten(morris, capsys):
    out, _ = morris
    with pytest.raises(SystemExit) as exit_:
        main([*ARGS[:5], "6", *ARGS[6:], "--out", str(out)])  # 6 trajectories instead of 4
    assert exit_.value.code == 2 and "different analysis" in capsys.readouterr().err
    assert json.loads((out / "sensitivity.json").read_text())["identity"]["size"] == 4


def test_sobol_total_index_of_an_ignored_setting_is_zero(tmp_path):
    space = load_space("tiny")
    from sim.experiments.doe import evaluate

    points = sample(space, "sobol", 4, seed=1)
    assert len(points) == 4 * (3 + 2)
    assert pd.testing.assert_frame_equal(points, sample(space, "sobol", 4, seed=1)) is None
    frame = censor(evaluate(space, points, [0], tmp_path / "store", workers=1,
                            progress=False), 52)
    indices = analyse(space, "sobol", points, targets(frame, ["resolved_share"], True), seed=0)
    st = _value(indices, "resolved_share", "micro_enterprise", "org.span_of_control", "ST")
    assert st.value == pytest.approx(0, abs=1e-12)
    assert set(indices["index"]) == {"S1", "ST"}


def test_new_outcomes_on_a_stored_sample_are_analysed_without_simulating(
        morris, tmp_path, capsys, monkeypatch):
    """The outcomes and --difference are analysis, not sample: a copy of the folder re-analysed
    for another outcome runs nothing (the simulator raises) and keeps the indices it shares."""
    import shutil

    import sim.experiments.dispatch

    out, indices = morris
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)

    def refuse(*args, **kwargs):
        raise AssertionError("a re-analysis must not simulate")

    monkeypatch.setattr(sim.experiments.dispatch, "simulate", refuse)
    args = [a if a != "resolved_share,week_50pct_adoption" else
            "resolved_share,cost_per_resolved_job" for a in ARGS if a != "--difference"]
    main([*args, "--out", str(copy)])
    assert "(resuming)" in capsys.readouterr().out
    assert ResultsStore(copy / "store").counts()["failed"] == 0
    again = pd.read_csv(copy / "indices.csv")
    assert set(again.outcome) == {"resolved_share", "cost_per_resolved_job"}
    assert "difference" not in set(again.target)
    key = ["outcome", "target", "parameter", "index"]
    shared = indices[indices.outcome == "resolved_share"]
    shared = shared[shared.target != "difference"].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        again[again.outcome == "resolved_share"].sort_values(key).reset_index(drop=True), shared)

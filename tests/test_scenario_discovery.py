"""Scenario discovery (sim/experiments/scenario_discovery.py, ``orgsim-discover``).

The condition parser reads the declared forms and refuses malformed ones with one line; PRIM finds
a box planted in synthetic data (with label noise) and leaves irrelevant parameters alone, and
its faster peeling finds the library's boxes exactly; the
command runs end to end on the tiny workshop space, writes its files, and resumes without
re-running anything.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sim.experiments.dispatch
from sim.cli.discover import main
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.scenario_discovery import (
    NAMED,
    Clause,
    ConditionError,
    discover,
    discover_both,
    holds,
    latin_hypercube,
    paired_points,
    parse_condition,
)

pytestmark = pytest.mark.slow  # multi-run or multi-seed: not in the fast tier (make check)


# ----------------------------------------------------------------------------- the conditions
@pytest.mark.parametrize("text, clauses", [
    ("resolved_share:rel>=0.10", [Clause("resolved_share", "rel", ">=", 0.10)]),
    ("resolved_share:rel>=10%", [Clause("resolved_share", "rel", ">=", 0.10)]),
    (" cost_per_resolved_job : diff <= -2.5 ", [Clause("cost_per_resolved_job", "diff", "<=",
                                                       -2.5)]),
    ("week_50pct_adoption:diff<0 AND trust_final:diff>1e-3",
     [Clause("week_50pct_adoption", "diff", "<", 0.0), Clause("trust_final", "diff", ">", 1e-3)]),
    ("micro_wins", [Clause("resolved_share", "rel", ">=", 0.10),
                    Clause("cost_per_resolved_job", "diff", "<=", 0.0)]),
])
def test_condition_forms(text, clauses):
    assert list(parse_condition(text).clauses) == clauses


def test_repeated_conditions_are_joined_with_and():
    joined = parse_condition(["resolved_share:rel>=0.1", "cost_per_resolved_job:diff<=0"])
    assert joined.clauses == parse_condition("micro_wins").clauses
    assert joined.outcomes == ["resolved_share", "cost_per_resolved_job"]


@pytest.mark.parametrize("text, says", [
    ("", "empty"),
    ("resolved_share", "cannot read"),
    ("resolved_share:rel", "cannot read"),
    ("resolved_share:rel=>0.1", "cannot read"),
    ("resolved_share:rel==0.1", "cannot read"),
    ("resolved_share:rel>=abc", "cannot read"),
    ("resolved_share:rel>=0.1 or trust_final:diff>0", "cannot read"),
    ("resolved_share:ratio>=0.1", "unknown measure"),
    ("jobs_done:diff>=1", "unknown outcome"),
    ("__import__('os'):diff>0", "cannot read"),
    ("cost_per_resolved_job:diff<=5%", "percentage only fits rel"),
    ("resolved_share:rel>=0.1 and", "cannot read"),
    ("resolved_share:rel>=1e999", "finite"),
])
def test_malformed_conditions_give_one_line(text, says):
    with pytest.raises(ConditionError) as error:
        parse_condition(text)
    message = str(error.value)
    assert says in message and "\n" not in message and message.startswith("--condition")


def test_holds_per_point_and_undefined_values_never_hold():
    frame = pd.DataFrame({
        "point": [0, 0, 1, 1, 2, 2, 3, 3], "seed": 0,
        "design": pd.Categorical(["traditional", "micro_enterprise"] * 4,
                                 categories=["traditional", "micro_enterprise"]),
        "status": "ok", "x": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0],
        "resolved_share": [0.5, 0.6, 0.5, 0.52, 0.0, 0.3, 0.5, 0.7],
        "cost_per_resolved_job": [50, 40, 50, 45, 50, 40, 50, np.nan]})
    table = paired_points(frame, ["resolved_share", "cost_per_resolved_job"])
    assert table["resolved_share.rel"].iloc[:2].round(6).tolist() == [0.2, 0.04]
    # point 0 wins; 1 gains only 4%; 2 has a zero baseline (no relative gain); 3 has no cost
    assert holds(table, parse_condition("micro_wins")).tolist() == [True, False, False, False]
    assert holds(table, parse_condition("resolved_share:diff>0")).tolist() == [True] * 4


# --------------------------------------------------------------------------- PRIM, synthetic
TOL = 0.1  # box limits within ±0.1 of the planted ones (each parameter spans [0, 1])


def planted(n: int = 1000, noise: float = 0.05, seed: int = 3):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 4)), columns=["x1", "x2", "x3", "x4"])
    truth = ((x.x1 > 0.6) & (x.x2 < 0.3)).to_numpy()
    flip = rng.uniform(size=n) < noise
    return x, truth ^ flip, truth


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_prim_recovers_a_planted_box(seed):
    x, y, truth = planted(seed=seed)
    found = discover(x, y, threshold=0.9, bounds={c: (0.0, 1.0) for c in x})
    lim = found.limits
    assert sorted(found.restricted) == ["x1", "x2"]  # x3 and x4 left alone
    assert not lim.loc[["x3", "x4"], "restricted"].any()
    assert abs(lim.at["x1", "low"] - 0.6) <= TOL and lim.at["x1", "high"] == 1.0
    assert abs(lim.at["x2", "high"] - 0.3) <= TOL and lim.at["x2", "low"] == 0.0
    assert found.reached and found.box.density >= 0.9
    # the box holds most of the planted points of interest (the noise ones outside cannot be)
    assert found.box.coverage >= 0.6
    inside = ((x.x1 >= lim.at["x1", "low"]) & (x.x2 <= lim.at["x2", "high"])).to_numpy()
    assert (truth & inside).sum() / truth.sum() >= 0.85
    # the restrictions are not there by chance
    assert lim.at["x1", "qp_low"] < 1e-6 and lim.at["x2", "qp_high"] < 1e-6
    assert np.isnan(lim.at["x1", "qp_high"]) and np.isnan(lim.at["x3", "qp_low"])


def test_trajectory_and_choice_rule():
    x, y, _ = planted(n=600, seed=5)
    found = discover(x, y, threshold=0.8)
    t = found.trajectory
    assert {"box", "coverage", "density", "mass", "res_dim", "n", "k", "chosen"} <= set(t)
    assert t.chosen.sum() == 1 and t.index[t.chosen][0] == found.chosen
    assert t.mass.iloc[0] == 1.0 and t.coverage.iloc[0] == 1.0  # PRIM starts from everything
    assert (t.mass.iloc[1:] <= 1.0).all() and t.mass.min() >= 0.05 - 1e-9
    # the chosen box: the best coverage among those dense enough
    dense = t[t.density >= 0.8]
    assert found.box.coverage == dense.coverage.max()
    # deterministic: the same data give the same boxes
    again = discover(x, y, threshold=0.8)
    pd.testing.assert_frame_equal(t, again.trajectory)
    pd.testing.assert_frame_equal(found.limits, again.limits)


@pytest.mark.parametrize("n, d, seed", [(300, 40, 2), (150, 6, 8)])
def test_our_faster_peeling_finds_every_box_and_quasi_p_value_the_library_finds(n, d, seed):
    import warnings

    from sim.experiments.prim import FastPrim, _prim

    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, d)), columns=[f"x{i}" for i in range(d)])
    x["x2"] = np.round(x.x2 * 4)  # ties at a quantile
    y = ((x.x0 + 0.5 * x.x1 + 0.3 * rng.uniform(size=n)) > 0.9).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        library = _prim.Prim(x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05).find_box()
        ours = FastPrim(x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05).find_box()
    pd.testing.assert_frame_equal(library.peeling_trajectory, ours.peeling_trajectory)
    assert len(library.box_lims) == len(ours.box_lims) > 5
    for theirs, mine in zip(library.box_lims, ours.box_lims, strict=True):
        pd.testing.assert_frame_equal(theirs, mine)
    for i, qp in enumerate(library.p_values):
        assert ours.quasi_p(i) == qp


def test_complement_and_degenerate_cases():
    x, y, _ = planted(n=500, seed=7)
    win, lose = discover_both(x, y, threshold=0.8)
    # the complement holds at ~85% of points, above the threshold: the whole space qualifies
    assert lose.base_rate == pytest.approx(1 - win.base_rate)
    assert lose.box.mass == 1.0 and not lose.restricted
    none = discover(x, np.zeros(len(x), bool))
    assert none.notes and none.box.coverage == 0.0


def test_integer_parameters_are_peeled_and_pasted():
    rng = np.random.default_rng(4)
    x = pd.DataFrame({"team": rng.integers(4, 17, 400), "span": rng.uniform(1, 6, 400)})
    y = (x.team >= 10).to_numpy() ^ (rng.uniform(size=400) < 0.05)
    found = discover(x, y, threshold=0.9)
    assert found.restricted == ["team"] and abs(found.limits.at["team", "low"] - 10) <= 1


def test_latin_hypercube_is_seeded_stratified_and_rounds_integers():
    bounds = {"a": (1.0, 6.0), "n": (4.0, 16.0)}
    one = latin_hypercube(bounds, {"n": True}, 40, seed=2)
    assert one.equals(latin_hypercube(bounds, {"n": True}, 40, seed=2))
    assert not one.equals(latin_hypercube(bounds, {"n": True}, 40, seed=3))
    assert one["n"].dtype == np.int64 and one["n"].between(4, 16).all()
    # one point per stratum of each float parameter
    strata = np.floor((one["a"] - 1.0) / 5.0 * 40).astype(int)
    assert sorted(strata) == list(range(40))


# ------------------------------------------------------------------------------ the command
def test_bad_input_exits_2_with_one_line_and_no_folder(tmp_path, capsys):
    out = tmp_path / "never"
    for argv in (["--samples", "5"], ["--condition", "jobs:rel>=1"],
                 ["--condition", "resolved_share:rel>>1"], ["--threshold", "1.5"],
                 ["--space", "no_such_space"], ["--seeds", "0"], ["--ray", "local:x"],
                 ["--ray", "127.0.0.1:1"]):
        with pytest.raises(SystemExit) as stop:
            main([*argv, "--space", "tiny", "--out", str(out)] if "--space" not in argv
                 else [*argv, "--out", str(out)])
        assert stop.value.code == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("orgsim-discover: error:") and "\n" not in err
        assert not out.exists()


def test_end_to_end_on_the_tiny_space_and_resume(tmp_path, capsys):
    out = tmp_path / "disc"
    argv = ["--space", "tiny", "--samples", "12", "--seeds", "1", "--workers", "2", "--quiet",
            "--condition", "resolved_share:rel>=0.25", "--out", str(out)]
    main(argv)
    printed = capsys.readouterr().out
    assert f"Results: {out}" in printed
    for name in ("points.csv", "boxes.csv", "box.csv", "report.html", "discover.json"):
        assert (out / name).stat().st_size > 0
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 12 and points.point.tolist() == list(range(12))
    for column in ("market.cross_functional_base", "resolved_share.traditional",
                   "resolved_share.micro_enterprise", "resolved_share.rel", "condition"):
        assert column in points
    expected = points["resolved_share.micro_enterprise"] / points["resolved_share.traditional"] \
        - 1 >= 0.25
    assert (points.condition == expected).all()
    boxes = pd.read_csv(out / "boxes.csv")
    assert set(boxes.side) == {"condition", "complement"}
    assert (boxes.groupby("side").chosen.sum() == 1).all()
    box = pd.read_csv(out / "box.csv")
    assert len(box) == 2 * 3 and set(box.parameter) == {
        "market.cross_functional_base", "org.team_authority", "org.span_of_control"}
    report = (out / "report.html").read_text()
    assert "Plotly.newPlot" in report and "<script src=" not in report  # offline
    assert report.count('class="reading"') == 3
    runs = sorted((out / "store" / "runs").glob("*.json"))
    assert 0 < len(runs) <= 24
    stamps = {p: p.stat().st_mtime_ns for p in runs}

    assert f"({len(runs)} simulated now, 0 failed)" in printed
    main(argv)  # the same command into the same folder: nothing is run again
    assert "(0 simulated now" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in sorted((out / "store" / "runs").glob("*.json"))} \
        == stamps
    pd.testing.assert_frame_equal(pd.read_csv(out / "points.csv"), points)
    assert json.loads((out / "discover.json").read_text())["settings"]["samples"] == 12

    with pytest.raises(SystemExit) as stop:  # another sample into the same folder: refused
        main([*argv[:-2], "--samples", "13", "--out", str(out)])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "another sample (samples)" in err and "\n" not in err.strip()


def _raise(*args, **kwargs):
    raise AssertionError("a re-analysis must not simulate")


def test_a_new_condition_on_a_stored_sample_reanalyses_without_simulating(
        tmp_path, capsys, monkeypatch):
    """Analysis apart from running: the second call changes only the condition and threshold,
    with the simulator replaced by one that raises (in-process: one worker), and gives the same
    files as a fresh discovery of that condition, which simulates every run."""
    sample = ["--space", "tiny", "--samples", "10", "--seeds", "1", "--workers", "1", "--quiet"]
    new = ["--condition", "cost_per_resolved_job:rel<=-5%", "--threshold", "0.7"]
    stored, fresh = tmp_path / "stored", tmp_path / "fresh"
    main([*sample, "--condition", "resolved_share:rel>=0.25", "--out", str(stored)])
    runs = {p: p.stat().st_mtime_ns for p in (stored / "store" / "runs").glob("*.json")}
    capsys.readouterr()

    with monkeypatch.context() as patch:
        patch.setattr(sim.experiments.dispatch, "simulate", _raise)
        main([*sample, *new, "--out", str(stored)])
    printed = capsys.readouterr().out
    assert "Re-analysing the runs stored in" in printed and "(0 simulated now, 0 failed)" in printed
    assert {p: p.stat().st_mtime_ns for p in (stored / "store" / "runs").glob("*.json")} == runs
    first = json.loads((stored / "discover.json").read_text())["settings"]
    assert first["condition"] == "resolved_share:rel>=0.25", "the first analysis is kept"
    (again,) = (stored / "analyses").iterdir()
    settings = json.loads((again / "discover.json").read_text())["settings"]
    assert settings["condition"] == "cost_per_resolved_job:rel<=-0.05"
    assert settings["threshold"] == 0.7
    assert f"Results: {again}" in printed

    main([*sample, *new, "--out", str(fresh)])
    assert f"({len(runs)} simulated now" in capsys.readouterr().out
    for name in ("points.csv", "boxes.csv", "box.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(again / name), pd.read_csv(fresh / name))


def test_named_conditions_use_known_outcomes():
    for text in NAMED.values():
        assert set(parse_condition(text).outcomes) <= set(OUTCOME_INFO)

"""The workshop demo without a browser: the side-by-side model, the levers at their extremes, and
the views (numbers, figures, Solara components)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import solara

from sim.demo.levers import DEFAULTS, model_params, span_for_levels
from sim.demo.replay import Settings, account_stages, replay_for
from sim.demo.side_by_side import SideBySide
from sim.demo.views import (
    CHART_COLUMNS,
    changes_note,
    job_choices,
    job_path,
    scoreboard_rows,
    scoreboard_values,
    series,
)
from sim.designs import names
from sim.engine.staff import Manager


def _check_views(model: SideBySide) -> None:
    for side, m in model.sides.items():
        for label, value, fmt, _ in scoreboard_rows(m):
            assert math.isfinite(value), (side, label)
            assert "nan" not in fmt.format(value).lower()
        for column in CHART_COLUMNS:
            assert np.all(np.isfinite(series(m, column))), (side, column)
        stages = account_stages(m)
        assert ((stages >= 0) & (stages <= 4)).all()


def test_both_sides_share_the_market_and_step_together():
    model = SideBySide()
    left, right = model.sides["left"], model.sides["right"]
    np.testing.assert_array_equal(left.market.patients, right.market.patients)
    np.testing.assert_array_equal(left.market.jobs.arrival, right.market.jobs.arrival)
    assert model.designs == {"left": "traditional", "right": "micro_enterprise"}
    for _ in range(5):
        model.step()
    assert left.now == right.now == 5.0
    _check_views(model)


LEVERS = {k: v for k, v in model_params().items() if v["type"].startswith("Slider")
          and k != "seed"}


@pytest.mark.parametrize("lever", sorted(LEVERS))
@pytest.mark.parametrize("end", ["min", "max"])
def test_every_lever_at_both_ends_runs_without_nan(lever, end):
    spec = LEVERS[lever]
    for left, right in (("traditional", "micro_enterprise"), ("matrix", "pilot_rollout")):
        model = SideBySide(left=left, right=right, **{lever: spec[end]})
        for _ in range(8):
            model.step()
        _check_views(model)


def test_every_design_on_either_side():
    for design in names():
        model = SideBySide(left=design, right=design)
        for _ in range(3):
            model.step()
        _check_views(model)


def test_levers_land_where_they_should():
    model = SideBySide(primary_contact_span=5.0, team_authority=120.0, call_target_share=0.3,
                       platform_experts=9, cross_functional=0.0, resistance=0.4)
    left, right = model.sides["left"].config, model.sides["right"].config
    assert right.staffing.primary_contact_span == 5.0 and right.org.team_authority == 120.0
    assert right.org.resistance == 0.4 and right.org.revert_rate > 0
    assert left.org.kpi.calls == 0.3
    assert left.staffing.operations_experts + left.staffing.patient_services_experts == 9
    assert left.market.cross_functional_base == 0.0 == left.market.cross_functional_gain
    arrived = model.sides["left"].market.jobs.effort
    assert ((arrived > 0).sum(axis=1)[~model.sides["left"].market.jobs.gating] == 1).all()


@pytest.mark.parametrize("levels", [2, 3, 4, 5])
def test_hierarchy_levels_lever_gives_that_many_levels_where_it_can(levels):
    model = SideBySide(hierarchy_levels=levels)  # 24 reps in the workshop
    trad = model.sides["left"]
    rep = next(a for a in trad.workforce.agents if a.function == "sales")
    chain = trad.design.hierarchy.chain_above(rep)
    assert all(isinstance(m, Manager) for m in chain)
    # 24 people cannot form 4 equal-span levels below a general manager: the closest is used
    assert len(chain) == levels if levels < 5 else abs(len(chain) - levels) == 1
    assert [span_for_levels(n, 90) for n in (2, 3, 4, 5)] == [90, 10, 5, 4]


def test_follow_one_job_traces_the_same_job_on_both_sides():
    model = SideBySide()
    for _ in range(12):
        model.step()
    choices = job_choices(model.sides)
    assert choices and choices == job_choices(model.sides)
    job_id = int(choices[0].split(" · ")[0])
    for side in ("left", "right"):
        path = job_path(model.sides[side], job_id)
        assert path[0]["event"] == "arrived" and len(path) >= 2
        assert all(r["waited"] >= 0 for r in path)
        assert [r["week"] for r in path] == sorted(r["week"] for r in path)


def test_defaults_of_levers_match_the_scenario_defaults():
    from sim.configuration.composition import compose_run

    base = compose_run(["scenario=workshop", "org=micro_enterprise", "baseline=null"]).config
    model = SideBySide()
    right = model.sides["right"].config
    assert (right.staffing.primary_contact_span == base.staffing.primary_contact_span
            == DEFAULTS["primary_contact_span"])
    assert right.org.team_authority == base.org.team_authority
    assert right.market.cross_functional_base == base.market.cross_functional_base


@pytest.mark.parametrize("argv, message", [
    (["--port", "70000"], "argument --port: must be a whole number 1–65535, got '70000'"),
    (["--port", "http"], "argument --port: must be a whole number 1–65535, got 'http'"),
    (["--colour", "red"], "unrecognized arguments: --colour red"),
])
def test_demo_command_rejects_bad_input_in_one_line(argv, message, capsys):
    from sim.cli.demo import main

    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err == f"orgsim-demo: {message}\n"


def test_demo_command_says_when_the_port_is_taken(capsys):
    import socket

    from sim.cli.demo import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as exit_:
            main(["--port", str(port)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"orgsim-demo: cannot serve on 127.0.0.1:{port} (")
    assert "\n" not in err


# ------------------------------------------------------------------ replays (what the page plays)
@pytest.fixture(scope="module")
def replay():
    return replay_for(Settings(seed=2))


def test_a_replay_records_what_stepping_the_pair_week_by_week_shows(replay):
    live = SideBySide(seed=2)
    payload = replay.payload
    assert replay.weeks == live.sides["left"].n_steps
    for week in range(0, 31):
        if week:
            live.step()
        for i, side in enumerate(("left", "right")):
            m, recorded = live.sides[side], payload["sides"][i]
            assert recorded["scores"][week] == pytest.approx(
                [round(v, 4) for v in scoreboard_values(m)], abs=1e-9), (side, week)
            assert recorded["stages"][week] == account_stages(m).tolist()
            # every pair met this week whose person still holds a post, as (post, account)
            c, wf = m.contacts, m.workforce
            post = {int(p): r for r, p in enumerate(wf.person_id[:wf.n]) if p >= 0}
            met = {(post[int(p)], int(a)) for p, a, last in zip(
                c.person[:c.n], c.account[:c.n], c.last[:c.n], strict=True)
                if week and last == m.now and int(p) in post}
            flat = recorded["touches"][week]
            assert set(zip(flat[::2], flat[1::2], strict=True)) == met, (side, week)
    for i, side in enumerate(("left", "right")):
        for column in CHART_COLUMNS:
            np.testing.assert_allclose(payload["sides"][i]["series"][column][:31],
                                       series(live.sides[side], column), atol=1e-4)


def test_moments_are_the_adoptions_and_abandonments_of_the_run(replay):
    from sim.engine.jobs import Event

    for i, side in enumerate(("left", "right")):
        m, moments = replay.pair.sides[side], replay.payload["sides"][i]["moments"]
        adopted = {a: w for w, kind, _, a in moments if kind == "adopt"}
        expected = {a: float(w) for a, w in enumerate(m.book.adopted_week) if not np.isnan(w)}
        assert adopted == expected
        abandoned = [w for w, kind, _, _ in moments if kind == "abandon"]
        assert len(abandoned) == sum(r[2] == Event.ABANDONED for r in m.history._rows)
        assert abandoned == sorted(abandoned)


def test_a_run_is_computed_once_however_many_sessions_ask_at_once(monkeypatch):
    import threading
    import time

    from sim.demo import replay as replay_module

    calls = []

    def slow_compute(settings):
        calls.append(settings)
        time.sleep(0.3)
        return replay_module.Replay(settings, None, {"sides": [{"weeks": [0]}]})

    monkeypatch.setattr(replay_module, "compute", slow_compute)
    monkeypatch.setattr(replay_module, "_cache", type(replay_module._cache)())
    monkeypatch.setattr(replay_module, "CACHE_SIZE", 2)
    wanted = Settings(seed=77)
    got = []
    threads = [threading.Thread(target=lambda: got.append(replay_for(wanted)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(got) == 8 and all(r is got[0] for r in got)
    replay_for(Settings(seed=78))
    replay_for(Settings(seed=79))  # the cache keeps the two latest: seed 77 is dropped
    assert replay_for(Settings(seed=78)) is not None and len(calls) == 3
    replay_for(wanted)
    assert len(calls) == 4


def test_a_link_round_trips_the_view_and_names_what_it_ignored():
    from sim.demo.app import from_query, to_query

    settings = Settings(left="matrix", seed=5).with_(team_size=11, call_target_share=0.25)
    view = from_query(to_query(settings) + "&week=30&presenter=1")
    assert view.settings == settings and view.week == 30 and view.presenter
    assert view.problems == ""
    bad = from_query("seed=abc&left=nobody&primary_contact_span=99&week=-1&colour=red&team_size=3")
    assert bad.settings == Settings().with_(team_size=3) and bad.week == 0
    assert bad.problems.startswith("Ignored in the link: ")
    for named in ("seed='abc' (allowed: a number 0–99)", "left='nobody' (allowed: one of",
                  "primary_contact_span='99' (allowed: 1–12)", "week='-1'",
                  "colour (not a setting"):
        assert named in bad.problems, named


def test_the_change_note_names_what_moved_and_the_shared_seed():
    from sim.demo.app import values

    old = Settings()
    new = old.with_(team_size=11, left="matrix")
    note = changes_note(values(old), values(new))
    assert note == ("Changed: Left design traditional → matrix; Micro-enterprise team size "
                    "8 → 11. Both sides restarted at week 0 on seed 0, so they stay paired.")
    assert changes_note(values(old), values(old)) == ""


def test_page_applies_a_lever_at_once_and_presenter_mode_drops_the_sidebar():
    """The page without a browser: the stage gets the run as JSON; moving a slider swaps in the
    new pair's run and says what changed; presenter mode keeps the same stage, sidebar gone."""
    import json

    import ipyvuetify as v

    from sim.demo.app import Layout, Page
    from sim.demo.stage import Stage

    @solara.component
    def App():
        with Layout():
            Page()

    _, rc = solara.render(App(), handle_error=False)
    stage = rc.find(Stage).widget
    run = json.loads(stage.run)
    assert [s["design"] for s in run["sides"]] == ["traditional", "micro_enterprise"]
    assert "team_size=8" in stage.query
    slider = next(w for w in rc.find(v.Slider).widgets
                  if w.label.startswith("Micro-enterprise team size: 8"))
    slider.v_model = 9  # computed in the background: the stage says so, then shows it
    import time

    def relabelled() -> bool:
        return any(w.label == "Micro-enterprise team size: 9" for w in rc.find(v.Slider).widgets)

    def swapped_in() -> bool:  # the new pair computed (in the background) and on the stage
        return json.loads(stage.run)["key"] == repr(Settings().with_(team_size=9))

    deadline = time.time() + 120  # the run, the stage and the sidebar update separately
    while not (swapped_in() and "team_size=9" in stage.query and relabelled()
               and stage.note.startswith("Changed:")) and time.time() < deadline:
        time.sleep(0.05)
    assert swapped_in() and "team_size=9" in stage.query and relabelled()
    assert stage.note.startswith("Changed: Micro-enterprise team size 8 → 9.")
    stage.presenter = True
    assert rc.find(v.Slider).widgets == []
    assert rc.find(Stage).widget is stage
    stage.presenter = False
    assert len(rc.find(v.Slider).widgets) == len(
        [p for p in model_params().values() if p["type"].startswith("Slider")])


def test_the_two_sides_are_compared_at_equal_budget_as_orgsim_compares():
    from sim.experiments.budget import planned_budget

    pair = SideBySide(seed=2, team_size=6)
    left, right = (planned_budget(pair.sides[s].config) for s in ("left", "right"))
    assert pair.basis["mode"] == "equal_budget"
    assert abs(right.cost / left.cost - 1) < 0.02, (left, right)
    same = SideBySide(left="traditional", right="traditional")
    assert same.basis is None  # one design on both sides: nothing to scale

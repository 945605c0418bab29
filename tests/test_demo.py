"""The workshop demo without a browser: the side-by-side model, the levers at their extremes, and
the views (numbers, figures, Solara components)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import solara

from sim.demo.levers import DEFAULTS, model_params, span_for_levels
from sim.demo.side_by_side import SideBySide
from sim.demo.views import (
    Dashboard,
    FollowJob,
    chart_limits,
    chart_ranges,
    charts,
    job_choices,
    job_path,
    network,
    scoreboard_rows,
)
from sim.designs import names
from sim.staff import Manager


def _finite_figure(fig) -> None:
    for trace in fig.data:
        for axis in ("x", "y", "marker.size"):
            values = trace[axis]  # None when unset
            if isinstance(values, (int, float)):
                values = [values]
            if values is not None:
                numbers = np.array([v for v in values if v is not None], float)
                assert np.all(np.isfinite(numbers)), (trace.name, axis)


def _check_views(model: SideBySide) -> None:
    limits = chart_limits(list(model.sides.values()))
    assert all(math.isfinite(v) and v > 0 for v in limits.values())
    for side, m in model.sides.items():
        for label, value, fmt, _ in scoreboard_rows(m):
            assert math.isfinite(value), (side, label)
            assert "nan" not in fmt.format(value).lower()
        _finite_figure(charts(m, model.designs[side], limits))
        _finite_figure(network(m, model.designs[side]))


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
    model = SideBySide(ppoc_span=5.0, team_authority=120.0, call_target_share=0.3,
                       platform_experts=9, cross_functional=0.0, resistance=0.4)
    left, right = model.sides["left"].config, model.sides["right"].config
    assert right.staffing.ppoc_span == 5.0 and right.org.team_authority == 120.0
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


def test_dashboard_and_follow_job_render_and_update_without_a_browser():
    from solara.widgets.widgets import HTML

    model = SideBySide()
    _, rc = solara.render(Dashboard(model), handle_error=False)

    def scoreboard() -> str:
        return next(w.unsafe_innerHTML for w in rc.find(HTML).widgets
                    if "orgsim-score" in w.unsafe_innerHTML)

    assert "week 0" in scoreboard()
    for _ in range(4):
        model.step()
    from mesa.visualization.utils import force_update

    force_update()  # what SolaraViz does after a step
    assert "week 4" in scoreboard()
    _, rc2 = solara.render(FollowJob(model.sides, model.designs, 0), handle_error=False)
    tables = [w.unsafe_innerHTML for w in rc2.find(HTML).widgets
              if "orgsim-path" in w.unsafe_innerHTML]
    assert len(tables) == 2 and all("arrived" in t for t in tables)


def test_defaults_of_levers_match_the_scenario_defaults():
    from sim.cli.compose import compose_run

    base = compose_run(["scenario=workshop", "org=micro_enterprise", "baseline=null"]).config
    model = SideBySide()
    right = model.sides["right"].config
    assert right.staffing.ppoc_span == base.staffing.ppoc_span == DEFAULTS["ppoc_span"]
    assert right.org.team_authority == base.org.team_authority
    assert right.market.cross_functional_base == base.market.cross_functional_base


def test_whole_page_step_and_reset_through_solaraviz_buttons():
    """The page as SolaraViz builds it: Step advances both sides, Reset rebuilds the pair from
    the sidebar (Mesa passes its own ``scenario`` object on reset; ours must not collide)."""
    import ipyvuetify as v
    from solara.widgets.widgets import HTML

    from sim.demo.app import Page

    @solara.component
    def App():  # what `solara run` wraps the page in; the controls live in its sidebar
        with solara.AppLayout():
            Page()

    _, rc = solara.render(App(), handle_error=False)

    def week() -> str:
        html = next(w.unsafe_innerHTML for w in rc.find(HTML).widgets
                    if "orgsim-score" in w.unsafe_innerHTML)
        return html.split("week ")[1].split("<")[0]

    def press(label: str) -> None:
        rc.find(v.Btn, children=[label]).widget.click()

    assert week() == "0"
    press("Step")
    press("Step")
    assert week() == "2"
    press("Reset")
    assert week() == "0"
    press("Step")
    assert week() == "1"


def test_levers_line_names_the_values_the_pair_runs_with():
    from sim.demo.views import levers_line

    line = levers_line(SideBySide(seed=3, team_size=11, call_target_share=0.25))
    assert "Scenario: <b>workshop</b>" in line
    assert "Micro-enterprise team size: <b>11</b>" in line
    assert "Call targets: weight of calls in the KPI: <b>0.25</b>" in line
    assert "Seed (same market on both sides): <b>3</b>" in line


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


def test_chart_ranges_set_the_axes_the_traces_use():
    model = SideBySide()
    for _ in range(3):
        model.step()
    m = model.sides["left"]
    limits = chart_limits(list(model.sides.values()))
    fig = charts(m, "traditional", limits)
    used = {f"yaxis{t.yaxis[1:]}" for t in fig.data}
    assert used == {k.split(".")[0] for k in chart_ranges(m, limits) if k.startswith("yaxis")}
    assert fig.layout.yaxis3.range == (0, limits["jobs"])
    assert fig.layout.yaxis5.range == (0, limits["wait"])


def test_figures_are_drawn_once_per_run_and_changed_in_place():
    """Step changes the traces of the same plotly widgets (a restyle, not a new figure); Reset
    draws them anew for the new models."""
    import ipyvuetify as v
    import plotly.graph_objects as go

    from sim.demo.app import Page

    @solara.component
    def App():
        with solara.AppLayout():
            Page()

    _, rc = solara.render(App(), handle_error=False)
    widgets = rc.find(go.FigureWidget).widgets
    assert len(widgets) == 4
    lengths = [len(w.data[0].x) for w in widgets if len(w.data) == 6]
    assert lengths == [1, 1]
    rc.find(v.Btn, children=["Step"]).widget.click()
    after = rc.find(go.FigureWidget).widgets
    assert [id(w) for w in after] == [id(w) for w in widgets]
    assert [len(w.data[0].x) for w in after if len(w.data) == 6] == [2, 2]
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert [len(w.data[0].x) for w in rc.find(go.FigureWidget).widgets
            if len(w.data) == 6] == [1, 1]

"""The report and publication exports: valid files, figure data equal to the stored results, a
self-contained page that renders without errors, and the edge cases.

The runs, sweeps and exports run in this process through the commands' own entry points
(tests/commands.py); subprocesses remain for the smoke tests of exit status 2 (orgsim-export,
orgsim-report)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from commands import run_command, run_process

from sim.report.export import find_browser

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
needs_browser = pytest.mark.skipif(find_browser() is None,
                                   reason="no Chromium: apt-get install chromium")


def run(cmd, cwd, env=None):
    """``cmd`` (a command and its arguments) run in this process, as its console script runs it."""
    return run_command(cmd[0], cmd[1:], cwd, env)


def results_folder(stdout: str, cwd: Path) -> Path:
    path = Path(re.search(r"^Results: (.+)$", stdout, re.M).group(1).strip())
    return path if path.is_absolute() else cwd / path


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("report")
    # run.workers=1: the replications one after another (results do not depend on it), without
    # starting worker processes that only import the model
    out = run(["orgsim", "run.replications=3", "run.horizon_weeks=104", "run.workers=1"], cwd)
    assert out.returncode == 0, out.stderr
    return results_folder(out.stdout, cwd)


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    """A small sweep of both designs over two settings; 60 weeks, so half adoption is never
    reached and its panel is empty on purpose."""
    cwd = tmp_path_factory.mktemp("sweep_report")
    out = run(["orgsim", "-m", "org=traditional,micro_enterprise", "scenario=workshop",
               "staffing.primary_contact_span=2,4", "run.replications=3",
               "run.horizon_weeks=60", "hydra/launcher=basic"], cwd)  # one job after another
    assert out.returncode == 0, out.stderr
    return results_folder(out.stdout, cwd)


EXPECTED = ["01_adoption_accounts", "02_patients_treated", "03_jobs_over_time",
            "04_time_to_resolution", "05_outcomes", "06_journeys_micro_enterprise",
            "06_journeys_traditional", "07_job_timeline", "09_paired_differences",
            "10_cumulative_cash_flow"]


@needs_browser
@pytest.mark.slow
def test_export_writes_valid_png_svg_pdf_and_csv_for_every_figure_and_says_how_long_it_took(
        run_folder):
    out = run(["orgsim-export", str(run_folder), "--format", "png,svg,pdf"], run_folder)
    assert out.returncode == 0, out.stderr
    # one browser session for all three formats (a second export only to read this line cost
    # the slow tier a browser start)
    match = re.search(r"(\d+) files in ([\d.]+) s, ([\d.]+) s a file", out.stdout)
    assert match, out.stdout
    files, total, each = int(match[1]), float(match[2]), float(match[3])
    assert files == 3 * len(EXPECTED) and each == pytest.approx(total / files, abs=0.01)
    figures = run_folder / "figures"
    assert sorted(p.stem for p in figures.glob("*.csv")) == EXPECTED
    for name in EXPECTED:
        assert (figures / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (figures / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
        root = ET.parse(figures / f"{name}.svg").getroot()
        assert root.tag.endswith("svg")
    assert (figures / "report.html").exists()


@pytest.mark.slow
def test_figure_data_equals_what_the_stored_results_give(run_folder):
    out = run(["orgsim-export", str(run_folder), "--format", "csv"], run_folder)
    assert out.returncode == 0, out.stderr
    figures = run_folder / "figures"
    series = pd.read_parquet(run_folder / "tables" / "series.parquet")
    summary = pd.read_parquet(run_folder / "tables" / "summary.parquet")
    jobs = pd.read_parquet(run_folder / "tables" / "jobs.parquet")
    adoption = pd.read_csv(figures / "01_adoption_accounts.csv")
    expected = series.groupby(["design", "week"]).accounts_adopted_share.mean()
    got = adoption.set_index(["design", "week"])["mean"]
    np.testing.assert_allclose(got.sort_index(), expected.sort_index())
    outcomes = pd.read_csv(figures / "05_outcomes.csv")
    for _, row in outcomes.iterrows():
        values = summary[summary.design == row.design][row.outcome].dropna()
        assert row["mean"] == pytest.approx(values.mean())
    diffs = pd.read_csv(figures / "09_paired_differences.csv")
    wide = summary.pivot(index="seed", columns="design", values="cost_per_resolved_job")
    row = diffs[diffs.outcome == "cost_per_resolved_job"].iloc[0]
    assert row["mean"] == pytest.approx((wide.micro_enterprise - wide.traditional).mean())
    journeys = pd.read_csv(figures / "06_journeys_traditional.csv")
    trad = jobs[jobs.design == "traditional"]
    resolved = journeys[journeys.target == "resolved"].jobs.sum()
    assert resolved == (trad.state == "resolved").sum()


@needs_browser
@pytest.mark.slow
def test_report_is_self_contained_and_renders_without_console_errors(run_folder):
    from playwright.sync_api import sync_playwright

    html = (run_folder / "report.html").read_text()
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import", html)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_browser(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors, requests = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((run_folder / "report.html").as_uri())
        page.wait_for_selector(".plot-container", timeout=30000)
        assert page.locator(".plot-container").count() == len(EXPECTED)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []


@pytest.mark.slow
def test_every_figure_has_a_reading_computed_from_its_data(run_folder):
    from sim.report.data import load
    from sim.report.figures import all_figures

    data = load(run_folder)
    for figure in all_figures(data):
        assert figure.reading and not figure.data.empty, figure.name
    adoption = all_figures(data)[0]
    weeks = data.comparison[(data.comparison.outcome == "week_50pct_adoption")
                            & (data.comparison.kind == "mean")]
    trad = weeks[weeks.design == "traditional"]["mean"].iloc[0]
    if np.isfinite(trad):
        assert f"week {trad:.0f}" in adoption.reading
    html = (run_folder / "report.html").read_text()
    for figure in all_figures(data):
        assert figure.reading.replace("'", "&#x27;") in html


@pytest.mark.slow
def test_same_colour_for_the_same_design_everywhere(run_folder):
    from sim.report.data import load
    from sim.report.figures import all_figures
    from sim.report.style import DESIGN_COLOURS

    for figure in all_figures(load(run_folder)):
        for trace in figure.figure.data:
            name = getattr(trace, "name", None)
            if name in DESIGN_COLOURS and getattr(trace, "line", None) is not None \
                    and trace.line.color:
                assert trace.line.color == DESIGN_COLOURS[name], figure.name


@pytest.mark.slow
@pytest.mark.parametrize("case, args, sweep, note", [
    ("single replication", ["run.replications=1", "run.horizon_weeks=40"], False,
     "Single replication"),
    ("no account adopts", ["run.replications=2", "run.horizon_weeks=20",
                           "therapy.innovation=0", "therapy.imitation=0"], False,
     "No account adopted"),
    ("sweep with one design", ["org=micro_enterprise", "run.replications=2",
                               "run.horizon_weeks=40", "staffing.primary_contact_span=2,3"], True,
     "Only one design"),
])
def test_edge_cases_still_give_a_report_and_figures(tmp_path, case, args, sweep, note):
    # one run or job after another (run.workers=1, hydra/launcher=basic): the report is the
    # subject, and results do not depend on either
    cmd = ["orgsim", "-m", *args, "hydra/launcher=basic"] if sweep else \
        ["orgsim", *args, "run.workers=1"]
    out = run(cmd, tmp_path)
    assert out.returncode == 0, out.stderr
    folder = results_folder(out.stdout, tmp_path)
    (folder / "report.html").unlink(missing_ok=True)
    assert run(["orgsim-report", str(folder)], tmp_path).returncode == 0
    assert note in (folder / "report.html").read_text()
    assert run(["orgsim-export", str(folder), "--format", "csv"], tmp_path).returncode == 0
    assert len(list((folder / "figures").glob("*.csv"))) >= 6
    if sweep:
        assert (folder / "figures" / "08_sweep_staffing_primary_contact_span.csv").exists()


@pytest.mark.slow
def test_export_without_a_browser_says_how_to_install_one_and_keeps_html_and_csv(run_folder,
                                                                                  tmp_path):
    out = run(["orgsim-export", str(run_folder), "--format", "png", "--out", str(tmp_path)],
              run_folder, env={"BROWSER_PATH": "/nonexistent/chrome"})
    assert out.returncode == 1
    assert "apt-get install chromium" in out.stderr and out.stderr.count("\n") == 1
    assert (tmp_path / "report.html").exists()
    assert len(list(tmp_path.glob("*.csv"))) == len(EXPECTED)
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.slow
def test_bad_export_input_is_refused_in_one_line(run_folder):
    """Subprocesses: the smoke tests of exit status 2 of orgsim-export and orgsim-report."""
    out = run_process("orgsim-export", [run_folder, "--format", "gif"], run_folder)
    assert out.returncode == 2 and "--format: unknown gif" in out.stderr
    out = run_process("orgsim-report", [run_folder / "nope"], run_folder)
    assert out.returncode == 2 and out.stderr.startswith("orgsim-report: error:")


# ------------------------------------------------------------- fit to publish (issue 15, item 6)
@pytest.mark.slow
@needs_browser
@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_no_text_overlaps_and_no_plot_area_is_empty(kind, run_folder, sweep_dir, tmp_path):
    """Every figure of a run report and a sweep report, drawn by plotly.js in Chromium at the
    export size: no two text boxes overlap (or leave the figure) and every plot area shows
    data. A few of them are exported (kaleido) to test-artifacts/ for a person to look at."""
    from figure_check import check_figures

    from sim.report.data import load
    from sim.report.export import write_static
    from sim.report.figures import all_figures

    figures = all_figures(load(run_folder if kind == "run" else sweep_dir))
    found = check_figures(figures, tmp_path)
    assert {name: p for name, p in found.items() if p} == {}
    assert len(found) == len(figures) >= 9
    keep = [f for f in figures if f.name.startswith(("01", "03", "05", "08", "09"))]
    write_static(keep, ARTIFACTS / f"figures-{kind}", ["png"])
    for f in keep:
        assert (ARTIFACTS / f"figures-{kind}" / f"{f.name}.png").stat().st_size > 10_000


@pytest.mark.slow  # a whole run or sweep behind its fixture
def test_section_ids_differ_from_plot_ids(run_folder):
    html = (run_folder / "report.html").read_text()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "an id used twice"
    sections = re.findall(r'<section id="([^"]+)"', html)
    assert len(sections) == len(EXPECTED) and not set(sections) & set(EXPECTED)


@pytest.mark.slow  # a whole run, in this process
def test_the_report_a_run_makes_from_memory_equals_the_one_made_from_its_folder(
        tmp_path, monkeypatch):
    """``orgsim`` draws its report from the tables it has just written, still in memory
    (sim/cli/main.py); ``orgsim-report`` from the stored folder alone. The same figures (JSON,
    tables drawn, readings) and the same page."""
    from datetime import datetime

    from sim.report import page
    from sim.report.data import load
    from sim.report.figures import all_figures

    made = []
    write = page.write_report
    monkeypatch.setattr(page, "write_report",
                        lambda data, path, job_id=None: made.append(data) or write(data, path))
    out = run(["orgsim", "run.replications=2", "run.horizon_weeks=52", "run.workers=1"],
              tmp_path)
    assert out.returncode == 0, out.stderr
    memory, stored = made[0], load(results_folder(out.stdout, tmp_path))
    for name in memory.__dataclass_fields__:  # the same data: every table, every history
        a, b = getattr(memory, name), getattr(stored, name)
        if name == "history":
            assert a.keys() == b.keys()
            a, b = pd.concat(a), pd.concat(b)
        if name == "summary":  # the folder each run was read from: staging, then final
            a, b = a.drop(columns="folder"), b.drop(columns="folder")
        if isinstance(a, pd.DataFrame):  # the same values (DuckDB reads a category as text)
            pd.testing.assert_frame_equal(a, b, check_exact=True, check_dtype=False,
                                          check_categorical=False, obj=name)
        else:
            assert a == b, name
    drawn = {"memory": all_figures(memory), "stored": all_figures(stored)}
    assert [f.name for f in drawn["memory"]] == [f.name for f in drawn["stored"]]
    for a, b in zip(drawn["memory"], drawn["stored"], strict=True):
        assert a.figure.to_json() == b.figure.to_json(), a.name
        assert a.reading == b.reading, a.name
        pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)

    class Now(datetime):  # the page's "made on" minute, the same for both
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 1, 12, 0)

    monkeypatch.setattr(page, "datetime", Now)
    assert page.render(memory, drawn["memory"]) == page.render(stored, drawn["stored"])


@pytest.mark.slow  # a whole run or sweep behind its fixture
def test_every_report_figure_is_unchanged_by_plotlys_full_validation(run_folder, sweep_dir):
    """The figures skip re-validating the template (plotly's default, see plotting.py): each
    must equal its rebuild through every validator, template given by name."""
    import json

    import plotly.graph_objects as go

    from sim.report.data import load
    from sim.report.figures import all_figures

    for folder in (run_folder, sweep_dir):
        for f in all_figures(load(folder)):
            validated = go.Figure(f.figure.to_dict())
            validated.update_layout(template="plotly_white")
            assert json.loads(validated.to_json()) == json.loads(f.figure.to_json()), f.name


@pytest.mark.slow  # a whole run or sweep behind its fixture
def test_better_and_worse_never_borrow_a_design_colour(run_folder):
    from sim.report.data import load
    from sim.report.style import DESIGN_COLOURS, PHASE_COLOURS, VERDICT_COLOURS
    from sim.report.sweep_figures import paired_differences

    designs = {c.lower() for c in DESIGN_COLOURS.values()}
    assert not designs & {c.lower() for c in (*VERDICT_COLOURS.values(), *PHASE_COLOURS)}
    figure = paired_differences(load(run_folder)).figure
    for trace in figure.data:
        assert not designs & {str(c).lower() for c in trace.marker.color}
    assert "orange" not in figure.layout.title.text and "green" not in figure.layout.title.text


@pytest.mark.slow  # a whole run or sweep behind its fixture
def test_sweep_figures_speak_in_words_tick_only_taken_values_and_keep_shares_in_range(
        sweep_dir):
    from sim.report.data import load
    from sim.report.sweep_figures import outcomes_vs_parameters

    (figure,) = outcomes_vs_parameters(load(sweep_dir))
    fig = figure.figure
    titles = [a.text for a in fig.layout.annotations]
    assert not [t for t in titles if "_" in t.split("Scenario")[0]], titles  # no raw names
    assert "jobs resolved (share)" in titles
    assert any("undefined in every run" in t for t in titles)  # half adoption, never reached
    axes = [fig.layout[a] for a in fig.layout if a.startswith("xaxis")]
    visible = [a for a in axes if a.visible is not False]
    for axis in visible:
        assert list(axis.tickvals) == [2, 4]
        assert "_" not in axis.title.text and "primary point of" in axis.title.text
    for trace in fig.data:  # the share panel: bands and means within 0–1, no stray markers
        if trace.xaxis in (None, "x") and trace.fill == "toself":
            assert trace.mode == "lines"
            assert min(trace.y) >= 0 and max(trace.y) <= 1

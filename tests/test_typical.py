"""Is a single run typical of the space? (sim/experiments/typical.py, the line ``orgsim`` prints.)

Fast tests write verdict folders by hand — differences.csv with known numbers, verdict.json with
the run's own configurations and today's model fingerprint — so the line can be checked against
numbers computed here independently (share of base points, Wilson interval, mid-rank
percentile), and every way a verdict can be unusable (none, stale, another question, malformed,
unfinished) gives one line, never an exception. The slow test builds a real verdict on a tiny
space and runs ``orgsim`` beside it, as a user would (in this process, through orgsim's own
entry point: tests/commands.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from commands import run_command

from sim.experiments.fingerprint import _files, model_fingerprint
from sim.experiments.typical import Run, flat, typical
from sim.experiments.verdict import wilson

SPACE = {"market.cross_functional_base": [0.05, 0.6, False],
         "org.team_authority": [0.0, 200.0, False]}
OUTCOMES = ["resolved_share", "trust_final"]
HORIZON = 26.0


@pytest.fixture(scope="module")
def composed():
    from sim.configuration.composition import compose_run

    return compose_run(["scenario=workshop", "run.horizon_weeks=26", "compare=as_configured"])


def make_run(composed, difference: float, seeds: int = 3) -> Run:
    """The run: traditional resolves 0.5 of its jobs on every seed, micro-enterprise 0.5 +
    ``difference`` (trust: the opposite sign, so one outcome favours each design)."""
    rows = []
    for seed in range(seeds):
        rows.append(dict(design="traditional", seed=seed, resolved_share=0.5, trust_final=0.5))
        rows.append(dict(design="micro_enterprise", seed=seed, resolved_share=0.5 + difference,
                         trust_final=0.5 - difference))
    return Run("workshop", list(composed.designs), composed.compare,
               {d: composed.config_for(d) for d in composed.designs}, pd.DataFrame(rows))


# the space's differences at its base points (A, B) and at mixed rows, which must not count
BASE = np.round(np.linspace(-0.05, 0.25, 20), 6)  # micro better at 16 of 20 base points
MIXED = np.full(8, -9.0)


def write_verdict(root: Path, run: Run, name: str = "v", **changes) -> Path:
    folder = root / "verdict" / name
    folder.mkdir(parents=True)
    diffs = pd.DataFrame({"point": range(28), "resolved_share": [*BASE, *MIXED],
                          "trust_final": [*-BASE, *MIXED],
                          "row": ["A", "B"] * 10 + ["frictions"] * 8})
    diffs.to_csv(folder / "differences.csv", index=False)
    record = {"settings": {"space": "plausible", "scenario": "workshop", "designs": run.designs,
                           "params": SPACE, "compare": run.compare, "outcomes": OUTCOMES},
              "model": model_fingerprint(),
              "base": {d: flat(c) for d, c in run.configs.items()}}
    for key, value in changes.items():
        record[key] = value
    (folder / "verdict.json").write_text(json.dumps(record))
    (folder / "report.html").write_text("<html></html>")
    return folder


def expected(difference: float) -> tuple[str, str, int]:
    """Share [interval] of base points where micro-enterprise is better, and the percentile of
    ``difference`` among them — computed here, not by the module."""
    k, n = int((BASE > 0).sum()), len(BASE)
    low, high = wilson(k, n)
    pct = 100 * ((difference > BASE).sum() + (difference == BASE).sum() / 2) / n
    return f"{k / n:.0%}", f"{low:.0%}–{high:.0%}", int(round(pct))


# ----------------------------------------------------------------------------- the line
def test_the_line_states_the_share_interval_and_percentile_computed_from_the_numbers(
        composed, tmp_path):
    run = make_run(composed, 0.1)
    write_verdict(tmp_path, run)
    t = typical(tmp_path, run, HORIZON)
    share, interval, pct = expected(0.1)
    assert t.status == "typical"
    assert t.line == (f"Typical of the plausible space: micro_enterprise is better on jobs "
                      f"resolved here (+0.100), as it is in {share} [{interval}] of the space; "
                      f"this difference is at the {pct}th percentile of the space's.")
    assert (share, pct) == ("80%", 50)  # the mixed rows (all −9) are left out
    row = t.rows[0]
    assert row["wins"] == 16 and row["points"] == 20 and row["difference"] == pytest.approx(0.1)
    trust = t.rows[1]  # less trust under micro-enterprise, here and in 80% of the space
    assert trust["better"] == "traditional" and trust["share"] == pytest.approx(0.8)
    assert trust["status"] == "typical" and trust["percentile"] == pytest.approx(50)


def test_a_run_where_the_other_design_wins_is_not_typical(composed, tmp_path):
    run = make_run(composed, -0.04)
    write_verdict(tmp_path, run)
    t = typical(tmp_path, run, HORIZON)
    k = int((BASE < 0).sum())
    low, high = wilson(k, len(BASE))
    assert t.status == "atypical"
    assert t.line.startswith("Not typical of the plausible space: traditional is better on jobs "
                             "resolved here (−0.040), as it is in only "
                             f"{k / len(BASE):.0%} [{low:.0%}–{high:.0%}] of the space")


def test_a_margin_beyond_the_space_is_typical_in_direction_not_in_size(composed, tmp_path):
    run = make_run(composed, 0.4)
    write_verdict(tmp_path, run)
    t = typical(tmp_path, run, HORIZON)
    assert t.status == "unusual_size"
    assert "in direction, not in size" in t.line and "at the 100th percentile" in t.line


def test_a_setting_outside_the_space_is_named(composed, tmp_path):
    run = make_run(composed, 0.1)
    write_verdict(tmp_path, run, settings={
        "space": "plausible", "scenario": "workshop", "designs": run.designs,
        "params": {**SPACE, "org.team_authority": [0.0, 10.0, False]}, "compare": run.compare,
        "outcomes": OUTCOMES})
    t = typical(tmp_path, run, HORIZON)
    assert t.status == "typical" and t.line.endswith(
        "This run lies outside the space on org.team_authority.")


# ----------------------------------------------------------------------------- no valid verdict
def test_without_a_verdict_the_line_gives_the_command_that_makes_one(composed, tmp_path):
    t = typical(tmp_path, make_run(composed, 0.1), HORIZON, default_root=False)
    assert t.status == "none" and t.report is None
    assert f"no verdict of scenario workshop in {tmp_path / 'verdict'}" in t.line
    assert f"`orgsim-verdict --scenario workshop --out {tmp_path / 'verdict' / 'workshop'}`" \
        in t.line


@pytest.mark.parametrize("changes, says", [
    ({"model": {"sha256": "0" * 64}}, "made by another version of the model (fingerprint "
                                      "000000000000"),
    ({"model": None}, "records no model fingerprint"),
])
def test_a_stale_verdict_is_never_used_and_its_report_is_linked(composed, tmp_path, changes,
                                                                 says):
    run = make_run(composed, 0.1)
    folder = write_verdict(tmp_path, run, **changes)
    t = typical(tmp_path, run, HORIZON)
    assert t.status == "unusable" and says in t.line and t.rows == []
    assert f"its report: {folder / 'report.html'}" in t.line
    assert t.line.endswith("Make a valid one with `orgsim-verdict --scenario workshop`.")
    assert t.report == str((folder / "report.html").resolve())


def _base_with(run, design, key, value):
    base = {d: flat(c) for d, c in run.configs.items()}
    base[design][key] = value
    return base


@pytest.mark.parametrize("change, says", [
    (lambda run: {"base": _base_with(run, "traditional", "market.accounts", 21)},
     "holds a setting fixed that this run changes (traditional: market.accounts = 20 here, 21 "
     "in the verdict)"),
    (lambda run: {"settings": {"space": "p", "scenario": "workshop", "params": SPACE,
                               "designs": ["traditional", "matrix"], "compare": run.compare,
                               "outcomes": OUTCOMES}},
     "it compares matrix with traditional, this run micro_enterprise with traditional"),
    (lambda run: {"settings": {"space": "p", "scenario": "workshop", "params": SPACE,
                               "designs": run.designs, "compare": "equal_budget",
                               "outcomes": OUTCOMES}},
     "it compares the designs at equal budget, this run as configured"),
])
def test_a_verdict_of_another_question_is_not_used(composed, tmp_path, change, says):
    run = make_run(composed, 0.1)
    write_verdict(tmp_path, run, **change(run))
    t = typical(tmp_path, run, HORIZON)
    assert t.status == "unusable" and says in t.line, t.line
    assert "orgsim-verdict --space FILE --scenario workshop" in t.line


def test_a_setting_the_space_varies_may_differ_from_the_verdicts(composed, tmp_path):
    run = make_run(composed, 0.1)
    write_verdict(tmp_path, run, base=_base_with(run, "micro_enterprise", "org.team_authority",
                                                 123.0))
    assert typical(tmp_path, run, HORIZON).status == "typical"


@pytest.mark.parametrize("damage, says", [
    (lambda f: (f / "verdict.json").write_text("{not json"), "verdict.json is not readable JSON"),
    (lambda f: (f / "verdict.json").write_text("[1, 2]"), "verdict.json is not a JSON object"),
    (lambda f: (f / "verdict.json").write_text('{"settings": {"scenario": "workshop", '
                                               '"designs": "x"}}'),
     "settings.designs is not two design names"),
    (lambda f: (f / "verdict.json").write_text("[" * 100_000 + "]" * 100_000),
     "verdict.json is not readable JSON"),
    (lambda f: (f / "differences.csv").write_text("point,resolved_share,trust_final,row\n"
                                                  "0,lots,1,A\n"),
     "differences.csv holds a value that is not a number"),
    (lambda f: (f / "differences.csv").write_text("point,resolved_share,row\n0,0.1,A\n"),
     "differences.csv has no column 'trust_final'"),
    (lambda f: (f / "differences.csv").write_bytes(b"\xff\xfe\x00garbage"),
     "differences.csv"),
    (lambda f: (f / "differences.csv").unlink(), "it is not finished (no differences.csv)"),
    (lambda f: (f / "report.html").unlink(), "it is not finished (no report.html)"),
])
def test_a_damaged_verdict_gets_one_line_not_an_exception(composed, tmp_path, damage, says):
    run = make_run(composed, 0.1)
    damage(write_verdict(tmp_path, run))
    t = typical(tmp_path, run, HORIZON)
    assert t.status == "unusable" and says in t.line, t.line
    assert "\n" not in t.line


def test_a_newer_damaged_verdict_does_not_hide_an_older_valid_one(composed, tmp_path):
    import os

    run = make_run(composed, 0.1)
    good = write_verdict(tmp_path, run, name="good")
    bad = write_verdict(tmp_path, run, name="bad")
    (bad / "verdict.json").write_text("{")
    os.utime(good / "verdict.json", (1, 1))  # the valid one is older
    t = typical(tmp_path, run, HORIZON)
    assert t.status == "typical" and t.verdict == str(good)


def test_a_run_of_one_design_is_not_asked(composed, tmp_path):
    run = make_run(composed, 0.1)
    run.designs = ["micro_enterprise"]
    assert typical(tmp_path, run, HORIZON).status == "one_design"


# ----------------------------------------------------------------------------- around it
def test_the_fingerprint_covers_the_model_and_its_files_not_the_presentation():
    names = {name for name, _ in _files()}
    assert {"sim/engine/model.py", "sim/designs/traditional.py", "sim/experiments/verdict.py",
            "sim/configuration/schema.py", "conf/config.yaml", "conf/space/plausible.yaml",
            "scenarios/workshop.yaml"} <= names
    assert not any(n.startswith(("sim/cli/", "sim/report/", "sim/demo/")) for n in names)
    assert re.fullmatch(r"[0-9a-f]{64}", model_fingerprint()["sha256"])


def test_the_report_shows_the_line_escaped_with_a_relative_link(tmp_path):
    from types import SimpleNamespace

    from sim.report.page import typical_section

    run_folder, verdict = tmp_path / "outputs" / "d" / "t", tmp_path / "outputs" / "verdict" / "v"
    data = SimpleNamespace(folder=run_folder, typical={
        "line": "Typical <script>alert(1)</script>", "verdict": str(verdict),
        "report": str(verdict / "report.html"),
        "rows": [{"outcome": "resolved_share", "difference": 0.1, "better": "micro_enterprise",
                  "share": 0.8, "low": 0.58, "high": 0.92, "points": 20, "percentile": 57,
                  "status": "typical"}, {"outcome": "x", "difference": "<b>"}]})
    page = typical_section(data)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="../../verdict/v/report.html"' in page
    assert "80% [58%–92%] of 20" in page
    hostile = typical_section(SimpleNamespace(folder=run_folder, typical={
        "line": "x", "verdict": None, "report": "javascript:alert(1)", "rows": []}))
    assert 'href="javascript:' not in hostile


def test_resuming_a_verdict_folder_of_another_model_is_refused(tmp_path, capsys):
    from sim.cli.verdict import check, main, parse_args

    space = tmp_path / "small.yaml"
    space.write_text("scenario: workshop\ndesigns: [traditional, micro_enterprise]\n"
                     "overrides: [run.horizon_weeks=26]\nparams:\n"
                     "  org.team_authority: {low: 0.0, high: 200.0}\n")
    out = tmp_path / "verdict"
    args = ["--space", str(space), "--n", "2", "--out", str(out)]
    settings = check(parse_args(args))[1]
    out.mkdir()
    (out / "verdict.json").write_text(json.dumps({"settings": settings,
                                                  "model": {"sha256": "0" * 64}}))
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert "holds runs of another version of the model" in capsys.readouterr().err


# ----------------------------------------------------------------------------- end to end
@pytest.mark.slow
def test_orgsim_says_its_run_is_typical_of_a_verdict_on_a_tiny_space_beside_it(tmp_path):
    """A real verdict (the workshop market over 26 weeks, two settings, N = 2, one seed: 8
    points), then ``orgsim`` on the same question in the same outputs/: the line it prints
    before ``Results:`` states the numbers recomputed here from the run's tables and the
    verdict's differences.csv; the report shows it and links to the verdict's report."""
    from sim.cli.verdict import main as verdict_main

    space = tmp_path / "tiny.yaml"
    space.write_text("scenario: workshop\ndesigns: [traditional, micro_enterprise]\n"
                     "overrides: [run.horizon_weeks=26]\nparams:\n"
                     "  market.cross_functional_base: {low: 0.05, high: 0.6}\n"
                     "  org.team_authority: {low: 0.0, high: 200.0}\n")
    verdict = tmp_path / "outputs" / "verdict" / "tiny"
    verdict_main(["--space", str(space), "--n", "2", "--format", "none", "--quiet",
                  "--workers", "1", "--out", str(verdict)])
    done = run_command("orgsim", ["scenario=workshop", "run.horizon_weeks=26",
                                  "compare=as_configured", "run.replications=2", "run.workers=1"],
                       tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("Results: ")
    line, folder = lines[-2], tmp_path / lines[-1].removeprefix("Results: ").strip()

    summary = pd.read_parquet(folder / "tables" / "summary.parquet")
    wide = summary.pivot(index="seed", columns="design", values="resolved_share")
    here = float((wide["micro_enterprise"] - wide["traditional"]).mean())
    diffs = pd.read_csv(verdict / "differences.csv")
    base = diffs[diffs.row.isin(["A", "B"])].resolved_share.to_numpy()
    better = "micro_enterprise" if here > 0 else "traditional"
    k = int((base > 0).sum() if here > 0 else (base < 0).sum())
    low, high = wilson(k, len(base))
    pct = round(100 * ((base < here).sum() + (base == here).sum() / 2) / len(base))
    assert f"{better} is better on jobs resolved here ({here:+.3f})".replace("-", "−") in line
    assert f"as it is in {'only ' if k / len(base) < 0.5 else ''}{k / len(base):.0%} " \
           f"[{low:.0%}–{high:.0%}] of the space" in line
    assert re.search(rf"at the {pct}(st|nd|rd|th) percentile of the space's", line), line
    assert line.startswith(("Typical of the space 'tiny'", "Not typical of the space 'tiny'"))

    recorded = json.loads((folder / "typical.json").read_text())
    assert recorded["line"] == line and recorded["verdict"] == "outputs/verdict/tiny"
    report = (folder / "report.html").read_text()
    assert "Typical of the space?" in report and 'href="../../verdict/tiny/report.html"' in report

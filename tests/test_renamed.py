"""Renamed settings (sim/configuration/renamed.py): an old name keeps working for a release
wherever a setting is named, and says once, in one line on stderr, what to write instead."""

from __future__ import annotations

import pytest
from commands import run_command

from sim.configuration import renamed
from sim.configuration.composition import InputError, compose_run

NOTE = ("orgsim: note: staffing.ppoc_span is now staffing.primary_contact_span (the old name "
        "will stop working in the next release)")


@pytest.fixture(autouse=True)
def untold(monkeypatch):
    """Each test starts as a fresh process would: no old name noted yet."""
    monkeypatch.setattr(renamed, "_told", set())


def test_an_old_name_in_an_override_still_works_and_is_noted_once(capsys):
    first = compose_run(["staffing.ppoc_span=3"]).config
    second = compose_run(["staffing.ppoc_span=5"]).config
    assert first.staffing.primary_contact_span == 3 and second.staffing.primary_contact_span == 5
    assert capsys.readouterr().err.splitlines() == [NOTE]


def test_only_setting_keys_are_renamed():
    assert renamed.override("+staffing.salary_ppoc=200") == "+staffing.salary_primary_contact=200"
    assert renamed.override("~staffing.ppoc_span") == "~staffing.primary_contact_span"
    for text in ("-m", "staffing.ppoc_spans=3", "run.seed=3", "scenario=ppoc_span", "--cfg"):
        assert renamed.override(text) == text


def test_an_old_value_is_still_checked_under_its_new_name():
    with pytest.raises(InputError) as error:
        compose_run(["staffing.ppoc_span=0"])
    assert str(error.value).startswith("staffing.primary_contact_span: must be ≥ 1")


def test_an_old_name_in_a_scenario_file_still_works(scenarios_copy, capsys):
    (scenarios_copy / "zz_old_names.yaml").write_text(
        "# @package _global_\nstaffing:\n  ppoc_span: 5\n  ppoc_min_experience: 2\n")
    staffing = compose_run(["scenario=zz_old_names"]).config.staffing
    assert staffing.primary_contact_span == 5 and staffing.primary_contact_min_experience == 2
    assert capsys.readouterr().err.count("orgsim: note: ") == 2


def test_an_old_name_in_a_group_file_hydra_reads_is_refused_naming_the_new_one(tmp_path):
    (tmp_path / "staffing").mkdir()
    (tmp_path / "staffing" / "old.yaml").write_text("reps: 10\nppoc_span: 3\n")
    with pytest.raises(InputError) as error:
        compose_run([f"hydra.searchpath=[file://{tmp_path}]", "staffing=old"])
    assert "it is now 'staffing.primary_contact_span'" in str(error.value)


def test_an_old_name_in_a_parameter_space_still_works(tmp_path):
    from sim.experiments.space import load_space

    path = tmp_path / "old.yaml"
    path.write_text("scenario: workshop\ndesigns: [traditional, micro_enterprise]\n"
                    "overrides: [staffing.ppoc_min_experience=3]\n"
                    "params: {staffing.ppoc_span: {low: 1.0, high: 4.0}}\n")
    space = load_space(str(path))
    assert space.names == ["staffing.primary_contact_span"]
    assert space.overrides == ("staffing.primary_contact_min_experience=3",)


def test_an_old_demo_link_still_sets_the_lever():
    from sim.demo.app import from_query

    view = from_query("ppoc_span=5")
    assert view.settings.lever_dict["primary_contact_span"] == 5 and view.problems == ""


def test_the_command_line_takes_an_old_name_and_notes_it_in_one_line(tmp_path):
    out = run_command("orgsim", ["--cfg", "job", "staffing.ppoc_span=3"], tmp_path)  # in process
    assert out.returncode == 0, out.stderr
    assert "primary_contact_span: 3" in out.stdout and "ppoc" not in out.stdout
    assert out.stderr.splitlines() == [NOTE]

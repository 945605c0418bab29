"""Broken scenario files: named in one line (the command-line cases — empty, not YAML, a list,
nulls — are rows of tests/test_cli.py's table), and one broken file in scenarios/ does not break
the other scenarios or ``orgsim --help``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sim.configuration import hydra_store
from sim.configuration.composition import InputError, compose_run

BAD_SCENARIOS = Path(__file__).parent / "data" / "bad_scenarios"  # scenario/<name>.yaml
SEARCH = f"hydra.searchpath=[file://{BAD_SCENARIOS}]"


def test_a_list_scenario_is_named_and_told_to_be_a_mapping():
    with pytest.raises(InputError) as error:
        compose_run([SEARCH, "scenario=a_list"])
    assert "must be a mapping of settings" in str(error.value) and "not a list" in str(
        error.value)


@pytest.mark.parametrize("text, words", [("market: [1, 2\n  x: {\n", "not valid YAML"),
                                         ("- a\n- b\n", "must be a mapping of settings")])
def test_broken_group_file_found_by_hydra_is_explained_in_one_line(tmp_path, text, words):
    """Not a scenario: Hydra reads the file itself, and explain() turns its error into a line."""
    (tmp_path / "market").mkdir()
    (tmp_path / "market" / "broken.yaml").write_text(text)
    with pytest.raises(InputError) as error:
        compose_run([f"hydra.searchpath=[file://{tmp_path}]", "market=broken"])
    line = str(error.value)
    assert "\n" not in line and words in line and "market" in line, line


# ------------------------------------------------------------- one broken file in scenarios/
def test_one_broken_scenario_fails_only_when_chosen(scenarios_copy):
    (scenarios_copy / "zz_not_yaml.yaml").write_text("market: [1, 2\n  accounts: {\n")
    (scenarios_copy / "zz_empty.yaml").write_text("")
    (scenarios_copy / "zz_list.yaml").write_text("# @package _global_\n- market\n")
    (scenarios_copy / "zz_latin1.yaml").write_bytes(b"# Question: caf\xe9?\nmarket: {}\n")
    # every good scenario (and the default) still composes
    assert compose_run(["scenario=workshop"]).config.market.accounts > 0
    compose_run([])
    assert hydra_store.BROKEN == {}  # not chosen, so not even read
    for name, words in [("zz_not_yaml", "not valid YAML"), ("zz_empty", "the file is empty"),
                        ("zz_list", "must be a mapping of settings"),
                        ("zz_latin1", "cannot read")]:
        with pytest.raises(InputError) as error:
            compose_run([f"scenario={name}"])
        assert words in str(error.value) and "\n" not in str(error.value), str(error.value)


def test_a_broken_default_scenario_fails_every_default_run_with_its_reason(scenarios_copy):
    (scenarios_copy / "oncology_launch.yaml").write_text("- market\n")
    with pytest.raises(InputError, match="scenario oncology_launch: .* must be a mapping"):
        compose_run([])
    assert compose_run(["scenario=workshop"]).scenario == "workshop"


def test_help_still_works_and_does_not_read_scenario_files(scenarios_copy, monkeypatch, capsys):
    from sim.cli import main as cli

    (scenarios_copy / "zz_not_yaml.yaml").write_text("market: [1, 2\n")
    monkeypatch.setattr(sys, "argv", ["orgsim", "--help"])
    cli.main()  # returns: exit status 0
    out = capsys.readouterr()
    assert "workshop" in out.out and "zz_not_yaml" in out.out  # listed by name, not read
    assert "zz_not_yaml" not in hydra_store.BROKEN and "Traceback" not in out.err

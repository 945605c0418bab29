"""Each YAML text parsed once per process (sim/configuration/parsed_yaml.py): the same
configurations as parsing every time, never a stale one, never one shared between callers."""

from __future__ import annotations

import io

import pytest
from omegaconf import OmegaConf

from sim.configuration import parsed_yaml
from sim.configuration.composition import _compose_tree


@pytest.fixture(autouse=True)
def parsing_afresh():
    """omegaconf's own load, which parses every time (and the remembering one installed)."""
    parsed_yaml.keep_parsed_texts()
    return OmegaConf.load.original


def test_a_composed_tree_is_the_one_parsing_every_file_afresh_gives(parsing_afresh, monkeypatch):
    overrides = ["scenario=oncology_launch", "org=micro_enterprise", "hydra/launcher=joblib"]
    for _ in range(2):  # read once, then again and kept
        _compose_tree(overrides)
    remembered = OmegaConf.to_yaml(_compose_tree(overrides))  # every file from what was kept
    calls = []

    def afresh(file_):
        calls.append(file_)
        return parsing_afresh(file_)

    monkeypatch.setattr(OmegaConf, "load", staticmethod(afresh))
    assert OmegaConf.to_yaml(_compose_tree(overrides)) == remembered
    assert len(calls) > 10  # conf/'s files and Hydra's own defaults went through load


def test_a_changed_file_is_parsed_again(tmp_path):
    path = tmp_path / "group.yaml"
    path.write_text("a: 1\nb: [1, 2]\n")
    for _ in range(3):  # read, read again and kept, handed out from what was kept
        assert OmegaConf.load(path) == {"a": 1, "b": [1, 2]}
    path.write_text("a: 2\nb: [1, 2]\n")  # same length, same second
    assert OmegaConf.load(path) == {"a": 2, "b": [1, 2]}
    with open(path, encoding="utf-8") as f:  # as Hydra hands it over: an open file
        assert OmegaConf.load(f).a == 2


def test_each_load_is_a_new_configuration_its_caller_may_change():
    text = "nested:\n  xs: [1, 2]\n"
    for _ in range(3):  # read, read again and kept, handed out from what was kept
        loaded = OmegaConf.load(io.StringIO(text))
        assert loaded == {"nested": {"xs": [1, 2]}}
        loaded.nested.xs.append(3)
        loaded.nested.extra = "x"


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "a: 1.5e3\nb: ~\nc: 'x'\n"])
def test_texts_load_as_omegaconf_loads_them(parsing_afresh, text):
    for _ in range(3):  # read, read again and kept, handed out from what was kept
        loaded = OmegaConf.load(io.StringIO(text))
        assert OmegaConf.to_yaml(loaded) == OmegaConf.to_yaml(parsing_afresh(io.StringIO(text)))


@pytest.mark.parametrize("text", ["a: [1, 2\n", "a: 1\na: 2\n", "42\n"])
def test_a_text_omegaconf_refuses_is_refused_the_same_way(parsing_afresh, text):
    with pytest.raises(Exception) as original:
        parsing_afresh(io.StringIO(text))
    for _ in range(3):
        with pytest.raises(type(original.value)):
            OmegaConf.load(io.StringIO(text))

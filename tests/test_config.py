"""Configuration: defaults validate, bad settings are named in one line, the ODD table is
current."""

from __future__ import annotations

import math

import pytest
from settings import tiny

from sim import ConfigError, SimConfig, design_config, validate
from sim.configuration.odd_table import current, tables
from sim.designs import names


@pytest.mark.parametrize("design", names())
def test_every_design_default_config_validates(design):
    validate(SimConfig(org=design_config(design)))


def _bad(mutate):
    cfg = SimConfig(org=design_config("micro_enterprise"))
    mutate(cfg)
    with pytest.raises(ConfigError) as err:
        validate(cfg)
    return str(err.value)


@pytest.mark.parametrize("mutate, setting", [
    (lambda c: setattr(c.run, "horizon_weeks", 0), "run.horizon_weeks"),
    (lambda c: setattr(c.market, "accounts", -3), "market.accounts"),
    (lambda c: setattr(c.market, "cross_functional_base", 1.5), "market.cross_functional_base"),
    (lambda c: setattr(c.market.integrated, "share", 0.9), "market.<type>.share"),
    (lambda c: setattr(c.therapy, "innovation", math.nan), "therapy.innovation"),
    (lambda c: setattr(c.therapy, "imitation", "fast"), "therapy.imitation"),
    (lambda c: setattr(c.therapy, "initial_stages", [0.5, 0.5]), "therapy.initial_stages"),
    (lambda c: setattr(c.therapy, "global_mixing", 0.5), "therapy.within_account"),
    (lambda c: c.therapy.gates.update(unknown_job=0.5), "therapy.gates.unknown_job"),
    (lambda c: c.market.jobs["care_pathway"].effort.update(magic=3.0),
     "market.jobs.care_pathway.effort.magic"),
    (lambda c: setattr(c.staffing, "reps", 2.5), "staffing.reps"),
    (lambda c: (setattr(c.staffing, "reps", 0), setattr(c.staffing, "msls", 0),
                setattr(c.staffing, "access", 0)), "staffing.reps"),
    (lambda c: setattr(c.staffing, "team_size", 0), "staffing.team_size"),
    (lambda c: setattr(c.staffing.interaction, "channel_hours", -1.0),
     "staffing.interaction.channel_hours"),
    (lambda c: setattr(c.staffing.interaction, "governance", -0.1),
     "staffing.interaction.governance"),
    (lambda c: setattr(c.staffing.interaction.central, "loss", 1.0),
     "staffing.interaction.central.loss"),
    (lambda c: setattr(c.org.kpi, "jobs", 2.0), "org.kpi.jobs"),
])
def test_bad_setting_is_named_with_what_is_allowed(mutate, setting):
    message = _bad(mutate)
    assert message.startswith(setting + ":")
    assert "\n" not in message


def test_unknown_design_and_contradictions_are_rejected():
    with pytest.raises(ConfigError, match="org.design: unknown design 'flat'; allowed:"):
        design_config("flat")
    cfg = tiny("pilot_rollout")
    cfg.org.pilot_accounts = 10
    with pytest.raises(ConfigError, match=r"org.pilot_accounts: must be ≤ market.accounts \(4\)"):
        validate(cfg)
    for span in (0, 1):
        cfg = SimConfig(org=design_config("traditional", span_of_control=span))
        with pytest.raises(ConfigError, match="org.span_of_control: must be ≥ 2"):
            validate(cfg)


@pytest.mark.parametrize("design, setting", [
    ("traditional", "staffing.interaction.other_function.latency_weeks"),
    ("micro_enterprise", "staffing.interaction.other_function.latency_weeks"),
    ("pilot_rollout", "staffing.interaction.other_function.latency_weeks")])
def test_hop_delays_must_be_whole_steps(design, setting):
    cfg = SimConfig(org=design_config(design))
    cfg.run.step_weeks = 2.0
    with pytest.raises(ConfigError, match=rf"^{setting.replace('[', r'\[').replace(']', r'\]')}:"
                                          r" 1 weeks is not a whole number of steps"):
        validate(cfg)
    cfg.run.step_weeks = 0.25  # 1/n-week steps fit every default delay
    validate(cfg)


def test_odd_parameter_table_matches_the_code():
    assert current() == tables(), \
        "run `python -m sim.configuration.odd_table --write` and commit docs/ODD.md"

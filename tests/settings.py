"""Configurations the tests share: the default organized market, a fragmented community market,
a tiny market for step-level tests and the organisation-off setting for Bass docking.

Each is a plain function returning a fresh, validated :class:`SimConfig`; the rationale of the
non-default settings is in docs/ODD.md ("Patterns" and "Calibration").
"""

from __future__ import annotations

import copy
from functools import cache

from sim import SimConfig, design_config, validate
from sim.configuration.composition import compose_run
from sim.experiments.budget import equalised


@cache
def _scenario(name: str, design: str) -> SimConfig:
    return compose_run([f"scenario={name}", f"org={design}", "baseline=null"]).config


def scenario(name: str, design: str, **run) -> SimConfig:
    """A scenario file of scenarios/, composed exactly as ``orgsim scenario=<name>`` does."""
    cfg = copy.deepcopy(_scenario(name, design))
    for key, value in run.items():
        setattr(cfg.run, key, value)
    return validate(cfg)


@cache
def compared(name: str) -> dict[str, SimConfig]:
    """Both designs of scenario ``name`` exactly as ``orgsim scenario=<name>`` compares them: the
    micro-enterprise design at the traditional design's budget (sim/experiments/budget.py)."""
    composed = equalised(compose_run([f"scenario={name}"]))
    return {d: composed.config_for(d) for d in composed.designs}


def organized(design: str, **run) -> SimConfig:
    """The default scenario (scenarios/oncology_launch.yaml): an oncology launch into organized
    health systems."""
    return scenario("oncology_launch", design, **run)


def fragmented(design: str) -> SimConfig:
    """scenarios/fragmented_community.yaml: a fragmented, product-centric community market where
    the traditional design should hold its own — many small practices per employee (500
    accounts, 80% independent practices), jobs mostly simple single-capability product and service
    requests, cheap customer-facing time."""
    return scenario("fragmented_community", design)


def tiny(design: str, **org) -> SimConfig:
    """Four accounts in one region and a handful of staff, for step-level tests."""
    cfg = SimConfig(org=design_config(design, **org))
    m, s = cfg.market, cfg.staffing
    m.accounts, m.regions = 4, 1
    s.reps, s.msls, s.access = 3, 1, 1
    s.operations_experts, s.patient_services_experts = 1, 1
    s.products = 1
    cfg.run.horizon_weeks = 20
    if design == "pilot_rollout":
        cfg.org.pilot_accounts, cfg.org.rollout_week = 1, 8.0
    return validate(cfg)


def organisation_off(design: str, p: float, q: float, horizon: int) -> SimConfig:
    """Every organisation effect on adoption switched off and the population fully mixed.

    The stakeholder hazard is then exactly p + q·F(t), the Bass model. Everyone starts one stage
    short of action, so adopting is a single transition, as in Bass.
    """
    cfg = SimConfig(org=design_config(design))
    t = cfg.therapy
    t.innovation, t.imitation = p, q
    t.exchange_effect = t.detailing_effect = t.job_effect = t.access_effect = 0.0
    t.over_detailing_penalty = 0.0
    t.trust_elasticity = 0.0
    t.within_account, t.linked_accounts, t.global_mixing = 0.0, 0.0, 1.0
    t.initial_stages = [0.0, 0.0, 1.0, 0.0, 0.0]
    cfg.run.horizon_weeks = horizon
    return validate(cfg)

"""The levers of the demo: what a facilitator can pull, and where each lands in the config.

Each lever is applied to every side whose design has the setting it moves (a design without
primary contacts ignores the primary-contact span). Slider ranges are wide on purpose: the model
must behave sensibly at both ends of every one.
"""

from __future__ import annotations

import copy
import math
import threading
from dataclasses import replace
from functools import cache

from sim.configuration.composition import compose_run
from sim.configuration.scenarios import catalog
from sim.configuration.schema import SimConfig
from sim.configuration.validation import validate
from sim.designs import names

DEFAULTS = {
    "primary_contact_span": 2.0,
    "team_size": 8,
    "team_authority": 50.0,
    "hierarchy_levels": 3,
    "call_target_share": 0.6,
    "platform_experts": 15,
    "cross_functional": 1.0,
    "resistance": 0.0,
}


def model_params() -> dict:
    """SolaraViz inputs (the sidebar)."""
    designs = names()
    return {
        "scenario_name": {"type": "Select", "value": "workshop", "values": sorted(catalog()),
                     "label": "Scenario"},
        "left": {"type": "Select", "value": "traditional", "values": designs,
                 "label": "Left design"},
        "right": {"type": "Select", "value": "micro_enterprise", "values": designs,
                  "label": "Right design"},
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1,
                 "label": "Seed (same market on both sides)"},
        "primary_contact_span": {"type": "SliderFloat",
                                 "value": DEFAULTS["primary_contact_span"], "min": 1.0,
                                 "max": 12.0, "step": 0.5, "label": "Accounts per primary contact"},
        "team_size": {"type": "SliderInt", "value": DEFAULTS["team_size"], "min": 2,
                      "max": 30, "step": 1, "label": "Micro-enterprise team size"},
        "team_authority": {"type": "SliderFloat", "value": DEFAULTS["team_authority"],
                           "min": 0.0, "max": 500.0, "step": 5.0,
                           "label": "Team decision threshold (k€)"},
        "hierarchy_levels": {"type": "SliderInt", "value": DEFAULTS["hierarchy_levels"],
                             "min": 2, "max": 5, "step": 1,
                             "label": "Hierarchy levels (approx.)"},
        "call_target_share": {"type": "SliderFloat", "value": DEFAULTS["call_target_share"],
                              "min": 0.0, "max": 0.9, "step": 0.05,
                              "label": "Call targets: weight of calls in the KPI"},
        "platform_experts": {"type": "SliderInt", "value": DEFAULTS["platform_experts"],
                             "min": 0, "max": 60, "step": 1,
                             "label": "Platform / head-office experts"},
        "cross_functional": {"type": "SliderFloat", "value": DEFAULTS["cross_functional"],
                             "min": 0.0, "max": 2.0, "step": 0.1,
                             "label": "Cross-functional jobs (× scenario)"},
        "resistance": {"type": "SliderFloat", "value": DEFAULTS["resistance"], "min": 0.0,
                       "max": 1.0, "step": 0.05, "label": "Resistance to change"},
    }


@cache
def labels() -> dict[str, str]:
    """Each sidebar input's label (model_params() lists the scenario folder; labels are fixed)."""
    return {name: spec["label"] for name, spec in model_params().items()}


def _line_depth(people: int, span: int) -> int:
    """Management levels of a functional line of ``people`` with ``span``
    (sim/designs/structures/hierarchy.py)."""
    depth, n = 1, math.ceil(people / span)
    while n > 1:
        depth, n = depth + 1, math.ceil(n / span)
    return depth


def span_for_levels(levels: int, people: int) -> int:
    """The span of control whose largest functional line (``people``) comes closest to
    ``levels`` management levels including the general manager; the narrowest such span wins
    (three levels over 90 reps: span 10, the default). Equal spans cannot give every depth for
    every headcount, so the lever is approximate."""
    want = max(1, levels - 1)
    spans = range(2, max(people, 2) + 1)  # a span of 1 never reaches a top
    return min(spans, key=lambda s: (abs(_line_depth(people, s) - want), s))


def _set(node, name: str, value) -> None:
    if hasattr(node, name):
        setattr(node, name, value)


_compose_lock = threading.Lock()


@cache
def _composed(scenario: str, design: str) -> SimConfig:
    """The scenario under the design, composed once (Hydra's composition is global state, so
    sessions take turns; a composition costs more than half a second)."""
    with _compose_lock:
        return compose_run([f"scenario={scenario}", f"org={design}", "baseline=null"]).config


def configure(scenario: str, design: str, levers: dict) -> SimConfig:
    """The configuration of one side: the scenario, the design, and the levers."""
    cfg = copy.deepcopy(_composed(scenario, design))
    s, m = cfg.staffing, cfg.market
    s.primary_contact_span = float(levers["primary_contact_span"])
    s.team_size = int(levers["team_size"])
    total = s.operations_experts + s.patient_services_experts
    experts = int(levers["platform_experts"])
    s.operations_experts = round(experts * (s.operations_experts / total if total else 0.5))
    s.patient_services_experts = experts - s.operations_experts
    factor = float(levers["cross_functional"])
    m.cross_functional_base = min(1.0, m.cross_functional_base * factor)
    m.cross_functional_gain = min(1.0 - m.cross_functional_base, m.cross_functional_gain * factor)
    orgs = [cfg.org.before, cfg.org.after] if design == "pilot_rollout" else [cfg.org]
    span = span_for_levels(int(levers["hierarchy_levels"]), max(s.reps, s.msls, s.access, 1))
    for org in orgs:
        _set(org, "team_authority", float(levers["team_authority"]))
        _set(org, "span_of_control", span)
        if org.design == "traditional":  # call targets: the weight of calls in the KPI
            calls = float(levers["call_target_share"])
            org.kpi = replace(org.kpi, calls=calls, sales=1.0 - calls)
        if hasattr(org, "resistance"):
            org.resistance = float(levers["resistance"])
            if org.resistance > 0 and org.revert_rate == 0:
                org.revert_rate = 0.05  # resisters need a chance to revert to show anything
    if design == "pilot_rollout":
        cfg.org.pilot_accounts = min(cfg.org.pilot_accounts, m.accounts)
    return validate(replace(cfg))

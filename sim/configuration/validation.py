"""Validating a configuration: every wrong value becomes one line naming the setting.

Each field's allowed range, type and choices come from its :func:`~sim.configuration.params.param`
declaration in sim/configuration/schema.py; :func:`validate` walks the tree, then checks what
relates settings to one another, then asks the chosen design to check its own (``org.validate``),
and last refuses a configuration whose runs would not fit in memory (sim/configuration/memory.py).
"""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any

from sim.configuration.capabilities import CAPABILITIES
from sim.configuration.memory import check_memory
from sim.configuration.params import allowed_text
from sim.configuration.schema import RELATIONSHIPS, ConfigError, MarketConfig, SimConfig


# -------------------------------------------------------------------------------- validation
def _check_number(path: str, value: Any, meta: dict) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(path, f"must be a number ({allowed_text(meta)}), got {value!r}")
    if isinstance(value, int) and abs(value) > 10**300:  # math.isfinite overflows past 1e308
        raise ConfigError(path, f"must be {allowed_text(meta)}, got a "
                          f"{len(str(abs(value)))}-digit number")
    if not math.isfinite(value) and not (value == math.inf and meta.get("le") is None):
        raise ConfigError(path, f"must be a finite number ({allowed_text(meta)}), got {value!r}")
    ok = (
        (meta.get("ge") is None or value >= meta["ge"])
        and (meta.get("gt") is None or value > meta["gt"])
        and (meta.get("le") is None or value <= meta["le"])
        and (meta.get("lt") is None or value < meta["lt"])
    )
    if not ok:
        raise ConfigError(path, f"must be {allowed_text(meta)}, got {value!r}")


_KIND_WORDS = {list: "a list of numbers", dict: "a mapping of names to values"}


def _container_type(node: Any, f) -> type | None:
    """list, dict or the dataclass a field holds by default (None for plain values): a number
    where a group of settings belongs must be refused here, not crash a later rule."""
    if isinstance(f.type, str) and f.type.startswith(("list", "dict")):
        return list if f.type.startswith("list") else dict
    return None if f.type in _PLAIN else _default_dataclass(type(node), f.name)


@cache
def _default_dataclass(cls: type, name: str) -> type | None:
    default = getattr(cls(), name, None)
    return type(default) if is_dataclass(default) else None


_PLAIN = ("int", "float", "bool", "str", int, float, bool, str, "Any")


def _validate_node(node: Any, path: str) -> None:
    for f in fields(node):
        value = getattr(node, f.name)
        where = f"{path}.{f.name}" if path else f.name
        meta = f.metadata
        kind = _container_type(node, f)
        if kind is not None and not isinstance(value, kind):
            raise ConfigError(where, f"must be {_KIND_WORDS.get(kind, 'a group of settings')}, "
                              f"got {value!r}")
        if is_dataclass(value):
            _validate_node(value, where)
        elif f.name == "jobs" and isinstance(value, dict) and isinstance(node, MarketConfig):
            for name, job in value.items():
                _validate_node(job, f"{where}.{name}")
        elif f.name == "effort" and isinstance(value, dict):
            if not value:
                raise ConfigError(where, "must name at least one capability")
            for cap, hours in value.items():
                if cap not in CAPABILITIES:
                    raise ConfigError(
                        f"{where}.{cap}", "unknown capability; allowed: " + ", ".join(CAPABILITIES)
                    )
                _check_number(f"{where}.{cap}", hours, {"gt": 0, "le": 10000})
        elif f.name == "gates" and isinstance(value, dict):
            for name, chance in value.items():
                _check_number(f"{where}.{name}", chance, {"ge": 0, "le": 1})
        elif kind is list:
            for i, v in enumerate(value):
                _check_number(f"{where}[{i}]", v, {k: meta.get(k) for k in ("ge", "le")})
        elif meta.get("choices"):
            if value not in meta["choices"]:
                raise ConfigError(where, f"must be {allowed_text(meta)}, got {value!r}")
        elif f.type in ("bool", bool):
            if not isinstance(value, bool):
                raise ConfigError(where, f"must be true or false, got {value!r}")
        elif f.type in ("str", str):
            if not isinstance(value, str):
                raise ConfigError(where, f"must be text, got {value!r}")
        elif f.type in ("int", int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(where, f"must be a whole number ({allowed_text(meta)}), "
                                  f"got {value!r}")
            _check_number(where, value, meta)
        elif f.type in ("float", float):
            _check_number(where, value, meta)


def validate(config: SimConfig) -> SimConfig:
    """Check every setting against its declared range and the cross-setting rules.

    Raises :class:`ConfigError` naming the first offending setting and what is allowed.
    """
    _validate_node(config, "")
    m, t, s = config.market, config.therapy, config.staffing
    shares = [a.share for a in m.account_types().values()]
    if abs(sum(shares) - 1.0) > 1e-6:
        raise ConfigError(
            "market.<type>.share",
            f"account type shares must sum to 1, got {sum(shares):g}",
        )
    if len(t.initial_stages) != 5 or abs(sum(t.initial_stages) - 1.0) > 1e-6:
        raise ConfigError(
            "therapy.initial_stages", "must be 5 shares (one per stage) summing to 1",
        )
    mix = t.within_account + t.linked_accounts + t.global_mixing
    if abs(mix - 1.0) > 1e-6:
        raise ConfigError(
            "therapy.within_account",
            f"within_account + linked_accounts + global_mixing must sum to 1, got {mix:g}",
        )
    if s.frontline() == 0:
        raise ConfigError("staffing.reps", "there must be at least one frontline person "
                          "(reps + msls + access ≥ 1)")
    if t.capacity_job and t.capacity_job not in m.jobs:
        raise ConfigError("therapy.capacity_job",
                          "not a job type; allowed: " + ", ".join(m.jobs))
    for name in t.gates:
        if name not in m.jobs:
            raise ConfigError(
                f"therapy.gates.{name}", "not a job type; allowed: " + ", ".join(m.jobs)
            )
    if len(t.portfolio.job_rates) != len(t.portfolio.launch_weeks):
        raise ConfigError("therapy.portfolio.job_rates", "needs one value per launch week "
                          f"({len(t.portfolio.launch_weeks)}), got {len(t.portfolio.job_rates)}")
    if not m.jobs:
        raise ConfigError("market.jobs", "the job catalogue must not be empty")
    rules = s.interaction
    waits = {f"staffing.interaction.{r}.latency_weeks": rules.relationship(r).latency_weeks
             for r in RELATIONSHIPS}
    waits["staffing.interaction.loss_detection_weeks"] = rules.loss_detection_weeks
    for setting, weeks in waits.items():
        steps = weeks / config.run.step_weeks
        if abs(steps - round(steps)) > 1e-6:
            raise ConfigError(setting, f"{weeks:g} weeks is not a whole number of steps of "
                              f"run.step_weeks={config.run.step_weeks:g}; use a multiple of the "
                              "step (or a step of 1/n weeks)")
    if not any(j.weight > 0 for j in m.jobs.values()):
        raise ConfigError("market.jobs", "at least one job type needs a weight > 0")
    channel_time = sum(c.share for c in s.channels.uses().values())
    if channel_time > 1.0 + 1e-9:
        raise ConfigError("staffing.channels", "remote + content + event shares of customer "
                          f"time must be at most 1, got {channel_time:g}")
    restricting = m.hcp_access.no_see + m.hcp_access.by_appointment
    if restricting > 1.0 + 1e-9:
        raise ConfigError("market.hcp_access", "no_see + by_appointment shares of HCPs must be "
                          f"at most 1, got {restricting:g}")
    from sim.configuration.design_registry import design_class  # here: it imports this module

    design = getattr(config.org, "design", None)
    if not isinstance(design, str) or type(config.org) is not design_class(design).Config:
        raise ConfigError("org.design", f"must name the design of the org settings "
                          f"({type(config.org).__name__}), got {design!r}")
    config.org.validate(config)
    check_memory(config)  # last: the sizes are known to be in range and consistent
    return config

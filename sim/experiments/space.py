"""A declared parameter space: ranges of settings over which two designs are compared.

Global sensitivity analysis (``orgsim-sensitivity``) and scenario discovery (``orgsim-discover``)
both start from the same question — *which settings matter, and where?* — so both read the same
declaration, a YAML file in ``conf/space/<name>.yaml`` (or any path)::

    scenario: oncology_launch                 # any scenario in scenarios/
    designs: [traditional, micro_enterprise]  # paired on the same seeds; difference = 2nd − 1st
    overrides: [run.horizon_weeks=104]        # optional Hydra overrides applied before the ranges
    params:                                   # dotted config paths; low < high
      staffing.ppoc_span: {low: 1.0, high: 6.0}
      staffing.team_size: {low: 4, high: 16, int: true}   # whole-number settings need int: true
      org.level_authority[1]: {low: 10, high: 80}   # one entry of a list setting
      org.traditional.kpi.calls: {low: 0.4, high: 0.8}  # one design's value of a shared field
    fixed:                                    # optional: settings held fixed, each with a reason
      run.horizon_weeks: the question's horizon, not an uncertainty

A *point* of the space is a value for every parameter. :func:`configure` turns a point into one
validated :class:`~sim.configuration.schema.SimConfig` per design. An ``org.*`` path is a setting of
a design, so it is applied to each design that has that field (and must exist in at least one):
varying ``org.span_of_control`` changes the traditional design only, which is exactly what lets the
analysis see whether a design's own settings drive the comparison. A field both designs have but
set differently (their KPI weights) would lose that difference if one value went to both, so it
must be named per design, ``org.<design>.<field>``; the value then goes to that design only.

``fixed`` declares what the space deliberately does not vary, and why (the run's horizon, seeds,
sizes, shares that must sum to 1). A fixed path may name a group (``therapy.initial_stages``
covers each of its entries). sim/experiments/space_coverage.py lists the settings the model reads
that a space neither varies nor fixes.

Every way a declaration can be wrong is refused by :func:`load_space` with one
:class:`~sim.configuration.composition.InputError` line naming the key and what is allowed.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sim.configuration.composition import CONF, InputError, compose_run
from sim.configuration.scenarios import SCENARIOS
from sim.configuration.schema import ConfigError, SimConfig
from sim.configuration.validation import validate
from sim.designs import names as design_names

SPACES = CONF / "space"
_STEP = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")


@dataclass(frozen=True)
class Parameter:
    """One dimension of the space: a dotted config path and its range [low, high]."""

    path: str
    low: float
    high: float
    integer: bool = False


@dataclass(frozen=True)
class Space:
    """A scenario, the two designs compared on it, and the settings that vary."""

    name: str
    scenario: str
    designs: tuple[str, str]
    params: tuple[Parameter, ...]
    overrides: tuple[str, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()  # (path, reason) of each setting held fixed

    @property
    def names(self) -> list[str]:
        return [p.path for p in self.params]

    @property
    def bounds(self) -> list[list[float]]:
        return [[float(p.low), float(p.high)] for p in self.params]

    def salib_problem(self) -> dict:
        """The space as SALib's ``problem`` dictionary."""
        return {"num_vars": len(self.params), "names": self.names, "bounds": self.bounds}


# ------------------------------------------------------------------------------ config paths
def _steps(path: str) -> list[tuple[str, int | None]]:
    """``"org.level_authority[1]"`` → ``[("org", None), ("level_authority", 1)]``; ValueError
    if bad."""
    steps = []
    for part in path.split("."):
        match = _STEP.match(part)
        if not match:
            raise ValueError(part)
        steps.append((match.group(1), None if match.group(2) is None else int(match.group(2))))
    return steps


def _leaf(config: SimConfig, path: str) -> tuple[Any, str | int, type | None] | None:
    """(parent object, key, declared type) of ``path`` in ``config``, or None if it is not there.

    The parent is a dataclass (key: field name), a dict (key: entry) or a list (key: index)."""
    try:
        steps = _steps(path)
    except ValueError:
        return None
    node: Any = config
    for i, (name, index) in enumerate(steps):
        last = i == len(steps) - 1
        if is_dataclass(node):
            declared = {f.name: f for f in fields(node)}.get(name)
            if declared is None:
                return None
            kind = declared.type
        elif isinstance(node, dict) and name in node:
            kind = None
        else:
            return None
        if index is None:
            if last:
                return node, name, kind
            node = getattr(node, name) if is_dataclass(node) else node[name]
            continue
        seq = getattr(node, name) if is_dataclass(node) else node[name]
        if not isinstance(seq, list) or index >= len(seq):
            return None
        if last:
            return seq, index, None
        node = seq[index]
    return None


def for_design(path: str, design: str) -> str | None:
    """The path as ``design``'s configuration spells it: ``org.<design>.<field>`` is
    ``org.<field>`` for that design and None for any other; other paths are unchanged."""
    parts = path.split(".", 2)
    if len(parts) == 3 and parts[0] == "org" and parts[1] in design_names():
        return f"org.{parts[2]}" if parts[1] == design else None
    return path


def locate(config: SimConfig, path: str) -> tuple[Any, str | int, type | None] | None:
    """(parent, key, declared type) of ``path`` in the configuration of ``config.org.design``
    (design-qualified ``org.<design>.*`` paths included), or None if that design has no such
    setting."""
    own = for_design(path, config.org.design)
    return None if own is None else _leaf(config, own)


def _get(parent: Any, key: str | int) -> Any:
    return getattr(parent, key) if is_dataclass(parent) else parent[key]


def _set(parent: Any, key: str | int, value: Any) -> None:
    if is_dataclass(parent):
        setattr(parent, key, value)
    else:
        parent[key] = value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ------------------------------------------------------------------------------- the designs
@lru_cache(maxsize=32)
def _base(scenario: str, design: str, overrides: tuple[str, ...]) -> SimConfig:
    """The validated configuration of one design in the space's scenario (cached: composing
    with Hydra takes a moment)."""
    config = compose_run([f"scenario={scenario}", f"org={design}", "baseline=null",
                          *overrides]).config
    if config.org.design != design:
        raise InputError(f"designs: scenario {scenario!r} fixes the design to "
                         f"{config.org.design!r}; choose another scenario")
    return config


def configure(space: Space, point: dict[str, float]) -> dict[str, SimConfig]:
    """One validated configuration per design with the point's values set.

    Integer parameters are rounded to the nearest whole number; an ``org.*`` value goes to each
    design that has that setting. Raises :class:`InputError` (one line) if a value is not allowed.
    """
    out = {}
    for design in space.designs:
        config = copy.deepcopy(_base(space.scenario, design, space.overrides))
        for p in space.params:
            if p.path not in point:
                raise InputError(f"{p.path}: the point has no value for this parameter")
            where = locate(config, p.path)
            if where is None:  # an org.* setting of the other design
                continue
            value = float(point[p.path])
            if p.integer:  # keep the setting's own type: 3 for a count, 3.0 in a list of weeks
                current = _get(*where[:2])
                value = int(round(value)) if isinstance(current, int) else float(round(value))
            _set(*where[:2], value)
        try:
            out[design] = validate(config)
        except ConfigError as error:
            raise InputError(str(error)) from error
    return out


# ---------------------------------------------------------------------------------- loading
def _path_of(name_or_path: str) -> Path:
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path:
        return Path(name_or_path)
    return SPACES / f"{name_or_path}.yaml"


def _available() -> str:
    return ", ".join(sorted(p.stem for p in SPACES.glob("*.yaml"))) or "none"


def load_space(name_or_path: str) -> Space:
    """Read and check a space: ``name`` (conf/space/<name>.yaml) or a path to a YAML file."""
    path = _path_of(name_or_path)
    if not path.is_file():
        raise InputError(f"space: no file {path} (spaces in conf/space/: {_available()})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InputError(f"space: {path} is not valid YAML ({str(error).splitlines()[0]})") \
            from error
    if not isinstance(data, dict):
        raise InputError(f"space: {path} must be a mapping with scenario, designs and params")
    unknown = set(data) - {"scenario", "designs", "overrides", "params", "fixed"}
    if unknown:
        raise InputError(f"space.{sorted(unknown)[0]}: unknown key; allowed: scenario, designs, "
                         "overrides, params, fixed")

    scenarios = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    scenario = data.get("scenario", "oncology_launch")
    if scenario not in scenarios:
        raise InputError(f"space.scenario: unknown scenario {scenario!r}; allowed: "
                         f"{', '.join(scenarios)}")
    designs = data.get("designs", ["traditional", "micro_enterprise"])
    if (not isinstance(designs, list) or len(designs) != 2 or designs[0] == designs[1]
            or any(d not in design_names() for d in designs)):
        raise InputError(f"space.designs: must be two different designs out of "
                         f"{', '.join(design_names())}, got {designs!r}")
    overrides = data.get("overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise InputError("space.overrides: must be a list of key=value overrides")
    if any(o.split("=", 1)[0].lstrip("+~") in ("org", "scenario", "baseline") for o in overrides):
        raise InputError("space.overrides: choose the scenario and designs with the scenario and "
                         "designs keys, not as overrides")
    params = data.get("params") or {}
    if not isinstance(params, dict) or len(params) < 1:
        raise InputError("space.params: needs at least one parameter "
                         "(path: {low: …, high: …})")

    bases = {d: _base(scenario, d, tuple(overrides)) for d in designs}
    parsed = []
    for key, spec in params.items():
        parsed.append(_parameter(str(key), spec, bases))
    fixed = _fixed(data.get("fixed") or {}, bases, {p.path for p in parsed})
    space = Space(name=path.stem, scenario=scenario, designs=(designs[0], designs[1]),
                  params=tuple(parsed), overrides=tuple(overrides), fixed=fixed)
    for corner in ("low", "high"):  # every value of the range must be allowed by the model
        configure(space, {p.path: getattr(p, corner) for p in space.params})
    return space


def _parameter(key: str, spec: Any, bases: dict[str, SimConfig]) -> Parameter:
    where = f"space.params.{key}"
    if not isinstance(spec, dict) or set(spec) - {"low", "high", "int"} or \
            not {"low", "high"} <= set(spec):
        raise InputError(f"{where}: must be {{low: number, high: number}} (and optionally "
                         "int: true)")
    low, high, integer = spec["low"], spec["high"], spec.get("int", False)
    if not _is_number(low) or not _is_number(high) or not (math.isfinite(low)
                                                            and math.isfinite(high)):
        raise InputError(f"{where}: low and high must be finite numbers, got {low!r}, {high!r}")
    if low >= high:
        raise InputError(f"{where}: low must be < high, got low={low!r}, high={high!r}")
    if not isinstance(integer, bool):
        raise InputError(f"{where}.int: must be true or false, got {integer!r}")
    found = _found(key, bases, where)
    values = {d: _get(*w[:2]) for d, w in found.items()}
    if for_design(key, "") == key and len({repr(v) for v in values.values()}) > 1:
        first = next(iter(values))
        raise InputError(f"{where}: the designs set it differently ("
                         f"{', '.join(f'{d} {v!r}' for d, v in values.items())}); vary it per "
                         f"design as {key.replace('org.', f'org.{first}.', 1)}")
    for parent, field, kind in found.values():
        value = _get(parent, field)
        if not _is_number(value):
            raise InputError(f"{where}: not a numeric setting (it is {value!r})")
        whole = kind in (int, "int") or (kind is None and isinstance(value, int))
        if whole and not integer:
            raise InputError(f"{where}: a whole-number setting; add int: true")
    if integer and round(high) - round(low) < 1:
        raise InputError(f"{where}: an int range needs at least two whole numbers")
    return Parameter(path=key, low=float(low), high=float(high), integer=integer)


def _found(key: str, bases: dict[str, SimConfig], where: str) -> dict[str, tuple]:
    """Where each design has setting ``key``; InputError if it is unknown or, outside ``org.``,
    missing from a design."""
    found = {d: locate(c, key) for d, c in bases.items()}
    found = {d: w for d, w in found.items() if w is not None}
    if not found or (not key.startswith("org.") and len(found) < len(bases)):
        owner = "either design" if key.startswith("org.") else "the configuration"
        raise InputError(f"{where}: unknown setting in {owner} (see docs/ODD.md; a list entry "
                         "is written name[index], one design's setting org.<design>.<name>)")
    return found


def _fixed(spec: Any, bases: dict[str, SimConfig], varied: set[str]
           ) -> tuple[tuple[str, str], ...]:
    """The ``fixed:`` section: each a known setting (or group of settings) with a reason."""
    if not isinstance(spec, dict):
        raise InputError("space.fixed: must be a mapping of setting: reason")
    out = []
    for key, reason in spec.items():
        where = f"space.fixed.{key}"
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(f"{where}: needs a reason (a sentence saying why it is not varied)")
        if key in varied:
            raise InputError(f"{where}: also in params; a setting is either varied or fixed")
        _found(str(key), bases, where)
        out.append((str(key), reason.strip()))
    return tuple(out)


__all__ = ["Parameter", "Space", "SPACES", "configure", "load_space"]

"""A declared parameter space: ranges of settings over which two designs are compared.

Global sensitivity analysis (``orgsim-sensitivity``), scenario discovery (``orgsim-discover``),
the design of experiments behind both (sim/experiments/doe.py) and the design search
(``orgsim-search``) all start from ranges of settings, so all read the same declaration, a YAML
file in ``conf/space/<name>.yaml`` (or any path)::

    scenario: oncology_launch                 # any scenario in scenarios/
    designs: [traditional, micro_enterprise]  # paired on the same seeds; difference = 2nd − 1st
    overrides: [run.horizon_weeks=104]        # optional Hydra overrides applied before the ranges
    params:                                   # dotted config paths; low < high
      staffing.primary_contact_span: {low: 1.0, high: 6.0}
      staffing.team_size: {low: 4, high: 16, int: true}   # whole-number settings need int: true
      org.level_authority[1]: {low: 10, high: 80}   # one entry of a list setting
      org.traditional.kpi.calls: {low: 0.4, high: 0.8}  # one design's value of a shared field
      org.team_authority: {low: 5, high: 200, log: true}  # search samples it on a log scale
      platform_size: {low: 5, high: 40, int: true}  # central experts (see DERIVED below)
    fixed:                                    # optional: settings held fixed, each with a reason
      run.horizon_weeks: the question's horizon, not an uncertainty

A *point* of the space is a value for every parameter. :func:`configure` turns a point into one
validated :class:`~sim.configuration.schema.SimConfig` per design. An ``org.*`` path is a setting of
a design, so it is applied to each design that has that field (and must exist in at least one):
varying ``org.span_of_control`` changes the traditional design only, which is exactly what lets the
analysis see whether a design's own settings drive the comparison. A field both designs have but
set differently (their KPI weights) would lose that difference if one value went to both, so it
must be named per design, ``org.<design>.<field>``; the value then goes to that design only.

``log: true`` (low > 0) asks the search (sim/experiments/search.py) to propose values evenly on a
log scale; sensitivity, discovery and the design of experiments sample every range evenly on its
own scale. The search tunes the *second* design of ``designs`` — the one the comparison is about —
and its winner is run against the first.

A parameter is a config path or one of the :data:`DERIVED` quantities, which set several settings
at once: ``platform_size``, the central experts (operations plus patient services, split in the
scenario's own proportions). Under the search's fixed headcount the reps absorb the difference.

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

from sim.configuration import renamed
from sim.configuration.composition import CONF, MODES, InputError, compose_run
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
    log: bool = False  # the search proposes values evenly on a log scale


@dataclass(frozen=True)
class Space:
    """A scenario, the two designs compared on it, and the settings that vary."""

    name: str
    scenario: str
    designs: tuple[str, str]
    params: tuple[Parameter, ...]
    overrides: tuple[str, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()  # (path, reason) of each setting held fixed
    compare: str = "as_configured"  # or equal_budget / equal_headcount, as orgsim's compare:

    @property
    def names(self) -> list[str]:
        return [p.path for p in self.params]

    @property
    def bounds(self) -> list[list[float]]:
        return [[float(p.low), float(p.high)] for p in self.params]

    def salib_problem(self) -> dict:
        """The space as SALib's ``problem`` dictionary."""
        return {"num_vars": len(self.params), "names": self.names, "bounds": self.bounds}


# --------------------------------------------------------------------------- derived quantities
def _set_platform_size(config: SimConfig, value: int) -> None:
    """``value`` central experts, split between operations and patient services in the
    scenario's own proportions (operations rounded; patient services take the rest)."""
    s = config.staffing
    total = s.operations_experts + s.patient_services_experts or 1
    s.operations_experts = round(value * s.operations_experts / total)
    s.patient_services_experts = int(value) - s.operations_experts


# A quantity a space may vary that is not one setting: its name → (the settings it sets, how).
DERIVED = {
    "platform_size": (("staffing.operations_experts", "staffing.patient_services_experts"),
                      _set_platform_size),
}


def settings_of(path: str) -> tuple[str, ...]:
    """The config settings a parameter sets: itself, or a derived quantity's settings."""
    return DERIVED[path][0] if path in DERIVED else (path,)


def value_at(config: SimConfig, path: str) -> Any:
    """The value parameter ``path`` has in ``config`` (a derived quantity's: the sum of the
    settings it sets), or None if that design has no such setting."""
    if path in DERIVED:
        return sum(value_at(config, setting) for setting in DERIVED[path][0])
    where = locate(config, path)
    return None if where is None else _get(*where[:2])


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
    With ``compare:`` other than as_configured the second design is then scaled to the first's
    planned budget or headcount at this point (sim/experiments/budget.py), as ``orgsim`` does.
    """
    from sim.experiments.budget import equalise  # builds a model: only where points are run

    out = {}
    try:
        for design in space.designs:
            out[design] = validate(assign(space, design, point))
        if space.compare != "as_configured":
            first, second = space.designs
            out[second] = equalise(out[first], out[second], space.compare)[0]
    except ConfigError as error:
        raise InputError(str(error)) from error
    return out


def design_config(space: Space, design: str) -> SimConfig:
    """A copy of ``design``'s validated configuration in the space's scenario, no point set."""
    return copy.deepcopy(_base(space.scenario, design, space.overrides))


def assign(space: Space, design: str, point: dict[str, float]) -> SimConfig:
    """A copy of ``design``'s configuration in the space's scenario with the point's values set,
    not yet validated (:func:`configure` validates; the search first fits its headcount)."""
    config = design_config(space, design)
    for p in space.params:
        if p.path not in point:
            raise InputError(f"{p.path}: the point has no value for this parameter")
        value = float(point[p.path])
        if p.path in DERIVED:
            DERIVED[p.path][1](config, int(round(value)))
            continue
        where = locate(config, p.path)
        if where is None:  # an org.* setting of the other design
            continue
        if p.integer:  # keep the setting's own type: 3 for a count, 3.0 in a list of weeks
            current = _get(*where[:2])
            value = int(round(value)) if isinstance(current, int) else float(round(value))
        _set(*where[:2], value)
    return config


# ---------------------------------------------------------------------------------- loading
def _path_of(name_or_path: str) -> Path:
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path:
        return Path(name_or_path)
    return SPACES / f"{name_or_path}.yaml"


def _available() -> str:
    return ", ".join(sorted(p.stem for p in SPACES.glob("*.yaml"))) or "none"


def load_space(name_or_path: str, scenario: str | None = None,
               overrides: tuple[str, ...] | list[str] = ()) -> Space:
    """Read and check a space: ``name`` (conf/space/<name>.yaml) or a path to a YAML file.

    ``scenario`` and ``overrides`` (a command line's: ``orgsim-search scenario=rare_disease``)
    replace the file's scenario and are applied after its overrides."""
    path = _path_of(name_or_path)
    data = _read(path)
    overrides = _overrides(data.get("overrides") or [], list(overrides))
    scenario = (_scenario(data.get("scenario", "oncology_launch"), "space.scenario")
                if scenario is None else _scenario(scenario, "scenario"))
    designs = data.get("designs", ["traditional", "micro_enterprise"])
    if (not isinstance(designs, list) or len(designs) != 2 or designs[0] == designs[1]
            or any(d not in design_names() for d in designs)):
        raise InputError(f"space.designs: must be two different designs out of "
                         f"{', '.join(design_names())}, got {designs!r}")
    params = data.get("params") or {}
    if not isinstance(params, dict) or len(params) < 1:
        raise InputError("space.params: needs at least one parameter "
                         "(path: {low: …, high: …})")

    bases = {d: _base(scenario, d, tuple(overrides)) for d in designs}
    parsed = []
    for key, spec in params.items():
        parsed.append(_parameter(renamed.current(str(key)), spec, bases))
    fixed = data.get("fixed") or {}
    if isinstance(fixed, dict):  # old setting names work here too; _fixed refuses a non-mapping
        fixed = {renamed.current(str(k)): v for k, v in fixed.items()}
    fixed = _fixed(fixed, bases, {p.path for p in parsed})
    compare = data.get("compare", "as_configured")
    if compare not in MODES:
        raise InputError(f"space.compare: must be one of {', '.join(MODES)}, got {compare!r}")
    space = Space(name=path.stem, scenario=scenario, designs=(designs[0], designs[1]),
                  params=tuple(parsed), overrides=tuple(overrides), fixed=fixed, compare=compare)
    for corner in ("low", "high"):  # every value of the range must be allowed by the model
        configure(space, {p.path: getattr(p, corner) for p in space.params})
    return space


def _read(path: Path) -> dict:
    """The file's mapping, its top-level keys checked (the old conf/search format named)."""
    if not path.is_file():
        raise InputError(f"space: no file {path} (spaces in conf/space/: {_available()})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InputError(f"space: {path} is not valid YAML ({str(error).splitlines()[0]})") \
            from error
    if not isinstance(data, dict):
        raise InputError(f"space: {path} must be a mapping with scenario, designs and params")
    if "design" in data:  # conf/search/ before it was merged into conf/space/
        raise InputError("space.design: the old search-space format; write designs: "
                         "[traditional, <design>] (the search tunes the second) and int: true "
                         "for type: int (README, orgsim-search)")
    unknown = set(data) - {"scenario", "designs", "overrides", "params", "fixed", "compare"}
    if unknown:
        raise InputError(f"space.{sorted(unknown)[0]}: unknown key; allowed: scenario, designs, "
                         "overrides, params, fixed, compare")
    return data


def _scenario(scenario: Any, where: str) -> str:
    scenarios = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    if scenario not in scenarios:
        raise InputError(f"{where}: unknown scenario {scenario!r}; allowed: "
                         f"{', '.join(scenarios)}")
    return scenario


def _overrides(listed: Any, extra: list[str]) -> list[str]:
    """The file's overrides then the caller's, old setting names renamed."""
    if not isinstance(listed, list) or not all(isinstance(o, str) for o in listed):
        raise InputError("space.overrides: must be a list of key=value overrides")
    for where, texts in (("space.overrides", listed), ("overrides", extra)):
        chooser = next((o for o in texts if o.split("=", 1)[0].lstrip("+~") in
                        ("org", "scenario", "baseline")), None)
        if chooser is not None:
            raise InputError(f"{where}: {chooser!r} — the space chooses the designs (designs: "
                             "key) and the scenario (scenario: key, or scenario=)")
    return renamed.overrides([*listed, *extra])  # old setting names work for a release


def _parameter(key: str, spec: Any, bases: dict[str, SimConfig]) -> Parameter:
    where = f"space.params.{key}"
    if not isinstance(spec, dict) or set(spec) - {"low", "high", "int", "log"} or \
            not {"low", "high"} <= set(spec):
        raise InputError(f"{where}: must be {{low: number, high: number}} (and optionally "
                         "int: true, log: true)")
    low, high = spec["low"], spec["high"]
    integer, log = spec.get("int", False), spec.get("log", False)
    if not _is_number(low) or not _is_number(high) or not (math.isfinite(low)
                                                            and math.isfinite(high)):
        raise InputError(f"{where}: low and high must be finite numbers, got {low!r}, {high!r}")
    if low >= high:
        raise InputError(f"{where}: low must be < high, got low={low!r}, high={high!r}")
    for flag, value in (("int", integer), ("log", log)):
        if not isinstance(value, bool):
            raise InputError(f"{where}.{flag}: must be true or false, got {value!r}")
    if log and low <= 0:
        raise InputError(f"{where}.log: a log scale needs low > 0, got low={low!r}")
    if key in DERIVED:
        if not integer:
            raise InputError(f"{where}: a number of people; add int: true")
    else:
        _check_setting(key, integer, bases, where)
    if integer and round(high) - round(low) < 1:
        raise InputError(f"{where}: an int range needs at least two whole numbers")
    return Parameter(path=key, low=float(low), high=float(high), integer=integer, log=log)


def _check_setting(key: str, integer: bool, bases: dict[str, SimConfig], where: str) -> None:
    """``key`` is a numeric setting of the designs, set alike unless named per design, and
    declared int: true if it is a whole number."""
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


__all__ = ["DERIVED", "Parameter", "Space", "SPACES", "assign", "configure",
           "design_config", "for_design", "load_space", "locate", "settings_of", "value_at"]

"""Does a space cover the model? The settings a model reads that a space neither varies nor fixes.

A verdict over "everything we are unsure of" is only as honest as its space: a setting left out
silently is a setting held at its default without anyone saying so. :func:`leaves` walks a
validated :class:`~sim.configuration.schema.SimConfig` down to its single values (dataclass
fields, dictionary entries such as ``market.jobs.care_pathway.effort.medical``, list entries such
as ``org.level_authority[2]``); :func:`uncovered` lists each one that the space neither varies
(``params``) nor holds fixed with a reason (``fixed``), for each of the two compared designs.
:func:`defaults_outside` lists the parameters whose range leaves out the value the scenario
itself uses, so a range is never a hidden change of the default.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from sim.experiments.space import Space, _base, for_design, settings_of, value_at


def leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    """Every single value under ``node`` by its dotted path (``a.b``, ``a.b[0]``, dict keys as
    ``a.key``)."""
    if is_dataclass(node):
        items = [(f"{prefix}.{f.name}" if prefix else f.name, getattr(node, f.name))
                 for f in fields(node)]
    elif isinstance(node, dict):
        items = [(f"{prefix}.{k}", v) for k, v in node.items()]
    elif isinstance(node, list):
        items = [(f"{prefix}[{i}]", v) for i, v in enumerate(node)]
    else:
        return {prefix: node}
    out: dict[str, Any] = {}
    for path, value in items:
        out.update(leaves(value, path))
    return out


def _under(path: str, group: str) -> bool:
    return path == group or path.startswith((group + ".", group + "["))


def uncovered(space: Space) -> list[str]:
    """Settings of either design that the space neither varies nor fixes. A design's own setting
    is named ``org.<design>.<field>`` (declaring it so, or as ``org.<field>``, covers it)."""
    missing = []
    for design in space.designs:
        config = _base(space.scenario, design, space.overrides)
        varied = {for_design(s, design) for p in space.params for s in settings_of(p.path)}
        fixed = [for_design(path, design) for path, _ in space.fixed]
        for path in leaves(config):
            if path in varied or any(f is not None and _under(path, f) for f in fixed):
                continue
            name = path.replace("org.", f"org.{design}.", 1) if path.startswith("org.") else path
            if name not in missing:
                missing.append(name)
    return missing


def defaults_outside(space: Space) -> list[str]:
    """Parameters whose range excludes the value a compared design has in the scenario, as
    ``path (design value)``."""
    out = []
    for design in space.designs:
        config = _base(space.scenario, design, space.overrides)
        for p in space.params:
            value = value_at(config, p.path)
            if value is not None and not p.low <= value <= p.high:
                out.append(f"{p.path} ({design} {value!r})")
    return out


__all__ = ["defaults_outside", "leaves", "uncovered"]

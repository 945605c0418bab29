"""The settings a calibration fits: read and set by dotted name.

``therapy.innovation`` names a number; ``therapy.initial_stages[2]`` names one share of a list
of shares (here: the share of stakeholders who start in preparation). Setting one share rescales
the others in proportion, so the list still sums to 1 and keeps the base model's proportions
among the other stages (:func:`with_share`).
"""

from __future__ import annotations

import copy

from sim.configuration.schema import SimConfig
from sim.configuration.validation import validate


def split_setting(key: str) -> tuple[str, str, int | None]:
    """``"therapy.innovation"`` → (section, name, None); ``"therapy.initial_stages[2]"`` →
    (section, name, 2): one share of a list of shares."""
    section, name = key.split(".", 1)
    index = None
    if name.endswith("]") and "[" in name:
        name, _, digits = name[:-1].partition("[")
        index = int(digits) if digits.isdigit() else -1
    return section, name, index


def setting_value(config: SimConfig, key: str):
    """The current value of a dotted setting (one list element for ``name[i]``); None if the
    configuration has no such setting."""
    section, name, index = split_setting(key)
    value = getattr(getattr(config, section, None), name, None)
    if index is None:
        return value
    if not isinstance(value, list) or not 0 <= index < len(value):
        return None
    return value[index]


def with_share(shares: list[float], index: int, value: float) -> list[float]:
    """``shares`` (summing to 1) with element ``index`` set to ``value`` and the others scaled
    in proportion so that they still sum to 1 (equal parts if the others were all 0)."""
    rest = [s for i, s in enumerate(shares) if i != index]
    total = sum(rest)
    scaled = ([s * (1.0 - value) / total for s in rest] if total > 0
              else [(1.0 - value) / len(rest)] * len(rest))
    scaled.insert(index, float(value))
    return scaled


def with_settings(base: SimConfig, values: dict[str, float]) -> SimConfig:
    """A validated copy of ``base`` with dotted settings (``therapy.innovation``) set; a key
    ``section.name[i]`` sets one share of a list of shares (``therapy.initial_stages[2]``: the
    share starting in preparation) and rescales the other shares (:func:`with_share`)."""
    cfg = copy.deepcopy(base)
    for key, value in values.items():
        section, name, index = split_setting(key)
        group = getattr(cfg, section)
        if index is None:
            setattr(group, name, float(value))
        else:
            setattr(group, name, with_share(list(getattr(group, name)), index, float(value)))
    return validate(cfg)

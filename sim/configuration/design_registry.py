"""The registry of organisation designs: a design's name → its class and its settings class.

The designs sit above the engine and the configuration (sim/designs/ imports both), yet composing a
configuration must know every design's settings. So the registry lives here, beneath them all, and
the designs register themselves into it — a plug-in table. :func:`names` finds them by importing
every module of the ``sim.designs`` package *by name* the first time it is asked: the one place
where a lower layer reaches a higher one, at run time only, like an entry point (the import
contracts in .importlinter see no static import upward).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from sim.configuration.schema import ConfigError

if TYPE_CHECKING:  # annotations only: the designs import this module
    from sim.designs.base import DesignConfig, OrganisationDesign

DESIGNS_PACKAGE = "sim.designs"

_REGISTRY: dict[str, type[OrganisationDesign]] = {}
_discovered = False


def register(cls: type[OrganisationDesign]) -> type[OrganisationDesign]:
    """Class decorator: make a design available under ``cls.name``."""
    _REGISTRY[cls.name] = cls
    return cls


def _discover() -> None:
    """Import every module of the designs package once, so each design registers itself
    (``base`` and the ``structures`` subpackage hold no design)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    package = importlib.import_module(DESIGNS_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "base" and not info.ispkg:
            importlib.import_module(f"{DESIGNS_PACKAGE}.{info.name}")


def names() -> list[str]:
    """Registered design names."""
    _discover()
    return sorted(_REGISTRY)


def design_class(name: str) -> type[OrganisationDesign]:
    if name not in names():
        raise ConfigError("org.design", f"unknown design {name!r}; allowed: {', '.join(names())}")
    return _REGISTRY[name]


def design_config(name: str, **overrides) -> DesignConfig:
    """The default configuration of design ``name``, with ``overrides`` applied."""
    cls = design_class(name)
    return cls.Config(design=name, **overrides)

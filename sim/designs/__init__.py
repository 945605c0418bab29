"""Organisation designs, one module each, found automatically.

To add a design, drop a module into this package that defines an
:class:`~sim.designs.base.OrganisationDesign` subclass decorated with :func:`register`; no other
file changes (see README, "Adding a design").
"""

from __future__ import annotations

import importlib
import pkgutil

from sim.config import ConfigError
from sim.designs.base import DesignConfig, OrganisationDesign

_REGISTRY: dict[str, type[OrganisationDesign]] = {}
_discovered = False


def register(cls: type[OrganisationDesign]) -> type[OrganisationDesign]:
    """Class decorator: make a design available under ``cls.name``."""
    _REGISTRY[cls.name] = cls
    return cls


def _discover() -> None:
    """Import every module of this package once, so each design registers itself."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")


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


__all__ = ["DesignConfig", "OrganisationDesign", "design_class", "design_config", "names",
           "register"]

"""Organisation designs, one module each, found automatically; and the structures they build.

A design answers the questions the engine asks (who covers this account, who owns this job, which
route does a task take, who decides) — sim/designs/base.py lists them. To add a design, drop a
module into this package that defines an :class:`~sim.designs.base.OrganisationDesign` subclass
decorated with :func:`register`; no other file changes (docs/ARCHITECTURE.md, "Add a design").
The registry itself is sim/configuration/design_registry.py, beneath the designs, so that
composing a configuration can list every design without importing this package statically.

``sim.designs.structures`` holds what designs build from: the management hierarchy, territories,
micro-enterprise teams and the platform of central experts.
"""

from __future__ import annotations

from sim.configuration.design_registry import design_class, design_config, names, register
from sim.designs.base import DesignConfig, OrganisationDesign

__all__ = ["DesignConfig", "OrganisationDesign", "design_class", "design_config", "names",
           "register"]

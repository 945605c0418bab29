"""Register the typed configuration schemas and the scenario files with Hydra's ConfigStore.

The primary schema types every group, so a wrong type or an unknown key is rejected while the
configuration is composed. Each design's settings class is registered as ``org/<name>_schema``;
``conf/org/<name>.yaml`` starts from it. Scenario files in scenarios/ become options of the
``scenario`` group (package ``_global_``: they may set anything and override other groups).

Nothing in the tree is instantiated from a ``_target_``: designs are chosen by name from the
project's own registry, and a ``_target_`` key is rejected as an unknown setting by the schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, OmegaConf

from sim.config import MarketConfig, RunConfig, StaffingConfig, TherapyConfig
from sim.designs import design_class, names
from sim.scenarios import catalog


@dataclass
class OrgsimConfig:
    """The primary schema: the groups mirror the model."""

    market: MarketConfig = field(default_factory=MarketConfig)
    therapy: TherapyConfig = field(default_factory=TherapyConfig)
    staffing: StaffingConfig = field(default_factory=StaffingConfig)
    org: Any = MISSING  # typed by the chosen option's schema (org/<design>_schema)
    run: RunConfig = field(default_factory=RunConfig)
    baseline: Any = "traditional"  # design compared with `org` on the same seeds; null = none


_registered = False


def register() -> None:
    """Idempotent: safe to call from the entry point, tests and the API."""
    global _registered
    if _registered:
        return
    cs = ConfigStore.instance()
    cs.store(name="orgsim_schema", node=OrgsimConfig)
    for name in names():
        cs.store(group="org", name=f"{name}_schema", node=design_class(name).Config)
    for scenario in catalog().values():
        node = OmegaConf.load(scenario.path)
        cs.store(group="scenario", name=scenario.name, node=node, package="_global_")
    _registered = True

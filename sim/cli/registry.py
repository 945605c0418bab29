"""Register the typed configuration schemas and the scenario files with Hydra's ConfigStore.

The primary schema types every group, so a wrong type or an unknown key is rejected while the
configuration is composed. Each design's settings class is registered as ``org/<name>_schema``;
``conf/org/<name>.yaml`` starts from it. Scenario files in scenarios/ become options of the
``scenario`` group (package ``_global_``: they may set anything and override other groups).

A scenario file that cannot be read (not YAML, empty, a list) is not registered but recorded in
:data:`BROKEN` with a one-line reason: it fails only when it is chosen (see
:func:`sim.cli.compose.compose_run`), and every other command keeps working.

Nothing in the tree is instantiated from a ``_target_``: designs are chosen by name from the
project's own registry, and a ``_target_`` key is rejected as an unknown setting by the schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import MarketConfig, RunConfig, StaffingConfig, TherapyConfig
from sim.designs import design_class, names
from sim.scenarios import SCENARIOS

SCENARIOS_DIR = SCENARIOS  # where register() looks; tests point it at a temporary copy
BROKEN: dict[str, str] = {}  # scenario name → the one-line reason it cannot be used


@dataclass
class OrgsimConfig:
    """The primary schema: the groups mirror the model."""

    market: MarketConfig = field(default_factory=MarketConfig)
    therapy: TherapyConfig = field(default_factory=TherapyConfig)
    staffing: StaffingConfig = field(default_factory=StaffingConfig)
    org: Any = MISSING  # typed by the chosen option's schema (org/<design>_schema)
    run: RunConfig = field(default_factory=RunConfig)
    baseline: Any = "traditional"  # design compared with `org` on the same seeds; null = none
    compare: str = "equal_budget"  # equal_budget | equal_headcount | as_configured (sim/budget.py)


_registered = False


def _yaml_reason(error: yaml.YAMLError) -> str:
    """``expected ',' or ']', but got ':' at line 4`` from a PyYAML error."""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    return f"{problem} at line {mark.line + 1}" if mark is not None else problem


def scenario_problem(name: str, path: Path) -> str | None:
    """Why the scenario file ``path`` cannot be used, as one line, or None if it can.

    Checked before Hydra reads the file, because Hydra's own errors for these cases are a
    traceback (not YAML), "Cannot merge DictConfig with ListConfig" (a list) or a misleading
    "unknown setting" (an empty file has no ``# @package _global_`` line).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"scenario {name}: cannot read {path} ({getattr(error, 'strerror', None) or error})"
    if not text.strip():
        return (f"scenario {name}: the file is empty ({path}; a scenario starts with "
                "'# @package _global_' and sets what differs)")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return f"scenario: {path}: not valid YAML ({_yaml_reason(error)})"
    if data is not None and not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        return (f"scenario {name}: {path} must be a mapping of settings (key: value lines, e.g. "
                f"'market:' then '  accounts: 60'), not {kind}")
    return None


def register() -> None:
    """Idempotent: safe to call from the entry point, tests and the API."""
    global _registered
    if _registered:
        return
    cs = ConfigStore.instance()
    cs.store(name="orgsim_schema", node=OrgsimConfig)
    for name in names():
        cs.store(group="org", name=f"{name}_schema", node=design_class(name).Config)
    BROKEN.clear()
    # Each file on its own (not via catalog(), which reads every header): one unreadable file
    # must not stop the others from registering.
    for path in sorted(Path(SCENARIOS_DIR).glob("*.yaml")):
        problem = scenario_problem(path.stem, path)
        if problem is None:
            try:
                node = OmegaConf.load(path)
            except (OmegaConfBaseException, yaml.YAMLError, ValueError) as error:
                problem = f"scenario {path.stem}: {path}: {error}".splitlines()[0]
        if problem is not None:
            BROKEN[path.stem] = problem  # fails only when chosen
            continue
        cs.store(group="scenario", name=path.stem, node=node, package="_global_")
    _registered = True

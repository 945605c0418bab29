"""Register the typed configuration schemas and the scenario files with Hydra's ConfigStore.

The primary schema types every group, so a wrong type or an unknown key is rejected while the
configuration is composed. Each design's settings class is registered as ``org/<name>_schema``;
``conf/org/<name>.yaml`` starts from it. Scenario files in scenarios/ become options of the
``scenario`` group (package ``_global_``: they may set anything and override other groups).

A scenario file is read only when it is chosen (:func:`load_scenarios`, called while composing):
until then its name is registered with a placeholder, so ``--help`` lists it and one huge, deeply
nested or broken file cannot slow or break any other command. A chosen file is read within the
limits of sim/configuration/safety.py (size, depth, aliases, duplicate keys; no hydra settings, no
interpolations); one that cannot be used is recorded in :data:`BROKEN` with a one-line reason.

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

from sim.configuration import renamed
from sim.configuration.business import BusinessConfig
from sim.configuration.design_registry import design_class, names
from sim.configuration.parsed_yaml import keep_parsed_texts
from sim.configuration.safety import UnsafeInput, check_data, read_yaml
from sim.configuration.scenarios import SCENARIOS
from sim.configuration.schema import MarketConfig, RunConfig, StaffingConfig, TherapyConfig

SCENARIOS_DIR = SCENARIOS  # where register() looks; tests point it at a temporary copy
BROKEN: dict[str, str] = {}  # scenario name → the one-line reason it cannot be used
LOADED: set[str] = set()  # scenarios read and registered with their content


@dataclass
class OrgsimConfig:
    """The primary schema: the groups mirror the model."""

    market: MarketConfig = field(default_factory=MarketConfig)
    therapy: TherapyConfig = field(default_factory=TherapyConfig)
    staffing: StaffingConfig = field(default_factory=StaffingConfig)
    org: Any = MISSING  # typed by the chosen option's schema (org/<design>_schema)
    run: RunConfig = field(default_factory=RunConfig)
    business: BusinessConfig = field(default_factory=BusinessConfig)
    baseline: Any = "traditional"  # design compared with `org` on the same seeds; null = none
    # equal_budget | equal_headcount | as_configured (sim/experiments/budget.py)
    compare: str = "equal_budget"


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
    return _read_scenario(name, path)[1]


def _read_scenario(name: str, path: Path) -> tuple[str | None, str | None]:
    """(the file's text, None) if it can be used, else (None, the one-line reason)."""
    try:
        data = read_yaml(path, f"scenario {name}")
    except UnsafeInput as error:
        text = str(error)
        if "not valid YAML" in text:  # the established wording: "scenario: <path>: not valid"
            text = f"scenario: {path}: " + text.split(f"{path}: ", 1)[-1]
        return None, text
    text = Path(path).read_text(encoding="utf-8")
    if not text.strip():
        return None, (f"scenario {name}: the file is empty ({path}; a scenario starts with "
                      "'# @package _global_' and sets what differs)")
    if data is not None and not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        return None, (f"scenario {name}: {path} must be a mapping of settings (key: value "
                      f"lines, e.g. 'market:' then '  accounts: 60'), not {kind}")
    try:
        check_data(data, f"scenario {name}: {path}", text)
    except UnsafeInput as error:
        return None, str(error)
    return text, None


# A scenario not chosen yet: composing it by mistake fails loudly (an unknown setting) instead of
# silently running the defaults.
_UNREAD = "_not_read_yet_"


def register() -> None:
    """Idempotent: safe to call from the entry point, tests and the API."""
    global _registered
    if _registered:
        return
    keep_parsed_texts()  # every composition reads the same files: parse each text once
    cs = ConfigStore.instance()
    cs.store(name="orgsim_schema", node=OrgsimConfig)
    for name in names():
        cs.store(group="org", name=f"{name}_schema", node=design_class(name).Config)
    BROKEN.clear()
    LOADED.clear()
    for path in sorted(Path(SCENARIOS_DIR).glob("*.yaml")):  # names only; nothing is read
        cs.store(group="scenario", name=path.stem, node={_UNREAD: path.stem},
                 package="_global_")
    _registered = True


def load_scenarios(chosen: list[str]) -> None:
    """Read the chosen scenario files of scenarios/ and register their content (see the module
    docstring); a file that cannot be used goes to :data:`BROKEN`."""
    register()
    cs = ConfigStore.instance()
    for name in chosen:
        path = Path(SCENARIOS_DIR) / f"{name}.yaml"
        if name in LOADED or name in BROKEN or not path.is_file():
            continue
        text, problem = _read_scenario(name, path)
        if problem is None:
            try:
                node = OmegaConf.create(text) if text.strip() else OmegaConf.create({})
                renamed.tree(node)  # old setting names work for a release, with a notice
            except (OmegaConfBaseException, yaml.YAMLError, ValueError) as error:
                problem = f"scenario {name}: {path}: {error}".splitlines()[0]
        if problem is not None:
            BROKEN[name] = problem
            continue
        cs.store(group="scenario", name=name, node=node, package="_global_")
        LOADED.add(name)

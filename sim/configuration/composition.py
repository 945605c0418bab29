"""Compose the Hydra configuration tree into a validated
:class:`~sim.configuration.schema.SimConfig`.

Every way a configuration can be wrong — a bad override, an unknown group option, an unknown
setting, a wrong type, a value out of range, contradictory settings — ends as one
:class:`InputError` whose message is a single line naming the setting and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path

import yaml
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import ConfigKeyError, MissingMandatoryValue, OmegaConfBaseException

from sim.configuration import hydra_store, renamed
from sim.configuration.design_registry import design_class, design_config, names
from sim.configuration.hydra_store import OrgsimConfig, register, scenario_problem
from sim.configuration.market_file import with_market_file
from sim.configuration.org_file import with_org_file, with_org_hierarchy
from sim.configuration.params import allowed_text
from sim.configuration.safety import UnsafeInput, check_overrides, check_search_folder
from sim.configuration.scenarios import CONF
from sim.configuration.schema import ConfigError, SimConfig
from sim.configuration.table_file import TableFileError
from sim.configuration.validation import validate

GROUPS = ("market", "therapy", "staffing", "org", "run", "business", "scenario")
# How two designs are compared (``compare:``); sim/experiments/budget.py does the scaling.
MODES = ("equal_budget", "equal_headcount", "as_configured")


class InputError(ValueError):
    """Bad user input; ``str(error)`` is the one line to show."""


@dataclass
class Composed:
    config: SimConfig  # the design under study (``org``)
    baseline: SimConfig | None  # the design it is compared with, same market and seeds
    scenario: str
    compare: str = "equal_budget"  # one of MODES; applied by sim.experiments.budget.equalised
    # how they were compared, once equalised (sim/experiments/budget.py): mode, headcount, budget
    budget: dict | None = None

    @property
    def designs(self) -> list[str]:
        first = [self.baseline.org.design] if self.baseline else []
        return first + [d for d in [self.config.org.design] if d not in first]

    def config_for(self, design: str) -> SimConfig:
        if self.baseline is not None and design == self.baseline.org.design:
            return self.baseline
        return self.config


# ---------------------------------------------------------------------------- explaining
def _meta_for(path: str) -> dict | None:
    """Field metadata of a dotted setting path, searching every design for ``org.*``."""
    parts = path.split(".")
    roots = [OrgsimConfig()]
    if parts[0] == "org":
        roots = [design_class(n).Config(design=n) for n in names()]
        parts = parts[1:]
    for root in roots:
        node, meta = root, None
        for part in parts:
            if isinstance(node, dict):
                node, meta = node.get(part), meta
                continue
            if not is_dataclass(node):
                node = None
                break
            match = {f.name: f for f in fields(node)}.get(part)
            if match is None:
                node = None
                break
            node, meta = getattr(node, part), match.metadata
        if node is not None and meta:
            return meta
    return None


def _known_keys(path: str) -> list[str]:
    parent = path.rsplit(".", 1)[0] if "." in path else ""
    if parent == "org":
        return sorted({f.name for n in names() for f in fields(design_class(n).Config)})
    node = OrgsimConfig()
    for part in filter(None, parent.split(".")):
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
    if is_dataclass(node):
        return [f.name for f in fields(node)]
    if isinstance(node, dict):
        return list(node)
    return [f.name for f in fields(OrgsimConfig)] if not parent else []


TYPE_WORDS = {"Integer": "a whole number", "Float": "a number", "Boolean": "true or false",
              "valid bool": "true or false", "String": "text", "to string": "text"}


def explain(exc: BaseException) -> str:
    """One line naming the setting and what is allowed."""
    chain, e = [], exc
    while e is not None and e not in chain:
        chain.append(e)
        e = e.__cause__ or e.__context__
    for e in chain:
        if isinstance(e, ConfigError):
            return str(e)
        if isinstance(e, yaml.YAMLError):  # a config file Hydra read is not YAML
            mark = getattr(e, "problem_mark", None)
            file = Path(mark.name) if mark is not None else None
            group = file.parent.name if file is not None and file.parent.name in GROUPS \
                else "config"
            return f"{group}: {file or 'a file'}: not valid YAML ({hydra_store._yaml_reason(e)})"
        if isinstance(e, HydraException) and ("Cannot merge DictConfig with ListConfig" in str(e)
                                              or "Merge error: list is not" in str(e)):
            where = str(e).split("'")[1] if str(e).startswith("In '") else "a config file"
            group, _, name = where.partition("/")
            return f"{group} {name}: the file must be a mapping of settings (key: value), " \
                   "not a list"
        if isinstance(e, MissingConfigException):
            group = (e.missing_cfg_file or "").split("/")[0] or "config"
            wanted = (e.missing_cfg_file or "").split("/")[-1]
            if group in GROUPS:
                options = sorted(o for o in e.options or [] if not o.endswith("_schema"))
                return f"{group}: unknown option {wanted!r}; allowed: {', '.join(options)}"
            return f"{e.missing_cfg_file}: not found"
        if isinstance(e, OverrideParseException):
            return f"cannot read the override {e.override!r}: use key=value (e.g. run.seed=3)"
    for e in chain:
        if isinstance(e, MissingMandatoryValue):
            key = getattr(e, "full_key", "") or "org"
            return f"{key}: needs a value"
        if isinstance(e, ConfigKeyError) or (isinstance(e, OmegaConfBaseException)
                                             and "not in" in str(e).split("\n")[0]):
            key = getattr(e, "full_key", "") or ""
            key = key or _key_from_message(exc)
            if key.startswith("org.") and key.count(".") == 1:
                owners = [n for n in names()
                          if key[4:] in {f.name for f in fields(design_class(n).Config)}]
                if owners:
                    return (f"{key}: not a setting of the chosen design; it belongs to "
                            f"{', '.join(owners)} (choose one with org=NAME)")
            known = _known_keys(key)
            close = difflib.get_close_matches(key.rsplit(".", 1)[-1], known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            if key in renamed.RENAMED:  # an old name in a file Hydra read itself
                hint = f"; it is now {renamed.RENAMED[key]!r}"
            where = key.rsplit(".", 1)[0] if "." in key else "the configuration"
            return f"{key}: unknown setting{hint} (see the settings of {where} in conf/ or " \
                   f"docs/ODD.md)"
        if isinstance(e, OmegaConfBaseException) and "Invalid type assigned" in str(e):
            return (f"{_key_from_message(exc) or e.full_key}: a new entry (e.g. a job type) is "
                    "added in a scenario file, not on the command line (README: adding a "
                    "scenario)")
        if isinstance(e, OmegaConfBaseException) and getattr(e, "full_key", None):
            key = e.full_key
            meta = _meta_for(key) or {}
            first = str(e).split("\n")[0]
            if "is not Optional" in first:
                allowed = allowed_text(meta) if meta else "any value"
                allowed = "" if allowed == "any value" else f" ({allowed})"
                return f"{key}: needs a value, not null{allowed}"
            if first.startswith("Cannot convert") and ": '" in first:
                allowed = f" ({allowed_text(meta)})" if meta and allowed_text(meta) != \
                    "any value" else ""
                value = first.split(": '", 1)[1].rstrip("'")
                return f"{key}: must be text{allowed}, got {value}"
            kind = next((w for t, w in TYPE_WORDS.items() if t in first), "another type")
            got = first.split("'")[1] if first.count("'") >= 2 else first
            allowed = f" ({allowed_text(meta)})" if meta and allowed_text(meta) != "any value" \
                else ""
            return f"{key}: must be {kind}{allowed}, got {got!r}"
    first = next((line for line in str(chain[-1]).splitlines() if line.strip()), str(exc))
    return first.strip()


def _key_from_message(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Could not override '", "Could not append to config. An item is already at '"):
        if marker in text:
            return text.split(marker, 1)[1].split("'", 1)[0]
    return ""


# ----------------------------------------------------------------------------- composing
def _compose_tree(overrides: list[str]) -> DictConfig:
    register()
    load_chosen_scenarios(overrides)
    GlobalHydra.instance().clear()
    try:
        # job "main": the name Hydra gives a job of sim/cli/main.py (its log is main.log), so
        # this tree is the one Hydra composes for the run (sim/cli/hydra_ways.composing_once)
        with initialize_config_dir(config_dir=str(CONF), version_base="1.3", job_name="main"):
            cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
    finally:
        GlobalHydra.instance().clear()
    _check_hydra_tree(cfg)
    return cfg


def load_chosen_scenarios(overrides: list[str]) -> None:
    """Read the scenario files these overrides choose (and only those; see hydra_store.py)."""
    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException:
        return  # composing reports the unreadable override
    hydra_store.load_scenarios(_choices(parsed)["scenario"])


def _check_hydra_tree(cfg: DictConfig) -> None:
    """Belt and braces behind sim/configuration/safety.py: whatever the inputs, the composed Hydra
    settings instantiate nothing but Hydra's own launchers and sweepers."""
    hydra_cfg = cfg.get("hydra")
    if hydra_cfg is None:
        return
    if hydra_cfg.get("callbacks"):
        raise InputError("hydra.callbacks: not allowed (a callback would run code)")
    for part in ("launcher", "sweeper"):
        target = str((hydra_cfg.get(part) or {}).get("_target_", ""))
        if not target.startswith(("hydra._internal.", "hydra_plugins.")):
            raise InputError(f"hydra.{part}._target_: {target!r} is not a Hydra plugin")
    if hydra_cfg.job.get("env_set"):
        raise InputError("hydra.job.env_set: orgsim sets no environment variables from its "
                         "configuration")


def _reject_unknown(node, path: str) -> None:
    """Hydra's ``+key=value`` can add keys a typed node does not have; refuse them here."""
    if not isinstance(node, DictConfig):
        return
    kind = OmegaConf.get_type(node)
    if is_dataclass(kind):
        allowed = {f.name for f in fields(kind)}
        for key in node:
            where = f"{path}.{key}" if path else str(key)
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                owner = f"design {node.get('design')!r}" if path == "org" else path or "orgsim"
                raise InputError(f"{where}: not a setting of {owner}{hint}")
    for key in node:
        if not OmegaConf.is_missing(node, key):
            _reject_unknown(node[key], f"{path}.{key}" if path else str(key))


def from_tree(cfg: DictConfig, scenario: str) -> Composed:
    """Convert a composed tree (from ``compose`` or inside a Hydra job) and validate it. The
    compared design is not yet scaled to the baseline: that builds the model, so it happens a
    layer up (:func:`sim.experiments.budget.equalised`), once, in the run itself."""
    _reject_unknown(cfg, "")
    try:
        parts = {k: OmegaConf.to_object(cfg[k]) for k in ("market", "therapy", "staffing", "run",
                                                        "business")}
        org = OmegaConf.to_object(cfg.org)
        baseline_name = cfg.baseline
        compare = cfg.get("compare", "equal_budget")
    except (OmegaConfBaseException, HydraException) as exc:
        raise InputError(explain(exc)) from exc
    if not is_dataclass(org) or not hasattr(org, "design"):
        raise InputError(f"org: choose a design with org=NAME; allowed: {', '.join(names())}")
    expected = design_class(org.design).Config if org.design in names() else None
    if type(org) is not expected:
        raise InputError(f"org.design: choose the design with org=NAME, not org.design "
                         f"(allowed: {', '.join(names())})")
    if compare not in MODES:
        raise InputError(f"compare: must be one of {', '.join(MODES)}, got {compare!r}")
    if baseline_name is not None and baseline_name not in names():
        raise InputError(f"baseline: unknown design {baseline_name!r}; allowed: "
                         f"{', '.join(names())} or null")
    for key in ("horizon_weeks", "step_weeks"):
        value = getattr(parts["run"], key)
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"run.{key}: must be a finite number, got {value}")
    try:
        config = validate(with_org_file(with_market_file(validate(SimConfig(org=org,
                                                                            **parts)))))
        baseline = None
        if baseline_name is not None and baseline_name != org.design:
            baseline = validate(with_org_hierarchy(replace(config,
                                                           org=design_config(baseline_name))))
    except ConfigError as exc:
        raise InputError(str(exc)) from exc
    except TableFileError as exc:  # its message starts with the setting (market.path: …)
        raise InputError(str(exc)) from exc
    return Composed(config=config, baseline=baseline, scenario=scenario, compare=compare)


def _group_options(group: str) -> list[str]:
    if group == "org":
        return list(names())
    if group == "scenario":
        return sorted(p.stem for p in Path(hydra_store.SCENARIOS_DIR).glob("*.yaml"))
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


def _choices(parsed) -> dict[str, list[str]]:
    """The option(s) chosen per group by these overrides (several in a sweep), defaults
    otherwise."""
    chosen = {group: [] for group in GROUPS}
    for o in parsed:
        if o.key_or_group in GROUPS:
            value = o.value()
            values = list(getattr(value, "list", None) or []) if o.is_sweep_override() else \
                [value]
            chosen[o.key_or_group] += [str(v) for v in values if isinstance(v, str)]
    defaults = _defaults()
    return {g: v or ([defaults[g]] if g in defaults else []) for g, v in chosen.items()}


def _defaults() -> dict[str, str]:
    data = yaml.safe_load((CONF / "config.yaml").read_text(encoding="utf-8"))["defaults"]
    return {k: v for d in data if isinstance(d, dict) for k, v in d.items()
            if k in GROUPS}


def check_choices(overrides: list[str]) -> None:
    """Refuse, in one line, what Hydra would report badly or should never see: a group set to
    null; a chosen scenario file that is broken (not YAML, empty, a list, too large or deep) or
    sets Hydra's own settings — in scenarios/ or on a ``hydra.searchpath``; an override of
    Hydra's own settings outside sim/configuration/safety.py's allow-list; an interpolation.
    Scenario files that are not chosen are not read."""
    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException:
        return  # composing reports the unreadable override
    try:
        check_overrides(parsed)
    except UnsafeInput as error:
        raise InputError(str(error)) from None
    searchpath = []
    for o in parsed:
        key = o.key_or_group
        if key in GROUPS and o.value() is None:
            raise InputError(f"{key}: choose an option, not null; allowed: "
                             f"{', '.join(_group_options(key))}")
        if key == "hydra.searchpath" and isinstance(o.value(), list):
            for v in o.value():
                if not str(v).startswith("file://"):
                    raise InputError(f"hydra.searchpath: {v!r}: only folders (file://...) "
                                     "may be searched for configuration files")
                searchpath.append(str(v)[len("file://"):])
    chosen = _choices(parsed)
    for folder in searchpath:
        try:
            check_search_folder(Path(folder), {g: n for g, names in chosen.items()
                                               for n in names if g != "scenario"})
        except UnsafeInput as error:
            raise InputError(str(error)) from None
    hydra_store.load_scenarios(chosen["scenario"])
    for scenario in chosen["scenario"]:
        if scenario in hydra_store.BROKEN:
            raise InputError(hydra_store.BROKEN[scenario])
        for folder in searchpath:
            path = Path(folder) / "scenario" / f"{scenario}.yaml"
            if path.is_file() and (problem := scenario_problem(scenario, path)):
                raise InputError(problem)  # read within limits, no hydra keys (safety.py)


def compose_run(overrides: list[str]) -> Composed:
    """Compose and validate a run exactly as ``orgsim <overrides>`` would, without running it.

    The compared design is not yet scaled to the baseline's budget (that builds the model a few
    times): :func:`sim.experiments.budget.equalised` does it, as the run itself does."""
    overrides = renamed.overrides(overrides)  # old setting names work for a release
    register()
    check_choices(overrides)
    try:
        cfg = _compose_tree(overrides)
    except (HydraException, OmegaConfBaseException, ValueError, yaml.YAMLError) as exc:
        raise InputError(explain(exc)) from exc
    scenario = cfg.hydra.runtime.choices.get("scenario", "")
    with open_dict(cfg):
        del cfg["hydra"]
    return from_tree(cfg, scenario)

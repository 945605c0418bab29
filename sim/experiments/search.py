"""Searching organisation settings for the best outcome under a fixed headcount budget.

An Optuna study (TPE sampler, seeded, so a search is reproducible) proposes settings from a
declared space (``conf/search/<name>.yaml``); each proposal runs on the same paired seeds through
the one dispatcher (:func:`sim.experiments.paired.run_paired`) and is scored by the mean of the
chosen outcome. ``platform_size`` central experts are split between operations and patient
services in the default proportions and the reps absorb the difference (:func:`apply`), so a
bigger platform means fewer people in the field. ``orgsim-search`` (sim/cli/search.py) parses the
command line, calls :func:`search` and writes the folder; from a notebook::

    space = load_search_space("micro_enterprise")
    base = compose_run(["scenario=rare_disease", f"org={space['design']}", "baseline=null"]).config
    study = search(base, space, "resolved_share", "maximize", 20, [0, 1, 2], headcount(base))
    study.best_params
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
import optuna
import yaml

from sim.configuration import renamed
from sim.configuration.composition import CONF, InputError
from sim.configuration.schema import ConfigError, SimConfig
from sim.configuration.validation import validate
from sim.experiments.paired import run_paired


def load_search_space(name: str) -> dict:
    """A search space, ``conf/search/<name>.yaml`` or a path: a design and its ranges."""
    path = Path(name) if name.endswith(".yaml") else CONF / "search" / f"{name}.yaml"
    if not path.exists():
        raise InputError(f"--space: no search space {path}")
    space = yaml.safe_load(path.read_text())
    space["params"] = {renamed.current(k): v for k, v in space.get("params", {}).items()}
    for key, spec in space["params"].items():
        if spec.get("type") not in ("int", "float") or spec["low"] >= spec["high"]:
            raise InputError(f"--space {key}: needs type int or float and low < high")
    return space


def headcount(cfg: SimConfig) -> int:
    """Everyone the scenario staffs: frontline (reps, MSLs, access) plus central experts."""
    s = cfg.staffing
    return s.reps + s.msls + s.access + s.operations_experts + s.patient_services_experts


def _nested(key: str, value) -> dict:
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


def _merge(into: dict, new: dict) -> dict:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def winner_scenario(scenario: str, overrides: list[str], design: str, settings: dict) -> dict:
    """The winner as a scenario file that stands on its own: the searched scenario's group
    choices and settings, the command line's overrides, the design and the winning settings —
    so ``orgsim scenario=best`` runs the market that was searched, not the default one."""
    from sim.configuration.scenarios import catalog

    entry = catalog().get(scenario)
    body = yaml.safe_load(entry.path.read_text()) if entry else None
    body = renamed.tree(body if isinstance(body, dict) else {})
    choices = {}
    for item in body.pop("defaults", None) or []:
        if isinstance(item, dict):
            choices.update({k.removeprefix("override ").strip().lstrip("/"): v
                            for k, v in item.items()})
    for override in overrides:
        key, _, value = override.partition("=")
        key = key.lstrip("+~")
        if key in ("scenario", "baseline", "org") or key.startswith("hydra"):
            continue
        if "." in key:
            _merge(body, _nested(key, yaml.safe_load(value)))
        else:
            choices[key] = value
    choices["org"] = design
    defaults = [{f"override /{group}": option} for group, option in choices.items()
                if group != "_self_"]
    return {"defaults": defaults, **_merge(body, settings)}


def apply(base: SimConfig, params: dict, budget: int) -> SimConfig:
    """A copy of ``base`` with ``params`` set and the headcount budget kept."""
    cfg = copy.deepcopy(base)
    s = cfg.staffing
    for key, value in params.items():
        if key == "platform_size":
            total = s.operations_experts + s.patient_services_experts or 1
            s.operations_experts = round(value * s.operations_experts / total)
            s.patient_services_experts = int(value) - s.operations_experts
            continue
        group, field = key.split(".", 1)
        setattr(getattr(cfg, group), field, value)
    s.reps = budget - s.msls - s.access - s.operations_experts - s.patient_services_experts
    return validate(cfg)


def search(base: SimConfig, space: dict, objective: str, direction: str, trials: int,
           seeds: list[int], budget: int, search_seed: int = 0,
           say: Callable[[str], None] | None = None) -> optuna.Study:
    """Run ``trials`` proposals of ``space`` on ``base`` (``budget`` people), each on ``seeds``,
    scored by the mean of ``objective``; ``say`` gets one line per trial. A proposal the
    budget cannot staff is pruned (recorded as ``invalid``)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=direction,
                                sampler=optuna.samplers.TPESampler(seed=search_seed))

    def score(trial: optuna.Trial) -> float:
        params = {}
        for key, spec in space["params"].items():
            if spec["type"] == "int":
                params[key] = trial.suggest_int(key, spec["low"], spec["high"])
            else:
                params[key] = trial.suggest_float(key, spec["low"], spec["high"],
                                                  log=spec.get("log", False))
        try:
            config = apply(base, params, budget)
        except ConfigError as error:  # e.g. a platform that leaves no reps
            trial.set_user_attr("invalid", str(error))
            raise optuna.TrialPruned(str(error)) from error
        results = run_paired({space["design"]: config}, seeds, base.run.workers)
        values = np.array([r.summary[objective].iloc[0] for r in results.values()], float)
        trial.set_user_attr("sd", float(np.nanstd(values, ddof=1)) if len(values) > 1 else 0.0)
        if say:
            say(f"trial {trial.number:3d}: {objective} = {np.nanmean(values):.4g}  "
                + "  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                            for k, v in params.items()))
        return float(np.nanmean(values))

    study.optimize(score, n_trials=trials)
    return study

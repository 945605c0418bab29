"""Searching organisation settings for the best outcome under a fixed headcount budget.

An Optuna study (TPE sampler, seeded, so a search is reproducible) proposes points of a declared
space (:mod:`sim.experiments.space`, ``conf/space/<name>.yaml``, the format every workflow reads)
for the space's second design, the one the comparison is about; each proposal runs on the same
paired seeds through the one dispatcher (:func:`sim.experiments.paired.run_paired`) and is scored
by the mean of the chosen outcome. An ``int: true`` parameter is proposed as a whole number and a
``log: true`` one evenly on a log scale. The derived ``platform_size`` sets the central experts;
:func:`apply` then gives the reps whatever the budget leaves, so a bigger platform means fewer
people in the field. ``orgsim-search`` (sim/cli/search.py) parses the command line, calls
:func:`search` and writes the folder; from a notebook::

    space = load_space("micro_enterprise", scenario="rare_disease")
    budget = headcount(searched_config(space))
    study = search(space, "resolved_share", "maximize", 20, [0, 1, 2], budget)
    study.best_params
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import optuna
import yaml

from sim.configuration import renamed
from sim.configuration.composition import InputError
from sim.configuration.schema import ConfigError, SimConfig
from sim.configuration.validation import validate
from sim.experiments.paired import run_paired
from sim.experiments.space import (
    DERIVED,
    Parameter,
    Space,
    assign,
    design_config,
    for_design,
    locate,
    value_at,
)


def searched(space: Space) -> str:
    """The design a search tunes: the second of the space's designs (the first is the baseline
    its winner is run against)."""
    return space.designs[1]


def searched_config(space: Space) -> SimConfig:
    """The searched design's configuration in the space's scenario, before any point is set;
    InputError (one line) if a parameter is not one of its settings."""
    config = design_config(space, searched(space))
    for p in space.params:
        if p.path not in DERIVED and locate(config, p.path) is None:
            raise InputError(f"space.params.{p.path}: not a setting of {searched(space)}, the "
                             "design searched (the second of designs)")
    return config


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
        if key in ("scenario", "baseline", "org", "run.workers") or key.startswith("hydra"):
            continue  # chosen here, or how to run (workers, Hydra): not the market searched
        if "." in key:
            _merge(body, _nested(key, yaml.safe_load(value)))
        else:
            choices[key] = value
    choices["org"] = design
    defaults = [{f"override /{group}": option} for group, option in choices.items()
                if group != "_self_"]
    return {"defaults": defaults, **_merge(body, settings)}


def fit_to_budget(space: Space, budget: int) -> tuple[Space, str | None]:
    """The space with ``platform_size`` cut to what ``budget`` can staff (at least one rep),
    and a note saying so (None if nothing was cut). InputError or ConfigError (one line) if the
    budget cannot staff the scenario's fixed staff, or even the lowest platform."""
    base = within_budget(searched_config(space), budget)
    most = budget - base.staffing.msls - base.staffing.access - 1
    params = list(space.params)
    for i, p in enumerate(params):
        if p.path != "platform_size" or p.high <= most:
            continue
        if most < p.low:
            raise InputError(f"platform_size: a budget of {budget} people leaves room for at "
                             f"most {most} central experts, below the space's lowest "
                             f"{p.low:g}; give --budget or another space")
        params[i] = dataclasses.replace(p, high=float(most))
        note = (f"platform_size searched in {p.low:g}–{most} (a budget of {budget} people "
                f"leaves no reps above {most})")
        return dataclasses.replace(space, params=tuple(params)), note
    return space, None


def apply(space: Space, point: dict, budget: int) -> SimConfig:
    """The searched design's validated configuration with ``point`` (a value for every
    parameter of ``space``) set and the headcount budget kept."""
    return within_budget(assign(space, searched(space), point), budget)


def within_budget(config: SimConfig, budget: int) -> SimConfig:
    """``config`` validated with the reps set to what ``budget`` leaves after everyone else."""
    s = config.staffing
    s.reps = budget - s.msls - s.access - s.operations_experts - s.patient_services_experts
    return validate(config)


def winner(space: Space, point: dict, budget: int) -> dict:
    """The best ``point`` as a scenario file (:func:`winner_scenario`): the searched design's
    staffing within ``budget`` and every searched setting, compared as configured — the
    default, equal budget, would rescale the staffing and run another organisation."""
    design = searched(space)
    config = apply(space, point, budget)
    settings: dict = {"staffing": {k: getattr(config.staffing, k) for k in (
        "reps", "operations_experts", "patient_services_experts")}, "org": {}}
    for path in point:
        own = None if path in DERIVED else for_design(path, design)
        if own is not None:  # a list entry writes its whole list
            whole = own.split("[")[0]
            _merge(settings, _nested(whole, value_at(config, whole)))
    scenario = winner_scenario(space.scenario, list(space.overrides), design, settings)
    scenario["compare"] = "as_configured"
    return scenario


def _propose(trial: optuna.Trial, p: Parameter) -> float | int:
    """Optuna's proposal for parameter ``p``: a whole number if ``int: true``, evenly on a log
    scale if ``log: true``."""
    if p.integer:
        return trial.suggest_int(p.path, int(round(p.low)), int(round(p.high)), log=p.log)
    return trial.suggest_float(p.path, p.low, p.high, log=p.log)


def search(space: Space, objective: str, direction: str, trials: int, seeds: list[int],
           budget: int, search_seed: int = 0, workers: int | None = None,
           say: Callable[[str], None] | None = None) -> optuna.Study:
    """Run ``trials`` proposals of ``space`` for its searched design (``budget`` people), each
    on ``seeds``, scored by the mean of ``objective``; ``say`` gets one line per trial. A
    proposal the budget cannot staff is pruned (recorded as ``invalid``)."""
    design = searched(space)
    workers = searched_config(space).run.workers if workers is None else workers
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=direction,
                                sampler=optuna.samplers.TPESampler(seed=search_seed))

    def score(trial: optuna.Trial) -> float:
        params = {p.path: _propose(trial, p) for p in space.params}  # in the space's order
        try:
            config = apply(space, params, budget)
        except ConfigError as error:  # e.g. a platform that leaves no reps
            trial.set_user_attr("invalid", str(error))
            raise optuna.TrialPruned(str(error)) from error
        results = run_paired({design: config}, seeds, workers)
        values = np.array([r.summary[objective].iloc[0] for r in results.values()], float)
        trial.set_user_attr("sd", float(np.nanstd(values, ddof=1)) if len(values) > 1 else 0.0)
        if say:
            say(f"trial {trial.number:3d}: {objective} = {np.nanmean(values):.4g}  "
                + "  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                            for k, v in params.items()))
        return float(np.nanmean(values))

    study.optimize(score, n_trials=trials)
    return study

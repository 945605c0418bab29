"""``orgsim-search``: find the organisation settings that serve a chosen outcome best.

An Optuna study (TPE sampler, seeded, so a search is reproducible) proposes settings from a
declared space (``conf/search/<name>.yaml``); each proposal is run on the same paired seeds and
scored by the mean of the chosen outcome. The headcount budget is held fixed at the scenario's
own headcount (or ``--budget``): ``platform_size``
central experts are split between operations and patient services in the default proportions and
the reps absorb the difference, so a bigger platform means fewer people in the field.

    orgsim-search scenario=rare_disease --objective resolved_share --trials 40 --seeds 5

Writes ``trials.csv`` and ``best.yaml`` (a scenario file: copy it into scenarios/ to run it with
``orgsim scenario=best``) to ``outputs/search/<scenario>-<objective>-<time>/``.
"""

from __future__ import annotations

import argparse
import copy
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import yaml

from sim.configuration import renamed
from sim.configuration.composition import CONF, InputError, compose_run
from sim.configuration.schema import ConfigError, SimConfig
from sim.configuration.validation import validate
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.paired import run_paired


def load_space(name: str) -> dict:
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


def _parser() -> argparse.ArgumentParser:
    """The command's arguments (``orgsim-search --help``)."""
    parser = argparse.ArgumentParser(prog="orgsim-search", description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", type=renamed.override,  # old names: a release
                        help="scenario and settings, as for orgsim")
    parser.add_argument("--objective", default="resolved_share", choices=sorted(OUTCOME_INFO))
    parser.add_argument("--direction", choices=("maximize", "minimize"),
                        help="default: from the outcome (e.g. minimize cost_per_resolved_job)")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=5, help="paired seeds per trial")
    parser.add_argument("--space", default="micro_enterprise", help="conf/search/<name>.yaml")
    parser.add_argument("--budget", type=int,
                        help="headcount (default: the scenario's own, frontline plus experts)")
    parser.add_argument("--search-seed", type=int, default=0, help="seed of the sampler")
    parser.add_argument("--out", type=Path)
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        space = load_space(args.space)
        base = compose_run([*args.overrides, f"org={space['design']}", "baseline=null"]).config
        budget = args.budget or headcount(base)  # the scenario's own staffing
        if args.trials < 1 or args.seeds < 1:
            raise InputError("--trials and --seeds: must be ≥ 1")
        apply(base, {}, budget)  # the budget must fit the fixed staff
    except (InputError, ConfigError) as error:
        parser.exit(2, f"orgsim-search: error: {error}\n")
    direction = args.direction or ("maximize" if OUTCOME_INFO[args.objective][4] == "higher"
                                   else "minimize")
    # a platform may take every rep but one: beyond that the budget leaves no field force, so
    # the searched range is cut to what this scenario's budget allows (and said so)
    most = budget - base.staffing.msls - base.staffing.access - 1
    platform = space["params"].get("platform_size")
    if platform and platform["high"] > most:
        if most < platform["low"]:
            parser.exit(2, f"orgsim-search: error: platform_size: a budget of {budget} people "
                           f"leaves room for at most {most} central experts, below the space's "
                           f"lowest {platform['low']}; give --budget or another space\n")
        print(f"orgsim-search: note: platform_size searched in {platform['low']}–{most} (a "
              f"budget of {budget} people leaves no reps above {most})", file=sys.stderr)
        platform["high"] = most
    seeds = list(range(base.run.seed, base.run.seed + args.seeds))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=direction,
                                sampler=optuna.samplers.TPESampler(seed=args.search_seed))

    def objective(trial: optuna.Trial) -> float:
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
        values = np.array([r.summary[args.objective].iloc[0] for r in results.values()], float)
        trial.set_user_attr("sd", float(np.nanstd(values, ddof=1)) if len(values) > 1 else 0.0)
        print(f"trial {trial.number:3d}: {args.objective} = {np.nanmean(values):.4g}  "
              + "  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in params.items()), file=sys.stderr)
        return float(np.nanmean(values))

    study.optimize(objective, n_trials=args.trials)
    out = args.out or Path("outputs") / "search" / (
        f"{compose_run(args.overrides).scenario}-{args.objective}-"
        f"{datetime.now():%Y-%m-%d_%H-%M-%S-%f}")
    out.mkdir(parents=True, exist_ok=True)
    trials = study.trials_dataframe()
    trials.to_csv(out / "trials.csv", index=False)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        parser.exit(1, "orgsim-search: every trial was invalid; widen the space or budget\n")
    best = study.best_trial
    config = apply(base, best.params, budget)
    name = compose_run(args.overrides).scenario
    scenario = winner_scenario(name, args.overrides, space["design"], {
        "staffing": {k: getattr(config.staffing, k) for k in (
            "reps", "operations_experts", "patient_services_experts", "team_size",
            "primary_contact_span")},
        "org": {k.split(".", 1)[1]: v for k, v in best.params.items() if k.startswith("org.")}})
    # The staffing is what the search chose within the budget: compared as configured, or
    # orgsim's default (equal budget) would rescale it and run another organisation.
    scenario["compare"] = "as_configured"
    header = (f"# @package _global_\n# Question: In scenario {name}, which {space['design']} "
              f"settings give the best {args.objective} with {budget} people (orgsim-search, "
              f"{args.trials} trials, {args.seeds} seeds)?\n"
              f"# Source: orgsim-search {' '.join(args.overrides)}\n"
              "# compare: as_configured keeps the searched staffing (not rescaled to the "
              "baseline's budget)\n")
    (out / "best.yaml").write_text(header + yaml.safe_dump(scenario, sort_keys=False))
    print(pd.Series(best.params).to_string())
    print(f"best {args.objective} = {best.value:.4g} ({direction}, mean over {len(seeds)} seeds)")
    print(f"Results: {out}")


if __name__ == "__main__":
    main()

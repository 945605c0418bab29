"""``orgsim-search``: find the organisation settings that serve a chosen outcome best.

An Optuna study (TPE sampler, seeded, so a search is reproducible) proposes settings from a
declared space (``conf/search/<name>.yaml``); each proposal is run on the same paired seeds and
scored by the mean of the chosen outcome. The headcount budget is held fixed at the scenario's
own headcount (or ``--budget``): ``platform_size``
central experts are split between operations and patient services in the default proportions and
the reps absorb the difference, so a bigger platform means fewer people in the field.

    orgsim-search scenario=rare_disease --objective resolved_share --trials 40 --seeds 5

Writes ``trials.csv`` and ``best.yaml`` (a scenario file: copy it into scenarios/ to run it with
``orgsim scenario=best``) to ``outputs/search/<scenario>-<objective>-<time>/``. The search itself
is sim/experiments/search.py; this module parses the command line and writes the folder.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

import optuna
import pandas as pd
import yaml

from sim.configuration import renamed
from sim.configuration.composition import InputError, compose_run
from sim.configuration.schema import ConfigError
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.search import apply, headcount, load_search_space, search, winner_scenario


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
        space = load_search_space(args.space)
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
    study = search(base, space, args.objective, direction, args.trials, seeds, budget,
                   args.search_seed, say=lambda line: print(line, file=sys.stderr))
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

"""``orgsim-search``: find the organisation settings that serve a chosen outcome best.

An Optuna study (TPE sampler, seeded, so a search is reproducible) proposes settings of the second
design of a declared space (``--space``: ``conf/space/<name>.yaml`` or a path, default
micro_enterprise; ``scenario=`` on the command line replaces the space's scenario); each proposal
is run on the same paired seeds and scored by the mean of the chosen outcome. The headcount
budget is held fixed at the scenario's own headcount (or ``--budget``): ``platform_size`` central
experts are split between operations and patient services in the default proportions and the
reps absorb the difference, so a bigger platform means fewer people in the field.

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
from sim.configuration.composition import InputError
from sim.configuration.schema import ConfigError
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.search import (
    fit_to_budget,
    headcount,
    search,
    searched,
    searched_config,
    winner,
)
from sim.experiments.space import Space, load_space


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
    parser.add_argument("--space", default="micro_enterprise",
                        help="conf/space/<name>.yaml or a path (default: micro_enterprise)")
    parser.add_argument("--budget", type=int,
                        help="headcount (default: the scenario's own, frontline plus experts)")
    parser.add_argument("--search-seed", type=int, default=0, help="seed of the sampler")
    parser.add_argument("--out", type=Path)
    return parser


def _space(args: argparse.Namespace) -> tuple[Space, int, str | None]:
    """The space searched (the command line's scenario and overrides applied), the headcount
    budget, and a note if the budget cut the platform's range; InputError if they do not fit."""
    scenario = [o.split("=", 1)[1] for o in args.overrides if o.startswith("scenario=")]
    rest = [o for o in args.overrides if not o.startswith("scenario=")]
    space = load_space(args.space, scenario[-1] if scenario else None, rest)
    budget = args.budget or headcount(searched_config(space))  # the scenario's own staffing
    if args.trials < 1 or args.seeds < 1:
        raise InputError("--trials and --seeds: must be ≥ 1")
    space, note = fit_to_budget(space, budget)
    return space, budget, note


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        space, budget, note = _space(args)
    except (InputError, ConfigError) as error:
        parser.exit(2, f"orgsim-search: error: {error}\n")
    if note:
        print(f"orgsim-search: note: {note}", file=sys.stderr)
    direction = args.direction or ("maximize" if OUTCOME_INFO[args.objective][4] == "higher"
                                   else "minimize")
    first_seed = searched_config(space).run.seed
    seeds = list(range(first_seed, first_seed + args.seeds))
    study = search(space, args.objective, direction, args.trials, seeds, budget,
                   args.search_seed, say=lambda line: print(line, file=sys.stderr))
    out = args.out or Path("outputs") / "search" / (
        f"{space.scenario}-{args.objective}-{datetime.now():%Y-%m-%d_%H-%M-%S-%f}")
    out.mkdir(parents=True, exist_ok=True)
    study.trials_dataframe().to_csv(out / "trials.csv", index=False)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        parser.exit(1, "orgsim-search: every trial was invalid; widen the space or budget\n")
    best = study.best_trial
    source = " ".join([*args.overrides, *([] if args.space == "micro_enterprise"
                                          else ["--space", args.space])])
    header = (f"# @package _global_\n# Question: In scenario {space.scenario}, which "
              f"{searched(space)} settings give the best {args.objective} with {budget} people "
              f"(orgsim-search, {args.trials} trials, {args.seeds} seeds)?\n"
              f"# Source: orgsim-search {source}\n"
              "# compare: as_configured keeps the searched staffing (not rescaled to the "
              "baseline's budget)\n")
    scenario = winner(space, best.params, budget)
    (out / "best.yaml").write_text(header + yaml.safe_dump(scenario, sort_keys=False))
    print(pd.Series(best.params).to_string())
    print(f"best {args.objective} = {best.value:.4g} ({direction}, mean over {len(seeds)} seeds)")
    print(f"Results: {out}")


if __name__ == "__main__":
    main()

"""``orgsim-calibrate``: fit the adoption hazard to an observed cumulative adoption curve.

    orgsim-calibrate observed.csv [overrides …] --period 4weeks [--fit-population]

The CSV has columns ``period`` and ``cumulative`` (cumulative adopted accounts), optionally
``population`` (potential adopters), ``group`` (one curve per city or account group; groups
share the hazard terms, each has its own population) and ``date`` (then the weeks come from the
calendar and ``period`` may be left out). Common names (``adopters``, ``region`` …) are
accepted; a missing column is named with the names accepted for it. The period's length is
required: ``--period`` or a ``date`` column (or a period column called ``month`` …). Lines
starting with ``#`` are comments. A fit whose optimiser did not move, or that is worse than the
observed mean (R² < 0), is not a result: one line, exit status 1, no folder.
The fitting (simulator averaged over common seeds, closed-form Bass as reference) is in
sim/experiments/calibration.py; what is fitted and on which model is in
``conf/calibration/<setup>.yaml``.

Writes ``fit.csv``, ``curves.csv``, ``calibrated.yaml`` (a scenario file: copy it into
scenarios/ and run ``orgsim scenario=calibrated``), ``calibration.html`` (offline) and, with a
browser, ``calibration.png`` to ``outputs/calibration/<csv stem>-<time>/``, built in a staging
folder and moved into place in one rename.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import yaml

from sim.configuration.composition import InputError, compose_run
from sim.configuration.schema import ConfigError
from sim.experiments.calibration import (
    LEVELS,
    Calibration,
    calibrate,
    populations,
    scenario_settings,
)
from sim.experiments.calibration_setup import fit_failure, fitted_settings, load_setup
from sim.experiments.observed import CurveError, parse_period, read_observed
from sim.report.calibration_page import figure as calibration_figure

PROG = "orgsim-calibrate"


def _table(result: Calibration) -> str:
    width = max(22, *(len(n) + 2 for n in result.params.name))
    lines = [f"{'setting':<{width}}{'model':>10}{'start':>10}{'fitted':>10}{'SE':>10}  "
             f"{'95% (Jacobian SE)':<22}{'95% (bootstrap)':<20}"]
    for _, r in result.params.iterrows():
        boot = ("-" if np.isnan(r.boot_low95) else f"[{r.boot_low95:.4g}, {r.boot_high95:.4g}]")
        jac = f"[{r.low95:.4g}, {r.high95:.4g}]"
        lines.append(f"{r['name']:<{width}}{r.base:>10.4g}{r.start:>10.4g}{r.value:>10.4g}"
                     f"{r.se:>10.2g}  {jac:<22}{boot}")
    lines.append("(model: the base model's value; start: the best of "
                 f"{result.extra.get('starts_tried', 1)} starting points tried, each also mapped "
                 "onto the observed curve by the Bass fit)")
    lines.append(_uncertainty_note(result))
    for _, r in result.population.iterrows():
        how = (f"fitted, SE {r.se:.2g}" if r.fitted else
               "given" if not np.isnan(r.given) else "model's market.accounts")
        sat = f", saturation {r.saturation:.2f}" if not np.isnan(r.saturation) else ""
        lines.append(f"population {r.group:<11}{r.value:>20.4g}  ({how}{sat})")
    b = result.bass
    lines.append(f"simulator fit: RMSE {result.rmse:.3g} adopters, R² {result.r2:.3f}")
    lines.append(f"Bass closed form (reference, same curve and population): p = {b['p']:.4g}/week, "
                 f"q = {b['q']:.4g}/week, RMSE {b['rmse']:.3g}, R² {b['r2']:.3f}")
    if len(result.params) >= 2:
        lines.append(f"correlation of the first two estimates: {result.correlation[0, 1]:.2f}")
    return "\n".join(lines)


def _uncertainty_note(result: Calibration) -> str:
    """Which intervals are shown and how far to trust them."""
    jacobian = ("Jacobian SE: s²(JᵀJ)⁻¹ at the solution, residuals treated as independent (a "
                "lower bound)")
    resamples = result.extra.get("resamples", 0)
    if not resamples:
        return f"intervals: {jacobian}; no bootstrap (--bootstrap N to add one)"
    return (f"intervals: bootstrap over seed sets, {resamples} resamples of the "
            f"{len(result.seeds)} seeds, each refitted (percentile 95%) — use these; "
            f"beside them the {jacobian}")


def _comment(text: str) -> str:
    """Text safe inside a one-line YAML comment: a file or folder name with a line break (or
    any control character) would otherwise end the comment and start YAML of its own."""
    return "".join(c if c.isprintable() else " " for c in text)
def write_outputs(folder: Path, result: Calibration, csv: Path, args, overrides: list[str],
                  png: bool) -> list[str]:
    notes = []
    result.params.to_csv(folder / "fit.csv", index=False)
    result.population.to_csv(folder / "population.csv", index=False)
    result.curves.to_csv(folder / "curves.csv", index=False)
    result.extra["weekly"].to_csv(folder / "simulated_weekly_share.csv", index=False)
    fitted = ", ".join(f"{r['name']} = {r.value:.4g}" for _, r in result.params.iterrows())
    header = (f"# @package _global_\n"
              f"# Question: Does the model reproduce the adoption curve observed in "
              f"{_comment(csv.name)} with {fitted}?\n"
              f"# Source: orgsim-calibrate {_comment(str(csv))} "
              f"{_comment(' '.join(overrides))} (seeds "
              f"{result.seeds[0]}–{result.seeds[-1]}, RMSE {result.rmse:.3g}, "
              f"R² {result.r2:.3f})\n")
    body = yaml.safe_dump(scenario_settings(result.config), sort_keys=False, allow_unicode=True)
    (folder / "calibrated.yaml").write_text(header + body, encoding="utf-8")
    summary = {
        "observed": str(csv), "overrides": overrides,
        "period_weeks": result.extra.get("period_weeks"),
        "level": result.level, "adopters": LEVELS[result.level], "seeds": result.seeds,
        "fit_population": args.fit_population, "optimiser_steps": result.iterations,
        "simulator_evaluations": result.evaluations, "seconds": round(result.seconds, 2),
        "rmse": result.rmse, "r2": result.r2, "message": result.message,
        "uncertainty": _uncertainty_note(result), "bootstrap_resamples":
            result.extra.get("resamples", 0), "starts_tried": result.extra.get("starts_tried"),
        "params": result.params.to_dict(orient="records"),
        "population": result.population.to_dict(orient="records"),
        "bass_closed_form": result.bass,
        "correlation": result.correlation.tolist()}
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    fig = calibration_figure(result, f"Observed vs simulated adoption · {csv.name}")
    fig.write_html(folder / "calibration.html", include_plotlyjs=True)
    if png:
        from sim.report.export import find_browser, write_static
        from sim.report.plotting import Figure

        if find_browser() is None:
            notes.append("no browser for the PNG (HTML written); see orgsim-export")
        else:
            try:
                write_static([Figure("calibration", "calibration", fig, result.curves, "")],
                             folder, ["png"])
            except Exception as error:  # export is a convenience; the HTML is the figure
                notes.append(f"PNG not written: {str(error).splitlines()[0]}")
    return notes


def _parser() -> argparse.ArgumentParser:
    """The command's arguments (``orgsim-calibrate --help``)."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("observed", type=Path, help="CSV with columns period, cumulative "
                        "(optional: population, group)")
    parser.add_argument("overrides", nargs="*", help="base model, as for orgsim (default: "
                        "the setup's overrides)")
    parser.add_argument("--period", help="length of a period of the CSV: 1week, 4weeks, "
                        "1month, 1quarter, 1year (required unless the CSV has a date column "
                        "or a period column named week, month, quarter or year)")
    parser.add_argument("--period-weeks", type=float, help="weeks per period (as --period)")
    parser.add_argument("--fit-population", action="store_true",
                        help="also fit each group's population (market potential / saturation)")
    parser.add_argument("--level", choices=sorted(LEVELS), help="what an adopter is: an "
                        "adopted account or stakeholder (default: the setup's, else accounts; "
                        "individual adopters — doctors, farmers — are stakeholders)")
    parser.add_argument("--bootstrap", type=int, help="resamples of the seed set, each "
                        "refitted, for bootstrap intervals (0: none; default: the setup's)")
    parser.add_argument("--setup", default="default", help="conf/calibration/<name>.yaml")
    parser.add_argument("--seeds", type=int, help="common seeds per evaluation")
    parser.add_argument("--max-evals", type=int, help="optimiser steps (each costs 1 + number "
                        "of settings simulator evaluations)")
    parser.add_argument("--workers", type=int, default=1, help="processes per evaluation")
    parser.add_argument("--out", type=Path, help="results folder (must not exist)")
    parser.add_argument("--no-png", action="store_true", help="skip the PNG export")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.period_weeks is not None and not (np.isfinite(args.period_weeks)
                                                  and 0 < args.period_weeks <= 520):
            raise InputError(f"--period-weeks: must be > 0 and ≤ 520, got {args.period_weeks}")
        given = (parse_period(args.period) if args.period is not None else args.period_weeks)
        observed = read_observed(args.observed, given)
        setup = load_setup(args.setup)
        overrides = list(args.overrides or setup.get("overrides", []))
        base = compose_run([*overrides, "baseline=null"]).config
        seeds_n = args.seeds if args.seeds is not None else int(setup.get("seeds", 8))
        max_evals = args.max_evals if args.max_evals is not None else int(
            setup.get("max_evals", 15))
        resamples = args.bootstrap if args.bootstrap is not None else int(
            setup.get("bootstrap", 0))
        level = args.level or str(setup.get("level", "accounts"))
        if level not in LEVELS:
            raise InputError(f"--setup level: {level!r}; allowed: {', '.join(sorted(LEVELS))}")
        if seeds_n < 1 or max_evals < 1 or args.workers < 0 or not 0 <= resamples <= 1000:
            raise InputError("--seeds and --max-evals: must be ≥ 1; --workers ≥ 0; "
                             "--bootstrap between 0 and 1000")
        if observed.week.max() > 2600:  # checked once the period is known
            raise InputError(f"column 'period': the last period is week "
                             f"{observed.week.max():g}; allowed: up to 2600 weeks")
        populations(observed, base, args.fit_population)
        period = observed.attrs.get("period_weeks")
        if period is None:
            raise InputError(f"{args.observed}: how long is a period? give --period (e.g. "
                             "1week, 4weeks, 1month) or a 'date' column; a wrong period fits "
                             "the wrong curve")
        if period == "date" and given is not None:
            raise InputError("--period: the CSV has a 'date' column, which gives the weeks; "
                             "leave --period out")
        params = fitted_settings(setup, base)
        stem = args.observed.stem
        out = args.out or Path("outputs") / "calibration" / (
            f"{stem}-{datetime.now():%Y-%m-%d_%H-%M-%S-%f}")
        if out.exists():
            raise InputError(f"--out: {out} exists; results never overwrite earlier ones")
    except (InputError, ConfigError, CurveError) as error:
        parser.exit(2, f"{PROG}: error: {error}\n")
    seeds = list(range(base.run.seed, base.run.seed + seeds_n))
    groups = observed.group.nunique()
    when = ("weeks from the 'date' column" if period == "date" else
            f"{period:.4g} week{'' if period == 1 else 's'} per period")
    print(f"{PROG} · {args.observed}: {groups} group{'s' * (groups > 1)}, {len(observed)} "
          f"points, {when}; adopters = "
          f"{LEVELS[level]} × population", file=sys.stderr)
    print(f"model: {' '.join(overrides) or 'defaults'}; seeds {seeds[0]}–{seeds[-1]} at every "
          f"evaluation (common random numbers)", file=sys.stderr)
    try:
        result = calibrate(observed, base, params, seeds, args.fit_population, max_evals,
                           level, args.workers,
                           progress=None if args.quiet else lambda m: print(m, file=sys.stderr),
                           resamples=resamples)
    except (CurveError, ConfigError) as error:
        parser.exit(2, f"{PROG}: error: {error}\n")
    result.extra["period_weeks"] = period
    failed = fit_failure(result, period)
    if failed:  # never reported as a result: one line, no folder
        parser.exit(1, f"{PROG}: error: {failed}\n")

    staging = out.parent / ".staging" / out.name
    staging.mkdir(parents=True, exist_ok=False)
    try:
        notes = write_outputs(staging, result, args.observed, args, overrides, not args.no_png)
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(_table(result))
    print(f"{result.iterations} optimiser steps, {result.evaluations} simulator evaluations × "
          f"{len(seeds)} seeds, {result.seconds:.0f} s ({result.message})")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"Results: {out}")


if __name__ == "__main__":
    main()

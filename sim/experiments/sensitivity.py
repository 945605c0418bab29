"""Global sensitivity analysis: which settings of a declared space move an outcome, and how much.

Two methods, both from SALib and both seeded, so an analysis is reproducible:

* **Morris screening** (elementary effects). ``r`` trajectories each change one parameter at a
  time by a grid step Δ across the space; the elementary effect of a parameter is the change in
  the outcome per step, divided by the step as a fraction of the range (so it reads as the change
  over the parameter's full range, were the effect linear). Per parameter: ``mu_star`` (mean
  absolute effect — its importance, in the outcome's units), ``sigma`` (their spread: large
  when the effect depends on where you are, i.e. non-linearity or interactions) and
  ``mu_star_conf`` (bootstrap 95% half-width).
  Costs r × (k + 1) points for k parameters — cheap, for ranking.
* **Sobol indices** (variance decomposition, Saltelli sampling). ``S1`` is the share of the
  outcome's variance a parameter explains alone, ``ST`` the share it is involved in, interactions
  included; each with a bootstrap 95% half-width. Costs N × (k + 2) points.

Each point runs both designs of the space on the same seeds (sim/experiments/doe.py), so besides
each design's
outcome the analysis can target the **paired difference** (second design − first, same seeds): the
settings that decide *whether the micro-enterprise design wins*, not only how well each does.

A *target* is (outcome, design) or (outcome, ``difference``); its value at a point is the mean over
seeds. The week half the accounts adopted is undefined in a run where that never happened; it is
censored at the horizon (the run reached the horizon without it), so slow adoption still counts
as slow. A target still undefined at some point (e.g. every run of it failed) is not analysed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.engine.rng import sobol_bootstrap_stream
from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.doe import designs_of, evaluate, paired_by_point
from sim.experiments.space import Space, configure

METHODS = ("morris", "sobol")
DIFFERENCE = "difference"
CENSORED_AT_HORIZON = ("week_50pct_adoption",)
RESAMPLES = 1000  # bootstrap resamples for the confidence intervals
# The importance index of each method (what the figures sort by and the readings name).
MAIN_INDEX = {"morris": "mu_star", "sobol": "ST"}


def sample(space: Space, method: str, size: int, seed: int, levels: int = 4) -> pd.DataFrame:
    """The points to run: ``size`` Morris trajectories or ``size`` Sobol base samples (a power of
    two). One column per parameter, index = point number; deterministic given ``seed``."""
    problem = space.salib_problem()
    if method == "morris":
        x = morris_sample.sample(problem, N=size, num_levels=levels, seed=seed)
    elif method == "sobol":
        x = sobol_sample.sample(problem, N=size, calc_second_order=False, seed=seed)
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    frame = pd.DataFrame(x, columns=space.names)
    frame.index.name = "point"
    return frame


def horizon(space: Space) -> float:
    """The run horizon of the space's scenario (with its overrides), in weeks."""
    middle = {p.path: (p.low + p.high) / 2 for p in space.params}
    return float(next(iter(configure(space, middle).values())).run.horizon_weeks)


def censor(frame: pd.DataFrame, horizon_weeks: float) -> pd.DataFrame:
    """Runs that never reached half adoption get the horizon as their week (ok runs only)."""
    out = frame.copy()
    ok = out["status"] == "ok"
    for column in CENSORED_AT_HORIZON:
        if column in out:
            out.loc[ok & out[column].isna(), column] = horizon_weeks
    return out


def targets(frame: pd.DataFrame, outcomes: Sequence[str], difference: bool) -> pd.DataFrame:
    """Per-point values of every target: columns ``(outcome, design or 'difference')``."""
    columns = {}
    designs = designs_of(frame)
    for outcome in outcomes:
        paired = paired_by_point(frame, outcome)
        for design in designs:
            columns[(outcome, design)] = paired[design]
        if difference:
            columns[(outcome, DIFFERENCE)] = paired[DIFFERENCE]
    out = pd.DataFrame(columns)
    out.columns = pd.MultiIndex.from_tuples(out.columns, names=["outcome", "target"])
    return out


def analyse(space: Space, method: str, points: pd.DataFrame, values: pd.DataFrame,
            seed: int, levels: int = 4) -> pd.DataFrame:
    """Indices of every target column of ``values`` (from :func:`targets`), tidy: ``outcome``,
    ``target``, ``parameter``, ``index``, ``value``, ``conf`` (95% half-width; NaN where the
    method gives none). Targets undefined at some point are left out."""
    problem = space.salib_problem()
    x = points[space.names].to_numpy(float)
    rows = []
    for (outcome, target), y in values.items():
        y = y.reindex(points.index).to_numpy(float)
        if not np.isfinite(y).all():
            continue
        if method == "morris":
            result = morris_analyze.analyze(problem, x, y, num_resamples=RESAMPLES,
                                            conf_level=0.95, num_levels=levels, seed=seed)
            parts = (("mu_star", "mu_star_conf"), ("mu", None), ("sigma", None))
        else:
            # a generator, not the bare seed: SALib seeds its bootstrap only for a truthy seed
            result = sobol_analyze.analyze(problem, y, calc_second_order=False,
                                           num_resamples=RESAMPLES, conf_level=0.95,
                                           seed=sobol_bootstrap_stream(seed))
            parts = (("S1", "S1_conf"), ("ST", "ST_conf"))
        for i, name in enumerate(space.names):
            for index, conf in parts:
                rows.append({"outcome": outcome, "target": target, "parameter": name,
                             "index": index, "value": float(result[index][i]),
                             "conf": float(result[conf][i]) if conf else np.nan})
    return pd.DataFrame(rows, columns=["outcome", "target", "parameter", "index", "value",
                                       "conf"])


def ranking(indices: pd.DataFrame, method: str, outcome: str, target: str) -> pd.DataFrame:
    """One target's parameters, most important first: ``parameter``, ``value``, ``conf`` of the
    method's main index (Morris mu*, Sobol ST)."""
    main = MAIN_INDEX[method]
    rows = indices[(indices.outcome == outcome) & (indices.target == target)
                   & (indices["index"] == main)]
    return rows.sort_values("value", ascending=False)[["parameter", "value", "conf"]] \
        .reset_index(drop=True)


def reading(indices: pd.DataFrame, method: str, outcome: str, target: str,
            label: str, decimals: int = 3) -> str:
    """One line naming what matters most for a target, computed from its indices."""
    ranked = ranking(indices, method, outcome, target)
    if ranked.empty:
        return f"{label}: not analysed (undefined at some points)."
    main = "mu*" if method == "morris" else "ST"
    top = ranked.iloc[0]
    negligible = ranked[~(ranked.value > ranked.conf.fillna(0) + 1e-12)].parameter.tolist()
    if len(negligible) == len(ranked):  # e.g. mu* 0 ± 0: nothing to name as mattering most
        return (f"{label}: no setting moves it measurably (largest {main} "
                f"{top.value:.{decimals}g} ± {top.conf:.{decimals}g}, {top.parameter}).")
    text = (f"{label}: {top.parameter} matters most ({main} {top.value:.{decimals}g} ± "
            f"{top.conf:.{decimals}g}{_direction(indices, outcome, target, top)})")
    if len(ranked) > 1:
        second = ranked.iloc[1]
        separated = top.value - top.conf > second.value + second.conf
        text += (f", {'clearly' if separated else 'not clearly'} ahead of {second.parameter} "
                 f"({second.value:.{decimals}g} ± {second.conf:.{decimals}g})")
    if negligible:
        text += f"; indistinguishable from zero: {', '.join(negligible)}"
    return text + "."


def _direction(indices: pd.DataFrame, outcome: str, target: str, top: pd.Series) -> str:
    """Morris only: the signed mean effect mu says which way the top setting pushes."""
    mu = indices[(indices.outcome == outcome) & (indices.target == target)
                 & (indices.parameter == top.parameter) & (indices["index"] == "mu")]
    if mu.empty or not top.value > 0:
        return ""
    ratio = float(mu.value.iloc[0]) / top.value
    if ratio > 0.8:
        return "; higher values raise it"
    if ratio < -0.8:
        return "; higher values lower it"
    return "; its direction depends on the other settings"


__all__ = ["CENSORED_AT_HORIZON", "DIFFERENCE", "MAIN_INDEX", "METHODS", "analyse", "censor",
           "horizon", "ranking", "reading", "sample", "targets"]


# ----------------------------------------------------------------------------- the workflow
def label(outcome: str, target: str, designs: tuple[str, str]) -> str:
    """An outcome of a target, in words: "resolved share, traditional" or "…, b − a"."""
    name = OUTCOME_INFO[outcome][1]
    if target == DIFFERENCE:
        return f"{name}, {designs[1]} − {designs[0]}"
    return f"{name}, {target}"


@dataclass
class Study:
    """A whole sensitivity analysis: the sample, every run (censored), each target's value per
    point, the indices, and notes on what was censored, undefined or failed."""

    points: pd.DataFrame
    runs: pd.DataFrame
    values: pd.DataFrame
    indices: pd.DataFrame
    notes: list[str]
    failed: int
    caption: str


def study(space: Space, method: str, points: pd.DataFrame, outcomes: Sequence[str],
          seeds: Sequence[int], store: Path, size: int, levels: int = 4, sample_seed: int = 0,
          difference: bool = False, workers: int = 0, progress: bool = True,
          cluster=None) -> Study:
    """Run every point of ``points`` (from :func:`sample` with the same ``method``, ``size``,
    ``levels`` and ``sample_seed``) for both designs on ``seeds`` into ``store`` (resumable), and
    compute the indices of each outcome for each design and, with ``difference``, for the paired
    difference. From a notebook::

        space = load_space("tiny")
        points = sample(space, "morris", 4, seed=0)
        result = study(space, "morris", points, ["resolved_share"], [0, 1], Path("store"), 4,
                       difference=True)
        result.indices

    ``orgsim-sensitivity`` is this plus the output folder, the page and a printed ranking.
    ``cluster``: run on that Ray cluster (sim/experiments/ray_cluster.py) instead of ``workers``
    local processes."""
    seeds = list(seeds)
    frame = evaluate(space, points, seeds, store, workers=workers, progress=progress,
                     cluster=cluster)
    failed = int((frame.status != "ok").sum())
    weeks = horizon(space)
    notes = [f"{OUTCOME_INFO[o][1]}: {n} of {len(frame)} runs never reached it within the "
             f"horizon and count as week {weeks:g} (censored)."
             for o in outcomes if o in CENSORED_AT_HORIZON
             and (n := int((frame[o].isna() & (frame.status == "ok")).sum()))]
    frame = censor(frame, weeks)
    values = targets(frame, outcomes, difference)
    indices = analyse(space, method, points, values, sample_seed, levels)
    for (outcome, target), y in values.items():
        if not np.isfinite(y.to_numpy(float)).all():
            notes.append(f"{label(outcome, target, space.designs)}: undefined at "
                         f"{int((~np.isfinite(y.to_numpy(float))).sum())} point(s); not "
                         "analysed.")
    shape = (f"{size} trajectories × {len(space.params) + 1} points, {levels} levels"
             if method == "morris" else f"{size} base samples × {len(space.params) + 2} points")
    caption = (f"Scenario {space.scenario}; {method.capitalize()}, {shape}; "
               f"{len(seeds)} paired seed(s) {seeds[0]}–{seeds[-1]}; horizon {weeks:g} weeks; "
               f"sample seed {sample_seed}")
    return Study(points, frame, values, indices, notes, failed, caption)

"""Calibrating the adoption hazard to an observed cumulative adoption curve.

**What is fitted.** The two terms of the stakeholders' adoption hazard (docs/ODD.md, 7.6):
``therapy.innovation`` (Bass p, the external term) and ``therapy.imitation`` (Bass q, the
internal term), optionally any other numeric setting or one share of a list of shares
(``therapy.initial_stages[2]``: the share starting in preparation; sim/experiments/
calibration_settings.py), and — when asked — the population of each group (Bass's m).

**What "adopters" means.** ``level="accounts"``: an observed adopter is an *account* (a
hospital system, a practice) and the simulated curve is ``population × accounts_adopted_share``;
``level="stakeholders"``: an individual (a doctor, a farmer) and the share of stakeholders in
action or maintenance is used. The model's market stays the base scenario's (its size sets the
staff-to-account ratio that shapes adoption); only its adopted *share* is scaled to the observed
population. Period k is week ``k × period_weeks`` after launch (a year is 52.18 weeks: the
simulator runs weekly over the whole span).

**Groups** (one curve per city …) share the settings and the model's market; each has its own
population (the ``population`` column, fitted with ``fit_population``, or ``market.accounts``).

**How.** :func:`scipy.optimize.least_squares` (trust-region reflective, bounded) on the residuals
``simulated − observed``. Every evaluation runs the SIMULATOR on the same seeds (common random
numbers), so two nearby parameter values see the same markets and the averaged curve changes
smoothly; it is still a step function at fine scale (adoption happens in whole weeks), so the
Jacobian uses finite differences of a deliberately large 5% step. The search is local, so it
starts from the best of several points (:func:`_starting_point`): the base values and, for every
setting other than p and q, the quartiles of its range — each as it is and with p and q moved by
the ratio of the observed curve's closed-form Bass p and q to those of the point's own curve.

**Uncertainty.** Standard errors from the Jacobian at the solution, ``s² (JᵀJ)⁻¹``, treat the
residuals as independent, which cumulative counts are not: a lower bound. With ``resamples`` > 0
the seed set is drawn again with replacement and refitted that many times, and the 2.5–97.5
percentiles of the refitted values are reported beside them (sim/experiments/
calibration_bootstrap.py).

The closed-form Bass curve (:func:`sim.engine.adoption.bass_cdf`) is fitted too: the reference.
"""

from __future__ import annotations

import copy
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from sim.configuration.schema import SimConfig
from sim.configuration.validation import validate
from sim.designs import design_config
from sim.engine.adoption import bass_cdf
from sim.experiments.calibration_bootstrap import seed_bootstrap, with_intervals
from sim.experiments.calibration_settings import setting_value, with_settings
from sim.experiments.observed import CurveError
from sim.experiments.paired import run_paired

LEVELS = {"accounts": "accounts_adopted_share", "stakeholders": "stakeholders_adopted_share"}
DIFF_STEP = 0.05  # relative finite-difference step: spans many whole-week adoption jumps


# ----------------------------------------------------------------------------- simulating
def simulated_shares(config: SimConfig, seeds: list[int], weeks: np.ndarray,
                     level: str = "accounts", workers: int = 1) -> np.ndarray:
    """Adopted share at ``weeks``, one row per seed (the simulator, not the closed form)."""
    column = LEVELS[level]
    runs = run_paired({config.org.design: config}, seeds, workers)
    by_seed = {key.seed: r.series for key, r in runs.items()}
    return np.array([np.interp(weeks, by_seed[s].week.to_numpy(), by_seed[s][column].to_numpy())
                     for s in seeds])


# ----------------------------------------------------------------------------- Bass reference
# Starting (p, q) per week of the closed-form fit; the best end point is kept. One start is not
# enough: from (0.01, 0.1) a curve spread over decades (microwave ovens, 1975–2010) is already
# saturated at every observation but the first, the residuals do not move and the search stays
# where it began (R² −0.56 where the Bass curve reaches 0.98).
BASS_STARTS = tuple(itertools.product((0.01, 0.001, 0.0001), (0.1, 0.01, 0.001)))


def fit_bass(weeks: np.ndarray, cumulative: np.ndarray, groups: np.ndarray,
             population: dict[str, float], free_population: bool,
             ceiling: dict[str, float] | None = None) -> dict:
    """Least-squares fit of ``m_g · F(week; p, q)`` (closed form, shared p and q per week),
    the best of the fits started from ``BASS_STARTS``. A free population ``m_g`` lies between
    the group's observed adopters and a thousand times them, and at most its ``ceiling`` (the
    given population): the same box as the simulator's (:func:`_population_bounds`), so the
    reference may use no market potential the simulator may not."""
    names = list(population)
    index = np.array([names.index(g) for g in groups])
    top = {g: max(cumulative[groups == g].max(), 1e-9) for g in names}

    def unpack(x):
        p, q = np.exp(x[:2])
        m = np.exp(x[2:]) if free_population else np.array([population[g] for g in names])
        return p, q, m

    def residuals(x):
        p, q, m = unpack(x)
        return m[index] * bass_cdf(weeks, p, q) - cumulative

    low, high = [math.log(1e-6)] * 2, [math.log(5.0)] * 2
    m0 = []
    if free_population:
        m0 = [math.log(population[g] if population[g] >= top[g] else 1.2 * top[g])
              for g in names]
        ceiling = ceiling or {}
        low += [math.log(top[g]) for g in names]
        # kept open a hair where the ceiling is reached (as the simulator's box: _box)
        high += [max(math.log(min(1000 * top[g], ceiling.get(g, math.inf))),
                     math.log(top[g]) + 1e-6) for g in names]
    res = min((least_squares(residuals, np.clip([math.log(p0), math.log(q0), *m0],
                                                np.array(low) + 1e-9, np.array(high) - 1e-9),
                             bounds=(low, high)) for p0, q0 in BASS_STARTS),
              key=lambda r: r.cost)
    p, q, m = unpack(res.x)
    fitted = dict(zip(names, map(float, m), strict=True))
    return {"p": float(p), "q": float(q), "population": fitted,
            **goodness(res.fun, cumulative)}


def goodness(residuals: np.ndarray, observed: np.ndarray) -> dict:
    ss_tot = float(np.sum((observed - observed.mean()) ** 2))
    ss_res = float(np.sum(residuals ** 2))
    return {"rmse": math.sqrt(ss_res / len(observed)),
            "r2": 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")}


# ----------------------------------------------------------------------------- fitting
def populations(observed: pd.DataFrame, base: SimConfig, fit_population: bool) -> dict:
    """Each group's population: the ``population`` column, else the model's market.accounts
    (which must then hold every observed adopter unless the population is fitted)."""
    out = {}
    for g, rows in observed.groupby("group", sort=False):
        given = float(rows.population.iloc[0])
        out[g] = float(base.market.accounts) if math.isnan(given) else given
        top = float(rows.cumulative.max())
        if not fit_population and top > out[g]:
            where = f" of group {g!r}" if observed.group.nunique() > 1 else ""
            raise CurveError(
                f"column 'cumulative': {top:g} adopters{where} exceed the model's "
                f"market.accounts = {out[g]:g}; add a 'population' column or use "
                f"--fit-population")
    return out


@dataclass
class Calibration:
    """The result: fitted settings with standard errors, the fit, and the curves drawn."""

    params: pd.DataFrame  # name, base (the model's value, evaluated first), start (the
    # optimiser's, after the closed-form mapping), value, se, low95, high95, low, high
    population: pd.DataFrame  # group, value, se, given (bool), saturation
    curves: pd.DataFrame  # group, period, week, observed, simulated, band_low, band_high, bass
    bass: dict  # closed-form reference fit: p, q, population, rmse, r2
    rmse: float
    r2: float
    correlation: np.ndarray  # of the fitted hazard terms
    config: SimConfig  # the base configuration with the fitted settings
    seeds: list[int]
    level: str
    evaluations: int  # simulator evaluations (each over all seeds)
    iterations: int
    seconds: float
    message: str
    extra: dict = field(default_factory=dict)


def _groups(observed: pd.DataFrame) -> tuple[list, np.ndarray]:
    """The groups in order of appearance, and each observation's group index."""
    groups = list(dict.fromkeys(observed.group))
    return groups, np.array([groups.index(g) for g in observed.group])


HAZARD_TERMS = ("therapy.innovation", "therapy.imitation")  # started from the Bass mapping
START_QUANTILES = (0.25, 0.5, 0.75)  # where in its range any other setting is also tried


def _candidates(names: list[str], base_theta: np.ndarray, low: np.ndarray,
                high: np.ndarray) -> list[np.ndarray]:
    """Starting points to try: the base values, and every combination of each setting other
    than the two hazard terms at its base value or at the quartiles of its range. Least squares
    on a simulator is local: from the base mix of initial stages alone it stops on a plateau
    (docs/VALIDATION.md, section 6)."""
    start = np.clip(np.where(base_theta > 0, base_theta, (low + high) / 2), low, high)
    options = [[v] if n in HAZARD_TERMS else
               [v, *(lo + f * (hi - lo) for f in START_QUANTILES)]
               for n, v, lo, hi in zip(names, start, low, high, strict=True)]
    return [np.array(c, float) for c in itertools.product(*options)]


def _mapped(candidate: np.ndarray, names: list[str], at: Callable, bass: dict,
            observed: pd.DataFrame, population: dict) -> np.ndarray:
    """``candidate`` with its hazard terms moved by the ratio of the observed curve's Bass p
    and q to those of the candidate's own simulated curve (seen through a Bass fit)."""
    groups, gidx = _groups(observed)
    share0 = at(candidate)
    if share0.max() <= 0:
        return candidate
    ref = fit_bass(observed.week.to_numpy(),
                   share0 * np.array([population[g] for g in groups])[gidx],
                   observed.group.to_numpy(), population, False)
    ratio = {HAZARD_TERMS[0]: bass["p"] / ref["p"], HAZARD_TERMS[1]: bass["q"] / ref["q"]}
    return np.array([v * np.clip(ratio.get(n, 1.0), 0.1, 10.0)
                     for n, v in zip(names, candidate, strict=True)])


def _starting_point(base: SimConfig, params: dict, at: Callable, bass: dict,
                    observed: pd.DataFrame, population: dict) -> tuple[np.ndarray, ...]:
    """(base values, lower bounds, upper bounds, start, starts tried) of the fitted settings:
    of the candidate points (:func:`_candidates`), each also moved by the Bass mapping
    (:func:`_mapped`), the one whose simulated curve is closest to the observed one (``at``:
    the simulated share at each observation)."""
    names = list(params)
    groups, gidx = _groups(observed)
    base_theta = np.array([float(setting_value(base, n)) for n in names])
    low = np.array([params[n][0] for n in names])
    high = np.array([params[n][1] for n in names])
    m = np.array([population[g] for g in groups])[gidx]
    cum = observed.cumulative.to_numpy()
    tried = []
    for candidate in _candidates(names, base_theta, low, high):
        moved = np.clip(_mapped(candidate, names, at, bass, observed, population), low, high)
        tried += [candidate, moved]
    errors = [float(np.sum((m * at(t) - cum) ** 2)) for t in tried]
    return base_theta, low, high, tried[int(np.argmin(errors))], len(tried)


def _population_bounds(groups: list, bass: dict, population: dict, has_population: dict,
                       top: dict, fit_population: bool) -> tuple[np.ndarray, ...]:
    """(start, low, high) of each group's population: at least its observed adopters, at most
    the given population (or a thousand times the adopters)."""
    m_start = np.array([(bass["population"][g] if fit_population else population[g])
                        for g in groups])
    m_low = np.array([max(top[g], 1e-9) for g in groups])
    m_high = np.array([population[g] if has_population[g] else 1000 * max(top[g], 1.0)
                       for g in groups])
    return np.clip(m_start, m_low, m_high), m_low, m_high


def _uncertainty(res, scale: np.ndarray, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Standard errors of every unknown and the correlation of the first ``k`` (the settings),
    from the Jacobian at the solution, s² (JᵀJ)⁻¹, back in the units of the settings."""
    dof = max(1, n - len(res.x))
    s2 = 2 * res.cost / dof
    cov_x = s2 * np.linalg.pinv(res.jac.T @ res.jac)
    cov = cov_x * np.outer(scale, scale)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    sd = se[:k]
    corr = cov[:k, :k] / np.outer(np.where(sd > 0, sd, 1), np.where(sd > 0, sd, 1))
    return se, corr


def _fitted_curves(observed: pd.DataFrame, m: np.ndarray, grid: np.ndarray,
                   per_seed: np.ndarray, bass: dict) -> pd.DataFrame:
    """Per observation: observed, simulated (mean over seeds, with the seeds' range) and the
    closed-form Bass curve, each group scaled by its population ``m``."""
    groups, gidx = _groups(observed)
    weeks, cum = observed.week.to_numpy(), observed.cumulative.to_numpy()
    rows = []
    for i, g in enumerate(groups):
        sel = gidx == i
        rows.append(pd.DataFrame({
            "group": g, "period": observed.period[sel].to_numpy(), "week": weeks[sel],
            "observed": cum[sel],
            "simulated": m[i] * np.interp(weeks[sel], grid, per_seed.mean(axis=0)),
            "band_low": m[i] * np.interp(weeks[sel], grid, per_seed.min(axis=0)),
            "band_high": m[i] * np.interp(weeks[sel], grid, per_seed.max(axis=0)),
            "bass": bass["population"][g] * bass_cdf(weeks[sel], bass["p"], bass["q"])}))
    return pd.concat(rows, ignore_index=True)


class _Simulated:
    """The simulator's adopted share per seed on the weekly ``grid``, cached per settings tried
    (common random numbers: every evaluation runs the same ``seeds``)."""

    def __init__(self, base: SimConfig, names: list[str], seeds: list[int], grid: np.ndarray,
                 weeks: np.ndarray, level: str, workers: int, say: Callable[[str], None]):
        self.base, self.names, self.seeds, self.grid, self.weeks = base, names, seeds, grid, weeks
        self.level, self.workers, self.say = level, workers, say
        self.cache: dict[tuple, np.ndarray] = {}

    def shares(self, theta: np.ndarray) -> np.ndarray:
        key = tuple(np.round(theta, 12))
        if key not in self.cache:
            cfg = with_settings(self.base, dict(zip(self.names, theta, strict=True)))
            self.cache[key] = simulated_shares(cfg, self.seeds, self.grid, self.level,
                                               self.workers)
            self.say(f"evaluation {len(self.cache):3d}: " + "  ".join(
                f"{n}={v:.4g}" for n, v in zip(self.names, theta, strict=True)))
        return self.cache[key]

    def at(self, theta: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Mean share over the seeds at the observed weeks; ``weights``: how often each seed
        counts (a bootstrap resample of the seed set)."""
        curve = np.average(self.shares(theta), axis=0, weights=weights)
        return np.interp(self.weeks, self.grid, curve)


def _least_squares(residuals: Callable, x0: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                   max_evals: int):
    """Bounded trust-region least squares with the large finite-difference step."""
    return least_squares(residuals, x0, bounds=(lo, hi), method="trf", diff_step=DIFF_STEP,
                         max_nfev=max_evals, xtol=1e-3, ftol=1e-4)


def _tables(names, base_theta, start, theta, se, low, high, m, groups, given,
            fit_population) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fitted settings (with Jacobian standard errors) and the groups' populations."""
    k = len(names)
    sd = se[:k]
    params = pd.DataFrame({
        "name": names, "base": base_theta, "start": start, "value": theta, "se": sd,
        "low95": theta - 1.96 * sd, "high95": theta + 1.96 * sd, "low": low, "high": high})
    population = pd.DataFrame({
        "group": groups, "value": m,
        "se": se[k:] if fit_population else np.zeros(len(groups)),
        "fitted": fit_population,
        "given": [given[g] for g in groups],
        "saturation": [mv / given[g] for mv, g in zip(m, groups, strict=True)]})
    return params, population


def _box(settings: tuple, populations: tuple, fit_population: bool) -> tuple[np.ndarray, ...]:
    """(start, lower, upper) of the unknowns, each in units of its start (x ≈ 1) so that one
    relative finite-difference step fits them all; ``settings`` and ``populations`` are
    (low, high, start) triples."""
    (low, high, scale), (m_low, m_high, m_start) = settings, populations
    lo = np.concatenate([low / scale, m_low / m_start if fit_population else []])
    hi = np.concatenate([high / scale, m_high / m_start if fit_population else []])
    # a population bound equal to its start (population given and reached) is kept open a hair
    hi = np.maximum(hi, lo + 1e-9)
    return np.clip(np.ones(len(lo)), lo, hi), lo, hi


def _up_to(base: SimConfig, weeks: np.ndarray) -> tuple[SimConfig, np.ndarray]:
    """``base`` run up to the last observed week, and the weekly grid it reports on."""
    horizon = max(1, math.ceil(weeks.max()))
    base = copy.deepcopy(base)
    base.run.horizon_weeks = horizon
    return validate(base), np.arange(0.0, horizon + 1.0)


def calibrate(observed: pd.DataFrame, base: SimConfig, params: dict[str, tuple[float, float]],
              seeds: list[int], fit_population: bool = False, max_evals: int = 15,
              level: str = "accounts", workers: int = 1,
              progress: Callable[[str], None] | None = None,
              resamples: int = 0) -> Calibration:
    """Fit ``params`` (dotted setting → (low, high)) of ``base`` to ``observed`` (as returned by
    :func:`sim.experiments.observed.read_observed`) with the simulator averaged over ``seeds``;
    ``resamples`` > 0 adds bootstrap intervals over seed sets (:mod:`calibration_bootstrap`)."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    names = list(params)
    groups, gidx = _groups(observed)
    weeks = observed.week.to_numpy()
    cum = observed.cumulative.to_numpy()
    given = {g: float(observed.population[observed.group == g].iloc[0]) for g in groups}
    has_population = {g: not math.isnan(v) for g, v in given.items()}
    population = populations(observed, base, fit_population)
    top = {g: float(cum[gidx == i].max()) for i, g in enumerate(groups)}

    base, grid = _up_to(base, weeks)
    sim = _Simulated(base, names, seeds, grid, weeks, level, workers, say)
    at = sim.at

    # Starting point: the closed form maps the base model's curve onto the observed one.
    bass = fit_bass(weeks, cum, observed.group.to_numpy(), population, fit_population,
                    {g: given[g] for g in groups if has_population[g]})
    base_theta, low, high, start, starts = _starting_point(base, params, at, bass, observed,
                                                           population)

    scale_theta = start.copy()  # unknowns in units of their start (_box)
    m_start, m_low, m_high = _population_bounds(groups, bass, population, has_population, top,
                                                fit_population)
    k = len(names)

    def unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        theta = x[:k] * scale_theta
        m = x[k:] * m_start if fit_population else np.array([population[g] for g in groups])
        return theta, m

    def residuals(x: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        theta, m = unpack(x)
        return m[gidx] * at(theta, weights) - cum

    x0, lo, hi = _box((low, high, scale_theta), (m_low, m_high, m_start), fit_population)
    res = _least_squares(residuals, x0, lo, hi, max_evals)
    theta, m = unpack(res.x)
    n = len(cum)
    se, corr = _uncertainty(res, np.concatenate([scale_theta, m_start if fit_population else []]),
                            n, k)

    param_table, pop_table = _tables(names, base_theta, start, theta, se, low, high, m,
                                     groups, given, fit_population)

    def refit(weights: np.ndarray) -> np.ndarray:  # one bootstrap resample of the seeds
        out = _least_squares(lambda x: residuals(x, weights), res.x, lo, hi,
                             max(2, max_evals // 3))
        theta_b, m_b = unpack(out.x)
        return np.concatenate([theta_b, m_b if fit_population else []])
    boot = seed_bootstrap(refit, len(seeds), resamples, seeds[0], say)
    param_table = with_intervals(param_table, boot[:, :k] if boot is not None else None)

    per_seed = sim.shares(theta)
    curves = _fitted_curves(observed, m, grid, per_seed, bass)
    fit = goodness(curves.simulated.to_numpy() - curves.observed.to_numpy(), cum)
    return Calibration(
        params=param_table, population=pop_table, curves=curves, bass=bass,
        rmse=fit["rmse"], r2=fit["r2"], correlation=corr,
        config=with_settings(base, dict(zip(names, theta, strict=True))), seeds=list(seeds),
        level=level,
        evaluations=len(sim.cache), iterations=int(res.nfev),
        seconds=time.perf_counter() - started, message=str(res.message),
        extra={"weekly": pd.DataFrame({
                   "week": grid, "mean_share": per_seed.mean(axis=0),
                   "min_share": per_seed.min(axis=0), "max_share": per_seed.max(axis=0)}),
               "n_observations": n, "starts_tried": starts,
               "resamples": 0 if boot is None else len(boot),
               # the optimiser moved off its start (a flat curve, e.g. a wrong period, leaves
               # every finite difference zero and it stops where it began)
               "moved": bool(not np.allclose(res.x, x0, rtol=1e-6, atol=1e-9)),
               "responds": bool(np.any(res.jac[:, :k] != 0))})


# ----------------------------------------------------------------------------- scenario file
def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(f"{float(value):.6g}")
    if isinstance(value, np.integer):
        return int(value)
    return value


def scenario_settings(config: SimConfig) -> dict:
    """The settings of ``config`` that differ from the defaults of its design, as a scenario
    file's body (``defaults: - override /org: <design>`` and one section per group)."""
    reference = SimConfig(org=design_config(config.org.design))
    body: dict = {"defaults": [{"override /org": config.org.design}]}
    for section in ("market", "therapy", "staffing", "org", "run"):
        mine, theirs = asdict(getattr(config, section)), asdict(getattr(reference, section))
        diff = {k: _plain(v) for k, v in mine.items() if v != theirs[k] and k != "design"}
        if diff:
            body[section] = diff
    return body


# ----------------------------------------------------------------------------- synthetic data
def synthetic_curve(config: SimConfig, seeds: list[int], period_weeks: float, periods: int,
                    level: str = "accounts", workers: int = 1) -> pd.DataFrame:
    """A cumulative adoption curve generated BY THE MODEL (no real data): for each seed, one
    group ``seed<N>`` whose cumulative adopters are the simulated adopted accounts (or share ×
    ``market.accounts`` for stakeholders) at periods 0 … ``periods``. Used for the example
    input and for the recovery test."""
    cfg = copy.deepcopy(config)
    cfg.run.horizon_weeks = max(1, math.ceil(periods * period_weeks))
    period = np.arange(periods + 1, dtype=float)
    shares = simulated_shares(validate(cfg), seeds, period * period_weeks, level, workers)
    n = cfg.market.accounts
    return pd.concat([pd.DataFrame({
        "group": f"seed{s}", "period": period.astype(int), "cumulative": np.round(share * n, 6),
        "population": n}) for s, share in zip(seeds, shares, strict=True)], ignore_index=True)

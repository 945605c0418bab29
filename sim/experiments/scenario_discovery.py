"""Scenario discovery: in which region of the parameter space does a design comparison come out
one way, and where the other way?

A sweep gives, for each sampled point of a declared space, the outcomes of the two designs on the
same seeds. A *condition* turns each point into yes / no — e.g. "the micro-enterprise resolves at
least 10% more jobs at no higher cost per resolved job" — and PRIM (the Patient Rule Induction
Method, ema_workbench's implementation) looks for a box, a set of ranges on a few parameters,
that holds many of the yes points (**coverage**: the share of all yes points inside the box) and
few no points (**density**: the share of points inside the box that are yes). The **mass** is
the share of all points inside the box. PRIM peels thin slices off the box, one parameter at a
time, and then pastes back what does not hurt; the sequence of boxes is the *peeling trajectory*,
a trade-off between coverage and density. We choose the box with the highest coverage whose
density reaches a threshold. Each limit of the chosen box carries a quasi-p-value (Bryant &
Lempert 2010, a one-sided binomial test): the chance that dropping that limit would give a box
as dense by luck; large values mean the limit is not worth keeping. PRIM is deterministic.

The condition language is declared, not evaluated (no ``eval``). A clause is

    <outcome>:<measure><op><number>[%]

with ``outcome`` one of ``sim.experiments.analysis.OUTCOME_INFO``, ``measure`` either ``diff`` (mean
over seeds
of second design − first design, in the outcome's unit) or ``rel`` (that difference relative to
the first design's mean: ``rel>=0.10`` or ``rel>=10%`` means "at least 10% more"), and ``op`` one of
``>= <= > <``. Clauses are joined with ``and`` (or given as several ``--condition`` options); a name
from ``NAMED`` stands for its clauses. A clause whose value is undefined at a point (a NaN
outcome, a relative gain over a zero baseline) does not hold there.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.analysis import OUTCOME_INFO

NAMED = {
    # the question of the brief: more jobs resolved, and not by spending more per job
    "micro_wins": "resolved_share:rel>=0.10 and cost_per_resolved_job:diff<=0",
    "more_resolved": "resolved_share:rel>=0.10",
    "cheaper": "cost_per_resolved_job:diff<=0",
}
MEASURES = {"diff": "difference", "rel": "relative gain"}
OPS = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less}
_CLAUSE = re.compile(r"^\s*(?P<outcome>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<measure>[a-z]+)\s*"
                     r"(?P<op>>=|<=|>|<)\s*(?P<value>[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)"
                     r"\s*(?P<pct>%?)\s*$")


class ConditionError(ValueError):
    """A condition that cannot be read; the message is one line naming what is allowed."""


@dataclass(frozen=True)
class Clause:
    outcome: str
    measure: str  # "diff" or "rel"
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.outcome}:{self.measure}{self.op}{self.value:g}"

    def describe(self, first: str, second: str) -> str:
        label, unit = OUTCOME_INFO[self.outcome][1], OUTCOME_INFO[self.outcome][2]
        if self.measure == "rel":
            return f"{second} vs {first}: {label} {self.op} {self.value:+.0%}"
        return f"{second} − {first}: {label} {self.op} {self.value:g} {unit}"


@dataclass(frozen=True)
class Condition:
    clauses: tuple[Clause, ...]
    text: str = ""

    def __str__(self) -> str:
        return " and ".join(str(c) for c in self.clauses)

    @property
    def outcomes(self) -> list[str]:
        return list(dict.fromkeys(c.outcome for c in self.clauses))

    def describe(self, first: str, second: str) -> str:
        return " and ".join(c.describe(first, second) for c in self.clauses)


def parse_clause(text: str) -> Clause:
    match = _CLAUSE.match(text)
    if not match:
        raise ConditionError(
            f"--condition: cannot read {text.strip()!r}; write <outcome>:<rel|diff><op><number>, "
            f"op one of >= <= > <, e.g. resolved_share:rel>=0.10, or a name: "
            f"{', '.join(NAMED)}")
    outcome, measure = match["outcome"], match["measure"]
    if outcome not in OUTCOME_INFO:
        raise ConditionError(f"--condition: unknown outcome {outcome!r}; allowed: "
                             f"{', '.join(sorted(OUTCOME_INFO))}")
    if measure not in MEASURES:
        raise ConditionError(f"--condition: unknown measure {measure!r} in {text.strip()!r}; "
                             "allowed: diff, rel")
    value = float(match["value"]) / (100 if match["pct"] else 1)
    if match["pct"] and measure != "rel":
        raise ConditionError(f"--condition: a percentage only fits rel, not {text.strip()!r}")
    if not math.isfinite(value):
        raise ConditionError(f"--condition: the number in {text.strip()!r} must be finite")
    return Clause(outcome, measure, match["op"], value)


def parse_condition(texts: str | list[str]) -> Condition:
    """Read one or more condition strings (joined with ``and``) into a :class:`Condition`."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    if not texts or not any(t.strip() for t in texts):
        raise ConditionError("--condition: empty; give e.g. resolved_share:rel>=0.10 or "
                             f"a name: {', '.join(NAMED)}")
    clauses = []
    for text in texts:
        for part in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
            part = NAMED.get(part.strip(), part)
            if part.strip() == "":
                raise ConditionError(f"--condition: empty clause in {text.strip()!r}")
            clauses.extend(parse_clause(p) for p in re.split(r"\s+and\s+", part))
    return Condition(tuple(dict.fromkeys(clauses)), " and ".join(t.strip() for t in texts))


def paired_points(frame: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """Per point of an evaluated sweep (``frame`` from :func:`sim.experiments.doe.evaluate`: one row
    per point × design × seed), the parameter values, each outcome's mean per design
    (``<outcome>.<design>``), the paired difference second − first averaged over the seeds both
    designs ran (``<outcome>.diff``, from :func:`sim.experiments.doe.paired_by_point`) and that
    difference
    relative to the first design's mean (``<outcome>.rel``; undefined when that mean is 0)."""
    from sim.experiments.doe import designs_of, paired_by_point

    first, second = designs_of(frame)
    out = None
    for outcome in outcomes:
        paired = paired_by_point(frame, outcome)
        if out is None:
            out = paired.drop(columns=[first, second, "difference"])
        out[f"{outcome}.{first}"] = paired[first]
        out[f"{outcome}.{second}"] = paired[second]
        out[f"{outcome}.diff"] = paired["difference"]
        base = paired[first].abs().replace(0, np.nan)
        out[f"{outcome}.rel"] = paired["difference"] / base
    return out.sort_index()


def holds(points: pd.DataFrame, condition: Condition) -> np.ndarray:
    """Whether ``condition`` holds at each point of a :func:`paired_points` table (an undefined
    value never satisfies a clause)."""
    result = np.ones(len(points), dtype=bool)
    for clause in condition.clauses:
        column = f"{clause.outcome}.{clause.measure}"
        if column not in points:
            raise ConditionError(f"--condition: outcome {clause.outcome!r} is not in the results")
        values = points[column].to_numpy(float)
        with np.errstate(invalid="ignore"):
            result &= np.isfinite(values) & OPS[clause.op](values, clause.value)
    return result


@dataclass
class Discovery:
    """What PRIM found for one side (the condition, or its complement)."""

    trajectory: pd.DataFrame  # per box: box, coverage, density, mass, res_dim, n, k, chosen
    limits: pd.DataFrame  # per parameter: low, high, full_low, full_high, restricted, qp_*
    chosen: int  # index into the trajectory
    threshold: float
    base_rate: float  # share of all points where the condition holds
    reached: bool  # whether the chosen box reaches the density threshold
    n_points: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def box(self) -> pd.Series:
        return self.trajectory.iloc[self.chosen]

    @property
    def restricted(self) -> list[str]:
        """Restricted parameters, most restricted (narrowest share of its range) first."""
        lim = self.limits[self.limits.restricted]
        return list(lim.sort_values("width").index)

    def summary(self) -> str:
        if not self.base_rate > 0:  # no point of interest: there is no box, not "everywhere"
            return f"nowhere — the condition holds at none of the {self.n_points} points"
        if not len(self.restricted):
            where = ("everywhere in the space (no parameter restricted)" if self.reached else
                     f"no box reaches density {self.threshold:.0%}; over the whole space")
        else:
            where = "; ".join(f"{p} in [{r.low:.4g}, {r.high:.4g}]"
                              for p, r in self.limits.loc[self.restricted].iterrows())
        return (f"{where} — coverage {self.box.coverage:.0%}, density {self.box.density:.0%}, "
                f"mass {self.box.mass:.0%}")


def discover(x: pd.DataFrame, y: np.ndarray, threshold: float = 0.8,
             bounds: dict[str, tuple[float, float]] | None = None, peel_alpha: float = 0.05,
             paste_alpha: float = 0.05, mass_min: float = 0.05) -> Discovery:
    """Run PRIM (one box, peel then paste) for the points ``x`` where ``y`` is true.

    The chosen box is the one on the trajectory with the highest coverage among those with
    density ≥ ``threshold`` (ties: fewer restricted parameters, then the earlier box); if none
    reaches it, the densest. ``bounds`` are the full ranges of the space (default: the data's).
    Integer parameters are treated as continuous, so a limit may fall between two counts."""
    y = np.asarray(y, dtype=bool)
    # PRIM peels and pastes at quantiles, which fall between whole numbers: every parameter is
    # given as float (ema_workbench 3.0 cannot paste a fractional limit into an int64 column)
    x = x.reset_index(drop=True).astype(float)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
    bounds = bounds or {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    notes = []
    if not y.any():
        notes.append("the condition holds at no point: there is no box to find")
    from sim.experiments.prim import FastPrim  # ema_workbench: ≈ 4 s of imports, only here

    with warnings.catch_warnings():  # ema_workbench's own pandas deprecations, not ours
        warnings.filterwarnings("ignore", module="ema_workbench")
        box = FastPrim(x, y, peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                    mass_min=mass_min).find_box()
    traj = box.peeling_trajectory[["id", "coverage", "density", "mass", "res_dim", "n", "k"]]
    traj = traj.rename(columns={"id": "box"}).astype(
        {"box": int, "res_dim": int, "n": int, "k": int}).reset_index(drop=True)
    ok = traj[traj.density >= threshold - 1e-12]
    reached = len(ok) > 0
    pool = ok if reached else traj[traj.density == traj.density.max()]
    chosen = int(pool.sort_values(["coverage", "res_dim", "box"],
                                  ascending=[False, True, True]).index[0])
    traj["chosen"] = traj.index == chosen
    if y.any() and not reached:
        notes.append(f"no box reaches density {threshold:.0%}; the densest is shown")
    lims, init, qp = box.box_lims[chosen], box.box_lims[0], box.quasi_p(chosen)
    rows = []
    for p in x.columns:
        full_low, full_high = bounds[p]
        low, high = float(lims.at[0, p]), float(lims.at[1, p])
        low_cut, high_cut = low > float(init.at[0, p]), high < float(init.at[1, p])
        q_low, q_high = qp.get(p, [-1.0, -1.0])
        rows.append(dict(parameter=p, low=low if low_cut else full_low,
                         high=high if high_cut else full_high, full_low=full_low,
                         full_high=full_high, restricted=low_cut or high_cut,
                         qp_low=q_low if low_cut and q_low >= 0 else np.nan,
                         qp_high=q_high if high_cut and q_high >= 0 else np.nan))
    limits = pd.DataFrame(rows).set_index("parameter")
    span = (limits.full_high - limits.full_low).replace(0, np.nan)
    limits["width"] = ((limits.high - limits.low) / span).fillna(1.0)
    return Discovery(traj, limits, chosen, threshold, float(y.mean()) if len(y) else np.nan,
                     reached, len(y), notes)


def discover_both(x: pd.DataFrame, y: np.ndarray, threshold: float = 0.8,
                  bounds: dict[str, tuple[float, float]] | None = None,
                  **kwargs) -> tuple[Discovery, Discovery]:
    """PRIM for where the condition holds and for its complement (where it does not)."""
    y = np.asarray(y, dtype=bool)
    return (discover(x, y, threshold, bounds, **kwargs),
            discover(x, ~y, threshold, bounds, **kwargs))


@dataclass
class Analysis:
    """A condition and PRIM applied to an evaluated sample: everything the report shows.

    Analysing is apart from running (as in EMA Workbench): it needs only the evaluated runs
    (:func:`sim.experiments.doe.evaluate`, which reads stored runs back without simulating), so a
    new condition, outcome or density threshold on a stored sample costs no simulation."""

    condition: Condition
    points: pd.DataFrame  # per point: parameters, outcome means per design, diff, rel
    x: pd.DataFrame  # the parameter values, one row per point
    y: np.ndarray  # whether the condition holds at each point
    where: Discovery  # the box where it holds
    where_not: Discovery  # the box where it does not


def analyse(frame: pd.DataFrame, params: list[str], bounds: dict[str, tuple[float, float]],
            condition: Condition, threshold: float = 0.8) -> Analysis:
    """Mark each point of an evaluated sample where ``condition`` holds and find both boxes."""
    points = paired_points(frame, condition.outcomes)
    y = holds(points, condition)
    x = points[params].reset_index(drop=True)
    where, where_not = discover_both(x, y, threshold, bounds)
    for d in (where, where_not):
        if np.isfinite(d.base_rate) and d.base_rate >= threshold:
            d.notes.append(f"it already holds at {d.base_rate:.0%} of all points, above the "
                           "density threshold: the whole space qualifies")
    return Analysis(condition, points, x, y, where, where_not)


def latin_hypercube(bounds: dict[str, tuple[float, float]], integer: dict[str, bool], n: int,
                    seed: int) -> pd.DataFrame:
    """``n`` points of a seeded Latin hypercube scaled to ``bounds``; integer parameters are
    rounded (and kept within their bounds)."""
    from scipy.stats import qmc

    names = list(bounds)
    unit = qmc.LatinHypercube(d=len(names), seed=seed).random(n)
    low = np.array([bounds[p][0] for p in names], float)
    high = np.array([bounds[p][1] for p in names], float)
    frame = pd.DataFrame(qmc.scale(unit, low, high), columns=names)
    for p in names:
        if integer.get(p):
            frame[p] = np.clip(np.round(frame[p]), *bounds[p]).astype(np.int64)
    return frame


@dataclass
class Exploration:
    """A whole discovery: every run (one row each, as :func:`sim.experiments.doe.evaluate` gives
    it), the analysis, and how many runs this call simulated (the rest were read back)."""

    runs: pd.DataFrame
    analysis: Analysis
    simulated: int


def explore(space, condition: Condition, samples: int, seeds: list[int], store: Path,
            sample_seed: int = 0, threshold: float = 0.8, workers: int = 0,
            progress: bool = True, cluster=None) -> Exploration:
    """Sample ``space`` (a seeded Latin hypercube of ``samples`` points), run both designs at
    every point on ``seeds`` into ``store`` (resumable: stored runs are read back), and find
    where ``condition`` holds and where not. From a notebook::

        space = load_space("tiny")
        found = explore(space, parse_condition("micro_wins"), 40, [0], Path("store"))
        found.analysis.where.summary()

    ``orgsim-discover`` is this plus the output folder, the figures and the page. ``cluster``:
    run on that Ray cluster (sim/experiments/ray_cluster.py) instead of ``workers`` processes."""
    from sim.experiments.doe import evaluate  # heavy (the engine): only when running

    bounds = {p.path: (p.low, p.high) for p in space.params}
    points = latin_hypercube(bounds, {p.path: p.integer for p in space.params}, samples,
                             sample_seed)
    stored = Path(store) / "runs"
    before = len(list(stored.glob("*.json"))) if stored.exists() else 0
    frame = evaluate(space, points, seeds, Path(store), workers=workers, progress=progress,
                     cluster=cluster)
    simulated = len(list(stored.glob("*.json"))) - before if stored.exists() else 0
    return Exploration(frame, analyse(frame, space.names, bounds, condition, threshold),
                       simulated)

"""The verdict: which design is better across everything we are unsure of, and what would have
to be true for the answer to flip.

A single run answers "which design is better with *these* settings". The verdict samples a
declared space (conf/space/plausible.yaml by default: every setting the outcomes depend on, over
the range its sources allow) and runs both designs at every point on the same seeds, through the
one dispatcher (sim/experiments/doe.py ``evaluate``: stored, resumable, parallel). The sample is
SALib's Saltelli design over *groups* of settings (sim/experiments/verdict_groups.py): N base
points give N × (G + 2) points — rows A, A with group g taken from B (one per group), B.

From the paired difference (second design − first, mean over the seeds of a point) it computes:

(a) **who wins where**: per headline outcome, the share of the space where each design is better,
    with a 95% Wilson interval over the 2N base points (rows A and B: the uniform quasi-random
    sample; the mixed rows are left out of this share because they repeat A's and B's values);
(b) **what decides it**: Sobol total indices ``ST`` of each group on the paired difference — on
    its *log ratio* for a ratio outcome, see below — with SALib's bootstrap 95% half-width, and
    inside the leading groups the settings with the largest Spearman rank correlation with it
    over all points (a screening hint, not a Sobol index);
(c) **where it flips**: PRIM boxes (sim/experiments/scenario_discovery.py) where the second design
    wins and where the first is at least as good, over all points;
(d) **the business case of the move** (sim/experiments/verdict_business.py): the share of the
    space where the move pays back within the horizon, and its NPV.

**Ratio outcomes** (:data:`RATIO_OUTCOMES`: a cost divided by a count, such as the cost per
resolved job) are analysed in (b) as ``log(second / first)`` per seed, mean over seeds, not as the
difference. Decided on principle, not from the result: the two designs' costs per job compare as
a proportion ("a third cheaper per job"), and the difference of two ratios grows without bound
where a denominator nears zero — at a corner of the space where one design resolves almost
nothing its cost per job is enormous, and a variance-based index on the difference measures
those few points instead of what decides the comparison. The log ratio is symmetric between the
designs, additive (log cost ratio − log count ratio), and has the sign of the difference, so the
shares of (a) and the boxes of (c), which use only the sign, are the same either way;
differences.csv keeps the plain differences.

The sentences are written from these numbers by sim/experiments/verdict_sentences.py. Analysing
is apart from running: :func:`analyse` needs only the evaluated runs, so another threshold or
outcome costs no simulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.analysis import VERDICT_OUTCOMES as OUTCOMES
from sim.experiments.doe import evaluate, paired_by_point
from sim.experiments.scenario_discovery import Clause, Condition, Discovery
from sim.experiments.scenario_discovery import analyse as discover_where
from sim.experiments.sensitivity import censor, horizon
from sim.experiments.space import Space
from sim.experiments.verdict_business import BusinessCase, business_case
from sim.experiments.verdict_groups import groups_of

if TYPE_CHECKING:
    from sim.experiments.ray_cluster import Cluster

# Outcomes that are a cost over a count: their Sobol analysis is on the log ratio (see above).
RATIO_OUTCOMES = ("cost_per_resolved_job", "cost_per_adopted_account", "cost_per_patient_year")
RESAMPLES = 1000  # bootstrap resamples of the Sobol intervals
Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% interval
WIN_INTERVAL = "95% Wilson score interval over the 2N base points (rows A and B)"


# ----------------------------------------------------------------------------- the sample
def problem(space: Space) -> dict:
    """The space as SALib's problem with the settings grouped (one factor per group)."""
    return {**space.salib_problem(), "groups": groups_of(space.names)}


def group_names(space: Space) -> list[str]:
    """The groups of the space's settings in SALib's order (first appearance)."""
    return list(dict.fromkeys(groups_of(space.names)))


def sample(space: Space, n: int, seed: int) -> pd.DataFrame:
    """N × (G + 2) points of the grouped Saltelli design (``n`` a power of two); index = point
    number, column ``row`` says which block of the design a point is (``A``, a group, ``B``)."""
    x = sobol_sample.sample(problem(space), N=n, calc_second_order=False, seed=seed)
    frame = pd.DataFrame(x, columns=space.names)
    frame.index.name = "point"
    frame["row"] = np.tile(["A", *group_names(space), "B"], n)
    return frame


def base_points(points: pd.DataFrame) -> pd.Index:
    """The points of rows A and B: 2N independent draws of the quasi-random sample."""
    return points.index[points["row"].isin(["A", "B"])]


# ----------------------------------------------------------------------------- the numbers
def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a share k / n (NaN when n is 0)."""
    if n <= 0:
        return (float("nan"), float("nan"))
    p = k / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def differences(frame: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Per point, the paired difference (second − first, mean over seeds) of each outcome."""
    runs = frame.drop(columns=["run_id"], errors="ignore")
    return pd.DataFrame({o: paired_by_point(runs, o)["difference"] for o in outcomes})


def scale_of(outcome: str) -> str:
    """What the Sobol analysis decomposes for ``outcome``: ``log ratio`` or ``difference``."""
    return "log ratio" if outcome in RATIO_OUTCOMES else "difference"


def analysed(frame: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Per point, what the Sobol analysis decomposes: the paired difference, or for a ratio
    outcome the mean over seeds of log(second / first) (NaN where a value is not positive)."""
    runs = frame.drop(columns=["run_id"], errors="ignore")
    columns = {}
    for o in outcomes:
        if scale_of(o) == "log ratio":
            values = runs[o].to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                logged = np.where(values > 0, np.log(values), np.nan)
            columns[o] = paired_by_point(runs.assign(**{o: logged}), o)["difference"]
        else:
            columns[o] = paired_by_point(runs, o)["difference"]
    return pd.DataFrame(columns)


def better_sign(outcome: str) -> int:
    """+1 when more of ``outcome`` is better, −1 when less is."""
    return 1 if OUTCOME_INFO[outcome][4] == "higher" else -1


def win_shares(diffs: pd.DataFrame, base: pd.Index, designs: tuple[str, str]) -> pd.DataFrame:
    """Per outcome and design: the share of the base points where that design is better (a tie
    or an undefined difference counts for neither), its Wilson interval and the counts."""
    rows = []
    for outcome in diffs.columns:
        d = diffs.loc[base, outcome].to_numpy(float) * better_sign(outcome)
        defined = np.isfinite(d)
        n = int(defined.sum())
        for design, wins in ((designs[1], d > 0), (designs[0], d < 0)):
            k = int((wins & defined).sum())
            low, high = wilson(k, n)
            rows.append(dict(outcome=outcome, design=design, wins=k, points=n,
                             share=k / n if n else np.nan, low=low, high=high,
                             ties=int((d[defined] == 0).sum()), undefined=len(d) - n))
    return pd.DataFrame(rows)


def sobol_groups(space: Space, diffs: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Sobol first-order and total indices of each group on each column of ``diffs`` (per point:
    :func:`analysed`), with bootstrap 95% half-widths; an outcome undefined at some point is left
    out. ``scale`` says what was decomposed (:func:`scale_of`)."""
    rows = []
    groups = group_names(space)
    for outcome in diffs.columns:
        y = diffs[outcome].to_numpy(float)
        if not np.isfinite(y).all() or np.var(y) == 0:
            continue
        # SALib seeds its bootstrap only for a truthy seed: 0 would leave it unseeded
        result = sobol_analyze.analyze(problem(space), y, calc_second_order=False,
                                       num_resamples=RESAMPLES, conf_level=0.95, seed=seed + 1)
        for i, group in enumerate(groups):
            rows.append(dict(outcome=outcome, scale=scale_of(outcome), group=group,
                             ST=float(result["ST"][i]),
                             ST_conf=float(result["ST_conf"][i]), S1=float(result["S1"][i]),
                             S1_conf=float(result["S1_conf"][i])))
    return pd.DataFrame(rows, columns=["outcome", "scale", "group", "ST", "ST_conf", "S1",
                                       "S1_conf"])


def leading_settings(space: Space, points: pd.DataFrame, diffs: pd.DataFrame,
                     sobol: pd.DataFrame, groups: int = 2, per_group: int = 2) -> pd.DataFrame:
    """Inside each outcome's ``groups`` leading groups (by ST), the ``per_group`` settings with
    the largest |Spearman rank correlation| over all points with what the Sobol analysis
    decomposed (``diffs``: :func:`analysed`)."""
    rows = []
    membership = dict(zip(space.names, groups_of(space.names), strict=True))
    ranks = points[space.names].rank()
    for outcome, block in sobol.groupby("outcome", sort=False):
        y = diffs[outcome].rank()
        for group in block.sort_values("ST", ascending=False).group.head(groups):
            names = [n for n in space.names if membership[n] == group]
            rho = ranks[names].corrwith(y).dropna()
            for name in rho.abs().sort_values(ascending=False).index[:per_group]:
                rows.append(dict(outcome=outcome, group=group, setting=name,
                                 spearman=float(rho[name])))
    return pd.DataFrame(rows, columns=["outcome", "group", "setting", "spearman"])


def flip_boxes(space: Space, frame: pd.DataFrame, outcomes: Sequence[str],
               threshold: float) -> dict[str, tuple[Discovery, Discovery]]:
    """Per outcome, PRIM's box where the second design is better and where the first is at
    least as good (sim/experiments/scenario_discovery.py)."""
    bounds = {p.path: (p.low, p.high) for p in space.params}
    runs = frame.drop(columns=["run_id"], errors="ignore")
    boxes = {}
    for outcome in outcomes:
        op = ">" if better_sign(outcome) > 0 else "<"
        condition = Condition((Clause(outcome, "diff", op, 0.0),))
        found = discover_where(runs, space.names, bounds, condition, threshold)
        boxes[outcome] = (found.where, found.where_not)
    return boxes


# ----------------------------------------------------------------------------- the workflow
@dataclass
class Verdict:
    """Everything the verdict says, and the numbers it says it from."""

    space: Space
    n: int
    seeds: list[int]
    sample_seed: int
    threshold: float
    outcomes: list[str]
    runs: pd.DataFrame  # one row per run (doe.evaluate), week_50pct censored at the horizon
    points: pd.DataFrame
    diffs: pd.DataFrame
    wins: pd.DataFrame
    sobol: pd.DataFrame
    leading: pd.DataFrame
    boxes: dict[str, tuple[Discovery, Discovery]]
    business: BusinessCase
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return int((self.runs.status != "ok").sum())


def run_sample(space: Space, n: int, seeds: Sequence[int], sample_seed: int, store: Path,
               workers: int = 0, progress: bool = True, simulate: bool = True,
               cluster: Cluster | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample and its runs (stored under ``store``; stored runs are read back), on
    ``workers`` local processes or a Ray ``cluster`` (sim/experiments/ray_cluster.py)."""
    points = sample(space, n, sample_seed)
    frame = evaluate(space, points[space.names], list(seeds), Path(store), workers=workers,
                     progress=progress, simulate=simulate, run_ids=True, cluster=cluster)
    return points, frame


def analyse(space: Space, points: pd.DataFrame, frame: pd.DataFrame, n: int,
            seeds: Sequence[int], sample_seed: int, store: Path, threshold: float = 0.8,
            outcomes: Sequence[str] = OUTCOMES) -> Verdict:
    """All four answers from the evaluated runs; simulates nothing."""
    weeks = horizon(space)
    runs = censor(frame, weeks)
    diffs = differences(runs, outcomes)
    decomposed = analysed(runs, outcomes)
    designs = space.designs
    sobol = sobol_groups(space, decomposed, sample_seed)
    notes = [f"{OUTCOME_INFO[o][1]}: no Sobol indices (the {scale_of(o)} is undefined at "
             f"{int(decomposed[o].isna().sum())} point(s), or the same at every point)"
             for o in outcomes if o not in set(sobol.outcome)]
    return Verdict(space, n, list(seeds), sample_seed, threshold, list(outcomes), runs, points,
                   diffs, win_shares(diffs, base_points(points), designs), sobol,
                   leading_settings(space, points, decomposed, sobol),
                   flip_boxes(space, runs, outcomes, threshold),
                   business_case(space, runs, store, base_points(points), weeks),
                   dict(frame.attrs.get("dispatched", {})), notes)


def verdict(space: Space, n: int, seeds: Sequence[int], store: Path, sample_seed: int = 0,
            threshold: float = 0.8, outcomes: Sequence[str] = OUTCOMES, workers: int = 0,
            progress: bool = True, cluster: Cluster | None = None) -> Verdict:
    """Sample, run (resumable) and analyse. From a notebook::

        space = load_space("tiny")
        v = verdict(space, 4, [0], Path("store"))
        v.wins

    ``orgsim-verdict`` is this plus the output folder, the page, the figures and verdict.csv."""
    points, frame = run_sample(space, n, seeds, sample_seed, store, workers, progress,
                               cluster=cluster)
    return analyse(space, points, frame, n, seeds, sample_seed, store, threshold, outcomes)


__all__ = ["OUTCOMES", "RATIO_OUTCOMES", "Verdict", "WIN_INTERVAL", "analyse", "analysed",
           "base_points", "better_sign", "scale_of",
           "differences", "flip_boxes", "group_names", "leading_settings", "problem",
           "run_sample", "sample", "sobol_groups", "verdict", "wilson", "win_shares"]

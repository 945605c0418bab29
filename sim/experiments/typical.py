"""Is a single run's result typical of the space? One line, computed from a verdict's numbers.

``orgsim`` compares two designs with one set of settings; ``orgsim-verdict`` samples the space of
everything we are unsure of. This module puts the one in the other: it finds a finished verdict
of the same scenario, checks that it is *valid for this run*, and says where the run's paired
difference falls::

    Typical of the plausible space: micro_enterprise is better on jobs resolved here (+0.116),
    as it is in 95% [87%–98%] of the space; this difference is at the 54th percentile of the
    space's.

**Where it looks.** Every folder under ``<outputs>/verdict/`` — the folder ``orgsim-verdict``
writes into by default, beside the run's own ``<outputs>/<date>/`` (sim/cli/main.py decides
``<outputs>``). The newest valid one is used.

**Valid** means all of (checked in this order; the first that fails is the line's reason):

1. its ``verdict.json`` reads as a verdict of the run's scenario (others are not candidates);
2. it is finished: ``report.html`` and ``differences.csv`` exist;
3. it was made by the same model: the fingerprint it recorded equals the one of the code and
   configuration files on disk now (sim/experiments/fingerprint.py); a verdict without one (made
   before fingerprints) is stale;
4. it compares the same two designs, in the same order, on the same basis (``compare``);
5. every setting the space holds fixed has the run's value (the configurations the verdict
   recorded for each design against the run's, except the varied settings, the seeds, the
   number of replications and workers; with ``compare`` other than as_configured the compared
   design's scaled staff is left out: both sides scale it the same way).

A run whose varied settings lie outside the space's ranges still gets the line, naming them.

**The numbers.** Per headline outcome of the verdict: the run's paired difference (second design
− first, mean over its seeds; a week of half adoption never reached counts as the horizon, as in
the verdict), the design that is better here, the share of the verdict's 2N base points where
that design is better with its Wilson interval (:func:`sim.experiments.verdict.win_shares`, the
verdict's own numbers) and the run's difference as a percentile of the base points' differences
(mid-rank: half the ties count below). *Typical* = the design better here is better in at least
half the space and the difference lies between the 5th and 95th percentiles. The space's
differences are means over the verdict's seeds per point (usually one), the run's over its
replications: the space's spread includes more seed noise, so a run is if anything *more* often
called typical.

**Someone else's folder.** A verdict folder is read as data only: JSON and CSV within size
limits, checked for shape; anything unexpected is one line of the result, never an exception.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.budget import SCALED
from sim.experiments.fingerprint import model_fingerprint
from sim.experiments.space import for_design, settings_of, value_at

# sim.experiments.verdict and .sensitivity import SALib (and through it statsmodels): a second
# or more on a loaded machine, so they are imported only where a valid verdict is being read,
# not by every orgsim run that finds none.

MAX_JSON = 8 << 20  # a verdict.json is ~30 kB (settings, two recorded configurations)
MAX_CSV = 64 << 20  # differences.csv: a row per point (the default verdict: 416)
MAX_FOLDERS = 200  # newest first; an outputs/verdict/ with more is not searched further
LOW, HIGH = 5.0, 95.0  # percentiles between which a difference's size is typical
RUN_ONLY = ("run.seed", "run.replications", "run.workers", "run.check_invariants")


class Unusable(Exception):
    """Why a verdict folder cannot be used; ``str()`` is one line. ``kind`` chooses the advice:
    ``malformed``, ``unfinished``, ``stale`` (another model) or ``mismatch`` (another question:
    designs, basis or a fixed setting)."""

    def __init__(self, reason: str, kind: str = "malformed"):
        super().__init__(reason)
        self.kind = kind


BASIS = {"equal_budget": "at equal budget", "equal_headcount": "at equal headcount",
         "as_configured": "as configured"}


@dataclass
class Typical:
    """The answer: ``line`` (one line, for the terminal and the report), the verdict used or
    considered, and per outcome the numbers the line is written from."""

    status: str  # typical, atypical, unusual_size, tie, none, unusable, one_design
    line: str
    verdict: str | None = None  # the folder used (or the newest considered)
    report: str | None = None  # its report.html, if there is one
    rows: list[dict] = field(default_factory=list)  # per outcome (see typical_rows)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


# ---------------------------------------------------------------------------- configurations
def flat(config) -> dict[str, object]:
    """A configuration as ``{"market.accounts": 60, "org.kpi.calls": 0.6,
    "org.level_authority[0]": 10.0, …}`` (the paths spaces use), leaves only."""
    out: dict[str, object] = {}

    def walk(node, path: str) -> None:
        if dataclasses.is_dataclass(node):
            node = {f.name: getattr(node, f.name) for f in dataclasses.fields(node)}
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list | tuple):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")
        else:
            out[path] = node if node is None or isinstance(node, bool | int | float | str) \
                else str(node)
    walk(config, "")
    return out


def _under(path: str, prefixes: set[str]) -> bool:
    return any(path == p or path.startswith((p + ".", p + "[")) for p in prefixes)


def first_difference(recorded: Mapping[str, object], run: Mapping[str, object],
                     varied: set[str]) -> str | None:
    """The first setting (outside ``varied`` and the run-only ones) whose value differs, as
    ``"market.accounts = 20 here, 60 in the verdict"``; None if none does."""
    skip = varied | set(RUN_ONLY)
    for path in sorted(set(recorded) | set(run)):
        if _under(path, skip):
            continue
        a, b = recorded.get(path, "(none)"), run.get(path, "(none)")
        same = a == b or (isinstance(a, float) and isinstance(b, float)
                          and math.isnan(a) and math.isnan(b))
        if not same:
            return f"{path} = {b!r} here, {a!r} in the verdict"
    return None


# ----------------------------------------------------------------------------- the verdict
@dataclass
class Recorded:
    """What a verdict folder says, read as data."""

    folder: Path
    settings: dict
    model: dict | None
    base: dict[str, dict]
    mtime: float


def _read_json(path: Path) -> dict:
    if not path.is_file():
        raise Unusable(f"no {path.name}")
    if path.stat().st_size > MAX_JSON:
        raise Unusable(f"{path.name} is larger than {MAX_JSON >> 20} MiB")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise Unusable(f"{path.name} is not readable JSON ({str(error)[:80]})") from None
    if not isinstance(data, dict):
        raise Unusable(f"{path.name} is not a JSON object")
    return data


def read_recorded(folder: Path) -> Recorded:
    """The verdict.json of ``folder``; :class:`Unusable` if it is not one."""
    path = folder / "verdict.json"
    data = _read_json(path)
    settings, model, base = data.get("settings"), data.get("model"), data.get("base") or {}
    if not isinstance(settings, dict) or not isinstance(settings.get("scenario"), str):
        raise Unusable("verdict.json has no settings with a scenario")
    designs, params = settings.get("designs"), settings.get("params")
    if (not isinstance(designs, list) or len(designs) != 2
            or not all(isinstance(d, str) for d in designs)):
        raise Unusable("verdict.json: settings.designs is not two design names")
    if not isinstance(params, dict) or not all(
            isinstance(v, list) and len(v) == 3 and all(_number(x) for x in v[:2])
            for v in params.values()):
        raise Unusable("verdict.json: settings.params is not {setting: [low, high, integer]}")
    if model is not None and not (isinstance(model, dict) and isinstance(model.get("sha256"),
                                                                         str)):
        raise Unusable("verdict.json: model has no fingerprint")
    if not isinstance(base, dict) or not all(isinstance(v, dict) for v in base.values()):
        raise Unusable("verdict.json: base is not one configuration per design")
    return Recorded(folder, settings, model, base, path.stat().st_mtime)


def _number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def read_differences(folder: Path, outcomes: Sequence[str]) -> pd.DataFrame:
    """differences.csv: one row per point, ``row`` (A, a group or B) and one column per outcome
    (the paired difference, second − first); :class:`Unusable` if it is not that."""
    path = folder / "differences.csv"
    if not path.is_file():
        raise Unusable("it is not finished (no differences.csv)", "unfinished")
    if path.stat().st_size > MAX_CSV:
        raise Unusable(f"differences.csv is larger than {MAX_CSV >> 20} MiB")
    try:
        frame = pd.read_csv(path, dtype={"row": str}, engine="c")
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise Unusable(f"differences.csv is not readable ({str(error).splitlines()[0][:80]})"
                       ) from None
    missing = [c for c in ("row", *outcomes) if c not in frame.columns]
    if missing:
        raise Unusable(f"differences.csv has no column {missing[0]!r}")
    try:
        values = frame[list(outcomes)].apply(pd.to_numeric, errors="raise").astype(float)
    except (ValueError, TypeError):
        raise Unusable("differences.csv holds a value that is not a number") from None
    if not frame["row"].isin(["A", "B"]).any():
        raise Unusable("differences.csv has no base points (rows A and B)")
    return values.assign(row=frame["row"].to_numpy())


def candidates(root: Path, scenario: str) -> tuple[list[Path], list[str]]:
    """Folders under ``root/verdict/`` holding a verdict.json, newest first, that are (or might
    be: their verdict.json does not say) of ``scenario``; and one line per unreadable one."""
    where = root / "verdict"
    try:
        folders = [p for p in where.iterdir() if (p / "verdict.json").is_file()]
    except OSError:
        return [], []
    folders.sort(key=lambda p: (p / "verdict.json").stat().st_mtime, reverse=True)
    mine, problems = [], []
    for folder in folders[:MAX_FOLDERS]:
        try:
            if read_recorded(folder).settings["scenario"] == scenario:
                mine.append(folder)
        except Unusable as error:
            problems.append(f"{folder}: {error}")
            mine.append(folder)  # might be this scenario's: say why it is unusable
    return mine, problems


# ------------------------------------------------------------------------------- validity
@dataclass
class Run:
    """What the single run brings: its scenario, designs (first = baseline), basis, the
    configuration each design ran with (the compared one after scaling) and its summary."""

    scenario: str
    designs: list[str]
    compare: str
    configs: dict[str, object]  # design → SimConfig
    summary: pd.DataFrame  # one row per (design, seed), the headline outcomes


def _varied(params: Mapping[str, list], design: str) -> set[str]:
    out = set()
    for path in params:
        for setting in settings_of(path):
            own = for_design(setting, design)
            if own is not None:
                out.add(own)
    return out


def check(recorded: Recorded, run: Run) -> None:
    """:class:`Unusable` with the reason if the verdict is not valid for this run."""
    s = recorded.settings
    if not (recorded.folder / "report.html").is_file():
        raise Unusable("it is not finished (no report.html)", "unfinished")
    now = model_fingerprint()["sha256"]
    if recorded.model is None:
        raise Unusable("it records no model fingerprint (made by an older orgsim-verdict), so "
                       "it may be of another model", "stale")
    if recorded.model["sha256"] != now:
        raise Unusable(f"it was made by another version of the model (fingerprint "
                       f"{recorded.model['sha256'][:12]}, now {now[:12]})", "stale")
    if list(s["designs"]) != list(run.designs):
        raise Unusable(f"it compares {' with '.join(s['designs'][::-1])}, this run "
                       f"{' with '.join(run.designs[::-1])}", "mismatch")
    if s.get("compare") != run.compare:
        basis = BASIS.get(s.get("compare"), "on a basis it does not record")
        raise Unusable(f"it compares the designs {basis}, this run "
                       f"{BASIS.get(run.compare, run.compare)}", "mismatch")
    for i, design in enumerate(run.designs):
        if design not in recorded.base:
            raise Unusable(f"verdict.json records no configuration of {design}")
        varied = _varied(s["params"], design)
        if i == 1 and run.compare != "as_configured":
            varied |= {f"staffing.{name}" for name in SCALED}
        differs = first_difference(recorded.base[design], flat(run.configs[design]), varied)
        if differs:
            raise Unusable(f"it holds a setting fixed that this run changes ({design}: "
                           f"{differs})", "mismatch")


def outside(recorded: Recorded, run: Run) -> list[str]:
    """The varied settings whose value in this run lies outside the space's range."""
    out = []
    for path, (low, high, _) in recorded.settings["params"].items():
        for design in run.designs:
            try:
                value = value_at(run.configs[design], path)
            except (TypeError, KeyError, IndexError, ValueError):
                value = None
            if _number(value):
                if not low - 1e-9 <= value <= high + 1e-9:
                    out.append(path)
                break
    return out


# ----------------------------------------------------------------------------- the numbers
def run_differences(summary: pd.DataFrame, designs: Sequence[str], outcomes: Sequence[str],
                    horizon: float) -> dict[str, float]:
    """Per outcome, the run's paired difference (second − first, mean over seeds), censored at
    the horizon as the verdict does; NaN when no seed has both values."""
    from sim.experiments.sensitivity import CENSORED_AT_HORIZON

    first, second = designs
    out = {}
    for outcome in outcomes:
        if outcome not in summary.columns:
            out[outcome] = float("nan")
            continue
        wide = summary.pivot_table(index="seed", columns="design", values=outcome,
                                   aggfunc="first", dropna=False)
        wide = wide.reindex(columns=[first, second]).astype(float)
        if outcome in CENSORED_AT_HORIZON:
            wide = wide.fillna(horizon)
        out[outcome] = float((wide[second] - wide[first]).mean())
    return out


def percentile(value: float, sample: np.ndarray) -> float:
    """Mid-rank percentile of ``value`` in ``sample``: the share below plus half the ties."""
    below, ties = float((sample < value).sum()), float((sample == value).sum())
    return 100.0 * (below + ties / 2) / len(sample)


def typical_rows(diffs: pd.DataFrame, outcomes: Sequence[str], designs: Sequence[str],
                 here: Mapping[str, float]) -> list[dict]:
    """Per outcome with a defined difference here and in the space: the numbers of its line."""
    from sim.experiments.verdict import better_sign, win_shares

    base = diffs.index[diffs["row"].isin(["A", "B"])]
    shares = win_shares(diffs[list(outcomes)], base, tuple(designs))
    rows = []
    for outcome in outcomes:
        d = here.get(outcome, float("nan"))
        sample = diffs.loc[base, outcome].to_numpy(float)
        sample = sample[np.isfinite(sample)]
        if not math.isfinite(d) or len(sample) == 0:
            continue
        sign = d * better_sign(outcome)
        better = designs[1] if sign > 0 else designs[0] if sign < 0 else None
        won = shares[(shares.outcome == outcome)
                     & (shares.design == (better or designs[1]))].iloc[0]
        tie_share = float(np.mean(sample == 0))
        rows.append(dict(outcome=outcome, difference=d, better=better,
                         share=float(won.share), low=float(won.low), high=float(won.high),
                         wins=int(won.wins), points=int(won.points), tie_share=tie_share,
                         percentile=percentile(d, sample)))
    return rows


def status_of(row: Mapping) -> str:
    if row["better"] is None:
        return "tie"
    if row["share"] < 0.5:
        return "atypical"
    return "typical" if LOW <= row["percentile"] <= HIGH else "unusual_size"


# ----------------------------------------------------------------------------- the words
def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def signed(outcome: str, value: float) -> str:
    """A difference with the outcome's decimals (sim/experiments/analysis.py), '−' for minus."""
    decimals = OUTCOME_INFO[outcome][3] if outcome in OUTCOME_INFO else 3
    return f"{value:+,.{decimals}f}".replace("-", "−")


def space_words(name: str) -> str:
    stem = Path(str(name)).stem
    return "the plausible space" if stem == "plausible" else f"the space {stem!r}"


def sentence(row: Mapping, space: str) -> str:
    """The line for one outcome, from its numbers only."""
    label = OUTCOME_INFO[row["outcome"]][1] if row["outcome"] in OUTCOME_INFO else row["outcome"]
    share = f"{row['share']:.0%} [{row['low']:.0%}–{row['high']:.0%}]"
    where = ordinal(int(round(row["percentile"])))
    status = status_of(row)
    if status == "tie":
        return (f"Neither design is better on {label} here (no difference), as in "
                f"{row['tie_share']:.0%} of {space}.")
    head = {"typical": f"Typical of {space}",
            "atypical": f"Not typical of {space}",
            "unusual_size": f"Typical of {space} in direction, not in size"}[status]
    only = "only " if status == "atypical" else ""
    size = ("but this difference is" if status == "unusual_size" else
            "this difference is")
    return (f"{head}: {row['better']} is better on {label} here "
            f"({signed(row['outcome'], row['difference'])}), as it is in {only}{share} of the "
            f"space; {size} at the {where} percentile of the space's.")


def make_command(scenario: str, root: Path, default_root: bool) -> str:
    """The command that makes a verdict this run would find."""
    out = "" if default_root else f" --out {root / 'verdict' / scenario}"
    return f"orgsim-verdict --scenario {scenario}{out}"


# ----------------------------------------------------------------------------- the answer
def typical(root: Path, run: Run, horizon: float, default_root: bool = True) -> Typical:
    """The line for ``run`` from the newest valid verdict under ``root/verdict/``."""
    if len(run.designs) != 2:
        return Typical("one_design", "Typical of the space? Not asked: this run has one design, "
                       "and a verdict compares two.")
    command = make_command(run.scenario, root, default_root)
    folders, _ = candidates(root, run.scenario)
    if not folders:
        return Typical("none", f"Typical of the space? Not known: no verdict of scenario "
                       f"{run.scenario} in {root / 'verdict'}; make one with `{command}` "
                       "(the default space: about a quarter of an hour on 2 cores).")
    reasons = []
    for folder in folders:
        try:
            recorded = read_recorded(folder)
            check(recorded, run)
            outcomes = [o for o in recorded.settings.get("outcomes") or [] if isinstance(o, str)]
            if not outcomes:
                raise Unusable("verdict.json names no outcomes")
            diffs = read_differences(folder, outcomes)
        except Unusable as error:
            reasons.append((folder, error))
            continue
        here = run_differences(run.summary, run.designs, outcomes, horizon)
        rows = typical_rows(diffs, outcomes, run.designs, here)
        report = str((folder / "report.html").resolve())
        if not rows:
            return Typical("unusable", f"Typical of the space? Not known: {folder} has no "
                           "outcome defined both here and in its space.", str(folder), report)
        rows = [{**r, "status": status_of(r)} for r in rows]
        line = sentence(rows[0], space_words(recorded.settings.get("space", "")))
        away = outside(recorded, run)
        if away:
            line += (f" This run lies outside the space on {', '.join(away[:3])}"
                     f"{' and others' if len(away) > 3 else ''}.")
        return Typical(rows[0]["status"], line, str(folder), report, rows)
    folder, error = reasons[0]
    report = folder / "report.html"
    more = f" ({len(reasons) - 1} older one(s) not usable either)" if len(reasons) > 1 else ""
    link = f"; its report: {report}" if report.is_file() else ""
    advice = {
        "unfinished": "Finish it by running its command again (verdict.json, \"command\"); it "
                      "resumes",
        "mismatch": f"Make one with `orgsim-verdict --space FILE --scenario {run.scenario}`, "
                    "FILE a space whose designs, compare and overrides are this run's",
    }.get(error.kind, f"Make a valid one with `{command}`")
    return Typical("unusable", f"Typical of the space? Not known: the newest verdict of scenario "
                   f"{run.scenario}, {folder}, is not used: {error}{more}{link}. {advice}.",
                   str(folder), str(report.resolve()) if report.is_file() else None)


__all__ = ["Recorded", "Run", "Typical", "Unusable", "candidates", "check", "first_difference",
           "flat", "percentile", "read_differences", "read_recorded", "run_differences",
           "sentence", "status_of", "typical", "typical_rows"]

"""The observed adoption curve: reading a CSV of cumulative adopters per period, checked.

Common column names are accepted (``ALIASES``); dates or a named period unit give each row's week
since launch. Every problem — a missing or repeated column, a value out of range, periods that do
not increase, adopters that fall, a population below the adopters — is one :class:`CurveError` line
naming the column, the data row and what is allowed. sim/experiments/calibration.py fits the
model to the curve.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED = ("period", "cumulative")
OPTIONAL = ("population", "group", "date")
# Common names for the columns, accepted as they are (lower case, spaces → "_").
ALIASES = {
    "cumulative": ("cumulative_adopters", "adopters", "adopted", "cumulative_adopted",
                   "accounts_adopted", "adopted_accounts", "cum_adopters", "total_adopters"),
    "period": ("t", "time", "period_index"),
    "population": ("market_size", "market_potential", "potential", "potential_adopters"),
    "group": ("region", "city", "segment", "cohort", "area"),
    "date": ("month_start", "week_start", "period_start"),
}
# A period column named after its unit says how long a period is.
UNIT_COLUMNS = {"week": "1week", "weeks": "1week", "month": "1month", "months": "1month",
                "quarter": "1quarter", "year": "1year"}
WEEKS_PER = {"week": 1.0, "month": 365.25 / 7 / 12, "quarter": 365.25 / 7 / 4,
             "year": 365.25 / 7}


class CurveError(ValueError):
    """A malformed observed curve; ``str(error)`` is the one line shown to the user."""


# ----------------------------------------------------------------------------- reading
def _numbers(frame: pd.DataFrame, column: str, allowed: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | ~np.isfinite(values.astype(float))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise CurveError(f"column {column!r}, data row {i + 1}: {frame[column].iloc[i]!r} is "
                         f"not a number; allowed: {allowed}")
    return values.astype(float)


MAX_COUNT = 1e9  # adopters or potential adopters: more than any market holds (1e308 overflows)


def parse_period(text: str) -> float:
    """``--period``: "4weeks", "1month", "2 quarters", "1year" or a number of weeks."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)?\s*(weeks?|months?|quarters?|years?)?\s*",
                         str(text).lower())
    if not match or not (match.group(1) or match.group(2)):
        raise CurveError(f"--period: {text!r} is not a period length; allowed: a number of "
                         "weeks or e.g. 1week, 4weeks, 1month, 1quarter, 1year")
    count = float(match.group(1) or 1)
    weeks = count * WEEKS_PER[(match.group(2) or "week").rstrip("s")]
    if not (np.isfinite(weeks) and 0 < weeks <= 520):
        raise CurveError(f"--period: must be > 0 and ≤ 520 weeks, got {text!r}")
    return weeks


def _rename_known_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Common column names → orgsim's; a period column named by its unit ("month") also gives
    the period length (returned)."""
    unit = None
    names = {}
    columns = set(frame.columns)
    for target, aliases in ALIASES.items():
        if target in columns:
            continue
        found = next((a for a in aliases if a in columns), None)
        if found:
            names[found] = target
    if "period" not in columns and "period" not in names.values():
        found = next((c for c in UNIT_COLUMNS if c in columns), None)
        if found:
            names[found] = "period"
            unit = UNIT_COLUMNS[found]
    return frame.rename(columns=names), unit


def _read_csv(path: Path, expected: str) -> tuple[pd.DataFrame, list[str]]:
    """The file's rows as text with lower-case column names, and the names as written."""
    try:
        frame = pd.read_csv(path, comment="#", dtype=str, skipinitialspace=True)
    except FileNotFoundError:
        raise CurveError(f"{path}: no such file; give a CSV with {expected}") from None
    except pd.errors.EmptyDataError:
        raise CurveError(f"{path}: the file is empty; expected {expected}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CurveError(f"{path}: cannot read it as CSV ({reason})") from None
    header = pd.read_csv(path, comment="#", dtype=str, header=None, nrows=1,
                         skipinitialspace=True).iloc[0].astype(str).str.strip().str.lower()
    twice = sorted(set(header[header.duplicated()]))
    if twice:  # pandas would rename the second one and use the first silently
        raise CurveError(f"column {twice[0]!r}: appears more than once in {path}; allowed: "
                         "each column once")
    original = [str(c).strip() for c in frame.columns]
    frame.columns = [c.lower().replace(" ", "_") for c in original]
    return frame, original


def _check_groups(out: pd.DataFrame, grouped: bool, with_population: bool) -> None:
    """Within each group: periods increase strictly, adopters never decrease, one population
    that is never below the adopters. ``out`` has a ``row`` column (data row numbers)."""
    for name, g in out.groupby("group", sort=False):
        label = f" (group {name!r})" if grouped else ""
        step = np.diff(g.period.to_numpy())
        if (step <= 0).any():
            i = int(np.flatnonzero(step <= 0)[0]) + 1
            raise CurveError(f"column 'period', data row {g.row.iloc[i]}{label}: "
                             f"{g.period.iloc[i]:g} after {g.period.iloc[i - 1]:g}; periods must "
                             f"increase strictly within a group")
        drop = np.diff(g.cumulative.to_numpy())
        if (drop < 0).any():
            i = int(np.flatnonzero(drop < 0)[0]) + 1
            raise CurveError(f"column 'cumulative', data row {g.row.iloc[i]}{label}: falls from "
                             f"{g.cumulative.iloc[i - 1]:g} to {g.cumulative.iloc[i]:g}; "
                             f"cumulative adopters must never decrease")
        if with_population:
            if g.population.nunique() > 1:
                raise CurveError(f"column 'population'{label}: varies within the group; allowed: "
                                 f"one population per group")
            small = g.population < g.cumulative
            if small.any():
                i = int(np.flatnonzero(small.to_numpy())[0])
                raise CurveError(f"column 'population', data row {g.row.iloc[i]}{label}: "
                                 f"{g.population.iloc[i]:g} is smaller than cumulative "
                                 f"{g.cumulative.iloc[i]:g}; allowed: population ≥ cumulative")


def read_observed(path: Path | str, period_weeks: float | None = 1.0) -> pd.DataFrame:
    """The observed curve as columns group, period, week, cumulative, population (NaN if not
    given), sorted by group and period. Raises :class:`CurveError` with one line naming the
    column and what is allowed.

    Common column names are accepted (``ALIASES``). A ``date`` column gives each row's week
    since the first date (then ``period`` may be left out); a period column named ``month``,
    ``week``, ``quarter`` or ``year`` gives the period length. ``period_weeks`` None: not
    given — the result's ``attrs["period_weeks"]`` says what was inferred (None: nothing, and
    ``week`` is NaN)."""
    path = Path(path)
    expected = (f"columns {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)})")
    frame, original = _read_csv(path, expected)
    frame, unit = _rename_known_columns(frame)
    dates = None
    if "date" in frame.columns:
        dates = pd.to_datetime(frame["date"], errors="coerce")
        if dates.isna().any():
            i = int(np.flatnonzero(dates.isna().to_numpy())[0])
            raise CurveError(f"column 'date', data row {i + 1}: {frame['date'].iloc[i]!r} is "
                             "not a date; allowed: dates such as 2024-01-31")
        if "period" not in frame.columns:
            frame["period"] = frame.groupby(frame.get("group", pd.Series("all",
                                                                         frame.index))
                                            ).cumcount().astype(str)
    for column in REQUIRED:
        if column not in frame.columns:
            accepted = ", ".join((column, *ALIASES[column]))
            raise CurveError(f"column {column!r}: missing from {path} (its columns: "
                             f"{', '.join(original)}); rename the column that holds it to "
                             f"{column!r} (accepted names: {accepted}); expected {expected}")
    if frame.empty:
        raise CurveError(f"{path}: no data rows; expected {expected} and one row per period")
    out = pd.DataFrame({
        "group": (frame["group"].fillna("").astype(str).str.strip() if "group" in frame
                  else "all"),
        "period": _numbers(frame, "period", "numbers ≥ 0 (periods since launch)"),
        "cumulative": _numbers(frame, "cumulative", "numbers ≥ 0 (cumulative adopters)"),
    })
    out["population"] = (_numbers(frame, "population", "numbers > 0 (potential adopters)")
                         if "population" in frame else np.nan)
    big = MAX_COUNT
    for column, ok, allowed in (("period", out.period >= 0, "≥ 0"),
                                ("cumulative", (out.cumulative >= 0) & (out.cumulative <= big),
                                 f"≥ 0 and ≤ {big:g}"),
                                ("population", ~(out.population <= 0) & ~(out.population > big),
                                 f"> 0 and ≤ {big:g}")):
        if not ok.all():
            i = int(np.flatnonzero(~ok.to_numpy())[0])
            raise CurveError(f"column {column!r}, data row {i + 1}: {out[column].iloc[i]:g}; "
                             f"allowed: numbers {allowed}")
    out["row"] = np.arange(1, len(out) + 1)
    _check_groups(out, grouped="group" in frame, with_population="population" in frame)
    if dates is not None:  # weeks since the first date (launch), from the calendar
        out["week"] = ((dates - dates.min()).dt.days / 7.0).to_numpy()
        if (out.groupby("group").week.diff() <= 0).any():
            raise CurveError("column 'date': dates must increase strictly within a group")
        inferred = "date"
    else:
        if period_weeks is None and unit is not None:
            period_weeks = parse_period(unit)
        out["week"] = out.period * period_weeks if period_weeks is not None else np.nan
        inferred = period_weeks
    out = out.drop(columns="row").reset_index(drop=True)
    out.attrs["period_weeks"] = inferred
    return out

"""Your own market: accounts read from a CSV or Excel file that someone else wrote.

``orgsim market=file market.path=accounts.xlsx`` replaces the synthetic accounts with the rows of a
table (examples/market_accounts.csv is a made-up example; docs/ODD.md, "Your own market"). The file
is *data*: read once, within limits, never written, never executed (sim/configuration/table_file.py:
an Excel formula counts as its last saved value), and its SHA-256 goes into the run's provenance.
Every cell is checked before anything runs; the first problem is one line naming the file, the
row (as a spreadsheet shows it: the header is row 1), the column and what is allowed —
:class:`MarketFileError`, which the command line turns into exit status 2 and no output folder.

Only ``id`` is required. A column that is missing is drawn from the scenario's distributions for
every account (type by the type shares, size around the type's median, …); :func:`describe` says
which, and the run prints it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sim.configuration.table_file import (
    MAX_TEXT,
    TableFileError,
    blank,
    chosen_path,
    file_stat,
    read_table,
)

MAX_ROWS = 20_000  # market.accounts' upper bound
ACCOUNT_TYPES = ("integrated", "academic", "community", "fragmented")  # sim/engine/market.py
SEPARATOR = ";"  # between ids in ``links`` and job types in ``open_jobs``

# column → what is allowed, as the error message says it
COLUMNS = {
    "id": "text, unique, not empty",
    "name": "text (a label)",
    "type": f"one of {', '.join(ACCOUNT_TYPES)}",
    "region": "text, not empty (accounts with the same text share a region)",
    "patients": "a number ≥ 0 and ≤ 1000000 (eligible patients)",
    "prescribers": "a whole number ≥ 0 and ≤ 100000",
    "organisation": "a number from 0 (fragmented) to 1 (integrated)",
    "dmu_size": "a whole number ≥ 1 and ≤ 200 (people in the decision-making unit)",
    "links": f"ids of other accounts in this file, separated by '{SEPARATOR}' (or empty)",
    "open_jobs": f"job types of the scenario's catalogue, separated by '{SEPARATOR}' (or empty)",
}
OPTIONAL = tuple(c for c in COLUMNS if c not in ("id", "name"))


MarketFileError = TableFileError  # a market file that cannot be used; str() is one line


@dataclass(frozen=True)
class AccountTable:
    """The checked accounts of a market file, one value per account in each given column."""

    path: str
    sha256: str
    size: int
    ids: tuple[str, ...]
    columns: dict = field(default_factory=dict)  # column → tuple of values (links: indices)

    @property
    def n(self) -> int:
        return len(self.ids)

    def has(self, column: str) -> bool:
        return column in self.columns

    def drawn(self) -> list[str]:
        """Optional columns the file lacks: drawn from the scenario's distributions."""
        return [c for c in OPTIONAL if c not in self.columns]

    def regions(self) -> tuple[str, ...]:
        """Distinct region labels in the order they first appear (region i is the i-th)."""
        return tuple(dict.fromkeys(self.columns.get("region", ())))


def describe(table: AccountTable) -> str:
    """One line for the run's header: which file, and what came from it or was drawn."""
    given = [c for c in OPTIONAL if table.has(c)]
    drawn = table.drawn()
    return (f"Market: {table.n} accounts from {table.path} (sha256 {table.sha256[:12]}…); "
            f"from the file: id{''.join(', ' + c for c in given)}; drawn from the scenario's "
            f"distributions: {', '.join(drawn) if drawn else 'nothing'}.")


# ---------------------------------------------------------------------------------- reading
def read_market_file(path: str | Path, job_types: tuple[str, ...]) -> AccountTable:
    """The accounts of ``path`` (.csv in UTF-8, or .xlsx), checked; :class:`MarketFileError`
    otherwise. ``job_types``: the scenario's job catalogue, which ``open_jobs`` must use."""
    path = Path(path)
    stat = file_stat(path)
    return _read_cached(str(path), stat.st_mtime_ns, stat.st_size, tuple(job_types))


@lru_cache(maxsize=8)
def _read_cached(name: str, _mtime: int, _size: int, job_types: tuple[str, ...]):
    rows, raw = read_table(name, _size, sheet="accounts")
    table = _check(rows, name, job_types)
    return AccountTable(path=name, sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
                        ids=table.pop("id"), columns=table)


# --------------------------------------------------------------------------------- checking
def _header(rows: list[list], name: str) -> list[str]:
    if not rows or all(blank(v) for v in rows[0]):
        raise MarketFileError(f"{name}: the file is empty or its first row is blank; allowed: "
                              f"a header row naming columns ({', '.join(COLUMNS)})")
    header = []
    for i, cell in enumerate(rows[0]):
        key = str(cell).strip().lower().replace(" ", "_").replace("-", "_") if not blank(
            cell) else ""
        if not key:
            if any(not blank(r[i]) for r in rows[1:] if i < len(r)):
                raise MarketFileError(f"{name}: row 1, column {i + 1}: a column with values "
                                      "has no name; allowed: " + ", ".join(COLUMNS))
            key = f"_empty{i}"
        elif key not in COLUMNS:
            raise MarketFileError(f"{name}: row 1: unknown column {str(cell)[:40]!r}; allowed: "
                                  + ", ".join(COLUMNS))
        elif key in header:
            raise MarketFileError(f"{name}: row 1: column {key!r} appears twice; each column "
                                  "may appear once")
        header.append(key)
    if "id" not in header:
        raise MarketFileError(f"{name}: row 1: no 'id' column; allowed: a header with an id "
                              "column (a unique text per account) and any of " +
                              ", ".join(c for c in COLUMNS if c != "id"))
    return header


def _check(rows: list[list], name: str, job_types: tuple[str, ...]) -> dict:
    header = _header(rows, name)
    records = [(number, row) for number, row in enumerate(rows[1:], start=2)
               if not all(blank(v) for v in row)]
    if not records:
        raise MarketFileError(f"{name}: no accounts (only a header row); allowed: one row per "
                              "account below the header")
    if len(records) > MAX_ROWS:
        raise MarketFileError(f"{name}: more than {MAX_ROWS} accounts; allowed: at most "
                              f"{MAX_ROWS}")
    values = {c: [] for c in header if not c.startswith("_empty")}
    for number, row in records:
        if len(row) > len(header) and any(not blank(v) for v in row[len(header):]):
            raise MarketFileError(f"{name}: row {number}: {len(row)} cells but the header has "
                                  f"{len(header)} columns; allowed: one cell per column")
        for i, column in enumerate(header):
            if column in values:
                cell = row[i] if i < len(row) else None
                values[column].append(_cell(cell, column, f"{name}: row {number}, column "
                                                          f"{column}", job_types))
    numbers = [n for n, _ in records]
    _check_ids(values["id"], numbers, name)
    if "links" in values:
        values["links"] = _resolve_links(values["links"], values["id"], numbers, name)
    return {c: tuple(v) for c, v in values.items()}


def _cell(value, column: str, where: str, job_types: tuple[str, ...]):
    """One cell, converted and checked."""
    allowed = COLUMNS[column]
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_TEXT:
            raise MarketFileError(f"{where}: {len(value)} characters; allowed: at most "
                                  f"{MAX_TEXT}")
    if column in ("links", "open_jobs"):
        items = [] if blank(value) else [s.strip() for s in str(value).split(SEPARATOR)]
        if column == "open_jobs":
            for item in items:
                if item not in job_types:
                    raise MarketFileError(f"{where}: unknown job type {item[:40]!r}; allowed: "
                                          f"{', '.join(sorted(job_types))}, separated by "
                                          f"'{SEPARATOR}'")
        return tuple(i for i in items if i)
    if blank(value):
        if column == "name":
            return ""
        raise MarketFileError(f"{where}: empty; allowed: {allowed} (leave the whole column "
                              "out to draw it from the scenario)")
    if column in ("id", "name", "region"):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel stores 12 as 12.0
        return str(value)
    if column == "type":
        text = str(value).lower()
        if text not in ACCOUNT_TYPES:
            raise MarketFileError(f"{where}: {str(value)[:40]!r}; allowed: {allowed}")
        return text
    return _number(value, column, where)


BOUNDS = {"patients": (0, 1e6, False), "prescribers": (0, 1e5, True),
          "organisation": (0, 1, False), "dmu_size": (1, 200, True)}


def _number(value, column: str, where: str):
    low, high, whole = BOUNDS[column]
    allowed = COLUMNS[column]
    number = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise MarketFileError(f"{where}: {str(value)[:40]!r} is not a number; allowed: "
                              f"{allowed}")
    if whole and not number.is_integer():
        raise MarketFileError(f"{where}: {value!r} is not a whole number; allowed: {allowed}")
    if not low <= number <= high:
        raise MarketFileError(f"{where}: {value!r} is out of range; allowed: {allowed}")
    return int(number) if whole else number


def _check_ids(ids: list[str], numbers: list[int], name: str) -> None:
    seen: dict[str, int] = {}
    for account, number in zip(ids, numbers, strict=True):
        if account in seen:
            raise MarketFileError(f"{name}: row {number}, column id: {account[:40]!r} is also "
                                  f"the id of row {seen[account]}; allowed: a unique id per "
                                  "account")
        seen[account] = number


def _resolve_links(links: list[tuple], ids: list[str], numbers: list[int], name: str):
    index = {account: i for i, account in enumerate(ids)}
    out = []
    for i, (targets, number) in enumerate(zip(links, numbers, strict=True)):
        resolved = []
        for target in targets:
            if target not in index:
                raise MarketFileError(f"{name}: row {number}, column links: {target[:40]!r} is "
                                      "not the id of an account in this file; allowed: "
                                      + COLUMNS["links"])
            if index[target] == i:
                raise MarketFileError(f"{name}: row {number}, column links: the account links "
                                      "to itself; allowed: ids of *other* accounts")
            resolved.append(index[target])
        out.append(tuple(resolved))
    return out


def with_market_file(config):
    """``config`` with its market sized by ``market.path`` (accounts; regions if the file has a
    region column) and the path made absolute, so worker processes read the same file; the
    config unchanged for the synthetic market. Raises :class:`MarketFileError` (its message
    starting with ``market.path:``)."""
    from dataclasses import replace

    m = config.market
    path = chosen_path("market", m.source == "file", m.path, "your accounts",
                       "examples/market_template.csv")
    if path is None:
        return config
    try:
        table = read_market_file(path, tuple(m.jobs))
    except TableFileError as error:
        raise TableFileError(f"market.path: {error}") from None
    regions = len(table.regions()) if table.has("region") else m.regions
    return replace(config, market=replace(m, path=str(path), accounts=table.n, regions=regions))

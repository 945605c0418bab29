"""Your own organisation: headcount by role and region, with salaries, from a CSV or Excel file.

``orgsim staffing=file staffing.path=organisation.csv`` sets the staffing from a table
(examples/organisation.csv is a made-up example): one row per role and region. The file is read
like a market file (sim/configuration/table_file.py: once, within limits, nothing evaluated) and
its SHA-256 goes into provenance. What it sets:

* ``staffing.reps``, ``msls``, ``access``, ``operations_experts``, ``patient_services_experts`` —
  the headcount of each role, summed over regions;
* ``staffing.salary_rep``, ``salary_msl``, ``salary_access``, ``salary_expert`` — the
  headcount-weighted mean salary of the role (the model pays one salary per role; the two expert
  roles share one), when the file has a ``salary_k`` column;
* where the frontline people sit: with a ``region`` column, each frontline role's people are placed
  in the regions in proportion to the file's headcounts (sim/engine/org_file.py), instead of
  round-robin. Experts are central (their region is empty or ``central``).

* the traditional design's hierarchy, with one ``manager`` row per level (columns ``level`` and
  ``span``; sim/configuration/org_hierarchy.py): ``org.level_spans`` of the traditional design,
  and ``staffing.salary_manager`` from the rows' salaries. Without manager rows the hierarchy is
  the scenario's ``org.span_of_control``, and the run says so.

Region labels must be the market file's regions (``market=file`` with a region column); with the
synthetic market they are numbered in the order they first appear, at most ``market.regions`` of
them. The authority of each level stays ``org.level_authority``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from sim.configuration.org_hierarchy import (
    LEVEL_ALLOWED,
    MANAGER,
    SPAN_ALLOWED,
    check_against_headcount,
    check_levels,
    with_level_spans,
)
from sim.configuration.table_file import (
    TableFileError,
    blank,
    chosen_path,
    file_stat,
    read_table,
)

# role in the file → (staffing count, staffing salary, model function)
ROLES = {
    "sales_rep": ("reps", "salary_rep", "sales"),
    "msl": ("msls", "salary_msl", "medical"),
    "access_manager": ("access", "salary_access", "access"),
    "operations_expert": ("operations_experts", "salary_expert", "operations"),
    "patient_services_expert": ("patient_services_experts", "salary_expert", "patient_services"),
}
FRONTLINE = ("sales_rep", "msl", "access_manager")
CENTRAL = "central"
COLUMNS = {
    "role": f"one of {', '.join(ROLES)}, {MANAGER}",
    "region": "text: the region of a frontline role (a region of the market); empty or "
              "'central' for experts and managers",
    "headcount": "a whole number ≥ 0 and ≤ 100000 (a manager row: empty, or what its span "
                 "gives)",
    "salary_k": "a number > 0 and ≤ 10000 (fully loaded k€ a year per person)",
    "level": f"{LEVEL_ALLOWED}, on manager rows only",
    "span": f"{SPAN_ALLOWED}, on manager rows only",
}
WHOLE = {"headcount": (0, 100_000), "level": (1, 20), "span": (2, 1000)}
MAX_ROWS = 10_000


@dataclass(frozen=True)
class OrgTable:
    """The checked rows of an organisation file."""

    path: str
    sha256: str
    size: int
    role: tuple[str, ...]
    region: tuple[str, ...] | None  # None: no region column
    headcount: tuple[int | None, ...]  # None: a manager row leaving its count to the spans
    salary: tuple[float, ...] | None  # None: no salary column
    rows: tuple[int, ...]  # each entry's row number in the file
    spans: tuple[int, ...] = ()  # the manager rows' spans by level (1, 2, …); () = none
    managers: tuple[int, ...] = ()  # managers per level the spans give for the headcount
    manager_salary: float | None = None  # their headcount-weighted salary, if given

    def headcounts(self) -> dict[str, int]:
        out = dict.fromkeys(ROLES, 0)
        for role, n in zip(self.role, self.headcount, strict=True):
            if role != MANAGER:
                out[role] += n
        return out

    def regions_of(self, role: str) -> list[tuple[str, int]]:
        """(region, headcount) of a frontline role, in file order (regions merged)."""
        out: dict[str, int] = {}
        for r, region, n in zip(self.role, self.region or (), self.headcount, strict=False):
            if r == role:
                out[region] = out.get(region, 0) + n
        return list(out.items())


def describe(table: OrgTable) -> str:
    counts = table.headcounts()
    roles = ", ".join(f"{role} {n}" for role, n in counts.items())
    regions = len({r for r in table.region or () if r != CENTRAL})
    where = f" in {regions} regions" if table.region is not None else " (regions round-robin)"
    pay = "salaries from the file" if table.salary is not None else "salaries from staffing.*"
    if table.spans:
        hierarchy = (f"the traditional design's hierarchy from the file: {len(table.spans)} "
                     f"levels, spans {', '.join(map(str, table.spans))} "
                     f"({' + '.join(map(str, table.managers))} managers and a general manager)")
    else:
        hierarchy = ("the traditional design's hierarchy from org.span_of_control (the file "
                     "has no manager rows)")
    return (f"Organisation: {sum(counts.values())} people from {table.path} (sha256 "
            f"{table.sha256[:12]}…): {roles}{where}; {pay}; {hierarchy}.")


def read_org_file(path: str | Path) -> OrgTable:
    """The rows of ``path`` (.csv in UTF-8, or .xlsx), checked; TableFileError otherwise."""
    path = Path(path)
    stat = file_stat(path)
    return _read_cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _read_cached(name: str, _mtime: int, size: int) -> OrgTable:
    rows, raw = read_table(name, size, sheet="organisation")
    header = _header(rows, name)
    values: dict[str, list] = {c: [] for c in header}
    numbers = []
    for number, row in enumerate(rows[1:], start=2):
        if all(blank(v) for v in row):
            continue
        if len(numbers) >= MAX_ROWS:
            raise TableFileError(f"{name}: more than {MAX_ROWS} rows; allowed: at most "
                                 f"{MAX_ROWS}")
        if len(row) > len(header) and any(not blank(v) for v in row[len(header):]):
            raise TableFileError(f"{name}: row {number}: {len(row)} cells but the header has "
                                 f"{len(header)} columns; allowed: one cell per column")
        numbers.append(number)
        cells = dict(zip(header, list(row) + [None] * (len(header) - len(row)), strict=False))
        role = _role(cells["role"], f"{name}: row {number}, column role")
        for column in header:
            where = f"{name}: row {number}, column {column}"
            values[column].append(role if column == "role" else
                                  _cell(cells[column], column, role, where))
    if not numbers:
        raise TableFileError(f"{name}: no rows below the header; allowed: one row per role and "
                             "region")
    role, headcount = tuple(values["role"]), tuple(values["headcount"])
    salary = tuple(values["salary_k"]) if "salary_k" in values else None
    hierarchy = _hierarchy(name, header, values, numbers)
    return OrgTable(path=name, sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
                    role=role, region=tuple(values["region"]) if "region" in values else None,
                    headcount=headcount, salary=salary, rows=tuple(numbers), **hierarchy)


def _hierarchy(name: str, header: list[str], values: dict[str, list], numbers: list[int]) -> dict:
    """The manager rows, checked (levels 1, 2, … once each; every line reaching one head;
    counts as the spans give): spans, managers per level and their salary; {} without them."""
    at = [i for i, r in enumerate(values["role"]) if r == MANAGER]
    if not at:
        return {}
    for column in ("level", "span"):
        if column not in header:
            raise TableFileError(f"{name}: row {numbers[at[0]]}: a manager row needs a "
                                 f"{column} column; allowed: add '{column}' to the header "
                                 f"({COLUMNS[column]})")
    at.sort(key=lambda i: values["level"][i])
    check_levels(name, [(values["level"][i], numbers[i]) for i in at])
    counts = {role: 0 for role in ROLES}
    for role, n in zip(values["role"], values["headcount"], strict=True):
        if role != MANAGER:
            counts[role] += n
    spans = [values["span"][i] for i in at]
    managers = check_against_headcount(name, counts, spans, [numbers[i] for i in at],
                                       [values["headcount"][i] for i in at])
    pay = None
    if "salary_k" in values and sum(managers):
        pay = sum(n * values["salary_k"][i] for n, i in zip(managers, at, strict=True)) \
            / sum(managers)
    return {"spans": tuple(spans), "managers": tuple(managers), "manager_salary": pay}


def _header(rows: list[list], name: str) -> list[str]:
    if not rows or all(blank(v) for v in rows[0]):
        raise TableFileError(f"{name}: the file is empty or its first row is blank; allowed: a "
                             f"header row naming columns ({', '.join(COLUMNS)})")
    header = []
    for cell in rows[0]:
        key = "" if blank(cell) else str(cell).strip().lower().replace(" ", "_")
        if key not in COLUMNS:
            raise TableFileError(f"{name}: row 1: unknown column {str(cell)[:40]!r}; allowed: "
                                 + ", ".join(COLUMNS))
        if key in header:
            raise TableFileError(f"{name}: row 1: column {key!r} appears twice; each column "
                                 "may appear once")
        header.append(key)
    for required in ("role", "headcount"):
        if required not in header:
            raise TableFileError(f"{name}: row 1: no {required!r} column; allowed: role, "
                                 "headcount and optionally region, salary_k, level, span")
    return header


def _role(value, where: str) -> str:
    text = "" if blank(value) else str(value).strip().lower()
    if text not in ROLES and text != MANAGER:
        raise TableFileError(f"{where}: {str(value)[:40]!r}; allowed: {COLUMNS['role']}")
    return text


def _cell(value, column: str, role: str, where: str):
    allowed = COLUMNS[column]
    if column == "region":
        return _region(value, role, where)
    if column in ("level", "span") and role != MANAGER:
        if not blank(value):
            raise TableFileError(f"{where}: {str(value)[:40]!r}: only a manager row has a "
                                 f"{column}; allowed: empty on a {role} row")
        return None
    if blank(value) and role == MANAGER and column == "headcount":
        return None  # the spans decide how many managers a level has
    if blank(value) and role == MANAGER and column in ("level", "span"):
        raise TableFileError(f"{where}: empty; a manager row needs a {column}; allowed: "
                             f"{allowed}")
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(
            number):
        raise TableFileError(f"{where}: {str(value)[:40]!r} is not a number; allowed: {allowed}")
    if column in WHOLE:
        low, high = WHOLE[column]
        if not float(number).is_integer():
            raise TableFileError(f"{where}: {value!r} is not a whole number; allowed: {allowed}")
        if not low <= number <= high:
            raise TableFileError(f"{where}: {value!r} is out of range; allowed: {allowed}")
        return int(number)
    if not 0 < number <= 10_000:
        raise TableFileError(f"{where}: {value!r} is out of range; allowed: {allowed}")
    return float(number)


def _region(value, role: str, where: str) -> str:
    text = "" if blank(value) else str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if role in FRONTLINE and (not text or text.lower() == CENTRAL):
        raise TableFileError(f"{where}: a {role} needs a region; allowed: {COLUMNS['region']}")
    if role not in FRONTLINE and text and text.lower() != CENTRAL:
        what = ("a manager row is a level of the hierarchy, not a region" if role == MANAGER
                else f"a {role} works centrally")
        raise TableFileError(f"{where}: {text[:40]!r}: {what}; allowed: empty or 'central'")
    return text if role in FRONTLINE else CENTRAL


def region_index(table: OrgTable, market_regions: tuple[str, ...] | None,
                 n_regions: int) -> dict[str, int]:
    """Region label → the market's region index; TableFileError for a region the market lacks."""
    labels = [(r, n) for r, n in zip(table.region or (), table.rows, strict=True) if r != CENTRAL]
    if market_regions:
        index = {label: i for i, label in enumerate(market_regions)}
        for label, row in labels:
            if label not in index:
                raise TableFileError(f"{table.path}: row {row}, column region: {label[:40]!r} "
                                     "is not a region of the market file; allowed: "
                                     + ", ".join(market_regions))
        return index
    index = {}
    for label, row in labels:
        if label not in index:
            if len(index) == n_regions:
                raise TableFileError(f"{table.path}: row {row}, column region: {label[:40]!r} "
                                     f"is region {n_regions + 1}, the market has {n_regions}; "
                                     "allowed: at most market.regions regions")
            index[label] = len(index)
    return index


def market_regions(config) -> tuple[str, ...] | None:
    """The region labels of the market file, or None (a synthetic market, or no region column)."""
    from sim.configuration.market_file import read_market_file

    if config.market.source != "file":
        return None
    market = read_market_file(config.market.path, tuple(config.market.jobs))
    return market.regions() if market.has("region") else None


def with_org_file(config):
    """``config`` with its staffing from ``staffing.path`` (counts, mean salaries), the path made
    absolute; unchanged for staffing that is not from a file. Raises TableFileError (or a
    ConfigError for a missing path)."""
    s = config.staffing
    path = chosen_path("staffing", s.source == "file", s.path, "your organisation",
                       "examples/organisation.csv")
    if path is None:
        return config
    try:
        table = read_org_file(path)
        if table.region is not None:
            region_index(table, market_regions(config), config.market.regions)
    except TableFileError as error:
        raise TableFileError(f"staffing.path: {error}") from None
    changes: dict = {"path": str(path)}
    counts = table.headcounts()
    for role, (count, _, _) in ROLES.items():
        changes[count] = counts[role]
    if table.salary is not None:
        for field in {salary for _, salary, _ in ROLES.values()}:
            pairs = [(n, pay) for r, n, pay in zip(table.role, table.headcount, table.salary,
                                                    strict=True)
                     if r != MANAGER and ROLES[r][1] == field]
            people = sum(n for n, _ in pairs)
            if people:
                changes[field] = sum(n * pay for n, pay in pairs) / people
    if table.manager_salary is not None:
        changes["salary_manager"] = table.manager_salary
    return with_org_hierarchy(replace(config, staffing=replace(s, **changes)))


def with_org_hierarchy(config):
    """``config`` with the organisation file's hierarchy (its manager rows' spans) in the
    traditional design's settings (``org.level_spans``); unchanged without a file, without
    manager rows, or for another design. Used for the studied design and the baseline."""
    if config.staffing.source != "file" or not config.staffing.path:
        return config
    table = read_org_file(config.staffing.path)
    if not table.spans:
        return config
    return replace(config, org=with_level_spans(config.org, list(table.spans)))

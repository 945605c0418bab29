"""The traditional design's hierarchy from an organisation file: its levels and spans of control.

An organisation file (sim/configuration/org_file.py) may describe the management hierarchy with
one ``manager`` row per level: ``level`` (1 = first-line managers, 2 = the level above, …),
``span`` (direct reports per manager of that level), optionally ``headcount`` (how many managers
the level has, checked against what the spans give) and ``salary_k``. The spans become
``org.level_spans`` of the traditional design — and only of it (the traditional design itself and
the traditional part of a pilot roll-out): a hierarchy is structure, and structure is what a
design decides (the fair-fight rule, docs/ODD.md). Without manager rows the hierarchy stays the
scenario's ``org.span_of_control``.

The arithmetic of a functional line — ⌈n / span⌉ managers over n people, in groups as equal as
possible, level after level until one head — is here once: the hierarchy the traditional design
builds (sim/designs/structures/hierarchy.py) and the file's checks both use :func:`group_size`.
"""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass, replace

from sim.configuration.table_file import TableFileError

MANAGER = "manager"
MAX_LEVELS = 20
SPAN_ALLOWED = "a whole number ≥ 2 and ≤ 1000 (direct reports per manager; a span of 1 never " \
    "reaches a top)"
LEVEL_ALLOWED = f"a whole number from 1 (first-line managers) to {MAX_LEVELS}"


def span_at(spans: list[int] | tuple[int, ...], level: int) -> int:
    """The span of management ``level`` (1 = first line): the level's own, the last one above."""
    return spans[min(level, len(spans)) - 1]


def group_size(people: int, span: int) -> int:
    """Reports per manager when ``people`` are put under ⌈people / span⌉ managers, as equal
    groups as possible (90 people, span 8 → 12 managers of 8, the last of 2 fewer)."""
    return math.ceil(people / math.ceil(people / span))


def managers_per_level(people: int, spans: list[int] | tuple[int, ...],
                       levels: int = MAX_LEVELS) -> list[int]:
    """Managers at each level of one functional line of ``people`` (at most ``levels`` levels):
    [12, 3, 1] for 90 people under spans 8, 5, 4. Empty for a line without people."""
    out, below = [], people
    while below > 0 and len(out) < levels and (not out or below > 1):
        below = math.ceil(below / group_size(below, span_at(spans, len(out) + 1)))
        out.append(below)
    return out


def check_levels(path: str, levels: list[tuple[int, int]]) -> None:
    """``levels`` = (level, row) of the manager rows: each level once, 1, 2, … without a gap."""
    seen: dict[int, int] = {}
    for level, row in levels:
        if level in seen:
            raise TableFileError(f"{path}: row {row}, column level: level {level} appears "
                                 f"twice (also row {seen[level]}); allowed: one manager row "
                                 "per level")
        seen[level] = row
    for expected, level in enumerate(sorted(seen), start=1):
        if level != expected:
            raise TableFileError(f"{path}: row {seen[level]}, column level: level {level} but "
                                 f"no level {expected}; allowed: levels 1, 2, … without a gap")


def check_against_headcount(path: str, lines: dict[str, int], spans: list[int],
                            rows: list[int], headcounts: list[int | None]) -> list[int]:
    """Each role's line (``lines``: role → people) must reach one head by the file's top level,
    and a manager row's headcount, when given, must be what the spans give. Returns the
    managers per level."""
    top = len(spans)
    totals = [0] * top
    for role, people in lines.items():
        counts = managers_per_level(people, spans, top)
        if counts and counts[-1] > 1:
            raise TableFileError(
                f"{path}: row {rows[-1]}, column span: the {role} line ({people} people) still "
                f"has {counts[-1]} managers at level {top}, the file's top level; allowed: "
                f"spans that bring every role's line to one head by level {top}, or a manager "
                f"row for level {top + 1}")
        for level, n in enumerate(counts):
            totals[level] += n
    for level, (row, given) in enumerate(zip(rows, headcounts, strict=True), start=1):
        if given is not None and given != totals[level - 1]:
            raise TableFileError(
                f"{path}: row {row}, column headcount: {given} managers at level {level}, but "
                f"the spans give {totals[level - 1]} for the file's headcount (one line per "
                f"role); allowed: {totals[level - 1]}, or empty to let the spans decide")
    return totals


def with_level_spans(org, spans: list[int]):
    """``org`` (a design's settings) with ``level_spans`` set in every traditional hierarchy it
    holds: the traditional design's own settings and a nested one (a pilot roll-out's
    ``before``); any other design is returned unchanged."""
    if not is_dataclass(org):
        return org
    changes = {f.name: with_level_spans(getattr(org, f.name), spans) for f in fields(org)
               if is_dataclass(getattr(org, f.name))}
    if getattr(org, "design", None) == "traditional" and hasattr(org, "level_spans"):
        changes["level_spans"] = list(spans)
    return replace(org, **changes) if changes else org

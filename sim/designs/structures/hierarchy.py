"""The management hierarchy: functional lines (silos) under a general manager.

Used by the traditional and matrix designs (and the traditional part of a pilot roll-out). Each
function — sales, medical, access, patient services, operations — is its own line: its people,
ordered by region, are grouped under first-line managers with the span of control of that level
(``org.level_spans``, or ``org.span_of_control`` at every level); those managers under the next
level of the same function, and so on until one head per function. The
function heads report to a single general manager. A request for another function's expertise
therefore goes from one's own first-line manager to that function's first-line manager; a decision
too large for a level climbs one's own line toward the general manager [A0: "medical / sales /
access silos", decisions escalated up a hierarchy].
"""

from __future__ import annotations

from sim.configuration.org_hierarchy import group_size, span_at
from sim.engine.interactions import is_central
from sim.engine.staff import Manager, StaffMember
from sim.engine.teams import Team


class Hierarchy:
    """Builds and answers questions about a tree of :class:`Manager` positions."""

    def __init__(self, model, spans: list[int], authority: list[float]):
        self.model = model
        self.spans = spans  # per level, the last repeating above (org_hierarchy.span_at)
        self.authority = authority
        self.levels: list[list[Manager]] = []
        self.first_line: dict[str, list[Manager]] = {}  # function → its first-line managers
        self.heads: dict[str, Manager] = {}  # function → head of the line
        self.top: Manager | None = None
        self.teams: list[Team] = []  # first-line teams (manager first)
        self._first_line_cache: dict[tuple[str, int], list[Manager]] = {}

    def _setting(self, values: list[float], level: int) -> float:
        return values[min(level, len(values)) - 1]

    def _manager(self, level: int, function: str) -> Manager:
        person = self.model.people.incumbents("management", 1)[0]
        m = Manager(self.model, person, level=level,
                    authority=self._setting(self.authority, level))
        m.line = function
        while len(self.levels) < level:
            self.levels.append([])
        self.levels[level - 1].append(m)
        return m

    def _supervise(self, members: list, level: int, function: str) -> list[Manager]:
        """Put ``members`` (in order) under ⌈n/span⌉ managers of ``level`` (span ≥ 2, so each
        level is smaller than the one below and the line reaches a single head)."""
        managers = []
        size = group_size(len(members), span_at(self.spans, level))
        for start in range(0, len(members), size):
            m = self._manager(level, function)
            m.reports = members[start:start + size]
            m.region = m.reports[0].region
            # head office: over several regions, or over central people
            m.central = (len({r.region for r in m.reports}) > 1
                         or any(is_central(r) for r in m.reports))
            for member in m.reports:
                member.manager = m
            if level == 1:  # a first-line manager and their reports are a standing team
                self.teams.append(Team([m, *m.reports]))
            managers.append(m)
        return managers

    def build(self, staff: list[StaffMember]) -> None:
        """Create the functional lines over ``staff`` and a general manager above them."""
        by_function: dict[str, list[StaffMember]] = {}
        for s in sorted(staff, key=lambda s: (s.region, s.row)):
            by_function.setdefault(s.function, []).append(s)
        depth = 1
        for function, members in sorted(by_function.items()):
            managers, level = self._supervise(members, 1, function), 1
            self.first_line[function] = managers
            while len(managers) > 1:
                level += 1
                managers = self._supervise(managers, level, function)
            self.heads[function] = managers[0]
            depth = max(depth, level)
        heads = [self.heads[f] for f in sorted(self.heads)]
        if len(heads) == 1:
            self.top = heads[0]
            return
        self.top = self._manager(depth + 1, "general")
        self.top.central = True
        self.top.reports = heads
        for h in heads:
            h.manager = self.top

    def dissolve(self) -> list[Manager]:
        """Forget the tree (after a roll-out); returns the managers it had."""
        managers = self.managers()
        for team in self.teams:
            team.dissolve()
        self.levels, self.first_line, self.heads, self.top = [], {}, {}, None
        self.teams = []
        self._first_line_cache = {}
        return managers

    def managers(self) -> list[Manager]:
        return [m for level in self.levels for m in level]

    def chain_above(self, member: StaffMember) -> tuple[Manager, ...]:
        """``member``'s manager, their manager, … up to the top."""
        chain, m = [], member.manager
        while m is not None:
            chain.append(m)
            m = m.manager
        return tuple(chain)

    def first_line_rank(self, function: str, region: int) -> dict[Manager, int]:
        """Position of each of ``function``'s first-line managers in ``first_line_for``."""
        key = ("rank", function, region)
        if key not in self._first_line_cache:
            self._first_line_cache[key] = {
                m: i for i, m in enumerate(self.first_line_for(function, region))}
        return self._first_line_cache[key]

    def first_line_for(self, function: str, region: int) -> list[Manager]:
        """``function``'s first-line managers, those covering ``region`` first."""
        key = (function, region)
        if key not in self._first_line_cache:
            flms = self.first_line.get(function, [])
            self._first_line_cache[key] = sorted(
                flms, key=lambda m: (all(r.region != region for r in m.reports), m.row))
        return self._first_line_cache[key]

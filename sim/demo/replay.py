"""A whole pair of runs computed at once, so the page reveals weeks instead of stepping models.

A workshop run takes about a second, so on Reset or a lever change the page runs both sides of
:class:`~sim.demo.side_by_side.SideBySide` to the horizon and keeps, week by week, what the
browser shows: the scoreboard, the chart series, the market (each account's adoption stage and
the company people who touched it) and the moments worth pausing on. Play, Step and the week
slider then only choose a week of this record, which the browser already holds: a Step is one
small message, not a model step plus four figures rebuilt.

Runs are a pure function of their :class:`Settings` (scenario, designs, seed, levers), so they are
cached across browser sessions in a small LRU: twenty participants opening the default view share
one computation.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from sim.demo.levers import DEFAULTS
from sim.engine.jobs import Event
from sim.engine.market import ACCOUNT_TYPES
from sim.engine.stakeholders import STAGE_NAMES
from sim.report.style import colour

# Account colours by adoption stage: the stakeholders' median stage of change, then adopted.
STAGES = (*STAGE_NAMES[:4], "adopted")
STAGE_COLOURS = ("#d9d9d9", "#b3cde3", "#8c96c6", "#8856a7", "#009E73")
# Company people on the market view, grouped by role (outer ring, in this order).
ROLES = ("primary_contact", "sales_rep", "msl", "access_manager", "platform_expert", "manager")
ROLE_COLOURS = {"primary_contact": "#0072B2", "sales_rep": "#E69F00", "msl": "#56B4E9",
                "access_manager": "#CC79A7", "platform_expert": "#999999", "manager": "#555555"}
HEAD_OFFICE_LEVEL = 2  # an escalation beyond the first manager waits at head office
CACHE_SIZE = 16


@dataclass(frozen=True)
class Settings:
    """Everything a run depends on: the view a link reproduces (with the week)."""

    scenario: str = "workshop"
    left: str = "traditional"
    right: str = "micro_enterprise"
    seed: int = 0
    levers: tuple[tuple[str, float], ...] = field(
        default_factory=lambda: tuple(sorted(DEFAULTS.items())))

    @property
    def lever_dict(self) -> dict:
        return dict(self.levers)

    def with_(self, **changes) -> Settings:
        """A copy with some fields or levers changed (levers by their own names)."""
        levers = self.lever_dict
        fields = {}
        for name, value in changes.items():
            if name in levers:
                levers[name] = value
            else:
                fields[name] = value
        return Settings(**{"scenario": self.scenario, "left": self.left, "right": self.right,
                           "seed": self.seed, **fields,
                           "levers": tuple(sorted(levers.items()))})


def account_stages(model) -> np.ndarray:
    """Each account's stage index into :data:`STAGES`: its stakeholders' median stage of change
    (capped at action), or adopted."""
    dmus = model.dmus
    order = np.lexsort((dmus.stage, dmus.account))
    starts = np.searchsorted(dmus.account[order], np.arange(dmus.n_accounts))
    sizes = np.bincount(dmus.account, minlength=dmus.n_accounts)
    stage = np.zeros(dmus.n_accounts, np.int64)
    has = sizes > 0
    stage[has] = dmus.stage[order][starts[has] + sizes[has] // 2]
    stage = np.minimum(stage, 3)
    stage[model.book.adopted] = 4
    return stage


class _SideRecorder:
    """What one side shows, collected after every step of its model."""

    def __init__(self, model, design: str):
        from sim.demo.views import scoreboard_values

        self.model, self.design, self._score = model, design, scoreboard_values
        self.scores: list[list[float]] = []
        self.stages: list[list[int]] = []
        self.touches: list[list[int]] = []  # flat [row, account, …] met during each week
        self.moments: list[list] = []  # [week, kind, text]
        self._history_seen = 0
        self._adopted = model.book.adopted.copy()
        self.take()

    def take(self) -> None:
        m = self.model
        self.scores.append([round(float(v), 4) for v in self._score(m)])
        self.stages.append(account_stages(m).tolist())
        week = m.now
        c, wf = m.contacts, m.workforce
        met = np.flatnonzero(c.last[:c.n] == week) if m.steps else np.zeros(0, np.int64)
        row_of = {int(p): r for r, p in enumerate(wf.person_id[:wf.n].tolist()) if p >= 0}
        flat = []
        for i in met.tolist():
            row = row_of.get(int(c.person[i]))
            if row is not None:
                flat += [row, int(c.account[i])]
        self.touches.append(flat)
        self._moments(week)

    def _moments(self, week: float) -> None:
        m = self.model
        adopted = m.book.adopted
        kinds = m.market.account_type
        for a in np.flatnonzero(adopted & ~self._adopted).tolist():
            self.moments.append([week, "adopt", f"account {a} "
                                 f"({ACCOUNT_TYPES[kinds[a]].replace('_', ' ')}) adopts", a])
        self._adopted = adopted.copy()
        rows = m.history._rows
        waits = 0
        for job_id, _, event, _, _, detail in rows[self._history_seen:]:
            if event == Event.ABANDONED:
                job = next((j for j in reversed(m.jobs) if j.job_id == job_id), None)
                where = f" at account {job.account}" if job is not None else ""
                kind = f" ({job.job_type.replace('_', ' ')})" if job is not None else ""
                self.moments.append([week, "abandon", f"job {job_id}{kind} abandoned{where}",
                                     job.account if job is not None else -1])
            elif event == Event.ESCALATED and detail.startswith("level ") \
                    and int(detail.split()[1]) >= HEAD_OFFICE_LEVEL:
                waits += 1
        if waits:
            self.moments.append([week, "wait", f"{waits} decision{'s' * (waits > 1)} "
                                 "waiting at head office", -1])
        self._history_seen = len(rows)

    def static(self) -> dict:
        """What does not change during the run: accounts, people and the market layout."""
        m = self.model
        wf = m.workforce
        roles = [wf.agents[r].label for r in range(wf.n)]
        order = sorted(range(wf.n), key=lambda r: (ROLES.index(roles[r])
                                                   if roles[r] in ROLES else len(ROLES), r))
        n_acc = m.market.n_accounts
        by_size = np.argsort(-m.market.patients, kind="stable")
        angle = np.empty(n_acc)
        angle[by_size] = np.linspace(0, 2 * np.pi, n_acc, endpoint=False) - np.pi / 2
        people = [None] * wf.n
        for k, r in enumerate(order):
            a = 2 * np.pi * k / max(wf.n, 1) - np.pi / 2
            people[r] = [round(0.5 + 0.46 * np.cos(a), 4), round(0.5 + 0.46 * np.sin(a), 4),
                         ROLE_COLOURS.get(roles[r], "#999999"), roles[r].replace("_", " ")]
        patients = m.market.patients
        radius = 0.012 + 0.03 * np.sqrt(patients / max(float(patients.max()), 1.0))
        accounts = [[round(0.5 + 0.27 * np.cos(angle[a]), 4),
                     round(0.5 + 0.27 * np.sin(angle[a]), 4), round(float(radius[a]), 4),
                     round(float(patients[a]))] for a in range(n_acc)]
        return {"design": self.design, "label": self.design.replace("_", " "),
                "colour": colour(self.design), "people": people, "accounts": accounts}

    def payload(self, columns: tuple[str, ...]) -> dict:
        rec = self.model.recorder
        n = self.model.steps + 1
        series = {c: np.round(rec.columns[c][:n].astype(float), 4).tolist() for c in columns}
        return {**self.static(), "weeks": np.round(rec.week[:n], 3).tolist(),
                "series": series, "scores": self.scores, "stages": self.stages,
                "touches": self.touches, "moments": self.moments}


@dataclass
class Replay:
    """Both sides of one :class:`Settings`, recorded week by week (``payload`` goes to the
    browser as JSON); ``pair`` keeps the finished models for following one job."""

    settings: Settings
    pair: object
    payload: dict

    @cached_property
    def json(self) -> str:
        """The payload as JSON text, made once and shared by every session that shows this
        run (a string also spares the page framework from walking the nested lists)."""
        return json.dumps(self.payload, separators=(",", ":"))

    @property
    def weeks(self) -> int:
        """The last week index (a run of 156 steps has weeks 0…156)."""
        return len(self.payload["sides"][0]["weeks"]) - 1


def compute(settings: Settings) -> Replay:
    """Run both sides to the horizon, recording what the page shows after every step."""
    from sim.demo.side_by_side import SideBySide
    from sim.demo.views import CHART_COLUMNS, SCOREBOARD
    from sim.experiments.budget import describe_basis

    pair = SideBySide(scenario_name=settings.scenario, left=settings.left, right=settings.right,
                      seed=settings.seed, **settings.lever_dict)
    recorders = [_SideRecorder(pair.sides[s], pair.designs[s]) for s in ("left", "right")]
    while pair.running:
        pair.step()
        for r in recorders:
            r.take()
    payload = {"sides": [r.payload(CHART_COLUMNS) for r in recorders],
               "score_labels": [list(row) for row in SCOREBOARD],
               "window": float(pair.sides["left"].config.market.contact_window_weeks),
               "stages": list(STAGES), "stage_colours": list(STAGE_COLOURS),
               "roles": [[r.replace("_", " "), ROLE_COLOURS[r]] for r in ROLES],
               "basis": describe_basis(pair.basis),  # equal budget, as orgsim compares
               "key": repr(settings)}
    return Replay(settings, pair, payload)


_cache: OrderedDict[Settings, Replay] = OrderedDict()
_pending: dict[Settings, threading.Event] = {}
_lock = threading.Lock()


def replay_for(settings: Settings) -> Replay:
    """The run of ``settings``, computed once however many sessions ask at the same moment (the
    first computes, the others wait for it), and kept for the :data:`CACHE_SIZE` latest."""
    while True:
        with _lock:
            if settings in _cache:
                _cache.move_to_end(settings)
                return _cache[settings]
            waiting = _pending.get(settings)
            if waiting is None:
                _pending[settings] = threading.Event()
                break
        waiting.wait()
    try:
        replay = compute(settings)
        replay.json  # noqa: B018  (serialised once, outside the lock)
        with _lock:
            _cache[settings] = replay
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
        return replay
    finally:
        with _lock:
            _pending.pop(settings).set()

"""Customer jobs: the problems organized customers need solved, and the record of each one's path.

A job arrives at an account (from the pre-drawn market stream), waits until somebody at the company
discovers it, may need a decision that is escalated until someone with enough authority takes it,
is split into one *task* per capability it needs, each routed to a worker (directly or by handoff),
and is resolved when every task is done. If it is still unresolved when the account's patience runs
out it is abandoned. A job that is a trigger point gates its account's adoption until solved; if it
is abandoned the need stays and the account raises it again later.

Lifecycle::

    UNDISCOVERED ─discovered─▶ AWAITING_DECISION ─decided─▶ IN_PROGRESS ─tasks done─▶ RESOLVED
         │                          │                          │
         └──────────── patience runs out (any open state) ─────┴─────────▶ ABANDONED

:class:`JobHistory` keeps every state change, handoff, escalation and touch as a row, so any single
job can be followed afterwards (``model.history.of(job_id)``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd  # loaded when a table is made: the command line does not need it


class JobState(IntEnum):
    UNDISCOVERED = 0
    AWAITING_DECISION = 1
    IN_PROGRESS = 2
    RESOLVED = 3
    ABANDONED = 4

    @property
    def is_open(self) -> bool:
        return self <= JobState.IN_PROGRESS


class Event(IntEnum):
    """What can happen to a job; one row of :class:`JobHistory` each."""

    ARRIVED = 0
    DISCOVERED = 1
    ESCALATED = 2  # sent up one level for a decision
    DECIDED = 3
    HANDOFF = 4  # a task request passed through one manager
    HANDOFF_LOST = 5  # information lost at a handoff; the owner re-sends later
    ASSIGNED = 6  # a task reached the person who will work on it
    TASK_DONE = 7
    FRONTED = 8  # someone met the customer to deliver a task's result
    RESOLVED = 9
    ABANDONED = 10
    RERAISED = 11  # an abandoned trigger point raised again as a new job
    COMPLIANCE_INCIDENT = 12


@dataclass(slots=True, eq=False)
class Task:
    """The part of a job that needs one capability."""

    job: CustomerJob
    capability: int
    remaining: float  # expert-hours still needed
    worker: object | None = None  # the staff position it is assigned to
    ready_at: float = 0.0  # week from which the worker can start
    done: bool = False


@dataclass(slots=True, eq=False)
class CustomerJob:
    """One job to be done for one account."""

    job_id: int
    account: int
    job_type: str
    effort: np.ndarray  # expert-hours per capability
    patience: float
    decision: float  # k€ to be committed
    gating: bool
    arrival: float
    threshold: float  # discovery threshold (pre-drawn Exp(1))
    pick: float  # pre-drawn U(0,1) choosing the discoverer
    generation: int = 0  # 0 for the original, k for the k-th re-raise of a trigger point
    parent: int = -1
    state: JobState = JobState.UNDISCOVERED
    exposure: float = 0.0  # accumulated discovery hazard
    owner: object | None = None  # the staff position that owns it once discovered
    discoverer: object | None = None  # the staff position that found it (or heard the report)
    discovered_at: float = math.nan
    decided_at: float = math.nan
    closed_at: float = math.nan  # resolved or abandoned
    tasks: list[Task] = field(default_factory=list)
    open_tasks: int = 0
    escalation_levels: int = 0
    decision_wait: float = 0.0
    handoffs: int = 0
    lost_handoffs: int = 0
    decided_by_level: int = 0  # 0 = the owner, k = k levels above
    touched: set = field(default_factory=set)  # person ids
    capabilities: tuple = ()  # indices of the capabilities it needs (derived from effort)
    product: int = 0  # 0: the therapy (or the market in general), k: a further product (7.6a)

    def __post_init__(self):
        if not self.capabilities:
            self.capabilities = tuple(int(i) for i in np.flatnonzero(self.effort > 0))

    @property
    def cross_functional(self) -> bool:
        return len(self.capabilities) > 1

    @property
    def deadline(self) -> float:
        return self.arrival + self.patience

    @property
    def is_open(self) -> bool:
        return self.state <= JobState.IN_PROGRESS


class JobHistory:
    """Append-only log of job events in columns (cheap to append, one DataFrame at the end)."""

    COLUMNS = ("job_id", "week", "event", "person", "position", "detail")
    __slots__ = ("_rows", "_append")

    def __init__(self):
        self._rows: list[tuple] = []  # (job_id, week, event, person, position, detail)
        self._append = self._rows.append  # bound once: called for every event of every job

    def record(self, job: CustomerJob, week: float, event: Event, staff=None,
               detail: str = "") -> None:
        if staff is None:
            self._append((job.job_id, week, event, -1, -1, detail))
        else:
            person = staff.person_id
            self._append((job.job_id, week, event, person, staff.row, detail))
            job.touched.add(person)

    def __len__(self) -> int:
        return len(self._rows)

    def rows_of(self, job_id: int) -> list[tuple]:
        """(job_id, week, event, person, position, detail) of one job, in order."""
        return [r for r in self._rows if r[0] == job_id]

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        cols = list(zip(*self._rows, strict=True)) if self._rows else [()] * 6
        return pd.DataFrame({
            "job_id": np.asarray(cols[0], np.int64),
            "week": np.asarray(cols[1], float),
            # ``fromiter``: the events are IntEnum members, which ``asarray`` converts slowly
            "event": pd.Categorical.from_codes(np.fromiter(cols[2], np.int64, len(cols[2])),
                                               [e.name.lower() for e in Event]),
            "person": np.asarray(cols[3], np.int64),
            "position": np.asarray(cols[4], np.int64),
            "detail": list(cols[5]),
        })

    def of(self, job_id: int) -> pd.DataFrame:
        """The full history of one job, in order."""
        frame = self.to_frame()
        return frame[frame.job_id == job_id].reset_index(drop=True)

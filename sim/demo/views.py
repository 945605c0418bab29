"""What the workshop page shows for each side, as numbers (tested without a browser).

The scoreboard, the chart series and one job's path are computed here from an
:class:`OrgSimModel`; :mod:`sim.demo.replay` records them week by week and the browser draws them
(:mod:`sim.demo.stage`). Every number guards against empty data, so no slider setting puts a NaN
on screen.
"""

from __future__ import annotations

import numpy as np

from sim.demo.levers import labels
from sim.engine.jobs import Event, JobState
from sim.engine.model import OrgSimModel

EVENTS = [e.name.lower().replace("_", " ") for e in Event]

# (label, format, better) of each scoreboard row; formats: int, pct, 1f, 2f (stage.js fmt).
SCOREBOARD = (
    ("Jobs resolved", "int", "higher"),
    ("Jobs abandoned", "int", "lower"),
    ("Cross-functional jobs resolved", "pct", "higher"),
    ("Median weeks to resolve", "1f", "lower"),
    ("Accounts adopted", "pct", "higher"),
    ("Patients on therapy", "int", "higher"),
    ("Contacts per account", "1f", "lower"),
    ("Decision wait (weeks)", "1f", "lower"),
    ("Customer trust", "2f", "higher"),
    ("Cost per resolved job (k€)", "int", "lower"),
)
_FORMATS = {"int": "{:.0f}", "pct": "{:.0%}", "1f": "{:.1f}", "2f": "{:.2f}"}


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def scoreboard_values(model: OrgSimModel) -> list[float]:
    """The headline outcomes so far, in :data:`SCOREBOARD` order."""
    c, book = model.counts, model.book
    resolved = [j for j in model.jobs if j.state == JobState.RESOLVED]
    cross = [j for j in model.jobs if j.cross_functional and not j.is_open]
    ttr = [j.closed_at - j.arrival for j in resolved]
    window = model.config.market.contact_window_weeks
    return [
        float(c["resolved"]),
        float(c["abandoned"]),
        _ratio(sum(j.state == JobState.RESOLVED for j in cross), len(cross)),
        float(np.median(ttr)) if ttr else 0.0,
        float(book.adopted.mean()),
        float(book.patients_treated.sum()),
        float(model.contacts.recent(model.now, window).mean()),
        _ratio(c["decision_wait"], c["escalated_decisions"]),
        float(book.trust.mean()),
        _ratio(model.cost_total, c["resolved"]),
    ]


def scoreboard_rows(model: OrgSimModel) -> list[tuple[str, float, str, str]]:
    """(label, value, Python format, better) of the headline outcomes so far."""
    return [(label, value, _FORMATS[kind], better)
            for (label, kind, better), value in zip(SCOREBOARD, scoreboard_values(model),
                                                    strict=True)]


def series(model: OrgSimModel, column: str) -> np.ndarray:
    return model.recorder.columns[column][: model.steps + 1]


# The per-step series the charts draw, in the charts' order (sim/demo/stage.js PANELS).
CHART_COLUMNS = ("accounts_adopted_share", "patients_treated", "jobs_resolved",
                 "jobs_abandoned", "contacts_per_account", "decision_wait_mean")


def changes_note(old: dict, new: dict) -> str:
    """The line the page shows after a lever or a selection changed: what moved, and that both
    sides restarted together on the same seed (so the comparison stays paired)."""
    moved = [f"{labels()[k]} {_show(old[k])} → {_show(new[k])}" for k in new if old[k] != new[k]]
    if not moved:
        return ""
    return (f"Changed: {'; '.join(moved)}. Both sides restarted at week 0 on seed "
            f"{new['seed']}, so they stay paired.")


def _show(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value).replace("_", " ")


def job_choices(sides: dict[str, OrgSimModel], limit: int = 300) -> list[str]:
    """Jobs to follow, most telling first: cross-functional jobs found under both designs, then
    jobs found under both, then the rest; earliest first within each (the page shows a run
    from its start, and each choice names the week its job arrives)."""
    found = [{j.job_id for j in m.jobs if j.owner is not None} for m in sides.values()]
    both = set.intersection(*found) if found else set()
    jobs = next(iter(sides.values())).jobs
    ranked = sorted(jobs, key=lambda j: (not (j.job_id in both and j.cross_functional),
                                         j.job_id not in both, j.arrival, j.job_id))
    return [f"{j.job_id} · {j.job_type.replace('_', ' ')} · week {j.arrival:g}"
            for j in ranked[:limit]]


def job_path(model: OrgSimModel, job_id: int) -> list[dict]:
    """The steps of one job: week, event, who, and how long it waited since the step before."""
    rows, previous = [], None
    for _, week, event, _, position, detail in model.history.rows_of(job_id):
        who = (model.workforce.agents[position].label.replace("_", " ") + f" #{position}"
               if position >= 0 else ("customer" if event == Event.ARRIVED else "queue"))
        waited = 0.0 if previous is None else max(0.0, week - previous)
        rows.append({"week": float(week), "event": EVENTS[int(event)], "who": who,
                     "detail": detail, "waited": waited})
        previous = week
    return rows

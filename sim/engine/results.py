"""What a run reports, as tidy pandas tables.

* ``series`` — one row per step (week 0 is the state at launch): jobs by state, stages, accounts
  adopted, patients treated, contacts per account, trust, escalations and decision wait,
  utilisation, engagement, headcount and attrition, cost, compliance incidents, variable pay paid,
  field headcount, people in desk jobs and moves between desk and field (cumulative); the
  mechanisms that are off by default add their own columns only when they are on (below).
* ``jobs`` — one row per customer job: its path and timings.
* ``accounts`` — one row per account: traits, adoption, jobs, contacts, trust (with the channel
  rule on, also its recent voices and the clinical share of its decision-making unit).
* ``staff`` — one row per position: role, hours by activity, engagement, skills.
* ``summary`` — one row: the headline outcomes of the run.
* ``history`` — every event of every job (see sim/engine/jobs.py), to follow a single job.

Optional mechanisms add columns only when they are on, so every other run's tables are unchanged:
the two platform layers (ODD 7.4a: both platforms' utilisation, queue waits and service level,
sign-off waits, time to fill; hours queued in the series); the channel rule (ODD 7.1a: voices per
account, the share of customer time by channel, refused hours, face-to-face calls, channel cost;
voices and face-to-face calls in the series, voices and the clinical share in ``accounts``).

During the run the :class:`Recorder` fills preallocated numpy columns (one row per step); tables
are only built once, at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.configuration.capabilities import CAPABILITIES
from sim.engine import channels, portfolio
from sim.engine.desk_moves import field_positions
from sim.engine.jobs import JobState
from sim.engine.market import ACCOUNT_TYPES
from sim.engine.platform_layers import SERIES as PLATFORM_SERIES
from sim.engine.platform_layers import series_values as platform_series
from sim.engine.platform_layers import summary_columns as platform_summary
from sim.engine.rng import compliance_stream
from sim.engine.stakeholders import STAGE_NAMES
from sim.engine.workforce import ACTIVITY_NAMES

SERIES_COLUMNS = (
    "jobs_arrived", "jobs_discovered", "jobs_resolved", "jobs_abandoned",
    "jobs_undiscovered", "jobs_awaiting_decision", "jobs_in_progress",
    *(f"stage_{s}" for s in STAGE_NAMES),
    "stakeholders_adopted_share", "accounts_adopted", "accounts_adopted_share",
    "patients_treated", "contacts_per_account", "trust_mean",
    "escalations", "decisions_escalated", "decision_wait_mean",
    "utilisation_mean", "engagement_mean", "headcount", "vacancies", "leavers", "hires",
    "cost", "cost_step", "calls", "compliance_incidents",
    "variable_pay", "field_headcount", "desk_pool", "moves_to_desk", "returns_to_field",
    "ecosystem_iq", "lead_discoveries",
)


def _mean(values: np.ndarray) -> float:
    """``values.mean()``, bit for bit, without its Python wrapper (a few µs, six times a step).

    ``ndarray.mean`` is numpy's add-reduce (the same pairwise sum) divided by the count; sums of
    booleans and integers are exact in either type, so the quotient is the same float."""
    return np.add.reduce(values) / values.size


class Recorder:
    """Preallocated per-step columns."""

    def __init__(self, model):
        self.model = model
        # optional mechanisms' columns only while they are on, so other runs are unchanged
        names = (SERIES_COLUMNS + (PLATFORM_SERIES if model.enabling is not None else ())
                 + (channels.SERIES if model.channels is not None else ()))
        self.columns = {c: np.zeros(model.n_steps + 1) for c in names}
        self.week = np.arange(model.n_steps + 1) * model.dt
        self._stage_columns = [self.columns[f"stage_{s}"] for s in STAGE_NAMES]

    def record(self, step: int) -> None:
        m, c = self.model, self.columns
        counts, states = m.counts, m.state_count
        c["jobs_arrived"][step] = len(m.jobs)
        c["jobs_discovered"][step] = counts["discovered"]
        c["jobs_resolved"][step] = counts["resolved"]
        c["jobs_abandoned"][step] = counts["abandoned"]
        c["jobs_undiscovered"][step] = states[JobState.UNDISCOVERED]
        c["jobs_awaiting_decision"][step] = states[JobState.AWAITING_DECISION]
        c["jobs_in_progress"][step] = states[JobState.IN_PROGRESS]
        for column, count in zip(self._stage_columns, m.dmus.stage_counts().tolist(),
                                 strict=True):
            column[step] = count
        c["stakeholders_adopted_share"][step] = _mean(m.dmus.adopted())
        adopted = m.book.adopted
        c["accounts_adopted"][step] = adopted.sum()
        c["accounts_adopted_share"][step] = _mean(adopted)
        c["patients_treated"][step] = m.book.patients_treated.sum()
        window = m.config.market.contact_window_weeks
        c["contacts_per_account"][step] = _mean(m.contacts.recent(m.now, window))
        c["trust_mean"][step] = _mean(m.book.trust)
        escalated = m.this_step("escalated_decisions")
        c["escalations"][step] = counts["escalations"]
        c["decisions_escalated"][step] = escalated
        c["decision_wait_mean"][step] = (m.this_step("decision_wait") / escalated
                                         if escalated else 0.0)
        wf, n = m.workforce, m.workforce.n
        util = wf.utilisation()
        c["utilisation_mean"][step] = _mean(util) if (step and util.size) else 0.0
        present = wf.filled[:n] & wf.active[:n]
        c["engagement_mean"][step] = _mean(wf.engagement[:n][present]) if present.any() else 0.0
        c["headcount"][step] = present.sum()
        c["vacancies"][step] = (wf.active[:n] & ~wf.filled[:n]).sum()
        c["leavers"][step] = counts["leavers"]
        c["hires"][step] = counts["hires"]
        c["cost"][step] = m.cost_total
        c["cost_step"][step] = m.cost_step
        c["calls"][step] = counts["calls"]
        c["compliance_incidents"][step] = counts["incidents"]
        c["variable_pay"][step] = counts["variable_pay"]
        c["field_headcount"][step] = (present & field_positions(m)).sum()
        c["desk_pool"][step] = len(m.desk)
        c["moves_to_desk"][step] = counts["to_desk"]
        c["returns_to_field"][step] = counts["to_field"]
        if m.enabling is not None:
            for name, value in platform_series(m).items():
                c[name][step] = value
        if m.channels is not None:
            channels.record_series(m, c, step)
        c["ecosystem_iq"][step] = m.ecosystem.iq(m)
        c["lead_discoveries"][step] = m.ecosystem.leads

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.columns)
        df.insert(0, "week", self.week)
        df.insert(0, "step", np.arange(len(self.week)))
        if self.model.portfolio is not None:  # further products (ODD 7.6a)
            for name, values in portfolio.series_columns(self.model, self.week).items():
                df[name] = values
        return df


@dataclass
class RunResult:
    """The tidy tables of one run."""

    series: pd.DataFrame
    jobs: pd.DataFrame
    accounts: pd.DataFrame
    staff: pd.DataFrame
    summary: pd.DataFrame
    history: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def headline(self) -> dict:
        return self.summary.iloc[0].to_dict()


def jobs_frame(model) -> pd.DataFrame:
    jobs = model.jobs
    owner = [j.owner for j in jobs]
    closed = np.array([j.closed_at for j in jobs], float)
    arrival = np.array([j.arrival for j in jobs], float)
    state_name = {s: s.name.lower() for s in JobState}
    state = [state_name[j.state] for j in jobs]
    resolved = np.array([j.state == JobState.RESOLVED for j in jobs], bool)
    # a few distinct capability sets among thousands of jobs: each one's label joined once
    labels = {c: ",".join(CAPABILITIES[i] for i in c) for c in {j.capabilities for j in jobs}}
    n_capabilities = np.array([len(j.capabilities) for j in jobs], np.int64)
    df = pd.DataFrame({
        "job_id": np.array([j.job_id for j in jobs], np.int64),
        "parent": np.array([j.parent for j in jobs], np.int64),
        "generation": np.array([j.generation for j in jobs], np.int64),
        "account": np.array([j.account for j in jobs], np.int64),
        "account_type": [ACCOUNT_TYPES[model.market.account_type[j.account]] for j in jobs],
        "job_type": [j.job_type for j in jobs],
        "capabilities": [labels[j.capabilities] for j in jobs],
        "n_capabilities": n_capabilities,
        "cross_functional": np.array([j.cross_functional for j in jobs], bool),
        "gating": np.array([j.gating for j in jobs], bool),
        # one row sum of the stacked efforts: the same additions, in the same order, as each
        # job's ``effort.sum()`` (numpy adds fewer than 8 numbers left to right either way)
        "effort_hours": (np.array([j.effort for j in jobs], float).sum(1) if jobs
                         else np.zeros(0)),
        "decision_k": np.array([j.decision for j in jobs], float),
        "arrival": arrival,
        "patience": np.array([j.patience for j in jobs], float),
        "discovered_at": np.array([j.discovered_at for j in jobs], float),
        "discoverer_role": [j.discoverer.label if j.discoverer is not None else ""
                            for j in jobs],
        "owner_role": [o.label if o is not None else "" for o in owner],
        "decided_at": np.array([j.decided_at for j in jobs], float),
        "decision_wait": np.array([j.decision_wait if not math.isnan(j.decided_at) else np.nan
                                   for j in jobs], float),
        "escalation_levels": np.array([j.escalation_levels for j in jobs], np.int64),
        "decided_by_level": np.array([j.decided_by_level for j in jobs], np.int64),
        "handoffs": np.array([j.handoffs for j in jobs], np.int64),
        "lost_handoffs": np.array([j.lost_handoffs for j in jobs], np.int64),
        "people_involved": np.array([len(j.touched) for j in jobs], np.int64),
        "state": state,
        "closed_at": closed,
        "time_to_resolution": np.where(resolved, closed - arrival, np.nan),
    })
    if model.portfolio is not None:  # whose job: 1 the therapy (or the market), 2… further products
        df["product"] = np.array([j.product + 1 for j in jobs], np.int64)
    return df


def accounts_frame(model) -> pd.DataFrame:
    mk, book = model.market, model.book
    share = model.dmus.adopted_share_by_account()
    products = {} if model.portfolio is None else portfolio.account_columns(model)
    df = pd.DataFrame({
        "account": np.arange(mk.n_accounts),
        "kind": [ACCOUNT_TYPES[t] for t in mk.account_type],
        "region": mk.region,
        "patients": mk.patients,
        "organisation": mk.organisation,
        "stakeholders": mk.dmu_size(),
        "links": mk.degree(),
        "gates": [",".join(g) for g in mk.gates],
        "gates_open": book.open_gates,
        "adopted_week": book.adopted_week,
        "dmu_adopted_share": share,
        "trust_initial": mk.trust0,
        "trust_final": book.trust,
        "jobs_arrived": book.jobs_arrived,
        "jobs_resolved": book.jobs_resolved,
        "jobs_abandoned": book.jobs_abandoned,
        "contacts_recent": model.contacts.recent(model.now,
                                                 model.config.market.contact_window_weeks),
        "contacts_ever": model.contacts.ever(),
        "patients_treated": book.patients_treated,
        **products,
    })
    if model.channels is not None:  # ODD 7.1a: voices heard in the last contact window
        df["voices_recent"] = model.channels.voices
        df["clinical_share"] = model.channels.clinical_share
    return df


def staff_frame(model) -> pd.DataFrame:
    wf, n = model.workforce, model.workforce.n
    hours = wf.hours_by_activity[:n]
    capacity = wf.hours_per_week * model.now if model.now > 0 else 1.0
    columns = {
        "row": np.arange(n),
        "role": [a.label for a in wf.agents],
        "function": [a.function for a in wf.agents],
        "region": [a.region for a in wf.agents],
        "accounts": [len(a.accounts) for a in wf.agents],
        "active": wf.active[:n],
        "filled": wf.filled[:n],
        "person_id": wf.person_id[:n],
        "engagement": wf.engagement[:n],
        "experience": wf.experience[:n],
        "utilisation": hours.sum(1) / capacity,
    }
    # every column in one go (inserting them one by one into a DataFrame costs more)
    for i, name in enumerate(ACTIVITY_NAMES):
        columns[f"hours_{name}"] = hours[:, i]
    for i, name in enumerate(CAPABILITIES):
        columns[f"skill_{name}"] = wf.skill[:n, i]
    return pd.DataFrame(columns)


def _first_week(series: pd.DataFrame, column: str, level: float) -> float:
    hit = series.index[series[column] >= level - 1e-12]
    return float(series.loc[hit[0], "week"]) if len(hit) else float("nan")


def summary_frame(model, series: pd.DataFrame, jobs: pd.DataFrame, accounts: pd.DataFrame,
                  ) -> pd.DataFrame:
    resolved = jobs[jobs.state == "resolved"]
    cross, single = jobs[jobs.cross_functional], jobs[~jobs.cross_functional]
    after_launch = series[series.step > 0]
    years = model.now / 52.0
    headcount = after_launch.headcount.mean() if len(after_launch) else 0.0
    c = model.counts
    n_resolved = len(resolved)
    adopted = float(series.accounts_adopted_share.iloc[-1]) * model.market.n_accounts
    patient_years = float(series.patients_treated.sum() * model.dt) / 52.0

    def share(frame):
        return float((frame.state == "resolved").mean()) if len(frame) else float("nan")

    def quantile(values, q):
        return float(values.quantile(q)) if len(values) else float("nan")

    row = {
        "design": model.config.org.design,
        "seed": model.seed,
        "horizon_weeks": model.now,
        "accounts": model.market.n_accounts,
        "jobs_arrived": len(jobs),
        "jobs_resolved": n_resolved,
        "jobs_abandoned": int((jobs.state == "abandoned").sum()),
        "jobs_open_at_end": int(jobs.state.isin(["undiscovered", "awaiting_decision",
                                                 "in_progress"]).sum()),
        "resolved_share": share(jobs),
        "cross_functional_resolved_share": share(cross),
        "single_resolved_share": share(single),
        "time_to_resolution_median": quantile(resolved.time_to_resolution, 0.5),
        "time_to_resolution_p90": quantile(resolved.time_to_resolution, 0.9),
        "cross_functional_time_to_resolution_median": quantile(
            resolved[resolved.cross_functional].time_to_resolution, 0.5),
        "single_time_to_resolution_median": quantile(
            resolved[~resolved.cross_functional].time_to_resolution, 0.5),
        "time_to_discovery_median": quantile((jobs.discovered_at - jobs.arrival).dropna(), 0.5),
        "week_first_adoption": _first_week(series, "accounts_adopted", 1),
        "week_50pct_adoption": _first_week(series, "accounts_adopted_share", 0.5),
        "week_80pct_adoption": _first_week(series, "accounts_adopted_share", 0.8),
        "accounts_adopted_share": float(series.accounts_adopted_share.iloc[-1]),
        "stakeholders_adopted_share": float(series.stakeholders_adopted_share.iloc[-1]),
        "patients_treated": float(series.patients_treated.iloc[-1]),
        "patient_weeks": float(series.patients_treated.sum() * model.dt),
        "contacts_per_account": float(after_launch.contacts_per_account.mean()),
        "distinct_contacts_per_account": float(accounts.contacts_ever.mean()),
        "trust_final": float(series.trust_mean.iloc[-1]),
        "escalations": int(c["escalations"]),
        "decision_wait_mean": (c["decision_wait"] / c["escalated_decisions"]
                               if c["escalated_decisions"] else float("nan")),
        "handoffs": int(jobs.handoffs.sum()),
        "lost_handoffs": int(jobs.lost_handoffs.sum()),
        "utilisation_mean": float(after_launch.utilisation_mean.mean()),
        "engagement_final": float(series.engagement_mean.iloc[-1]),
        "headcount_mean": float(headcount),
        "leavers": int(c["leavers"]),
        "staff_turnover": float(c["leavers"] / headcount / years) if headcount and years else 0.0,
        "field_headcount_mean": float(after_launch.field_headcount.mean()),
        "moves_to_desk_per_year": float(c["to_desk"] / years) if years else 0.0,
        "returns_to_field_per_year": float(c["to_field"] / years) if years else 0.0,
        "variable_pay": float(c["variable_pay"]),
        "variable_pay_target": float(c["variable_pay_target"]),
        **platform_summary(model),  # both platform layers (7.4a), only when enabling is staffed
        "ecosystem_iq_final": float(series.ecosystem_iq.iloc[-1]),
        "lead_discoveries": int(model.ecosystem.leads),
        "hybrid_tasks": int(c["hybrid_tasks"]),
        "cross_training_hours": float(c["training_hours"]),
        "medical_crossings": int(c["medical_crossings"]),
        "crossing_incidents": int(c["crossing_incidents"]),
        "calls": float(c["calls"]),
        "compliance_incidents": int(c["incidents"]),
        **compliance_costs(model),
        "headcount_start": int(series.headcount.iloc[0]),
        "cost_total": float(model.cost_total),
        "cost_per_resolved_job": (float(model.cost_total / n_resolved) if n_resolved
                                  else float("nan")),
        "cost_per_adopted_account": (float(model.cost_total / adopted) if adopted
                                     else float("nan")),
        "cost_per_patient_year": (float(model.cost_total / patient_years) if patient_years > 0
                                  else float("nan")),
    }
    if model.channels is not None:
        row.update(model.channels.summary(model, after_launch))
    if model.hcp_access is not None:  # ODD 7.1b
        row.update(model.hcp_access.summary())
    if model.first_users is not None:  # ODD 7.6b: patient-weeks before the account decided
        row["first_user_patient_weeks"] = model.first_user_patient_weeks
    if model.portfolio is not None:  # further products (ODD 7.6a)
        row.update(portfolio.summary_columns(model, series))
    return pd.DataFrame([row])


def compliance_costs(model, draws: int = 4000) -> dict:
    """Realised, expected and 95th-percentile compliance cost (k€) of the run.

    Incidents are rare and their cost heavy-tailed (log-normal, ``staffing.incident_cost_sigma``),
    so one run's realised cost says little: the expected cost is the expected number of incidents
    (summed chances) × the mean cost, and the 95th percentile is that of the compound
    Poisson–log-normal total, by simulation with a generator seeded from the run's seed only.
    """
    s, c = model.config.staffing, model.counts
    expected_n = float(c["expected_incidents"])
    p95 = 0.0
    if expected_n > 0 and s.incident_cost > 0:
        rng = compliance_stream(model.seed)
        mu = np.log(s.incident_cost) - s.incident_cost_sigma ** 2 / 2
        counts = rng.poisson(expected_n, draws)
        sizes = rng.lognormal(mu, s.incident_cost_sigma, int(counts.sum()))
        totals = np.bincount(np.repeat(np.arange(draws), counts), sizes, draws)
        p95 = float(np.quantile(totals, 0.95))
    return {"compliance_incidents_expected": expected_n,
            "compliance_cost": float(c["incident_cost"]),
            "compliance_cost_expected": expected_n * s.incident_cost,
            "compliance_cost_p95": p95,
            "transition_cost": float(c["transition_cost"])}


def build_result(model) -> RunResult:
    series = model.recorder.frame().iloc[: model.steps + 1].reset_index(drop=True)
    jobs = jobs_frame(model)
    accounts = accounts_frame(model)
    return RunResult(
        series=series, jobs=jobs, accounts=accounts, staff=staff_frame(model),
        summary=summary_frame(model, series, jobs, accounts),
        history=model.history.to_frame(),
        meta={"design": model.config.org.design, "seed": model.seed,
              "structure": model.design.describe()},
    )

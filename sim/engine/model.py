"""orgsim's model: a pharma commercial organisation serving organized customers, week by week.

Organized customers (accounts: health systems, integrated care systems, academic centres,
community networks, practices) bring *customer jobs* — formulary evidence, reimbursement, infusion
capacity, care-pathway redesign, patient support, education — that the company must discover and
solve; their decision-making units move through the stages of change toward adopting a newly
launched therapy. The company's staff (reps, MSLs, access managers, central experts, managers or
primary points of contact) have limited weekly hours. How they are organised — the *organisation
design* — decides who meets which customer, who owns a job, who may decide, who works on it and
what people are rewarded for. The same market (same seed) can be run under any design, so the
difference in outcomes is caused by the organisation alone.

One step (default one week) runs, for every design alike:

1. the design's transitions and, when due, its capacity plan (``design.on_step``, ``plan_if_due``);
2. jobs arrive from the pre-drawn market stream (and abandoned trigger points are raised again);
3. fixed overheads are taken by one law for every design (management admin, team coordination,
   account upkeep: sim/engine/interactions.py);
4. planned visits happen: calls, scientific exchange, access meetings, account time;
5. undiscovered jobs are discovered in proportion to needs-focused contact time;
6. managers work through their inboxes: escalated decisions and handoffs;
7. staff work their task queues; finished jobs are resolved;
8. jobs whose patience ran out are abandoned;
9. stakeholders advance through the stages; accounts adopt; patients are treated;
10. trust, staff engagement, skills, attrition and hiring are updated; costs are booked;
11. one row of the per-step series is recorded.

See docs/ODD.md for the full description and sim/designs/ for the designs.
"""

from __future__ import annotations

import gc
import heapq
import logging
import math

import numpy as np
from mesa import Model

from sim.configuration.capabilities import ACCESS, COMMERCIAL, MEDICAL, N_CAPABILITIES
from sim.configuration.design_registry import design_class
from sim.configuration.schema import SimConfig
from sim.configuration.validation import validate
from sim.engine.accounts import Account, AccountBook
from sim.engine.adoption import AdoptionModel
from sim.engine.contacts import ContactBook
from sim.engine.escalation import Escalation, incident_probability
from sim.engine.interactions import friction
from sim.engine.job_discovery import discovery_hazard
from sim.engine.jobs import CustomerJob, Event, JobHistory, JobState, Task
from sim.engine.market import build_market
from sim.engine.people import PeoplePool
from sim.engine.results import Recorder, RunResult, build_result
from sim.engine.rng import RandomStreams
from sim.engine.routing import dispatch
from sim.engine.stakeholders import DecisionMakingUnits
from sim.engine.visits import VisitKind
from sim.engine.workforce import Activity, Workforce

# Mesa 3.5 logs every step at INFO on its "MESA" logger, and Hydra's job logging shows INFO: a
# default run would print (and log to file) 156 lines per replication. Warnings still show.
logging.getLogger("MESA").setLevel(logging.WARNING)

STAFF_MEMORY_FLOOR = 0.05  # skills never fall below this


class OrgSimModel(Model):
    """One run: a market, an organisation design, and the weeks between launch and horizon."""

    def __init__(self, config: SimConfig | None = None, seed: int | None = None):
        config = validate(config if config is not None else SimConfig())
        seed = config.run.seed if seed is None else int(seed)
        self.streams = RandomStreams(seed)
        super().__init__(rng=self.streams.dynamics)
        self.config, self.seed = config, seed
        self.dt = float(config.run.step_weeks)
        self.n_steps = max(1, math.ceil(config.run.horizon_weeks / self.dt - 1e-9))
        self.now = 0.0  # week at the end of the current step
        self.dynamics_rng = self.rng

        # the customers' side: identical for every design under one seed
        self.market = build_market(config, self.streams)
        self.book = AccountBook(self.market)
        self.dmus = DecisionMakingUnits(self.market)
        self.adoption = AdoptionModel(config.therapy, self.market)
        self.accounts = [Account(self, a) for a in range(self.market.n_accounts)]
        self.contacts = ContactBook(self.market.n_accounts)
        self.adopted_share_history = np.zeros((self.n_steps + 1, self.market.n_accounts))

        # jobs
        self.history = JobHistory()
        self.jobs: list[CustomerJob] = []
        self.undiscovered: list[CustomerJob] = []  # in arrival order, with columns below
        self._und_account = np.zeros(0, np.int64)
        self._und_needs = np.zeros((0, N_CAPABILITIES), bool)
        self._und_exposure = np.zeros(0)
        self._und_threshold = np.zeros(0)
        self._und_arrival = np.zeros(0)
        self._arrived: list[CustomerJob] = []  # opened since the columns were last extended
        self.state_count = dict.fromkeys(JobState, 0)
        self._next_market_job = 0
        self._raised = 0
        self._reraise: list[tuple[float, int, CustomerJob]] = []  # heap of (week, seq, parent)
        self._deadlines: list[tuple[float, int, CustomerJob]] = []  # heap of open jobs
        self._exposure = np.zeros((self.market.n_accounts, N_CAPABILITIES))
        self._visit = None  # this step's executed visits, for choosing a discoverer
        self._plan_slots = (None, None)  # (plan, its contact-book slots)
        self._managers = (-1, [])  # (workforce size, managers)
        self._expert_cache = (-1, [])  # (workforce size, experts with a shared queue)
        self.counts = dict.fromkeys((
            "discovered", "resolved", "abandoned", "escalations", "decisions",
            "escalated_decisions", "decision_wait", "incidents", "leavers", "hires", "calls",
            "visit_hours", "expected_incidents", "incident_cost", "transition_cost",
        ), 0.0)
        self._counts_at_step_start = dict(self.counts)
        self.cost_total = 0.0
        self.cost_step = 0.0

        # the company's side
        self.people = PeoplePool(self.streams.people, config.staffing)
        self.workforce = Workforce(config.staffing.hours_per_week, self.dt)
        self.design = design_class(config.org.design)(self, config.org)
        self.design.build()
        self.row_of_person = {int(p): r for r, p in enumerate(self.workforce.person_id[
            : self.workforce.n]) if p >= 0}

        self.adopted_share_history[0] = self.dmus.adopted_share_by_account()
        self.recorder = Recorder(self)
        self.recorder.record(0)
        self._previous_stage = self.dmus.stage.copy()

    # =========================================================================== the step
    def step(self) -> None:
        if self.steps > self.n_steps:
            raise RuntimeError(f"the run already reached its horizon of "
                               f"{self.config.run.horizon_weeks} weeks")
        self.now = self.steps * self.dt
        self._counts_at_step_start = dict(self.counts)
        self.workforce.new_step()
        for platform in self._platforms():
            platform.take_snapshot()
        self.design.on_step()
        self.design.plan_if_due()
        self.arrive_jobs()
        self.design.reserve_time()
        self.visit_accounts()
        self.discover_jobs()
        self.review_inboxes()
        self.work_on_tasks()
        self.abandon_overdue_jobs()
        self.update_adoption()
        self.update_trust()
        self.update_people()
        self.book_costs()
        self.workforce.end_step()
        self.recorder.record(self.steps)
        if self.config.run.check_invariants:
            from sim.engine.invariants import check

            check(self)
        self._previous_stage = self.dmus.stage.copy()
        if self.steps >= self.n_steps:
            self.running = False

    def run(self) -> RunResult:
        """Run to the horizon and return the tidy tables.

        Jobs, tasks and their history live for the whole run; Python's cyclic garbage collector
        would rescan them all on every full collection (a cost growing faster than the market).
        Survivors are frozen every quarter so collections only look at young objects; they are
        unfrozen at the end so the finished model can be collected normally.
        """
        try:
            while self.running:
                if self.steps % 13 == 0:
                    gc.freeze()
                self.step()
        finally:
            gc.unfreeze()
        return self.result()

    def result(self) -> RunResult:
        return build_result(self)

    # ========================================================================== arrivals
    def arrive_jobs(self) -> None:
        stream = self.market.jobs
        while (self._next_market_job < len(stream)
               and stream.arrival[self._next_market_job] <= self.now):
            i = self._next_market_job
            self._next_market_job += 1
            self._open(CustomerJob(
                job_id=i, account=int(stream.account[i]),
                job_type=stream.type_names[stream.job_type[i]], effort=stream.effort[i],
                patience=float(stream.patience[i]), decision=float(stream.decision[i]),
                gating=bool(stream.gating[i]), arrival=float(stream.arrival[i]),
                threshold=float(stream.discovery_threshold[i]), pick=float(stream.pick[i]),
                capabilities=stream.capabilities(i)))
        while self._reraise and self._reraise[0][0] <= self.now:
            week, _, parent = heapq.heappop(self._reraise)
            self._open(self._raise_again(parent, week))

    def _extend_undiscovered_columns(self) -> None:
        new, self._arrived = self._arrived, []
        if new:
            self._und_account = np.concatenate(
                [self._und_account, np.fromiter((j.account for j in new), np.int64, len(new))])
            self._und_needs = np.concatenate([self._und_needs,
                                              np.array([j.effort > 0 for j in new])])
            self._und_exposure = np.concatenate([self._und_exposure, np.zeros(len(new))])
            self._und_threshold = np.concatenate(
                [self._und_threshold, np.fromiter((j.threshold for j in new), float, len(new))])
            self._und_arrival = np.concatenate(
                [self._und_arrival, np.fromiter((j.arrival for j in new), float, len(new))])

    def _raise_again(self, parent: CustomerJob, week: float) -> CustomerJob:
        """The same trigger-point need, raised again; its draws depend only on seed and job."""
        gen = parent.generation + 1
        origin = parent.job_id if parent.parent < 0 else parent.parent
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(7, origin, gen)))
        self._raised += 1
        job = CustomerJob(
            job_id=len(self.market.jobs) + self._raised - 1, account=parent.account,
            job_type=parent.job_type, effort=parent.effort, patience=parent.patience,
            decision=parent.decision, gating=True, arrival=week,
            threshold=float(rng.exponential()), pick=float(rng.random()), generation=gen,
            parent=origin, capabilities=parent.capabilities)
        self.history.record(job, week, Event.RERAISED, detail=f"again after job {parent.job_id}")
        return job

    def _open(self, job: CustomerJob) -> None:
        self.jobs.append(job)
        self.state_count[JobState.UNDISCOVERED] += 1
        self.undiscovered.append(job)
        self._arrived.append(job)
        self.book.jobs_arrived[job.account] += 1
        heapq.heappush(self._deadlines, (job.deadline, job.job_id, job))
        self.history.record(job, job.arrival, Event.ARRIVED)

    # ============================================================================ visits
    def visit_accounts(self) -> None:
        """Carry out this week's planned customer-facing time and feed the account channels."""
        plan, book, wf, n = self.design.plan, self.book, self.workforce, self.market.n_accounts
        if len(plan) == 0:
            book.detailing_hours[:] = book.exchange_hours[:] = book.needs_hours[:] = 0.0
            self._exposure[:] = 0.0
            self._visit = None
            return
        activity, capability = plan.activities()
        granted = wf.spend_many(plan.row, plan.hours * self.dt, activity, capability)
        per_week = granted / self.dt
        book.detailing_hours = np.bincount(plan.account, per_week * plan.detailing, n)
        book.exchange_hours = np.bincount(plan.account, per_week * plan.exchange, n)
        needs = per_week * plan.needs
        book.needs_hours = np.bincount(plan.account, needs, n)
        # Hours in which a problem needing capability c can come up and be recognised: all
        # needs-focused time, plus conversations on c's own topic (product talk surfaces
        # commercial problems, scientific exchange surfaces medical ones), each weighted by the
        # visitor's skill in c.
        skill = wf.skill[plan.row]
        topic = np.zeros((len(plan), N_CAPABILITIES))
        topic[:, COMMERCIAL] = per_week * plan.detailing
        topic[:, MEDICAL] = per_week * plan.exchange
        exposure = (needs[:, None] + topic) * skill
        for c in range(N_CAPABILITIES):
            self._exposure[:, c] = np.bincount(plan.account, exposure[:, c], n)
        order = np.argsort(plan.account, kind="stable")  # visits grouped by account
        bounds = np.searchsorted(plan.account[order], np.arange(n + 1))
        self._visit = (plan.row[order], exposure[order], bounds)
        slots = self._visit_slots(plan)
        self.contacts.touch_slots(slots[granted > 0], self.now)
        calls = granted[plan.kind == VisitKind.CALL].sum() / self.config.staffing.call_hours
        self.counts["calls"] += calls
        self.counts["visit_hours"] += granted.sum()
        self.promotional_risk(float((granted * plan.detailing).sum()))

    def promotional_risk(self, detailing_hours: float) -> None:
        """Compliance risk of the work itself: promotional hours may stray off-label; the same
        rate and governance in every design."""
        m = self.config.market
        expected = (m.promotion_risk_per_hour * detailing_hours
                    * (1.0 - self.config.staffing.interaction.governance))
        if expected <= 0:
            return
        self.counts["expected_incidents"] += expected
        for _ in range(int(self.dynamics_rng.poisson(expected))):
            self.record_incident()

    def record_incident(self) -> None:
        """A compliance incident with a heavy-tailed cost (log-normal: rare large fines)."""
        s = self.config.staffing
        mu = math.log(max(s.incident_cost, 1e-12)) - s.incident_cost_sigma ** 2 / 2
        self.counts["incidents"] += 1
        if s.incident_cost > 0:
            self.counts["incident_cost"] += float(self.dynamics_rng.lognormal(
                mu, s.incident_cost_sigma))

    def pay_transition(self, leaving: list, moved: list) -> None:
        """The price of changing the organisation: severance for positions that go, retraining
        for people moved into new roles (the learning-curve dip and resistance are the
        micro-enterprise settings ``initial_effectiveness`` and ``resistance``)."""
        s, wf = self.config.staffing, self.workforce
        cost = sum(wf.salary[m.row] for m in leaving) * s.severance_years
        cost += len(moved) * s.retraining_cost
        self.counts["transition_cost"] += cost

    def _visit_slots(self, plan) -> np.ndarray:
        """Contact-book slots of the plan's (account, person) pairs, refreshed only for the
        positions whose holder changed since the last step."""
        wf = self.workforce
        if self._plan_slots[0] is not plan:
            self._plan_slots = (plan, self.contacts.slots(plan.account, wf.person_id[plan.row]))
        elif wf.changed_rows:
            slots = self._plan_slots[1]
            changed = np.isin(plan.row, np.fromiter(wf.changed_rows, np.int64))
            slots[changed] = self.contacts.slots(plan.account[changed],
                                                 wf.person_id[plan.row[changed]])
        wf.changed_rows.clear()
        return self._plan_slots[1]

    # ========================================================================= discovery
    def discover_jobs(self) -> None:
        """Accumulate each undiscovered job's discovery hazard (sim/engine/job_discovery.py);
        discover those whose threshold it passed."""
        self._extend_undiscovered_columns()
        if not self.undiscovered:
            return
        m = self.config.market
        jobs, acc = self.undiscovered, self._und_account
        hazard, contact_hazard = discovery_hazard(self._exposure[acc], self._und_needs,
                                                  self.book.trust[acc], m.discovery_rate,
                                                  m.self_report_rate)
        start = self.now - self.dt
        self._und_exposure += hazard * np.minimum(self.dt,
                                                  self.now - np.maximum(start, self._und_arrival))
        keep = np.ones(len(jobs), bool)
        for i in np.flatnonzero(self._und_exposure >= self._und_threshold).tolist():
            job = jobs[i]
            if job.state != JobState.UNDISCOVERED:
                continue  # abandoned meanwhile: dropped below
            h, ch = hazard[i], contact_hazard[i]
            found = self._discoverer(job, ch / h if h > 0 else 0.0)
            if found:
                job.exposure = float(self._und_exposure[i])
                self.discover(job, found)
                keep[i] = False
        keep &= np.fromiter((j.state == JobState.UNDISCOVERED for j in jobs), bool, len(jobs))
        if not keep.all():
            self.undiscovered = [j for j, k in zip(jobs, keep.tolist(), strict=True) if k]
            self._und_account = self._und_account[keep]
            self._und_needs = self._und_needs[keep]
            self._und_exposure = self._und_exposure[keep]
            self._und_threshold = self._und_threshold[keep]
            self._und_arrival = self._und_arrival[keep]

    def _discoverer(self, job: CustomerJob, contact_share: float):
        """Who found ``job``: a visitor ∝ their share of the hazard, or the customer's report
        (which nobody hears while the customer's usual contact is vacant)."""
        if self._visit is None or job.pick >= contact_share:
            contact = self.design.default_contact(job.account)
            return None if contact.vacant else contact
        rows, exposure, bounds = self._visit
        lo, hi = bounds[job.account], bounds[job.account + 1]
        weight = exposure[lo:hi, list(job.capabilities)].sum(1)
        total = weight.sum()
        if total <= 0:
            return self.design.default_contact(job.account)
        u = job.pick / contact_share  # uniform on [0, 1) given the pick fell in the contact part
        k = int(np.searchsorted(np.cumsum(weight) / total, u, side="right"))
        return self.workforce.agents[rows[lo + min(k, hi - lo - 1)]]

    def discover(self, job: CustomerJob, discoverer) -> None:
        job.discovered_at = self.now
        self._move(job, JobState.AWAITING_DECISION)
        self.counts["discovered"] += 1
        job.discoverer = discoverer
        self.history.record(job, self.now, Event.DISCOVERED, discoverer)
        self.contacts.touch_one(job.account, discoverer.person_id, self.now)
        owner = self.design.owner_of(job, discoverer)
        job.owner = owner
        if owner is not discoverer:
            self.history.record(job, self.now, Event.ASSIGNED, owner, "owner")
        self.request_decision(job)

    # ========================================================================= decisions
    def request_decision(self, job: CustomerJob) -> None:
        """Decide on the spot if within the owner's authority, else escalate."""
        chain = self.design.escalation_chain(job)
        if job.decision <= self.design.authority_of(job.owner, job) or not chain:
            self.take_decision(job, job.owner, reviews=0)
            return
        self.counts["escalations"] += 1
        Escalation(job, chain, self.now, min_reviews=self.design.min_reviews(job)).start(self.now)

    def take_decision(self, job: CustomerJob, decider, reviews: int) -> None:
        """Record the decision, its compliance risk, and start the work."""
        wf = self.workforce
        job.decided_at = self.now
        job.decision_wait = self.now - job.discovered_at
        job.decided_by_level = reviews
        self.history.record(job, self.now, Event.DECIDED, decider, f"{job.decision:.1f} k€")
        self.counts["decisions"] += 1
        owner_row = job.owner.row
        rules = self.config.staffing.interaction
        if reviews == 0:
            wf.own_decisions[owner_row] += 1
            if job.decision > 0:
                decider.spend(rules.governance * rules.governance_hours, Activity.GOVERNANCE)
        else:
            wf.escalated_decisions[owner_row] += 1
            self.counts["escalated_decisions"] += 1
            self.counts["decision_wait"] += job.decision_wait
        risk = incident_probability(job.decision, reviews, rules.governance, self.config.market)
        self.counts["expected_incidents"] += risk
        if risk > 0 and self.dynamics_rng.random() < risk:
            self.record_incident()
            self.history.record(job, self.now, Event.COMPLIANCE_INCIDENT, decider)
        self.start_work(job)

    def review_inboxes(self) -> None:
        """Managers work through their inboxes; repeat while requests are handed on with no
        wait (latency 0), so the order in which managers are visited does not matter."""
        if self._managers[0] != self.workforce.n:
            self._managers = (self.workforce.n, [a for a in self.workforce.agents
                                                 if getattr(a, "inbox", None) is not None])
        managers = self._managers[1]
        for _ in range(len(managers) + 1):
            before = self._inbox_load(managers)
            for m in managers:
                if m.inbox:
                    m.process_inbox()
            if self._inbox_load(managers) == before:
                break

    @staticmethod
    def _inbox_load(managers) -> tuple:
        return tuple((len(m.inbox), m.used_hours) for m in managers)

    # ============================================================================== work
    def start_work(self, job: CustomerJob) -> None:
        """Split the job into one task per capability and route each."""
        self._move(job, JobState.IN_PROGRESS)
        for c in job.capabilities:
            task = Task(job, c, float(job.effort[c]))
            job.tasks.append(task)
        job.open_tasks = len(job.tasks)
        for task in job.tasks:
            dispatch(task, self.design.route(job, task.capability), self.now)

    def work_on_tasks(self) -> None:
        experts = set(map(id, self._experts()))
        for agent in self.workforce.agents:
            if agent.queue or id(agent) in experts:
                agent.work()

    def complete_task(self, task: Task, worker) -> None:
        job = task.job
        self.history.record(job, self.now, Event.TASK_DONE, worker,
                            worker.capability_name(task.capability))
        fronter = self.design.front(task, worker)
        owner = job.owner
        if owner is not None and owner is not worker:  # handing the result back to the owner
            worker.spend(friction(self, worker, owner).hours, Activity.COORDINATION)
        # Delivery uses what the deliverer has left this week, up to delivery_hours; it is
        # customer-facing time, costed like a visit.
        self.counts["visit_hours"] += fronter.spend(self.config.staffing.delivery_hours,
                                                    Activity.FRONTING)
        self.contacts.touch_one(job.account, fronter.person_id, self.now)
        self.history.record(job, self.now, Event.FRONTED, fronter)
        job.open_tasks -= 1
        if job.open_tasks == 0:
            self.resolve(job)

    def _move(self, job: CustomerJob, state: JobState) -> None:
        self.state_count[job.state] -= 1
        self.state_count[state] += 1
        job.state = state

    def resolve(self, job: CustomerJob) -> None:
        self._move(job, JobState.RESOLVED)
        job.closed_at = self.now
        a, book = job.account, self.book
        book.jobs_resolved[a] += 1
        book.resolved_stock[a] += 1.0
        account = self.accounts[a]
        account.gain_trust()
        if job.effort[ACCESS] > 0:
            book.access_won[a] = 1.0
        if job.job_type == self.config.therapy.capacity_job:
            book.infusion_solved[a] = 1.0
        if account.gated_by(job):
            account.solve_gate(job)
        self._remember_outcome(job, self.workforce.resolved_memory)
        self.counts["resolved"] += 1
        self.history.record(job, self.now, Event.RESOLVED)

    def abandon_overdue_jobs(self) -> None:
        while self._deadlines and self._deadlines[0][0] <= self.now + 1e-9:
            _, _, job = heapq.heappop(self._deadlines)
            if job.is_open:
                self.abandon(job)

    def abandon(self, job: CustomerJob) -> None:
        self._move(job, JobState.ABANDONED)
        job.closed_at = self.now
        a, book = job.account, self.book
        book.jobs_abandoned[a] += 1
        book.abandoned_stock[a] += 1.0
        self.accounts[a].lose_trust(self.config.market.trust_loss)
        self._remember_outcome(job, self.workforce.abandoned_memory)
        self.counts["abandoned"] += 1
        self.history.record(job, self.now, Event.ABANDONED)
        if job.gating and job.job_type in self.accounts[a].gates:
            week = self.now + self.config.market.reraise_weeks
            heapq.heappush(self._reraise, (week, job.job_id, job))

    def _remember_outcome(self, job: CustomerJob, memory: np.ndarray) -> None:
        for pid in job.touched:
            row = self.row_of_person.get(pid)
            if row is not None:
                memory[row] += 1.0

    # ========================================================================== adoption
    def update_adoption(self) -> None:
        book, t = self.book, self.config.therapy
        hazard = self.adoption.hazard(self.dmus, book.trust, book.exchange_hours,
                                      book.detailing_hours, book.resolved_stock, book.access_won)
        self.dmus.advance(hazard, t.maintenance_rate, self.dt)
        ready = self.adoption.consensus(self.dmus) & ~book.adopted & (book.open_gates == 0)
        for a in np.flatnonzero(ready):
            self.accounts[a].adopt(self.now)
        book.patients_treated = self.adoption.patients_treated(
            self.market.patients, book.adopted_week, book.infusion_solved, self.now)
        self.adopted_share_history[self.steps] = self.dmus.adopted_share_by_account()
        decay = math.exp(-self.dt / t.resolved_memory_weeks)
        book.resolved_stock *= decay
        book.abandoned_stock *= decay

    def account_potential(self, lag_weeks: float) -> np.ndarray:
        """Opportunity per account as seen from data ``lag_weeks`` old: patients not yet won.

        Plans are made at the start of a step, so the newest data is the last completed step.
        """
        latest = max(0, self.steps - 1)
        step = max(0, min(latest, int(np.floor((self.now - self.dt - lag_weeks) / self.dt
                                               + 1e-9))))
        return self.market.patients * (1.1 - self.adopted_share_history[step])

    # ============================================================================= trust
    def update_trust(self) -> None:
        m, book = self.config.market, self.book
        contacts = self.contacts.recent(self.now, m.contact_window_weeks)
        strain = m.contact_strain * np.maximum(0.0, contacts - m.comfortable_contacts)
        book.trust += self.dt * (m.trust_reversion * (self.market.trust0 - book.trust) - strain)
        np.clip(book.trust, 0.0, 1.0, out=book.trust)

    # ============================================================================ people
    def update_people(self) -> None:
        """Engagement, learning, attrition and hiring for every position at once."""
        s, wf, dt = self.config.staffing, self.workforce, self.dt
        n = wf.n
        present = wf.filled[:n] & wf.active[:n]
        decay = math.exp(-dt / s.memory_weeks)
        for col in (wf.resolved_memory, wf.abandoned_memory, wf.own_decisions,
                    wf.escalated_decisions):
            col[:n] *= decay
        impact = (wf.resolved_memory[:n] + 1) / (wf.resolved_memory[:n]
                                                 + wf.abandoned_memory[:n] + 2)
        autonomy = (wf.own_decisions[:n] + 1) / (wf.own_decisions[:n]
                                                 + wf.escalated_decisions[:n] + 2)
        for expert in self._experts():
            wf.shared_backlog[expert.row] = expert.platform.share_of_queue(expert)
        backlog = wf.backlog[:n] + wf.shared_backlog[:n]
        overload = np.clip(backlog / (s.hours_per_week * s.backlog_tolerance_weeks) - 1, 0, 1)
        wf.kpi[:n] = self.design.kpi()
        target = np.clip(s.engagement_base + s.weight_impact * (impact - 0.5)
                         + s.weight_autonomy * (autonomy - 0.5) + s.weight_kpi * (wf.kpi[:n] - 0.5)
                         - s.weight_overload * overload, 0.0, 1.0)
        e = wf.engagement[:n]
        e += np.where(present, s.engagement_rate * dt * (target - e), 0.0)
        np.clip(e, 0.0, 1.0, out=e)

        wf.experience[:n] += np.where(present, dt / 52.0, 0.0)
        used = wf.cap_hours[:n] / (s.hours_per_week * dt)
        skill = wf.skill[:n]
        skill += present[:, None] * dt * (s.learning_rate * used * (1 - skill)
                                          - s.forgetting_rate * (1 - np.minimum(used, 1))
                                          * (skill - STAFF_MEMORY_FLOOR))
        np.clip(skill, STAFF_MEMORY_FLOOR, 1.0, out=skill)

        hazard = s.attrition_annual / 52.0 * np.exp(s.attrition_sensitivity * (0.6 - e))
        wf.leave_hazard[:n] += np.where(present, hazard * dt, 0.0)
        for row in np.flatnonzero(present & (wf.leave_hazard[:n] >= wf.leave_threshold[:n])):
            self.leave(int(row))
        due = wf.active[:n] & ~wf.filled[:n] & (wf.vacant_until[:n] <= self.now + 1e-9)
        for row in np.flatnonzero(due):
            self.hire(int(row))

    def _platforms(self) -> list:
        """Every shared expert queue (one per design structure; the pilot's two share one)."""
        seen = {}
        for expert in self._experts():
            seen.setdefault(id(expert.platform), expert.platform)
        return list(seen.values())

    def _experts(self) -> list:
        """Positions serving a shared expert queue (cached until positions are added)."""
        if self._expert_cache[0] != self.workforce.n:
            self._expert_cache = (self.workforce.n, [
                a for a in self.workforce.agents if getattr(a, "platform", None) is not None])
        return self._expert_cache[1]

    def leave(self, row: int) -> None:
        m, wf = self.config.market, self.workforce
        pid = int(wf.person_id[row])
        for a in self.contacts.accounts_of(pid, self.now, m.contact_window_weeks):
            self.accounts[a].lose_trust(m.departure_trust_loss)
        self.row_of_person.pop(pid, None)
        wf.vacate(row, self.now + self.config.staffing.hiring_delay_weeks)
        self.counts["leavers"] += 1

    def hire(self, row: int) -> None:
        wf = self.workforce
        agent = wf.agents[row]
        person = self.people.hire(agent.function, agent.min_hire_experience())
        wf.fill(row, person, self.config.staffing.engagement_initial)
        self.row_of_person[person.person_id] = row
        self.counts["hires"] += 1

    def replace_staff(self, old, new) -> None:
        """Point open jobs at ``new`` where they pointed at ``old`` (a promoted position)."""
        for job in self.jobs:
            if job.is_open and job.owner is old:
                job.owner = new

    # ============================================================================= costs
    def this_step(self, counter: str) -> float:
        """How much ``counter`` grew during the current step."""
        return self.counts[counter] - self._counts_at_step_start[counter]

    def book_costs(self) -> None:
        s, wf, n = self.config.staffing, self.workforce, self.workforce.n
        present = wf.filled[:n] & wf.active[:n]
        c = {k: self.this_step(k) for k in ("visit_hours", "hires", "incident_cost",
                                            "transition_cost")}
        self.cost_step = (wf.salary[:n][present].sum() / 52.0 * self.dt
                          + c["visit_hours"] * s.visit_cost + c["hires"] * s.hiring_cost
                          + c["incident_cost"] + c["transition_cost"])
        self.cost_total += self.cost_step


def simulate(config: SimConfig | None = None, seed: int | None = None) -> RunResult:
    """Run one configuration with one seed to its horizon; a pure function of (config, seed)."""
    return OrgSimModel(config, seed).run()

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

:class:`OrgSimModel` owns the run's state and the schedule; each submodel is a module of
sim/engine/ that acts on the model, named after its section of docs/ODD.md. One step (default
one week) runs, for every design alike:

1. the design's transitions and, when due, its capacity plan (``design.on_step``, ``plan_if_due``);
2. jobs arrive from the pre-drawn market stream, abandoned trigger points are raised again
   (arrivals.py);
3. fixed overheads are taken by one law for every design (management admin, team coordination,
   account upkeep: interactions.py ``reserve_time``, from the design's teams), and converged
   roles' cross-training (hybrid_roles.py, 7.8c);
4. planned visits happen: calls, scientific exchange, access meetings, account time
   (visits.py, 7.1);
5. undiscovered jobs are discovered in proportion to needs-focused contact time
   (job_discovery.py, 7.2); their owner decides or escalates (escalation.py, 7.3);
6. managers work through their inboxes: escalated decisions and handoffs (escalation.py,
   routing.py); when it is staffed, the enabling platform works through its sign-offs and
   recruiting (platform_layers.py, 7.4a);
7. staff work their task queues; finished jobs are resolved (work.py, 7.5);
8. jobs whose patience ran out are abandoned (work.py, 7.5);
   what people learned of the customers' network points them to related jobs at linked
   accounts (ecosystem_iq.py, 7.2a; off by default);
9. stakeholders advance through the stages; accounts adopt; patients are treated (adoption.py, 7.6);
10. trust (trust.py, 7.7); pay for customer value, engagement, skills, attrition, moves between
    desk and field and hiring (pay.py, turnover.py, desk_moves.py, 7.8); costs are booked
    (costs.py, 7.9);
11. one row of the per-step series is recorded (results.py).

See docs/ODD.md for the full description, docs/ARCHITECTURE.md for where things live and
sim/designs/ for the designs.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import math

import numpy as np
from mesa import Model

from sim.configuration.capabilities import N_CAPABILITIES
from sim.configuration.design_registry import design_class
from sim.configuration.schema import SimConfig
from sim.configuration.validation import validate
from sim.engine.accounts import Account, AccountBook
from sim.engine.adoption import AdoptionModel, update_adoption
from sim.engine.arrivals import arrive_jobs
from sim.engine.channels import ChannelRule, channels_on
from sim.engine.contacts import ContactBook
from sim.engine.costs import book_costs
from sim.engine.desk_moves import DeskPool
from sim.engine.early_use import FirstUsers, early_use_on
from sim.engine.ecosystem_iq import EcosystemMap, update_ecosystem_iq
from sim.engine.escalation import review_inboxes
from sim.engine.hcp_access import HcpAccess, hcp_access_on
from sim.engine.hybrid_roles import cross_train
from sim.engine.interactions import reserve_time
from sim.engine.job_discovery import UndiscoveredJobs, discover_jobs
from sim.engine.jobs import CustomerJob, JobHistory, JobState
from sim.engine.market import build_market
from sim.engine.people import PeoplePool
from sim.engine.platform_layers import EnablingPlatform
from sim.engine.portfolio import Portfolio, with_portfolio_jobs
from sim.engine.results import Recorder, RunResult, build_result
from sim.engine.rng import RandomStreams
from sim.engine.stakeholders import DecisionMakingUnits
from sim.engine.trust import update_trust
from sim.engine.turnover import update_people
from sim.engine.visits import visit_accounts
from sim.engine.work import abandon_overdue_jobs, work_on_tasks
from sim.engine.workforce import Workforce

# Mesa 3.5 logs every step at INFO on its "MESA" logger, and Hydra's job logging shows INFO: a
# default run would print (and log to file) 156 lines per replication. Warnings still show.
logging.getLogger("MESA").setLevel(logging.WARNING)

COUNTERS = (
    "discovered", "resolved", "abandoned", "escalations", "decisions", "escalated_decisions",
    "decision_wait", "incidents", "leavers", "hires", "calls", "visit_hours",
    "expected_incidents", "incident_cost", "transition_cost", "variable_pay",
    "variable_pay_target", "to_desk", "to_field", "channel_cost", "hybrid_tasks",
    "training_hours", "medical_crossings", "crossing_incidents",
)


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
        self.portfolio = None  # further products (sim/engine/portfolio.py, ODD 7.6a)
        if config.therapy.portfolio.launch_weeks:
            self.portfolio = Portfolio(config, self.market, seed)
            self.market = dataclasses.replace(self.market, jobs=with_portfolio_jobs(
                config, self.market, self.portfolio, seed))
        self.book = AccountBook(self.market)
        self.dmus = DecisionMakingUnits(self.market)
        self.adoption = AdoptionModel(config.therapy, self.market)
        self.accounts = [Account(self, a) for a in range(self.market.n_accounts)]
        self.contacts = ContactBook(self.market.n_accounts)
        # channels and consistency (7.1a): None — the rule off — unless a setting switches it on
        self.channels = ChannelRule(self) if channels_on(config) else None
        # no-see and appointment-only HCPs (7.1b): None — off — unless some HCPs restrict
        self.hcp_access = HcpAccess(self) if hcp_access_on(config) else None
        # first users who treat before their account decides (7.6b): None unless switched on
        self.first_users = FirstUsers(self) if early_use_on(config) else None
        self.first_user_patient_weeks = 0.0  # patient-weeks treated at not-yet-adopted accounts
        self.adopted_share_history = np.zeros((self.n_steps + 1, self.market.n_accounts))

        # jobs (arrivals.py, job_discovery.py, work.py)
        self.history = JobHistory()
        self.jobs: list[CustomerJob] = []  # every job opened, in opening order
        self.undiscovered = UndiscoveredJobs()
        self.state_count = dict.fromkeys(JobState, 0)
        self.next_market_job = 0  # index of the next pre-drawn job to arrive
        self.raised = 0  # trigger points raised again so far
        self.reraise: list[tuple[float, int, CustomerJob]] = []  # heap of (week, seq, parent)
        self.deadlines: list[tuple[float, int, CustomerJob]] = []  # heap of open jobs

        # this step's visits (visits.py), read by discovery
        self.exposure = np.zeros((self.market.n_accounts, N_CAPABILITIES))
        self.visit_groups = None  # (rows, exposure, bounds) of the visits, grouped by account
        self.plan_slots = (None, None)  # (plan, its contact-book slots)

        # running totals (costs.py, results.py)
        self.counts = dict.fromkeys(COUNTERS, 0.0)
        self._counts_at_step_start = dict(self.counts)
        self.cost_total = 0.0
        self.cost_step = 0.0

        # the company's side
        self._managers = (-1, [])  # (workforce size, managers)
        self._expert_cache = (-1, [])  # (workforce size, experts with a shared queue)
        self._platform_cache = (None, [])  # (that list of experts, their shared queues)
        self.people = PeoplePool(self.streams.people, config.staffing)
        # the enabling platform behind the front line (7.4a); None (off) unless it has staff
        self.enabling = (EnablingPlatform(self) if config.staffing.platforms.active() else None)
        self.workforce = Workforce(config.staffing.hours_per_week, self.dt)
        self.overheads = None  # (structure version, rows and hours): interactions.reserve_time
        self.frictions = (-1, {})  # (structure version, {(sender, receiver): friction})
        self.design = design_class(config.org.design)(self, config.org)
        self.design.build()
        self.row_of_person = {int(p): r for r, p in enumerate(self.workforce.person_id[
            : self.workforce.n]) if p >= 0}
        self.desk = DeskPool(self)  # people in desk jobs (empty unless staffing.desk_moves)
        self.ecosystem = EcosystemMap(self)  # who knows the network (idle unless on, 7.2a)

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
        for platform in self.platforms():
            platform.take_snapshot()
        self.design.on_step()
        self.design.plan_if_due()
        arrive_jobs(self)
        reserve_time(self)
        cross_train(self)  # converged roles' training (nothing unless org.role_convergence)
        visit_accounts(self)
        discover_jobs(self)
        review_inboxes(self)
        if self.enabling is not None:
            self.enabling.serve()  # sign-offs done now let their jobs' work start this week
        work_on_tasks(self)
        abandon_overdue_jobs(self)
        update_ecosystem_iq(self)
        update_adoption(self)
        update_trust(self)
        update_people(self)
        book_costs(self)
        if self.enabling is not None:
            self.enabling.book()
            self.enabling.measure_service_platform()
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

    # ================================================================ the state, kept in step
    def move(self, job: CustomerJob, state: JobState) -> None:
        """Put ``job`` in ``state``, keeping the count of jobs per state."""
        self.state_count[job.state] -= 1
        self.state_count[state] += 1
        job.state = state

    def replace_staff(self, old, new) -> None:
        """Point open jobs at ``new`` where they pointed at ``old`` (a promoted position)."""
        for job in self.jobs:
            if job.is_open and job.owner is old:
                job.owner = new

    # ============================================================== questions about the state
    def this_step(self, counter: str) -> float:
        """How much ``counter`` grew during the current step."""
        return self.counts[counter] - self._counts_at_step_start[counter]

    def account_potential(self, lag_weeks: float) -> np.ndarray:
        """Opportunity per account as seen from data ``lag_weeks`` old: patients not yet won.

        Plans are made at the start of a step, so the newest data is the last completed step.
        """
        latest = max(0, self.steps - 1)
        step = max(0, min(latest, int(np.floor((self.now - self.dt - lag_weeks) / self.dt
                                               + 1e-9))))
        return self.market.patients * (1.1 - self.adopted_share_history[step])

    def managers(self) -> list:
        """Positions with an inbox (cached until positions are added)."""
        if self._managers[0] != self.workforce.n:
            self._managers = (self.workforce.n, [a for a in self.workforce.agents
                                                 if getattr(a, "inbox", None) is not None])
        return self._managers[1]

    def experts(self) -> list:
        """Positions serving a shared expert queue (cached until positions are added)."""
        if self._expert_cache[0] != self.workforce.n:
            self._expert_cache = (self.workforce.n, [
                a for a in self.workforce.agents if getattr(a, "platform", None) is not None])
        return self._expert_cache[1]

    def platforms(self) -> list:
        """Every shared expert queue (one per design structure; the pilot's two share one),
        cached with the experts they are found from (a platform is formed with its experts)."""
        experts = self.experts()
        if self._platform_cache[0] is not experts:
            seen = []  # by identity, in order of first appearance (no ``id()``: see work.py)
            for expert in experts:
                platform = expert.platform
                if not any(p is platform for p in seen):
                    seen.append(platform)
            self._platform_cache = (experts, seen)
        return self._platform_cache[1]


def simulate(config: SimConfig | None = None, seed: int | None = None) -> RunResult:
    """Run one configuration with one seed to its horizon; a pure function of (config, seed)."""
    return OrgSimModel(config, seed).run()

"""Work and resolution: a decided job's tasks are worked, delivered and the job closed (ODD 7.5).

After the decision a job becomes one :class:`~sim.engine.jobs.Task` per capability it needs, and
the design routes each (sim/engine/routing.py) — unless converged roles let the job's owner do a
task outside their home capability themselves (sim/engine/hybrid_roles.py, one rule for every
design). Every position then works its queue first come,
first served at its pace (sim/engine/staff.py). A finished task's result is handed back to the
job's owner (the shared friction of sim/engine/interactions.py) and *delivered* to the customer by
whoever the design says fronts it — delivery is customer-facing time, costed like a visit, and
makes the deliverer one of the account's contacts.

A job ends in one of two ways:

* **resolved** when its last task is delivered: the account's trust rises [A0], its resolved
  stock (which raises the adoption hazard) grows, access work wins access, the capacity job frees
  infusion capacity, and a trigger point is cleared [A1];
* **abandoned** when its patience runs out first: trust falls (``market.trust_loss``), and a
  trigger point is raised again after ``market.reraise_weeks`` (sim/engine/arrivals.py).

Everybody who touched the job remembers how it ended; that memory of impact feeds their engagement
(sim/engine/turnover.py).
"""

from __future__ import annotations

import heapq

from sim.configuration.capabilities import ACCESS
from sim.engine.hybrid_roles import own_worker
from sim.engine.interactions import friction
from sim.engine.jobs import CustomerJob, Event, JobState, Task
from sim.engine.routing import Route, dispatch
from sim.engine.workforce import Activity


def start_work(model, job: CustomerJob) -> None:
    """Split the job into one task per capability and route each."""
    model.move(job, JobState.IN_PROGRESS)
    for c in job.capabilities:
        task = Task(job, c, job.effort.item(c))  # a Python float, like ``float(effort[c])``
        job.tasks.append(task)
    job.open_tasks = len(job.tasks)
    converged = model.design.converges_roles()
    for task in job.tasks:
        worker = own_worker(model, job, task.capability) if converged else None
        route = Route(pool=(worker,)) if worker is not None else model.design.route(
            job, task.capability)
        dispatch(task, route, model.now)


def work_on_tasks(model) -> None:
    """Every position with a queue (and every expert of a shared queue) works, in position order."""
    # Agents hash by identity; a set of them (not of their ``id()``s) also avoids the audit
    # hook some libraries install on ``id`` (a Python call per use).
    experts = set(model.experts())
    for agent in model.workforce.agents:
        if agent.queue or agent in experts:
            agent.work()


def complete_task(model, task: Task, worker) -> None:
    """``worker`` finished ``task``: hand the result back, deliver it, resolve the job if last."""
    job, wf = task.job, model.workforce  # hours spent on the workforce directly: a hot path
    model.history.record(job, model.now, Event.TASK_DONE, worker,
                         worker.capability_name(task.capability))
    fronter = model.design.front(task, worker)
    owner = job.owner
    if owner is not None and owner is not worker:  # handing the result back to the owner
        wf.spend(worker.row, friction(model, worker, owner).hours, Activity.COORDINATION)
    # Delivery uses what the deliverer has left this week, up to delivery_hours; it is
    # customer-facing time, costed like a visit.
    model.counts["visit_hours"] += wf.spend(fronter.row, model.config.staffing.delivery_hours,
                                            Activity.FRONTING)
    model.contacts.touch_one(job.account, fronter.person_id, model.now)
    model.history.record(job, model.now, Event.FRONTED, fronter)
    job.open_tasks -= 1
    if job.open_tasks == 0:
        resolve(model, job)


def resolve(model, job: CustomerJob) -> None:
    """The job is solved: trust, resolved stock, access, capacity and trigger points follow."""
    model.move(job, JobState.RESOLVED)
    job.closed_at = model.now
    a, book = job.account, model.book
    book.jobs_resolved[a] += 1
    book.resolved_stock[a] += 1.0
    account = model.accounts[a]
    account.gain_trust()
    if job.effort[ACCESS] > 0:
        book.access_won[a] = 1.0
    if job.job_type == model.config.therapy.capacity_job:
        book.infusion_solved[a] = 1.0
    if job.product:  # a further product's trigger point (sim/engine/portfolio.py)
        model.portfolio.solve_gate(job)
    elif account.gated_by(job):
        account.solve_gate(job)
    if model.portfolio is not None:
        model.portfolio.jobs_resolved[job.product] += 1
    _remember_outcome(model, job, model.workforce.resolved_memory_view)
    model.counts["resolved"] += 1
    model.history.record(job, model.now, Event.RESOLVED)


def abandon_overdue_jobs(model) -> None:
    """Abandon every open job whose deadline (arrival + patience) has passed."""
    while model.deadlines and model.deadlines[0][0] <= model.now + 1e-9:
        _, _, job = heapq.heappop(model.deadlines)
        if job.is_open:
            abandon(model, job)


def abandon(model, job: CustomerJob) -> None:
    """The customer gave up on ``job``: trust falls; a trigger point will be raised again."""
    model.move(job, JobState.ABANDONED)
    job.closed_at = model.now
    a, book = job.account, model.book
    book.jobs_abandoned[a] += 1
    book.abandoned_stock[a] += 1.0
    model.accounts[a].lose_trust(model.config.market.trust_loss)
    _remember_outcome(model, job, model.workforce.abandoned_memory_view)
    model.counts["abandoned"] += 1
    model.history.record(job, model.now, Event.ABANDONED)
    if (model.portfolio.gates_open(job) if job.product
            else job.gating and job.job_type in model.accounts[a].gates):
        week = model.now + model.config.market.reraise_weeks
        heapq.heappush(model.reraise, (week, job.job_id, job))


def _remember_outcome(model, job: CustomerJob, memory: memoryview) -> None:
    """Everyone still in the company who touched ``job`` remembers it ended this way
    (``memory``: a workforce column's cell view, see workforce.py)."""
    for pid in job.touched:
        row = model.row_of_person.get(pid)
        if row is not None:
            memory[row] += 1.0

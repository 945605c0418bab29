"""Arrivals: customer jobs entering the run, and trigger points raised again (ODD 3, step 2; 7.5).

The market's jobs are pre-drawn (sim/engine/market.py: arrival week, account, type, effort per
capability, patience, decision size, discovery threshold), so for one seed the same jobs arrive
under every design. Each step opens those whose arrival week has come. A job starts
*undiscovered*: nobody at the company knows of it until discovery (sim/engine/job_discovery.py)
finds it, and its patience runs from its arrival.

A *trigger point* (a gating job: the account will not adopt until it is solved [A1]) that was
abandoned does not go away: the customer raises the same need again ``market.reraise_weeks``
later (:func:`sim.engine.work.abandon` schedules it). The new job keeps the need — type, effort,
patience, decision — with fresh discovery draws that depend only on the seed, the original job and
how many times it was raised (:func:`sim.engine.rng.reraise_stream`), never on the design.
"""

from __future__ import annotations

import heapq

from sim.engine.jobs import CustomerJob, Event, JobState
from sim.engine.rng import reraise_stream


def arrive_jobs(model) -> None:
    """Open every market job and every raised-again trigger point due by the end of this step."""
    stream = model.market.jobs
    c = stream.as_lists()  # the same values as the numpy cells, as Python ints, floats, bools
    arrival, product = c["arrival"], c["product"]
    while model.next_market_job < len(arrival) and arrival[model.next_market_job] <= model.now:
        i = model.next_market_job
        model.next_market_job += 1
        open_job(model, CustomerJob(
            job_id=i, account=c["account"][i],
            job_type=stream.type_names[c["job_type"][i]], effort=stream.effort[i],
            patience=c["patience"][i], decision=c["decision"][i],
            gating=c["gating"][i], arrival=arrival[i],
            threshold=c["discovery_threshold"][i], pick=c["pick"][i],
            capabilities=stream.capabilities(i),
            product=0 if product is None else product[i]))
    while model.reraise and model.reraise[0][0] <= model.now:
        week, _, parent = heapq.heappop(model.reraise)
        open_job(model, raise_again(model, parent, week))


def raise_again(model, parent: CustomerJob, week: float) -> CustomerJob:
    """The same trigger-point need, raised again; its draws depend only on seed and job."""
    gen = parent.generation + 1
    origin = parent.job_id if parent.parent < 0 else parent.parent
    rng = reraise_stream(model.seed, origin, gen)
    model.raised += 1
    job = CustomerJob(
        job_id=len(model.market.jobs) + model.raised - 1, account=parent.account,
        job_type=parent.job_type, effort=parent.effort, patience=parent.patience,
        decision=parent.decision, gating=True, arrival=week,
        threshold=float(rng.exponential()), pick=float(rng.random()), generation=gen,
        parent=origin, capabilities=parent.capabilities, product=parent.product)
    model.history.record(job, week, Event.RERAISED, detail=f"again after job {parent.job_id}")
    return job


def open_job(model, job: CustomerJob) -> None:
    """Enter ``job`` into the run: undiscovered, with its deadline at arrival + patience."""
    model.jobs.append(job)
    model.state_count[JobState.UNDISCOVERED] += 1
    model.undiscovered.append(job)
    model.book.jobs_arrived[job.account] += 1
    heapq.heappush(model.deadlines, (job.deadline, job.job_id, job))
    model.history.record(job, job.arrival, Event.ARRIVED)

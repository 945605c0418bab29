"""Step-level tests of the engine's submodels, one section each: discovery, routing, escalation,
abandonment, the adoption hazard, work and resolution, the undiscovered jobs, trust, people,
costs and the random streams. They use a tiny market with no pre-drawn jobs, then place hand-made
jobs."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from settings import tiny

from sim import OrgSimModel, SimConfig
from sim.configuration.capabilities import INDEX, N_CAPABILITIES
from sim.configuration.schema import RELATIONSHIPS
from sim.designs.micro_enterprise import MicroEnterpriseDesign
from sim.engine.arrivals import open_job
from sim.engine.costs import book_costs, pay_transition
from sim.engine.interactions import relationship
from sim.engine.job_discovery import UndiscoveredJobs, discover, discovery_hazard
from sim.engine.jobs import CustomerJob, JobState
from sim.engine.rng import reraise_stream
from sim.engine.staff import Manager, MedicalLiaison, PlatformExpert, PrimaryContact, SalesRep
from sim.engine.trust import lose_departed_contact, update_trust
from sim.engine.turnover import leave, update_people
from sim.engine.work import abandon_overdue_jobs, complete_task, resolve


def quiet(design: str, **settings):
    """A tiny market whose only jobs are the ones a test adds; no request is ever lost. Settings
    of the shared rules (``staffing.behaviour``, ``staffing.interaction``) go there, the rest to
    the design."""
    rules = {}
    for group in ("behaviour", "interaction"):
        names = {f.name for f in fields(getattr(SimConfig().staffing, group))}
        rules[group] = {k: settings.pop(k) for k in list(settings) if k in names}
    cfg = tiny(design, **settings)
    for group, values in rules.items():
        for k, v in values.items():
            setattr(getattr(cfg.staffing, group), k, v)
    for r in RELATIONSHIPS:
        cfg.staffing.interaction.relationship(r).loss = 0.0
    cfg.market.job_rate = 0.0
    cfg.therapy.gates = {}
    cfg.run.horizon_weeks = 104
    return cfg


def add_job(model, effort: dict, account=0, decision=0.0, patience=100.0, threshold=1e9,
            gating=False, job_type="education_gap") -> CustomerJob:
    vector = np.zeros(N_CAPABILITIES)
    for cap, hours in effort.items():
        vector[INDEX[cap]] = hours
    job = CustomerJob(job_id=100_000 + len(model.jobs), account=account, job_type=job_type,
                      effort=vector, patience=patience, decision=decision, gating=gating,
                      arrival=model.now, threshold=threshold, pick=0.0)
    open_job(model, job)
    return job


def staff(model, cls):
    return [a for a in model.workforce.agents if type(a) is cls]


def run_until(model, condition, limit=60):
    for _ in range(limit):
        if condition():
            return
        model.step()
    raise AssertionError("condition never reached")


# ---------------------------------------------------------------------------------- discovery
def test_discovery_hazard_formula():
    exposure = np.array([[2.0, 0.0, 4.0, 0, 0], [2.0, 0.0, 4.0, 0, 0]])
    needs = np.array([[True, False, False, False, False], [True, False, True, False, False]])
    trust = np.array([0.5, 1.0])
    hazard, contact = discovery_hazard(exposure, needs, trust, rate=0.1, self_report=0.02)
    assert contact[0] == pytest.approx(0.1 * 1.0 * 2.0)  # only the capability it needs counts
    assert contact[1] == pytest.approx(0.1 * 2.0 * 3.0)  # mean over needs, trust doubles it
    np.testing.assert_allclose(hazard - contact, 0.02)
    none, _ = discovery_hazard(np.zeros((1, 5)), needs[:1], trust[:1], 0.1, 0.0)
    assert none[0] == 0.0


def test_without_contact_only_self_reports_discover_and_on_schedule():
    cfg = quiet("traditional", visit_share_base=0.0, visit_share_gain=0.0,
                msl_exchange_share=0.0, access_meeting_share=0.0)
    cfg.market.self_report_rate = 0.5
    model = OrgSimModel(cfg, seed=1)
    job = add_job(model, {"medical": 4}, threshold=1.0)  # crosses 1.0 after two weeks at 0.5
    model.step()
    assert job.state == JobState.UNDISCOVERED
    model.step()
    assert job.state != JobState.UNDISCOVERED and job.discovered_at == 2.0
    assert job.owner is model.design.default_contact(0)


def test_more_contact_discovers_sooner():
    weeks = {}
    for share in (0.1, 0.6):
        cfg = quiet("traditional", visit_share_base=share, visit_share_gain=0.0)
        cfg.market.self_report_rate = 0.0
        model = OrgSimModel(cfg, seed=1)
        largest = int(np.argmax(model.market.patients))  # where the plan puts most calls
        job = add_job(model, {"commercial": 2}, account=largest, threshold=3.0)
        run_until(model, lambda j=job: j.state != JobState.UNDISCOVERED)
        weeks[share] = job.discovered_at
    assert weeks[0.6] < weeks[0.1]


def test_visitors_recognise_problems_they_understand_sooner():
    cfg = quiet("traditional", msl_exchange_share=0.0, access_meeting_share=0.0)
    cfg.market.self_report_rate = 0.0
    model = OrgSimModel(cfg, seed=1)  # only product reps visit
    commercial = add_job(model, {"commercial": 2}, threshold=2.0)
    operations = add_job(model, {"operations": 2}, threshold=2.0)
    run_until(model, lambda: commercial.state != JobState.UNDISCOVERED)
    assert operations.state == JobState.UNDISCOVERED
    assert isinstance(commercial.owner, SalesRep)


# ------------------------------------------------------------------------------------ routing
def test_traditional_routes_own_silo_directly_and_others_through_managers():
    model = OrgSimModel(quiet("traditional"), seed=1)
    rep = staff(model, SalesRep)[0]
    job = add_job(model, {"commercial": 2, "medical": 2, "operations": 2})
    job.owner = rep
    d = model.design
    own = d.route(job, INDEX["commercial"])
    assert own.path == () and own.pool == (rep,)
    medical = d.route(job, INDEX["medical"])
    msl_flm = staff(model, MedicalLiaison)[0].manager
    assert medical.path == (rep.manager, msl_flm)
    assert all(isinstance(s, MedicalLiaison) for s in medical.pool)
    ops = d.route(job, INDEX["operations"])
    assert ops.path[0] is rep.manager and d.hierarchy.top in ops.path
    assert ops.pool == () and ops.platform is d.platform  # head office's shared queue
    assert all(isinstance(s, PlatformExpert) and s.function == "operations"
               for s in d.platform.experts_for(INDEX["operations"]))
    # what each hop costs is the shared table's, by relationship: never the design's
    assert relationship(rep, rep.manager) == "hierarchy_level"
    assert relationship(rep.manager, msl_flm) == "other_function"
    assert relationship(msl_flm, medical.pool[0]) == "hierarchy_level"


def test_micro_enterprise_pulls_teammates_and_platform_directly():
    model = OrgSimModel(quiet("micro_enterprise"), seed=1)
    d: MicroEnterpriseDesign = model.design
    contact = d.primary_contact[0]
    assert isinstance(contact, PrimaryContact)
    job = add_job(model, {"medical": 2, "operations": 2, "access": 2})
    job.owner = contact
    medical = d.route(job, INDEX["medical"])
    assert medical.path == () and medical.pool
    assert all(s.function == "medical" for s in medical.pool)  # the regulatory firewall
    ops = d.route(job, INDEX["operations"])
    assert ops.platform is d.platform and ops.path == ()  # straight into the platform queue
    contact.team.reverted = True  # old habits: ask the boss
    assert d.route(job, INDEX["access"]).path == (contact.team.owner,)


def test_medical_firewall_off_lets_skilled_teammates_do_medical_work():
    model = OrgSimModel(quiet("micro_enterprise", medical_firewall=False,
                              min_skill_to_work=0.0), seed=1)
    d = model.design
    job = add_job(model, {"medical": 2})
    job.owner = d.primary_contact[0]
    assert any(s.function != "medical" for s in d.route(job, INDEX["medical"]).pool)


def test_matrix_account_team_pulls_directly_at_the_same_team_friction():
    model = OrgSimModel(quiet("matrix"), seed=1)
    d = model.design
    team = d.account_teams[0]
    job = add_job(model, {"medical": 2})
    job.owner = team.lead
    route = d.route(job, INDEX["medical"])
    assert route.path == ()
    assert route.pool == tuple(m for m in team.members if m.function == "medical")
    assert all(relationship(team.lead, m) == "same_team" for m in route.pool)


def test_handoff_waits_at_each_hop_then_work_starts():
    cfg = quiet("traditional", frontline_authority=100.0)
    model = OrgSimModel(cfg, seed=1)
    rep = staff(model, SalesRep)[0]
    job = add_job(model, {"medical": 1})
    discover(model, job, rep)  # week 0; the medical task is handed off through two managers
    task = job.tasks[0]
    assert task.worker is None
    model.step()  # week 1: the rep's manager (one level up: 1 week) passes it on
    assert job.handoffs == 1 and task.worker is None
    model.step()  # week 2: the MSLs' manager (another function: 1 week) assigns it
    assert isinstance(task.worker, MedicalLiaison)
    assert task.ready_at == 3.0  # the MSL is one level down from their manager: 1 more week
    run_until(model, lambda: job.state == JobState.RESOLVED)
    assert job.closed_at >= 3.0


# --------------------------------------------------------------------------------- escalation
@pytest.mark.parametrize("decision, levels, wait", [(0.5, 0, 0.0), (5.0, 1, 1.0),
                                                     (30.0, 2, 2.0)])
def test_traditional_escalation_climbs_until_authority(decision, levels, wait):
    model = OrgSimModel(quiet("traditional"), seed=1)  # authority 1 / 10 / top; 1 w a level
    rep = staff(model, SalesRep)[0]
    job = add_job(model, {"commercial": 1}, decision=decision)
    discover(model, job, rep)
    run_until(model, lambda: not np.isnan(job.decided_at))
    assert job.escalation_levels == levels
    assert job.decided_by_level == levels
    assert job.decision_wait == pytest.approx(wait)


def test_escalations_queue_at_a_busy_manager_first_come_first_served():
    model = OrgSimModel(quiet("traditional"), seed=1)
    rep = staff(model, SalesRep)[0]
    jobs = [add_job(model, {"commercial": 0.1}, decision=5.0) for _ in range(60)]
    for job in jobs:
        discover(model, job, rep)
    run_until(model, lambda: all(not np.isnan(j.decided_at) for j in jobs))
    waits = [j.decision_wait for j in jobs]
    rules = model.config.staffing.interaction
    per_week = int(rules.manager_inbox_share * 40
                   / (rules.decision_hours + rules.hierarchy_level.hours))
    assert waits == sorted(waits)  # first come, first served
    assert waits[0] == 1.0 and waits[-1] >= 60 / per_week  # the queue, not the rule, sets wait


def test_micro_enterprise_decides_in_team_up_to_its_authority():
    model = OrgSimModel(quiet("micro_enterprise"), seed=1)
    contact = model.design.primary_contact[0]
    small = add_job(model, {"commercial": 1}, decision=30.0)
    large = add_job(model, {"commercial": 1}, decision=80.0)
    discover(model, small, contact)
    discover(model, large, contact)
    assert small.decided_at == 0.0 and small.decided_by_level == 0
    run_until(model, lambda: not np.isnan(large.decided_at))
    assert large.decision_wait == pytest.approx(1.0) and large.decided_by_level == 1


def test_matrix_dual_approval_needs_both_lines_for_cross_functional_decisions():
    model = OrgSimModel(quiet("matrix"), seed=1)
    lead = model.design.account_teams[0].lead
    cross = add_job(model, {"commercial": 1, "medical": 1}, decision=8.0)
    single = add_job(model, {"commercial": 1}, decision=8.0)
    for job in (cross, single):
        discover(model, job, lead)
    run_until(model, lambda: not np.isnan(cross.decided_at) and not np.isnan(single.decided_at))
    assert single.decided_by_level == 1 and single.decision_wait == pytest.approx(1.0)
    assert cross.decided_by_level == 2 and cross.decision_wait == pytest.approx(2.0)


# ------------------------------------------------------------------------------- abandonment
def test_undiscovered_job_is_abandoned_when_patience_runs_out_and_trust_falls():
    cfg = quiet("traditional", visit_share_base=0.0, visit_share_gain=0.0,
                msl_exchange_share=0.0, access_meeting_share=0.0)
    cfg.market.self_report_rate = 0.0
    cfg.market.trust_reversion = 0.0
    model = OrgSimModel(cfg, seed=1)
    job = add_job(model, {"medical": 2}, patience=3.0)
    trust_before = model.book.trust[0]
    model.step()
    model.step()
    assert job.state == JobState.UNDISCOVERED
    model.step()
    assert job.state == JobState.ABANDONED and job.closed_at == 3.0
    loss = cfg.market.trust_loss
    assert model.book.trust[0] == pytest.approx(trust_before * (1 - loss), rel=1e-3)


def test_abandoned_trigger_point_is_raised_again_and_still_gates():
    cfg = quiet("traditional", visit_share_base=0.0, visit_share_gain=0.0,
                msl_exchange_share=0.0, access_meeting_share=0.0)
    cfg.market.self_report_rate = 0.0
    model = OrgSimModel(cfg, seed=1)
    model.accounts[0].gates = {"formulary_evidence"}
    model.book.open_gates[0] = 1
    job = add_job(model, {"medical": 2}, patience=2.0, gating=True,
                  job_type="formulary_evidence")
    run_until(model, lambda: job.state == JobState.ABANDONED)
    reraise = cfg.market.reraise_weeks
    run_until(model, lambda: len(model.jobs) == 2, limit=int(reraise) + 2)
    again = model.jobs[-1]
    assert again.generation == 1 and again.parent == job.job_id and again.gating
    assert again.arrival == pytest.approx(job.closed_at + reraise)
    assert model.book.open_gates[0] == 1


def test_abandoned_job_leaves_worker_queues():
    cfg = quiet("traditional", frontline_authority=100.0)
    model = OrgSimModel(cfg, seed=1)
    rep = staff(model, SalesRep)[0]
    job = add_job(model, {"commercial": 5000}, patience=2.0)  # far more work than two weeks
    discover(model, job, rep)
    assert job.tasks[0] in rep.queue
    run_until(model, lambda: job.state == JobState.ABANDONED)
    model.step()
    assert job.tasks[0] not in rep.queue


# ------------------------------------------------------------------------- adoption hazard
def _dmu_model(**therapy):
    cfg = quiet("traditional")
    for k, v in therapy.items():
        setattr(cfg.therapy, k, v)
    return OrgSimModel(cfg, seed=1)


def _hazard(model, trust=None, exchange=0.0, detailing=0.0, resolved=0.0, access=0.0):
    n = model.market.n_accounts
    return model.adoption.hazard(
        model.dmus, np.full(n, 0.5) if trust is None else trust, np.full(n, exchange),
        np.full(n, detailing), np.full(n, resolved), np.full(n, access))


def test_hazard_reduces_to_bass_with_organisation_off():
    model = _dmu_model(exchange_effect=0.0, detailing_effect=0.0, job_effect=0.0,
                       access_effect=0.0, trust_elasticity=0.0, over_detailing_penalty=0.0,
                       within_account=0.0, linked_accounts=0.0, global_mixing=1.0)
    model.dmus.stage[: len(model.dmus) // 3] = 3
    F = model.dmus.adopted().mean()
    t = model.config.therapy
    hazard = _hazard(model, trust=np.full(4, 0.9), exchange=5, detailing=5, resolved=3, access=1)
    np.testing.assert_allclose(hazard, t.innovation + t.imitation * F)


def test_external_channels_raise_hazard_and_over_detailing_lowers_it():
    model = _dmu_model()
    hcps = model.market.hcps
    tol = model.config.therapy.detailing_tolerance
    base = _hazard(model)
    clinical = model.adoption.clinical
    assert np.all(_hazard(model, exchange=hcps.min()) > base)
    assert np.all(_hazard(model, resolved=2.0) > base)
    some = _hazard(model, detailing=0.5 * tol * hcps.min())
    assert np.all(some[clinical] > base[clinical]) and np.all(some[~clinical] <= base[~clinical])
    heavy = _hazard(model, detailing=6 * tol * hcps.max())
    assert np.all(heavy < some)  # receptivity falls beyond what HCPs tolerate
    won = _hazard(model, access=1.0)
    assert np.all(won[~clinical] > base[~clinical]) and np.allclose(won[clinical],
                                                                     base[clinical])


def test_hazard_scales_with_trust_and_peers():
    model = _dmu_model(imitation=0.0)
    low, high = _hazard(model, trust=np.full(4, 0.25)), _hazard(model, trust=np.full(4, 0.5))
    np.testing.assert_allclose(high, 2 * low)  # trust elasticity 1
    model = _dmu_model(innovation=0.0)
    assert np.all(_hazard(model) == 0)
    model.dmus.stage[model.dmus.account == 0] = 3
    peers = _hazard(model)
    assert np.all(peers[model.dmus.account == 1] > 0)  # linked / market peers count too


def test_stakeholders_advance_one_stage_per_step_at_their_threshold():
    model = _dmu_model()
    dmus = model.dmus
    dmus.stage[:] = 0
    dmus.thresholds = np.full_like(dmus.thresholds, 0.5)
    dmus.cumulative_hazard[:] = 0
    rate = np.full(len(dmus), 0.25)
    assert not dmus.advance(rate, 0.0, 1.0).any()
    assert dmus.advance(rate, 0.0, 1.0).all() and np.all(dmus.stage == 1)
    dmus.advance(np.full(len(dmus), 100.0), 0.0, 1.0)  # a huge hazard still moves one stage
    assert np.all(dmus.stage == 2)


def test_account_adopts_on_consensus_only_once_trigger_points_are_solved():
    model = _dmu_model()
    model.dmus.stage[model.dmus.account == 0] = 3
    model.accounts[0].gates = {"formulary_evidence"}
    model.book.open_gates[0] = 1
    model.step()
    assert not model.accounts[0].adopted
    job = add_job(model, {"medical": 1}, gating=True, job_type="formulary_evidence")
    resolve(model, job)
    model.step()
    assert model.accounts[0].adopted and model.book.adopted_week[0] == model.now


def test_patients_ramp_up_within_infusion_capacity():
    model = _dmu_model(ramp_weeks=10.0, peak_share=0.5, infusion_capacity_ratio=0.4,
                       sc_capacity_gain=1.0)
    patients = np.array([100.0, 100.0])
    adopted = np.array([0.0, np.nan])
    treated = model.adoption.patients_treated(patients, adopted, np.zeros(2), week=5.0)
    assert treated[0] == pytest.approx(min(100 * 0.5 * 0.5, 100 * 0.5 * 0.4)) and treated[1] == 0
    capped = model.adoption.patients_treated(patients, adopted, np.zeros(2), week=50.0)
    freed = model.adoption.patients_treated(patients, adopted, np.ones(2), week=50.0)
    assert capped[0] == pytest.approx(20.0) and freed[0] == pytest.approx(40.0)


def test_managers_only_spend_inbox_share_on_requests():
    model = OrgSimModel(quiet("traditional"), seed=1)
    managers = [a for a in model.workforce.agents if isinstance(a, Manager)]
    model.step()
    wf = model.workforce
    for m in managers:
        assert wf.step_activity[m.row, :].sum() <= wf.capacity_step[m.row] + 1e-9


def test_platform_experts_serve_one_shared_queue_first_come_first_served():
    model = OrgSimModel(quiet("micro_enterprise", min_skill_to_work=1.0), seed=1)
    platform = model.design.platform
    expert = platform.experts_for(INDEX["operations"])[0]
    jobs = [add_job(model, {"operations": 30.0}) for _ in range(3)]
    for job in jobs:
        discover(model, job, model.design.primary_contact[0])
    queued = [t for t in platform.queue[INDEX["operations"]]]
    assert [t.job for t in queued] == jobs  # no teammate may do operations work: all queued
    assert platform.expected_finish(jobs[0].tasks[0]) > 60  # two 30-hour requests are ahead
    model.step()
    assert jobs[0].tasks[0].worker is expert and jobs[1].tasks[0].worker is None
    run_until(model, lambda: all(j.state == JobState.RESOLVED for j in jobs))
    assert jobs[0].closed_at <= jobs[1].closed_at <= jobs[2].closed_at


# ------------------------------------------------------------------- work and resolution (7.5)
def test_a_job_resolves_only_when_its_last_task_is_delivered():
    model = OrgSimModel(quiet("traditional", frontline_authority=100.0), seed=1)
    rep = staff(model, SalesRep)[0]
    job = add_job(model, {"commercial": 1, "medical": 1}, decision=0.0)
    discover(model, job, rep)
    first, second = job.tasks
    model.workforce.new_step()  # this week's hours, to deliver with
    visit_hours = model.counts["visit_hours"]
    complete_task(model, first, rep)
    assert job.state == JobState.IN_PROGRESS and job.open_tasks == 1
    assert model.counts["visit_hours"] > visit_hours  # delivery is customer-facing time
    complete_task(model, second, rep)
    assert job.state == JobState.RESOLVED and model.counts["resolved"] == 1


def test_resolving_a_job_raises_trust_wins_access_and_is_remembered_by_who_touched_it():
    model = OrgSimModel(quiet("traditional"), seed=1)
    rep = staff(model, SalesRep)[0]
    job = add_job(model, {"access": 1})
    job.touched.add(rep.person_id)
    trust = model.book.trust[0]
    resolve(model, job)
    gain = model.config.market.trust_gain
    assert model.book.trust[0] == pytest.approx(trust + gain * (1 - trust))
    assert model.book.access_won[0] == 1.0 and model.book.resolved_stock[0] == 1.0
    assert model.workforce.resolved_memory[rep.row] == 1.0
    assert model.state_count[JobState.RESOLVED] == 1
    assert model.state_count[JobState.UNDISCOVERED] == 0


def test_only_jobs_past_their_deadline_are_abandoned():
    model = OrgSimModel(quiet("traditional"), seed=1)
    late, waiting = add_job(model, {"medical": 1}, patience=2.0), add_job(model, {"medical": 1})
    model.now = 1.0
    abandon_overdue_jobs(model)
    assert late.is_open
    model.now = 2.0
    abandon_overdue_jobs(model)
    assert late.state == JobState.ABANDONED and waiting.state == JobState.UNDISCOVERED


# ------------------------------------------------------------------------ undiscovered jobs
def test_undiscovered_jobs_keep_their_columns_in_step_with_the_jobs():
    model = OrgSimModel(quiet("traditional"), seed=1)
    und = UndiscoveredJobs()
    jobs = [add_job(model, {"medical": 1}, account=a, threshold=float(a)) for a in (0, 1, 2)]
    for job in jobs:
        und.append(job)
    assert len(und) == 3 and len(und.account) == 0  # rows are added once a step
    und.extend()
    und.accumulated[:] = [0.1, 0.2, 0.3]
    und.keep(np.array([True, False, True]))
    assert und.jobs == [jobs[0], jobs[2]]
    assert und.account.tolist() == [0, 2] and und.threshold.tolist() == [0.0, 2.0]
    assert und.accumulated.tolist() == [0.1, 0.3] and und.needs.shape == (2, N_CAPABILITIES)


# -------------------------------------------------------------------------------- trust (7.7)
def test_trust_reverts_to_its_start_and_too_many_contacts_strain_it():
    cfg = quiet("traditional")
    m = cfg.market
    m.comfortable_contacts, m.contact_strain = 1, 0.01
    model = OrgSimModel(cfg, seed=1)
    model.now = 1.0
    start = model.market.trust0.copy()
    model.book.trust[:] = start - 0.2
    for person in (101, 102, 103):  # three recent contacts at account 1, two beyond comfortable
        model.contacts.touch_one(1, person, model.now)
    update_trust(model)
    reverted = start[0] - 0.2 + m.trust_reversion * 0.2
    assert model.book.trust[0] == pytest.approx(reverted)
    assert model.book.trust[1] == pytest.approx(start[1] - 0.2 + m.trust_reversion * 0.2
                                                - m.contact_strain * 2)


def test_an_account_loses_trust_when_its_recent_contact_leaves():
    model = OrgSimModel(quiet("traditional"), seed=1)
    model.contacts.touch_one(2, 555, model.now)
    before = model.book.trust.copy()
    lose_departed_contact(model, 555)
    loss = model.config.market.departure_trust_loss
    assert model.book.trust[2] == pytest.approx(before[2] * (1 - loss))
    np.testing.assert_array_equal(np.delete(model.book.trust, 2), np.delete(before, 2))


# ------------------------------------------------------------------------------- people (7.8)
def test_engagement_rises_with_impact_and_falls_with_abandoned_jobs():
    model = OrgSimModel(quiet("traditional"), seed=1)
    wf = model.workforce
    good, bad = (r.row for r in staff(model, SalesRep)[:2])
    wf.leave_threshold[: wf.n] = np.inf
    wf.engagement[[good, bad]] = 0.5
    wf.resolved_memory[good], wf.abandoned_memory[bad] = 5.0, 5.0
    update_people(model)
    assert wf.engagement[good] > 0.5 > wf.engagement[bad]


def test_a_leaver_s_position_stays_vacant_for_the_hiring_delay_then_is_filled_by_a_new_person():
    model = OrgSimModel(quiet("traditional"), seed=1)
    wf, delay = model.workforce, model.config.staffing.hiring_delay_weeks
    wf.leave_threshold[: wf.n] = np.inf
    rep = staff(model, SalesRep)[0]
    leaver = int(wf.person_id[rep.row])
    leave(model, rep.row)
    assert not wf.filled[rep.row] and leaver not in model.row_of_person
    model.now = delay - model.dt
    update_people(model)
    assert not wf.filled[rep.row]
    model.now = delay
    update_people(model)
    assert wf.filled[rep.row] and int(wf.person_id[rep.row]) not in (leaver, -1)
    assert model.counts["leavers"] == 1 and model.counts["hires"] == 1


# -------------------------------------------------------------------------------- costs (7.9)
def test_a_step_costs_the_salaries_of_filled_positions_visits_and_hires():
    model = OrgSimModel(quiet("traditional"), seed=1)
    s, wf, n = model.config.staffing, model.workforce, model.workforce.n
    vacant = staff(model, SalesRep)[0].row
    wf.vacate(vacant, until=10.0)
    model.counts["visit_hours"] += 10.0
    model.counts["hires"] += 1
    book_costs(model)
    salaries = wf.salary[:n].sum() - wf.salary[vacant]
    expected = salaries / 52.0 * model.dt + 10.0 * s.visit_cost + s.hiring_cost
    assert model.cost_step == pytest.approx(expected) and model.cost_total == model.cost_step


def test_the_price_of_reorganising_is_severance_plus_retraining():
    model = OrgSimModel(quiet("traditional"), seed=1)
    s, wf = model.config.staffing, model.workforce
    managers, reps = staff(model, Manager), staff(model, SalesRep)
    pay_transition(model, managers, reps)
    expected = (sum(wf.salary[m.row] for m in managers) * s.severance_years
                + len(reps) * s.retraining_cost)
    assert expected > 0 and model.counts["transition_cost"] == pytest.approx(expected)


# --------------------------------------------------------------------------- random streams
def test_a_raised_again_job_draws_depend_only_on_seed_job_and_generation():
    draws = [reraise_stream(seed, job, gen).random(3).tolist()
             for seed, job, gen in ((1, 5, 1), (1, 5, 1), (2, 5, 1), (1, 6, 1), (1, 5, 2))]
    assert draws[0] == draws[1]
    assert all(d != draws[0] for d in draws[2:])


def test_every_random_stream_is_made_in_rng_py():
    import pathlib

    import sim

    root = pathlib.Path(sim.__file__).parent
    makers = [str(p.relative_to(root)) for p in root.rglob("*.py")
              if any(w in p.read_text() for w in ("default_rng(", "SeedSequence(", "seed_seq"))]
    assert makers == ["engine/rng.py"]

"""Step-level tests of the engine's mechanisms: discovery, routing, escalation, abandonment and
the adoption hazard. They use a tiny market with no pre-drawn jobs, then place hand-made jobs."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from settings import tiny

from sim import OrgSimModel, SimConfig
from sim.configuration.capabilities import INDEX, N_CAPABILITIES
from sim.configuration.schema import RELATIONSHIPS
from sim.designs.micro_enterprise import MicroEnterpriseDesign
from sim.engine.interactions import relationship
from sim.engine.job_discovery import discovery_hazard
from sim.engine.jobs import CustomerJob, JobState
from sim.engine.staff import Manager, MedicalLiaison, PlatformExpert, PrimaryContact, SalesRep


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
    model._open(job)
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
    ppoc = d.account_owner[0]
    assert isinstance(ppoc, PrimaryContact)
    job = add_job(model, {"medical": 2, "operations": 2, "access": 2})
    job.owner = ppoc
    medical = d.route(job, INDEX["medical"])
    assert medical.path == () and medical.pool
    assert all(s.function == "medical" for s in medical.pool)  # the regulatory firewall
    ops = d.route(job, INDEX["operations"])
    assert ops.platform is d.platform and ops.path == ()  # straight into the platform queue
    ppoc.team.reverted = True  # old habits: ask the boss
    assert d.route(job, INDEX["access"]).path == (ppoc.team.owner,)


def test_medical_firewall_off_lets_skilled_teammates_do_medical_work():
    model = OrgSimModel(quiet("micro_enterprise", medical_firewall=False,
                              min_skill_to_work=0.0), seed=1)
    d = model.design
    job = add_job(model, {"medical": 2})
    job.owner = d.account_owner[0]
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
    model.discover(job, rep)  # week 0; the medical task is handed off through two managers
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
    model.discover(job, rep)
    run_until(model, lambda: not np.isnan(job.decided_at))
    assert job.escalation_levels == levels
    assert job.decided_by_level == levels
    assert job.decision_wait == pytest.approx(wait)


def test_escalations_queue_at_a_busy_manager_first_come_first_served():
    model = OrgSimModel(quiet("traditional"), seed=1)
    rep = staff(model, SalesRep)[0]
    jobs = [add_job(model, {"commercial": 0.1}, decision=5.0) for _ in range(60)]
    for job in jobs:
        model.discover(job, rep)
    run_until(model, lambda: all(not np.isnan(j.decided_at) for j in jobs))
    waits = [j.decision_wait for j in jobs]
    rules = model.config.staffing.interaction
    per_week = int(rules.manager_inbox_share * 40
                   / (rules.decision_hours + rules.hierarchy_level.hours))
    assert waits == sorted(waits)  # first come, first served
    assert waits[0] == 1.0 and waits[-1] >= 60 / per_week  # the queue, not the rule, sets wait


def test_micro_enterprise_decides_in_team_up_to_its_authority():
    model = OrgSimModel(quiet("micro_enterprise"), seed=1)
    ppoc = model.design.account_owner[0]
    small = add_job(model, {"commercial": 1}, decision=30.0)
    large = add_job(model, {"commercial": 1}, decision=80.0)
    model.discover(small, ppoc)
    model.discover(large, ppoc)
    assert small.decided_at == 0.0 and small.decided_by_level == 0
    run_until(model, lambda: not np.isnan(large.decided_at))
    assert large.decision_wait == pytest.approx(1.0) and large.decided_by_level == 1


def test_matrix_dual_approval_needs_both_lines_for_cross_functional_decisions():
    model = OrgSimModel(quiet("matrix"), seed=1)
    lead = model.design.account_teams[0].lead
    cross = add_job(model, {"commercial": 1, "medical": 1}, decision=8.0)
    single = add_job(model, {"commercial": 1}, decision=8.0)
    for job in (cross, single):
        model.discover(job, lead)
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
    model.discover(job, rep)
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
    model.resolve(job)
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
        model.discover(job, model.design.account_owner[0])
    queued = [t for t in platform.queue[INDEX["operations"]]]
    assert [t.job for t in queued] == jobs  # no teammate may do operations work: all queued
    assert platform.expected_finish(jobs[0].tasks[0]) > 60  # two 30-hour requests are ahead
    model.step()
    assert jobs[0].tasks[0].worker is expert and jobs[1].tasks[0].worker is None
    run_until(model, lambda: all(j.state == JobState.RESOLVED for j in jobs))
    assert jobs[0].closed_at <= jobs[1].closed_at <= jobs[2].closed_at

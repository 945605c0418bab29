"""Step-level tests of ecosystem IQ (docs/ODD.md 7.2a) and of the patient journeys the
journey-aligned design is built on (7.10), in the style of tests/test_steps.py: a tiny market,
hand-set state, one call of the rule, then what must follow.

* learning: only someone who meets both ends of a referral link learns it, at the stated hazard;
  the company's IQ is what its best-informed person knows; knowledge leaves with its holder;
* use: a job resolved at one account leads its owner to the same problem at a linked account, in
  proportion to what the owner knows of the link;
* journeys: every account joins the nearest hub's journey; journeys are dealt to teams whole.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from test_steps import add_job, quiet

from sim import OrgSimModel, SimConfig
from sim.configuration.capabilities import N_CAPABILITIES
from sim.designs.structures.journeys import deal_journeys, patient_journeys
from sim.engine.ecosystem_iq import EcosystemMap, learned
from sim.engine.jobs import JobState
from sim.engine.staff import PrimaryContact


def _linked_model(learning_rate=0.1, lead_strength=1.0):
    """The tiny market with one link, between accounts 0 and 1, and the rule switched on."""
    cfg = quiet("micro_enterprise")
    cfg.staffing.ecosystem_iq.learning_rate = learning_rate
    cfg.staffing.ecosystem_iq.lead_strength = lead_strength
    model = OrgSimModel(cfg, seed=1)
    model.market.link_src, model.market.link_dst = np.array([0, 1]), np.array([1, 0])
    model.ecosystem = EcosystemMap(model)
    model.ecosystem._fit(model)
    return model


def _visits(model, visits: list[tuple[int, int, float]]):
    """``model.visit_groups`` for (row, account, attentive hours) visits."""
    visits = sorted(visits, key=lambda v: v[1])
    rows = np.array([v[0] for v in visits])
    exposure = np.zeros((len(visits), N_CAPABILITIES))
    exposure[:, 0] = [v[2] for v in visits]
    exposure[:, 1] = 0.5 * exposure[:, 0]  # the largest capability's hours count
    accounts = np.array([v[1] for v in visits])
    bounds = np.searchsorted(accounts, np.arange(model.market.n_accounts + 1))
    model.visit_groups = (rows, exposure, bounds)


def test_knowledge_grows_as_one_minus_exp_of_the_hazard():
    np.testing.assert_allclose(learned(np.array([0.0, 0.5]), np.array([0.2, 0.2]), 2.0),
                               [1 - np.exp(-0.4), 1 - 0.5 * np.exp(-0.4)])


def test_only_someone_who_meets_both_ends_of_a_link_learns_it():
    model = _linked_model(learning_rate=0.1)
    p, q = (a.row for a in model.workforce.agents[:2])
    _visits(model, [(p, 0, 4.0), (p, 1, 1.0), (q, 0, 9.0)])  # q meets one end only
    model.ecosystem.learn(model)
    k = model.ecosystem.knowledge[:, 0]
    assert k[p] == pytest.approx(1 - np.exp(-0.1 * np.sqrt(4.0 * 1.0) * model.dt))
    assert k[q] == 0.0
    assert model.ecosystem.iq(model) == pytest.approx(k[p])  # the best-informed person's


def test_what_a_person_knows_leaves_with_them():
    model = _linked_model()
    p = model.workforce.agents[0].row
    model.ecosystem.knowledge[p, 0] = 0.8
    model.workforce.vacate(p, until=10.0)
    assert model.ecosystem.iq(model) == 0.0  # nobody present knows the link
    model.ecosystem._fit(model)
    assert model.ecosystem.knowledge[p, 0] == 0.0


def test_a_resolved_job_leads_its_owner_to_the_same_problem_at_a_linked_account():
    model = _linked_model(lead_strength=1.0)
    owner = next(a for a in model.workforce.agents if isinstance(a, PrimaryContact))
    model.ecosystem.knowledge[owner.row, 0] = 0.5
    near = add_job(model, {"commercial": 1.0}, account=1, threshold=0.4)  # 0.5 passes 0.4
    far = add_job(model, {"commercial": 1.0}, account=1, threshold=0.6)  # 0.5 does not
    other = add_job(model, {"commercial": 1.0}, account=1, threshold=0.1,
                    job_type="patient_support")
    unlinked = add_job(model, {"commercial": 1.0}, account=2, threshold=0.1)
    done = add_job(model, {"commercial": 1.0}, account=0)
    model.undiscovered.extend()
    model.move(done, JobState.RESOLVED)
    done.owner, done.closed_at = owner, model.now
    model.counts["resolved"] += 1
    model.ecosystem.follow_leads(model)
    assert near.state != JobState.UNDISCOVERED and near.discoverer is owner
    assert far.state == JobState.UNDISCOVERED
    assert model.undiscovered.accumulated[model.undiscovered.jobs.index(far)] == pytest.approx(0.5)
    assert other.state == unlinked.state == JobState.UNDISCOVERED  # not the same problem / place
    assert model.ecosystem.leads == 1


def test_off_by_default_nothing_is_learned_or_reported():
    model = OrgSimModel(quiet("micro_enterprise"), seed=1)
    assert not SimConfig().staffing.ecosystem_iq.active() and not model.ecosystem.active
    model.step()
    assert model.ecosystem.iq(model) == 0.0 and model.ecosystem.knowledge.size == 0


# --------------------------------------------------------------------------- journeys (7.10)
INTEGRATED, ACADEMIC, COMMUNITY, FRAGMENTED = range(4)


def _market(types, patients, links):
    src = [a for a, b in links] + [b for a, b in links]
    dst = [b for a, b in links] + [a for a, b in links]
    return SimpleNamespace(n_accounts=len(types), account_type=np.array(types),
                           patients=np.array(patients, float), link_src=np.array(src),
                           link_dst=np.array(dst))


def test_every_account_joins_the_journey_of_the_nearest_hub_ties_to_the_larger():
    # hubs 0 (big) and 1; 2 refers to 0; 3 is one step from both hubs (tie: 0, the larger);
    # 4 hangs off 3 (two steps from both: 0 again); 5-6 have no hub (around 5, the larger);
    # 7 is unlinked (a journey of one)
    market = _market([INTEGRATED, ACADEMIC, COMMUNITY, COMMUNITY, FRAGMENTED, COMMUNITY,
                      FRAGMENTED, FRAGMENTED],
                     [500, 300, 100, 90, 20, 80, 30, 10],
                     [(2, 0), (3, 0), (3, 1), (4, 3), (5, 6)])
    assert patient_journeys(market) == [[0, 2, 3, 4], [1], [5, 6], [7]]


def test_journeys_are_dealt_to_teams_whole_largest_first_to_the_lightest_team():
    patients = np.array([500, 300, 100, 90, 20, 80, 30, 10], float)
    journeys = [[0, 2], [1, 3], [5, 6], [4], [7]]  # 600, 390, 110, 20, 10 patients
    teams = deal_journeys(journeys, patients, 2)
    assert teams == [[[0, 2]], [[1, 3], [5, 6], [4], [7]]]
    assert sorted(a for t in teams for j in t for a in j) == list(range(8))


def test_journey_teams_keep_each_journey_in_one_team_and_with_few_contacts():
    from settings import organized

    model = OrgSimModel(organized("journey_teams"), seed=3)
    design, staffing = model.design, model.config.staffing
    journeys = patient_journeys(model.market)
    team_of = {a: i for i, t in enumerate(design.me_teams) for a in t.accounts}
    assert sorted(team_of) == list(range(model.market.n_accounts))
    assert all(len({team_of[a] for a in j}) == 1 for j in journeys)
    assert len(design.me_teams) == round(staffing.frontline() / staffing.team_size)
    span = staffing.primary_contact_span  # a journey goes to as few contacts as spans allow
    assert all(len({design.primary_contact[a] for a in j}) <= np.ceil(len(j) / span) + 1
               for j in journeys)

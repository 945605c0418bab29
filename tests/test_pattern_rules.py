"""The two customer rules the pattern tests asked for (docs/ODD.md 7.1b, 7.6b), on hand-made
inputs: HCPs who see no rep or reps only by appointment, and first users who treat before their
account's formal decision. Both are off by default; scenarios/oncology_access.yaml switches them
on (their patterns: tests/test_patterns.py; their null test: tests/test_fair_fight.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.configuration.schema import ConfigError, SimConfig
from sim.configuration.validation import validate
from sim.engine.early_use import FirstUsers, early_use_on, treat_first_users
from sim.engine.hcp_access import HcpAccess, hcp_access_on
from sim.engine.market import NURSE, PRESCRIBER
from sim.engine.visits import VisitKind


def _access_model(no_see=0.2, by_appointment=0.4, appointments=12.0, hcps=(10.0, 20.0)):
    config = SimConfig()
    rule = config.market.hcp_access
    rule.no_see, rule.by_appointment, rule.appointments_per_year = (no_see, by_appointment,
                                                                    appointments)
    return SimpleNamespace(config=config, market=SimpleNamespace(hcps=np.array(hcps)))


def test_both_rules_are_off_by_default():
    config = SimConfig()
    assert not hcp_access_on(config) and not early_use_on(config)


def test_no_see_hcps_refuse_every_rep_visit_and_appointment_only_ones_cap_each_visitor():
    access = HcpAccess(_access_model())
    call_hours = SimConfig().staffing.call_hours
    # 10 HCPs: 12 visits per HCP a year is 120 visits a year, 120/52 a week of call_hours each
    at_cap = 120 / 52 * call_hours
    hours = np.array([at_cap, 2 * at_cap, 0.5 * at_cap])
    share = access.granted_share(np.array([0, 0, 0]), hours, np.full(3, int(VisitKind.CALL)))
    # at the cap: only the no-see fifth is lost; at twice it the appointment-only two-fifths
    # grant half; below it nothing more is lost
    assert share == pytest.approx([0.8, 1 - 0.2 - 0.4 * 0.5, 0.8])


def test_hcp_access_counts_visits_per_hcp_of_the_account_visited():
    access = HcpAccess(_access_model(no_see=0.0, by_appointment=1.0))
    at_cap_of_10 = 120 / 52 * SimConfig().staffing.call_hours
    share = access.granted_share(np.array([0, 1]), np.full(2, 2 * at_cap_of_10),
                                 np.full(2, int(VisitKind.CALL)))
    assert share == pytest.approx([0.5, 1.0])  # account 1 has twice the HCPs


def test_scientific_exchange_and_access_meetings_are_not_restricted_but_account_time_is():
    access = HcpAccess(_access_model(no_see=0.5, by_appointment=0.0))
    kinds = np.array([int(k) for k in VisitKind])
    share = access.granted_share(np.zeros(len(kinds), np.int64), np.ones(len(kinds)), kinds)
    expected = {VisitKind.CALL: 0.5, VisitKind.EXCHANGE: 1.0, VisitKind.ACCESS_MEETING: 1.0,
                VisitKind.ACCOUNT_TIME: 0.5}
    assert share == pytest.approx([expected[VisitKind(k)] for k in kinds])


def test_restricting_shares_above_one_are_refused_in_one_line():
    config = SimConfig()
    config.market.hcp_access.no_see, config.market.hcp_access.by_appointment = 0.7, 0.5
    with pytest.raises(ConfigError, match="no_see \\+ by_appointment"):
        validate(config)


def _first_user_model(first_users, adopted, roles, account, patients, intravenous=False):
    config = SimConfig()
    config.therapy.early_use.first_users = first_users
    config.therapy.intravenous = intravenous
    dmus = SimpleNamespace(account=np.array(account), adopted=lambda: np.array(adopted))
    market = SimpleNamespace(stakeholder_role=np.array(roles), n_accounts=len(patients),
                             patients=np.array(patients, float))
    model = SimpleNamespace(config=config, market=market, dmus=dmus,
                            book=SimpleNamespace(infusion_solved=np.zeros(len(patients))))
    model.first_users = FirstUsers(model)
    return model


def test_first_users_treat_their_own_patients_once_they_have_adopted_before_the_account():
    # account 0: one of two prescribers adopted; account 1: only a nurse adopted
    model = _first_user_model(0.1, adopted=[True, False, True, True, False],
                              roles=[PRESCRIBER, PRESCRIBER, NURSE, NURSE, PRESCRIBER],
                              account=[0, 0, 0, 1, 1], patients=[100.0, 50.0])
    peak = model.config.therapy.peak_share
    treated = treat_first_users(model, np.zeros(2))
    # the first users are at most a tenth of the prescribers, however many have adopted
    assert treated == pytest.approx([100.0 * peak * 0.1, 0.0])
    # after the account's decision its own ramp counts when it is larger
    assert treat_first_users(model, np.array([80.0, 0.0]))[0] == 80.0

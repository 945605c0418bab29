"""Step-level tests of the shared channel and consistency rule (docs/ODD.md 7.1a), in the style of
tests/test_steps.py: a tiny market, hand-set state, one call of the rule, then what must follow.

* channels (sim/engine/channels.py): the mix, refused face-to-face time and its remote fallback,
  what an hour in each channel delivers, and what the channels cost;
* consistency (sim/engine/consistency.py): voices are the groups of an account's recent contacts
  joined by a shared team; each voice beyond the first costs trust.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_steps import quiet

from sim import OrgSimModel, SimConfig, simulate, validate
from sim.configuration.schema import ConfigError
from sim.engine.channels import CARRIES
from sim.engine.consistency import count_voices, voices
from sim.engine.trust import update_trust


def _on(design="traditional", shares=(0.2, 0.1, 0.1), restricted=0.0, fallback=1.0,
        strain=0.0):
    cfg = copy.deepcopy(quiet(design))
    use, market = cfg.staffing.channels, cfg.market.channels
    use.remote.share, use.content.share, use.event.share = shares
    use.remote_fallback = fallback
    market.restricted_clinical = market.restricted_organisational = restricted
    market.consistency_strain = strain
    return validate(cfg)


# ------------------------------------------------------------------------------- channels
def test_the_rule_is_off_by_default_and_a_mix_above_the_whole_week_is_refused_in_one_line():
    assert OrgSimModel(quiet("traditional"), seed=1).channels is None
    cfg = SimConfig()
    cfg.staffing.channels.remote.share, cfg.staffing.channels.content.share = 0.7, 0.4
    with pytest.raises(ConfigError, match=r"^staffing.channels: .* at most 1, got 1.1$"):
        validate(cfg)


def test_refused_face_to_face_rep_time_goes_remote_by_the_fallback_share_and_the_rest_is_unspent():
    rule = OrgSimModel(_on(shares=(0.2, 0.1, 0.1), restricted=0.5, fallback=0.5), seed=1).channels
    account = np.array([0, 0])
    kind = np.array([0, 1])  # a product call (restricted) and scientific exchange (not)
    spent, q = rule.split(account, kind)
    # call: face to face 0.6 → 0.3, 0.3 refused, half of it (0.15) held remotely, 0.15 unspent
    np.testing.assert_allclose(spent, [0.85, 1.0])
    np.testing.assert_allclose(q[0], np.array([0.3, 0.35, 0.1, 0.1]) / 0.85)
    np.testing.assert_allclose(q[1], [0.6, 0.2, 0.1, 0.1])


def test_an_hour_delivers_share_times_reach_times_receptivity_of_what_its_channel_carries():
    cfg = _on(shares=(0.2, 0.1, 0.1))
    rule = OrgSimModel(cfg, seed=1).channels
    rule.receptivity[:] = [1.0, 0.5, 0.25, 0.8]  # hand-set, every account alike
    rule.reach[:] = [1.0, 1.25, 4.0, 3.0]
    q = np.array([[0.6, 0.2, 0.1, 0.1]])
    weight = np.array([0.6, 0.2 * 1.25 * 0.5, 0.1 * 4.0 * 0.25, 0.1 * 3.0 * 0.8])
    detailing, exchange, needs = rule.effect(np.array([0]), q)[0]
    assert detailing == pytest.approx(weight[:3].sum())  # no product call at an event
    assert exchange == pytest.approx(weight.sum())
    assert needs == pytest.approx(weight[[0, 1, 3]].sum())  # content cannot listen
    assert CARRIES[0].tolist() == [1.0, 1.0, 1.0]


def test_receptivity_and_restriction_average_the_account_stakeholder_types():
    cfg = _on(restricted=0.0)
    cfg.market.channels.restricted_clinical = 0.6
    cfg.market.channels.remote.clinical, cfg.market.channels.remote.organisational = 0.5, 1.0
    rule = OrgSimModel(cfg, seed=1).channels
    c = rule.clinical_share
    assert ((c > 0) & (c <= 1)).all()
    np.testing.assert_allclose(rule.restricted, 0.6 * c)
    np.testing.assert_allclose(rule.receptivity[:, 1], 0.5 * c + 1.0 * (1 - c))
    np.testing.assert_allclose(rule.receptivity[:, 0], 1.0)


def test_all_time_as_content_spends_the_hours_but_discovers_nothing_by_listening():
    model = OrgSimModel(_on(shares=(0.0, 1.0, 0.0)), seed=1)
    model.step()
    assert model.counts["visit_hours"] > 0
    assert model.book.needs_hours.sum() == 0.0


def test_channel_hours_cost_their_multiple_of_a_face_to_face_hour():
    model = OrgSimModel(_on(shares=(0.5, 0.0, 0.0)), seed=1)
    model.step()
    rule, s = model.channels, model.config.staffing
    hours = rule.hours  # spent person-hours by channel this step
    assert hours.sum() == pytest.approx(model.counts["visit_hours"])
    assert hours[1] == pytest.approx(hours[0])  # half the time remote
    expected = hours[1] * (s.channels.remote.cost - 1.0) * s.visit_cost
    assert model.counts["channel_cost"] == pytest.approx(expected)
    assert s.channels.planned_cost_factor() == pytest.approx(0.5 + 0.5 * s.channels.remote.cost)


# ---------------------------------------------------------------------------- consistency
def test_people_who_share_a_team_speak_with_one_voice_and_a_shared_member_joins_two_teams():
    assert count_voices([]) == 0
    assert count_voices([[1], [1], [2], []]) == 3  # a team of two, a third team, a loner
    assert count_voices([[1], [2], [1, 2]]) == 1  # a member of both teams joins them
    assert count_voices([[7], [7], [7]]) == 1


def _met(model, account, people):
    wf = model.workforce
    ids = [int(wf.person_id[p.row]) for p in people]
    model.contacts.touch([account] * len(ids), ids, model.now)


def test_every_voice_beyond_the_first_costs_the_consistency_strain_in_trust():
    model = OrgSimModel(_on(strain=0.01, shares=(0.0, 0.0, 0.0)), seed=1)
    m = model.config.market
    m.contact_strain = 0.0  # isolate the consistency term
    model.contacts.last[:] = -np.inf  # nobody met anybody yet
    teams = model.design.teams()
    a, b = teams[0].members[-1], teams[1].members[-1]
    assert a.teams.isdisjoint(b.teams)
    _met(model, 0, [a, b])  # two people of two teams: two voices at account 0
    _met(model, 1, [a])  # one voice at account 1
    assert voices(model)[:2].tolist() == [2.0, 1.0]
    model.book.trust[:] = model.market.trust0  # no reversion this step
    before = model.book.trust.copy()
    update_trust(model)
    assert before[0] - model.book.trust[0] == pytest.approx(model.dt * 0.01)
    assert model.book.trust[1] == pytest.approx(before[1])


# -------------------------------------------------------------------------------- outputs
def test_the_channel_columns_appear_only_in_runs_with_the_rule_on():
    names = ("voices_per_account", "remote_share", "calls_face_to_face", "channel_cost")
    off = quiet("traditional")
    off.run.horizon_weeks = 3
    on = _on(strain=0.001)
    on.run.horizon_weeks = 3
    plain, channelled = simulate(off, seed=1), simulate(on, seed=1)
    assert not set(names) & set(plain.summary.columns)
    assert "voices_recent" not in plain.accounts.columns
    assert set(names) <= set(channelled.summary.columns)
    assert {"voices_per_account", "calls_face_to_face"} <= set(channelled.series.columns)
    voices = channelled.accounts.voices_recent
    assert (voices >= 1).all() and channelled.summary.voices_per_account.iloc[0] >= 1

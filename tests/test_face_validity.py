"""Face validity: the default organisation against published field-force figures.

Each band is a published figure (docs/notes: the research notes; docs/ODD.md, "Published
figures") with room for the model's granularity. A band that fails means a default has drifted
away from what field forces are known to do.
"""

from __future__ import annotations

import pytest
from settings import organized

from sim import OrgSimModel
from sim.engine.staff import Manager, MedicalLiaison, SalesRep
from sim.engine.workforce import Activity


@pytest.fixture(scope="module")
def traditional():
    model = OrgSimModel(organized("traditional"), seed=0)
    model.run()
    return model


def _rows(model, cls):
    wf = model.workforce
    return [a.row for a in wf.agents[: wf.n] if type(a) is cls and wf.active[a.row]]


def test_calls_per_rep_per_day_are_within_published_rates(traditional):
    """6–10 calls a day is the usual minimum call average (getpharmaceuticalsalesjob.com), 8 a
    day in 2007 (NAPSRx via FiercePharma 2008); oncology reps deliver fewer than 3 (ZS,
    Roffman c. 2013). Band: 2–10 a day over five working days a week."""
    reps = len(_rows(traditional, SalesRep))
    per_day = traditional.counts["calls"] / (reps * traditional.now * 5)
    assert 2.0 <= per_day <= 10.0, per_day


def test_reps_spend_a_published_share_of_their_time_with_customers(traditional):
    """Specialty reps spend 48% of their time detailing in person (36% physicians + 12% nurses;
    Cutting Edge Information 2011); field reps 38% on core selling (Proudfoot). Band 35–50%."""
    wf, rows = traditional.workforce, _rows(traditional, SalesRep)
    share = wf.hours_by_activity[rows, Activity.CALLS].sum() / (
        len(rows) * wf.hours_per_week * traditional.now)
    assert 0.35 <= share <= 0.50, share


def test_msls_spend_about_a_quarter_of_their_time_face_to_face(traditional):
    """'Approximately one quarter of an MSL's time' is face to face with KOLs (Cutting Edge
    Information 2016). Band 20–30%."""
    wf, rows = traditional.workforce, _rows(traditional, MedicalLiaison)
    share = wf.hours_by_activity[rows, Activity.EXCHANGE].sum() / (
        len(rows) * wf.hours_per_week * traditional.now)
    assert 0.20 <= share <= 0.30, share


def test_first_line_spans_are_within_published_spans(traditional):
    """Sales-manager spans of 10–12 (Sales Outcomes), 5–6 → 12–15 in one pharma company (ZS
    2014). Band: every first-line manager has 5–15 reports."""
    first_line = [a for a in traditional.workforce.agents
                  if isinstance(a, Manager) and a.level == 1]
    assert first_line and all(5 <= len(m.reports) <= 15 for m in first_line)


def test_fully_loaded_costs_are_within_published_costs(traditional):
    """US rep US$125k–260k a year (CEI 2013: $160k primary care, $228k specialty; ArX $260k);
    MSL $158k–237k in most affiliates (CEI 2012). In k€ with 1 € ≈ 1.1 US$."""
    s = traditional.config.staffing
    assert 115 <= s.salary_rep <= 240
    assert 145 <= s.salary_msl <= 220

"""A fair fight (docs/ODD.md, "A fair fight"): designs differ in structure and incentives only.

* **Symmetry guard.** No design declares a friction, overhead or behaviour setting (the names of
  the shared rules, or words that mean one), and no design module passes a friction value to the
  engine or spends a literal number of hours: its configuration schema and its source (AST) are
  checked.
* **Null test.** With the structural differences removed — requests free at every relationship
  (so the number of hops no longer matters), no coordination or upkeep, the same KPI weights,
  unlimited authority everywhere, every member visiting the accounts they cover (no single point
  of contact), every job owned by whoever found it (as in the traditional design) and nobody
  working outside their home capability — the traditional and the
  micro-enterprise design are equivalent on the customer outcomes: TOST (two one-sided paired
  t-tests, α = 0.05 each) over 20 seeds of the workshop market (78 weeks) with margins
  resolved share ± 0.03, median time to resolution ± 0.5 weeks, stakeholders adopted ± 0.05 —
  and again with each mechanism that is off by default switched on alike in both designs
  (value-sharing pay and moves between desk and field, 7.8a, 7.8b; the two platform layers, 7.4a;
  channels, 7.1a; ecosystem IQ, 7.2a, where the journey-aligned design is equivalent too; a
  portfolio, a second product launching at week 26, 7.6a; converged roles, 7.8c — counting voices
  by shared teams is structure, so it is off in the null test and tested alone), one at a time and
  all together. Converged roles are why job ownership is made alike: the rule acts on a job's
  owner, and with the primary contact owning every job the resolved share is not equivalent
  (tested alone, below). Twenty seeds because of the resolved share: the power of its TOST at
  the differences observed (``tests/tost_power.py``) is 0.93–0.9999 at 20 seeds by mechanism set
  and 0.68–0.96 at 10 (docs/VALIDATION.md section 2); the other two outcomes have ≥ 0.96 at 10.
* **Each structural difference alone** moves the outcome the way its mechanism predicts
  (10 paired seeds, one-sided paired t-test p < 0.05).
* **Equal budget.** In the default comparison (``orgsim``: oncology launch, equal budget) the two
  designs' mean total costs over 4 seeds differ by less than 2%.
"""

from __future__ import annotations

import ast
from dataclasses import fields, is_dataclass
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats
from settings import scenario

from sim import simulate, validate
from sim.configuration.composition import compose_run
from sim.configuration.ecosystem_iq import EcosystemIqConfig
from sim.configuration.hybrid_rules import HybridRolesConfig
from sim.configuration.people_rules import DeskMovesConfig, ValuePayConfig
from sim.configuration.platform_rules import PlatformsConfig
from sim.configuration.schema import (
    RELATIONSHIPS,
    BehaviourConfig,
    InteractionConfig,
    KpiWeights,
    RelationshipConfig,
)
from sim.designs import design_class, names
from sim.experiments.budget import equalised

DESIGNS = Path(__file__).resolve().parent.parent / "sim" / "designs"
SHARED = ({f.name for f in fields(InteractionConfig)} | {f.name for f in fields(BehaviourConfig)}
          | {f.name for f in fields(RelationshipConfig)} | {f.name for f in fields(ValuePayConfig)}
          | {f.name for f in fields(DeskMovesConfig)} | {f.name for f in fields(PlatformsConfig)}
          | {f.name for f in fields(EcosystemIqConfig)}
          | {f.name for f in fields(HybridRolesConfig)})
# Words that mean a friction, an overhead or a behaviour value in a setting's name.
FRICTION_WORDS = ("latency", "loss", "delay", "hours", "overhead", "coordination",
                  "orchestration", "upkeep", "detailing", "planning", "lag", "governance",
                  "review", "inbox", "share", "channel", "skill")
ROUTE_STRUCTURE = {"path", "pool", "platform"}


def _setting_names(cls, prefix=""):
    for f in fields(cls):
        default = cls().__getattribute__(f.name) if f.name != "design" else None
        if is_dataclass(default) and not isinstance(default, KpiWeights):
            yield from _setting_names(type(default), f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", f.name


@pytest.mark.parametrize("design", names())
def test_no_design_declares_a_friction_overhead_or_behaviour_setting(design):
    for path, name in _setting_names(design_class(design).Config):
        assert name not in SHARED, f"org.{path} duplicates a shared rule"
        assert not any(word in name for word in FRICTION_WORDS), \
            f"org.{path} looks like a friction, overhead or behaviour value"


@pytest.mark.parametrize("module", sorted(p.name for p in DESIGNS.glob("*.py")))
def test_no_design_module_hands_the_engine_a_friction_or_a_number_of_hours(module):
    tree = ast.parse((DESIGNS / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
            node.func, "id", "")
        keywords = {k.arg for k in node.keywords}
        if func == "Route":
            assert keywords <= ROUTE_STRUCTURE, \
                f"{module}:{node.lineno}: Route({keywords - ROUTE_STRUCTURE}) sets a friction"
        assert not keywords & {"latency", "loss", "delay", "detection", "review_weeks",
                               "inbox_share", "costs"}, f"{module}:{node.lineno}: {keywords}"
        if func in ("spend", "spend_each", "receive", "take"):
            assert not any(isinstance(a, ast.Constant) and isinstance(a.value, int | float)
                           and not isinstance(a.value, bool) for a in node.args), \
                f"{module}:{node.lineno}: {func}() with a literal number"


# ------------------------------------------------------------------------------- null test
# The shared people rules switched on (docs/ODD.md 7.8a, 7.8b): the same value-sharing pay
# fraction in both designs (an incentive, so equal in the null test like the KPI weights) and
# moves between desk and field at the rates of scenarios/people_and_pay.yaml.
PEOPLE_RULES = {"value_pay_fraction": 0.3, "to_desk_annual": 0.05, "to_field_annual": 0.3,
                "initial_pool": 0.1}


def switch_people_rules_on(cfg) -> None:
    cfg.org.value_pay_fraction = PEOPLE_RULES["value_pay_fraction"]
    for key in ("to_desk_annual", "to_field_annual", "initial_pool"):
        setattr(cfg.staffing.desk_moves, key, PEOPLE_RULES[key])


# The two platform layers switched on (docs/ODD.md 7.4a): an enabling platform of the same size in
# both designs. At the workshop's scale (20 accounts) half a person's week is about half
# used by the reviews, approvals and recruiting the rule asks for, so its queue is exercised.
PLATFORMS = {"enabling_staff": 0.5}


def switch_platforms_on(cfg) -> None:
    cfg.staffing.platforms.enabling_staff = PLATFORMS["enabling_staff"]


# The channel and consistency rule switched on (docs/ODD.md 7.1a) at the settings of
# scenarios/omnichannel.yaml: one channel mix for every position, clinicians restricting rep
# access, and trust lost per uncoordinated voice.
CHANNEL_RULES = {"remote": 0.2, "content": 0.1, "event": 0.05, "restricted_clinical": 0.65,
                 "consistency_strain": 0.0005}


def switch_channels_on(cfg) -> None:
    for name in ("remote", "content", "event"):
        getattr(cfg.staffing.channels, name).share = CHANNEL_RULES[name]
    cfg.market.channels.restricted_clinical = CHANNEL_RULES["restricted_clinical"]
    cfg.market.channels.consistency_strain = CHANNEL_RULES["consistency_strain"]


# A portfolio (docs/ODD.md 7.6a): a second product launching at week 26 of the null test's 78
# weeks, with its own trigger points and its own jobs at a fifth of the market's rate; the
# market's, so alike in both designs. The traditional design's product lines then follow the
# products launched (structure): one line until week 26, two after. At the scenario's job rate
# (0.5: half again as many jobs after week 26) the resolved share is not shown equivalent
# (−0.026 ± 0.033, TOST p = 0.31); neither is it without a portfolio at twice the market's job
# rate (−0.065): the null test removes frictions, not pool sizes, which tell under load
# (docs/VALIDATION.md section 2, "A portfolio").
PORTFOLIO = {"launch_weeks": [26.0], "job_rates": [0.2]}


def switch_portfolio_on(cfg) -> None:
    cfg.therapy.portfolio.launch_weeks = list(PORTFOLIO["launch_weeks"])
    cfg.therapy.portfolio.job_rates = list(PORTFOLIO["job_rates"])


# Ecosystem IQ switched on (docs/ODD.md 7.2a) at the values of scenarios/patient_journeys.yaml,
# alike in every design; the journey-aligned design joins the comparison (its one structural
# difference, teams owning patient journeys instead of regions, stays: it is what it is).
ECOSYSTEM_IQ = {"learning_rate": 0.05, "lead_strength": 1.0}


def switch_ecosystem_iq_on(cfg) -> None:
    for key, value in ECOSYSTEM_IQ.items():
        setattr(cfg.staffing.ecosystem_iq, key, value)


# Converging roles switched on alike in both designs (docs/ODD.md 7.8c): the same degree of
# convergence (a role definition, so equal in the null test like the structure it stands in for),
# as scenarios/converged_roles.yaml sets it; the medical firewall stays as configured (on).
HYBRID_ROLES = {"role_convergence": 1.0}


def switch_hybrid_roles_on(cfg) -> None:
    cfg.org.role_convergence = HYBRID_ROLES["role_convergence"]


# HCP access restriction switched on (docs/ODD.md 7.1b) at the settings of
# scenarios/oncology_access.yaml: no-see and appointment-only HCPs, the market's, alike in both
# designs.
HCP_ACCESS = {"no_see": 0.236, "by_appointment": 0.385, "appointments_per_year": 14.6}


def switch_hcp_access_on(cfg) -> None:
    for key, value in HCP_ACCESS.items():
        setattr(cfg.market.hcp_access, key, value)


# First users treating before their account's decision (docs/ODD.md 7.6b), as
# scenarios/oncology_access.yaml sets it.
EARLY_USE = {"first_users": 0.025}


def switch_early_use_on(cfg) -> None:
    cfg.therapy.early_use.first_users = EARLY_USE["first_users"]


# Every mechanism that is off by default, by the name the null tests use, with a check that it
# really was on in the runs (a switch that silently did nothing would make the test vacuous).
MECHANISMS = {
    "people_rules": switch_people_rules_on,
    "platforms": switch_platforms_on,
    "channels": switch_channels_on,
    "portfolio": switch_portfolio_on,
    "ecosystem_iq": switch_ecosystem_iq_on,
    "hybrid_roles": switch_hybrid_roles_on,
    "hcp_access": switch_hcp_access_on,
    "early_use": switch_early_use_on,
}
WAS_ON = {
    "people_rules": lambda r: r.variable_pay.gt(0).all() and r.moves_to_desk_per_year.gt(0).any(),
    "platforms": lambda r: (r.enabling_platform_utilisation.gt(0).all()
                            and r.compliance_reviews.gt(0).all()),
    "channels": lambda r: r.remote_share.gt(0.2).all() and r.content_share.gt(0).all(),
    "portfolio": lambda r: (r.product2_launch_week.eq(26.0).all()
                            and r.product2_jobs_resolved.gt(0).all()),
    "ecosystem_iq": lambda r: r.ecosystem_iq_final.gt(0).all() and r.lead_discoveries.gt(0).any(),
    "hybrid_roles": lambda r: r.hybrid_tasks.gt(0).all() and r.cross_training_hours.gt(0).all(),
    "hcp_access": lambda r: r.hcp_refused_share.gt(0.2).all(),
    "early_use": lambda r: r.first_user_patient_weeks.gt(0).all(),
}


def neutral(design: str, horizon: int = 78, mechanisms: tuple[str, ...] = (), **switch):
    """The workshop market with the structural differences removed (see the module docstring);
    ``switch`` turns one back on: frictions, single_contact, ownership, authority, kpi or
    consistency;
    ``mechanisms`` switches those of :data:`MECHANISMS` on, alike in both designs."""
    cfg = scenario("workshop", design, horizon_weeks=horizon)
    for name in mechanisms:
        MECHANISMS[name](cfg)
    if not switch.get("consistency"):
        # who shares a team is structure: counting voices by it is a structural difference,
        # removed here like the frictions (its own effect is tested below)
        cfg.market.channels.consistency_strain = 0.0
    rules = cfg.staffing.interaction
    if not switch.get("frictions"):
        for name in RELATIONSHIPS:
            r = rules.relationship(name)
            r.latency_weeks = r.loss = r.hours = 0.0
        rules.channel_hours = rules.account_upkeep_hours = 0.0
    rules.min_skill_to_work = 1.0
    if not switch.get("kpi"):
        cfg.org.kpi = KpiWeights(calls=0.6, sales=0.4)
    if not switch.get("authority"):
        cfg.org.frontline_authority = 1e6
        if design in ("micro_enterprise", "journey_teams"):
            cfg.org.team_authority = 1e6
    if design in ("micro_enterprise", "journey_teams"):
        cfg.org.single_contact = bool(switch.get("single_contact"))
        cfg.org.contact_owns_jobs = bool(switch.get("ownership"))
    return validate(cfg)


def _runs(seeds, horizon=78, mechanisms=(), designs=("traditional", "micro_enterprise"),
          **switch) -> pd.DataFrame:
    rows = [simulate(neutral(d, horizon, mechanisms, **switch), seed=s).headline()
            for s in seeds for d in designs]
    return pd.DataFrame(rows)


def _diff(df: pd.DataFrame, column: str) -> pd.Series:
    wide = df.pivot(index="seed", columns="design", values=column)
    return wide.micro_enterprise - wide.traditional


MARGINS = {"resolved_share": 0.03, "time_to_resolution_median": 0.5,
           "stakeholders_adopted_share": 0.05}


_NULL_RUNS: dict[tuple, pd.DataFrame] = {}


def null_runs_with(mechanisms: tuple[str, ...] = (),
                   designs: tuple[str, ...] = ("traditional", "micro_enterprise")) -> pd.DataFrame:
    """The null test's 20 seeds of ``designs`` with ``mechanisms`` on, each design's runs
    computed once per set and shared by every outcome's test (and every pairing)."""
    for design in designs:
        if (mechanisms, design) not in _NULL_RUNS:
            _NULL_RUNS[mechanisms, design] = _runs(range(20), mechanisms=mechanisms,
                                                   designs=(design,))
    return pd.concat([_NULL_RUNS[mechanisms, d] for d in designs], ignore_index=True)


@pytest.fixture(scope="module")
def null_runs() -> pd.DataFrame:
    return null_runs_with()


def _assert_equivalent(runs: pd.DataFrame, outcome: str) -> None:
    d, margin = _diff(runs, outcome), MARGINS[outcome]
    above = stats.ttest_1samp(d, -margin, alternative="greater").pvalue
    below = stats.ttest_1samp(d, margin, alternative="less").pvalue
    assert max(above, below) < 0.05, (f"{outcome}: mean difference {d.mean():.3g} not shown "
                                      f"within ±{margin} (TOST p = {max(above, below):.3g})")


@pytest.mark.slow
@pytest.mark.statistical
@pytest.mark.parametrize("outcome", sorted(MARGINS))
def test_with_structure_removed_the_designs_are_equivalent(null_runs, outcome):
    _assert_equivalent(null_runs, outcome)


ALL = tuple(sorted(MECHANISMS))
ALL_BUT_CONVERGED_ROLES = tuple(m for m in ALL if m != "hybrid_roles")


def _marked(mechanisms: tuple[str, ...], outcome: str):
    return pytest.param(mechanisms, outcome, id=f"{'+'.join(mechanisms)}-{outcome}")


@pytest.mark.slow
@pytest.mark.statistical
@pytest.mark.parametrize(("mechanism", "outcome"), [
    _marked((m,), o) for m in sorted(MECHANISMS) for o in sorted(MARGINS)])
def test_with_structure_removed_the_designs_stay_equivalent_with_each_mechanism_on(
        mechanism, outcome):
    runs = null_runs_with(mechanism)
    assert all(WAS_ON[m](runs) for m in mechanism), f"{mechanism} was not on in the null runs"
    _assert_equivalent(runs, outcome)


@pytest.mark.slow
@pytest.mark.statistical
@pytest.mark.parametrize(("mechanisms", "outcome"), [
    _marked(m, o) for m in (ALL, ALL_BUT_CONVERGED_ROLES) for o in sorted(MARGINS)])
def test_with_structure_removed_the_designs_stay_equivalent_with_every_mechanism_on_together(
        mechanisms, outcome):
    runs = null_runs_with(mechanisms)
    assert all(WAS_ON[m](runs) for m in mechanisms)
    _assert_equivalent(runs, outcome)


@pytest.mark.slow
@pytest.mark.statistical
def test_with_converged_roles_on_a_primary_contact_owning_every_job_alone_costs_resolved_jobs():
    """Why the null test makes job ownership alike (docs/VALIDATION.md section 2): with converged
    roles the owner does more of a job's work, so a primary contact who owns every job of its
    accounts becomes a bottleneck even where every friction is zero."""
    alike = null_runs_with(("hybrid_roles",))
    # ownership is a setting of the micro-enterprise design only: the traditional runs are the
    # null test's own (the same configurations and seeds, so the same runs)
    owned = pd.concat([alike[alike.design == "traditional"],
                       _runs(range(20), mechanisms=("hybrid_roles",),
                             designs=("micro_enterprise",), ownership=True)], ignore_index=True)
    before, after = _diff(alike, "resolved_share"), _diff(owned, "resolved_share")
    p = stats.ttest_rel(after, before, alternative="less").pvalue
    assert after.mean() < before.mean() and p < 0.01, f"p = {p:.3g}"


@pytest.mark.slow
@pytest.mark.statistical
def test_counting_voices_alone_costs_trust_where_contacts_share_no_team():
    """The consistency rule switched back on: every member of a micro-enterprise is one voice
    (one team), a traditional account hears reps, MSLs and access managers of separate teams."""
    off = _runs(range(10), horizon=52, mechanisms=("channels",))
    on = _runs(range(10), horizon=52, mechanisms=("channels",), consistency=True)
    assert (_diff(on, "voices_per_account") < 0).all()
    before, after = _diff(off, "trust_final"), _diff(on, "trust_final")
    p = stats.ttest_rel(after, before, alternative="greater").pvalue
    assert after.mean() > before.mean() and p < 0.05, f"p = {p:.3g}"


@pytest.mark.slow
@pytest.mark.statistical
@pytest.mark.parametrize("outcome", sorted(MARGINS))
def test_with_structure_removed_the_journey_design_is_equivalent_too_with_ecosystem_iq_on(
        outcome):
    """Its one structural difference, teams owning patient journeys instead of regions, stays."""
    runs = null_runs_with(("ecosystem_iq",), ("traditional", "journey_teams"))
    assert WAS_ON["ecosystem_iq"](runs)
    _assert_equivalent(runs.replace({"design": {"journey_teams": "micro_enterprise"}}), outcome)


SWITCHES = [
    # (switch, outcome, comparison, why)
    ("frictions", "cross_functional_time_to_resolution_median", "difference falls",
     "every hop pays the shared friction and the traditional route has more hops"),
    ("single_contact", "contacts_per_account", "micro falls",
     "one primary contact per account instead of every member visiting"),
    ("authority", "escalations", "difference falls",
     "decisions above 1 k€ climb the hierarchy; the team decides up to 50 k€"),
    ("kpi", "calls", "micro falls",
     "no weight on calls: less customer time planned as calls, less detailing"),
]


@pytest.fixture(scope="module")
def base_runs() -> pd.DataFrame:
    return _runs(range(10), horizon=52)


@pytest.mark.slow
@pytest.mark.statistical
@pytest.mark.parametrize("switch, outcome, comparison, why", SWITCHES,
                         ids=[s[0] for s in SWITCHES])
def test_each_structural_difference_alone_moves_the_outcome_as_its_mechanism_predicts(
        base_runs, switch, outcome, comparison, why):
    # "micro falls" compares the micro-enterprise design with itself: only its runs are needed
    designs = ("micro_enterprise",) if comparison == "micro falls" else \
        ("traditional", "micro_enterprise")
    on = _runs(range(10), horizon=52, designs=designs, **{switch: True})
    if comparison == "difference falls":
        before, after = _diff(base_runs, outcome), _diff(on, outcome)
    else:
        def micro(df):
            return df[df.design == "micro_enterprise"].set_index("seed")[outcome]
        before, after = micro(base_runs), micro(on)
    p = stats.ttest_rel(after, before, alternative="less").pvalue
    assert after.mean() < before.mean() and p < 0.05, f"{switch} ({why}): p = {p:.3g}"


# ------------------------------------------------------------------------------ equal budget
@pytest.mark.slow
@pytest.mark.statistical
def test_default_comparison_spends_equal_budgets_within_two_percent():
    composed = equalised(compose_run([]))  # the default: oncology launch, compared at equal budget
    assert composed.budget["mode"] == "equal_budget"
    totals = {d: [simulate(composed.config_for(d), seed=s).headline()["cost_total"]
                  for s in range(4)] for d in composed.designs}
    means = {d: sum(v) / len(v) for d, v in totals.items()}
    base, other = (means[d] for d in composed.designs)
    assert abs(other / base - 1) < 0.02, means
    planned = [composed.budget[d]["budget"] for d in composed.designs]
    assert abs(planned[1] / planned[0] - 1) < 0.01


def test_composing_only_validates_and_equalising_scales_the_compared_design_once():
    composed = compose_run(["scenario=workshop"])
    assert composed.budget is None and composed.compare == "equal_budget"
    fair = equalised(composed)
    assert fair.budget["mode"] == "equal_budget" and fair.baseline is composed.baseline
    assert fair.config.staffing.reps != composed.config.staffing.reps or \
        fair.budget["factor"] == 1.0
    alone = compose_run(["scenario=workshop", "baseline=null"])
    assert equalised(alone) is alone


def test_equal_headcount_matches_positions_and_as_configured_changes_nothing():
    from sim.experiments.budget import equalise, planned_budget

    base, other = scenario("workshop", "traditional"), scenario("workshop", "micro_enterprise")
    same, info = equalise(base, other, "equal_headcount")
    assert abs(info["micro_enterprise"]["headcount"] / info["traditional"]["headcount"] - 1) \
        < 0.05
    untouched, info = equalise(base, other, "as_configured")
    assert untouched.staffing == other.staffing and info["factor"] == 1.0
    assert planned_budget(base).cost > 0

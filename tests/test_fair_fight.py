"""A fair fight (docs/ODD.md, "A fair fight"): designs differ in structure and incentives only.

* **Symmetry guard.** No design declares a friction, overhead or behaviour setting (the names of
  the shared rules, or words that mean one), and no design module passes a friction value to the
  engine or spends a literal number of hours: its configuration schema and its source (AST) are
  checked.
* **Null test.** With the structural differences removed — requests free at every relationship
  (so the number of hops no longer matters), no coordination or upkeep, the same KPI weights,
  unlimited authority everywhere, every member visiting the accounts they cover (no single point
  of contact) and nobody working outside their home capability — the traditional and the
  micro-enterprise design are equivalent on the customer outcomes: TOST (two one-sided paired
  t-tests, α = 0.05 each) over 20 seeds of the workshop market (78 weeks) with margins
  resolved share ± 0.03, median time to resolution ± 0.5 weeks, stakeholders adopted ± 0.05 —
  and again with the shared people rules switched on (value-sharing pay at the same fraction in
  both designs, moves between desk and field; docs/ODD.md 7.8a, 7.8b). With converged roles (the
  same degree of convergence in both designs; docs/ODD.md 7.8c) only adoption stays equivalent:
  the rule acts on a job's owner, which the null test does not make alike (expected failures).
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
from sim.configuration.hybrid_rules import HybridRolesConfig
from sim.configuration.people_rules import DeskMovesConfig, ValuePayConfig
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
          | {f.name for f in fields(DeskMovesConfig)} | {f.name for f in fields(HybridRolesConfig)})
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


# Converging roles switched on alike in both designs (docs/ODD.md 7.8c): the same degree of
# convergence (a role definition, so equal in the null test like the structure it stands in for),
# as scenarios/converged_roles.yaml sets it; the medical firewall stays as configured (on).
HYBRID_ROLES = {"role_convergence": 1.0}


def switch_hybrid_roles_on(cfg) -> None:
    cfg.org.role_convergence = HYBRID_ROLES["role_convergence"]


def neutral(design: str, horizon: int = 78, people_rules: bool = False,
            hybrid_roles: bool = False, **switch):
    """The workshop market with the structural differences removed (see the module docstring);
    ``switch`` turns one back on: frictions, single_contact, authority or kpi; ``people_rules``
    switches value-sharing pay and moves between desk and field on, alike in both designs."""
    cfg = scenario("workshop", design, horizon_weeks=horizon)
    if people_rules:
        switch_people_rules_on(cfg)
    if hybrid_roles:
        switch_hybrid_roles_on(cfg)
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
        if design == "micro_enterprise":
            cfg.org.team_authority = 1e6
    if design == "micro_enterprise":
        cfg.org.single_contact = bool(switch.get("single_contact"))
    return validate(cfg)


def _runs(seeds, horizon=78, people_rules=False, hybrid_roles=False, **switch) -> pd.DataFrame:
    rows = [simulate(neutral(d, horizon, people_rules, hybrid_roles, **switch), seed=s).headline()
            for s in seeds for d in ("traditional", "micro_enterprise")]
    return pd.DataFrame(rows)


def _diff(df: pd.DataFrame, column: str) -> pd.Series:
    wide = df.pivot(index="seed", columns="design", values=column)
    return wide.micro_enterprise - wide.traditional


MARGINS = {"resolved_share": 0.03, "time_to_resolution_median": 0.5,
           "stakeholders_adopted_share": 0.05}


@pytest.fixture(scope="module")
def null_runs() -> pd.DataFrame:
    return _runs(range(20))


@pytest.fixture(scope="module")
def null_runs_with_people_rules() -> pd.DataFrame:
    return _runs(range(20), people_rules=True)


@pytest.fixture(scope="module")
def null_runs_with_hybrid_roles() -> pd.DataFrame:
    return _runs(range(20), hybrid_roles=True)


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


@pytest.mark.slow
@pytest.mark.statistical
@pytest.mark.parametrize("outcome", sorted(MARGINS))
def test_with_structure_removed_the_designs_stay_equivalent_with_pay_and_desk_moves_on(
        null_runs_with_people_rules, outcome):
    runs = null_runs_with_people_rules
    assert runs.variable_pay.gt(0).all() and runs.moves_to_desk_per_year.gt(0).any()
    _assert_equivalent(runs, outcome)


NOT_EQUIVALENT_WITH_CONVERGED_ROLES = pytest.mark.xfail(
    strict=True, reason="the rule acts on a job's owner and the null test keeps who owns a job (a "
    "micro-enterprise's primary contact, the traditional discoverer): resolved share -0.027 and "
    "median time to resolution +0.45 weeks, TOST p = 0.31 and 0.29 (docs/VALIDATION.md, section "
    "2); strict: a change that makes it hold fails here until the documentation says so")


@pytest.mark.slow
@pytest.mark.statistical
@pytest.mark.parametrize("outcome", [
    pytest.param(o, marks=NOT_EQUIVALENT_WITH_CONVERGED_ROLES)
    if o in ("resolved_share", "time_to_resolution_median") else o for o in sorted(MARGINS)])
def test_with_structure_removed_the_designs_stay_equivalent_with_converged_roles(
        null_runs_with_hybrid_roles, outcome):
    runs = null_runs_with_hybrid_roles
    assert runs.hybrid_tasks.gt(0).all() and runs.cross_training_hours.gt(0).all()
    _assert_equivalent(runs, outcome)


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
    on = _runs(range(10), horizon=52, **{switch: True})
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

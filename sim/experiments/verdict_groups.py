"""The groups of settings the verdict's Sobol analysis attributes the answer to — one place.

With 200 varied settings a Saltelli design costs N × (200 + 2) points: far too many runs. SALib's
*groups* (``problem["groups"]``) treat the settings of a group as one factor, so the design costs
N × (G + 2) points and the total index ``ST`` of a group is the share of the outcome's variance it
is involved in, interactions included. The groups follow the model's submodels (docs/ODD.md) and
the questions a reader asks ("is it the frictions, or the market?"):

A setting belongs to the first group whose rule matches its path (rules are path prefixes, or
exact paths); a setting no rule matches goes to ``other``, so a new setting is never lost.
"""

from __future__ import annotations

# (group, what it holds, path prefixes); order matters: the first match wins.
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("governance & decision rights",
     "compliance governance, decision hours, who may decide how much (level, team, frontline)",
     ("staffing.interaction.governance", "staffing.interaction.decision_hours",
      "org.level_authority", "org.team_authority", "org.frontline_authority")),
    ("frictions & overheads",
     "friction by relationship (latency, loss, hours), coordination, account upkeep, admin",
     ("staffing.interaction.", "staffing.call_hours", "staffing.admin_share",
      "staffing.delivery_hours")),
    ("KPI & behaviour",
     "what people are measured on (KPI weights) and the one rule from weights to a week",
     ("org.traditional.kpi", "org.micro_enterprise.kpi", "staffing.behaviour.")),
    ("transformation",
     "the move itself: learning-curve dip, resistance, reverting, reinforcement",
     ("org.initial_effectiveness", "org.learning_weeks", "org.resistance", "org.revert_rate",
      "org.reinforcement_rate")),
    ("costs & salaries",
     "salaries, hiring, visits, severance, retraining, compliance incidents' cost",
     ("staffing.salary_", "staffing.hiring_cost", "staffing.visit_cost",
      "staffing.severance_years", "staffing.retraining_cost", "staffing.incident_cost")),
    ("engagement & turnover",
     "engagement and what drives it, attrition, memory of overload",
     ("staffing.engagement_", "staffing.weight_", "staffing.attrition_",
      "staffing.memory_weeks", "staffing.backlog_tolerance_weeks")),
    ("staffing & structure",
     "experts, team size, spans, primary contacts, hours, experience, hiring and learning",
     ("staffing.", "org.")),
    ("customer jobs",
     "the job catalogue: effort, patience, decision size, weight of each job",
     ("market.jobs.", "market.job_rate", "market.cross_functional_", "market.effort_sigma",
      "market.patience_sigma", "market.decision_sigma", "market.discovery_rate",
      "market.self_report_rate", "market.reraise_weeks")),
    ("trust & compliance risk",
     "customer trust and contact strain; compliance risk of promotion",
     ("market.trust_", "market.comfortable_contacts", "market.contact_strain",
      "market.departure_trust_loss", "market.contact_window_weeks", "market.compliance_",
      "market.channels.consistency_strain",
      "market.promotion_risk", "market.review_risk")),
    ("market",
     "the organized customers: patients, organisation, stakeholders, links",
     ("market.",)),
    ("adoption",
     "the launch's diffusion: innovation, imitation, exchange, gates, capacity, ramp",
     ("therapy.",)),
)
OTHER = "other"
DESCRIPTIONS = {name: text for name, text, _ in GROUPS} | {OTHER: "settings no rule names"}


def group_of(path: str) -> str:
    """The group a setting belongs to (the first rule that matches its dotted path)."""
    for name, _, rules in GROUPS:
        if any(path == r or path.startswith(r) for r in rules):
            return name
    return OTHER


def groups_of(paths: list[str]) -> list[str]:
    """Each setting's group, in the order given (SALib's ``problem["groups"]``)."""
    return [group_of(p) for p in paths]


__all__ = ["DESCRIPTIONS", "GROUPS", "OTHER", "group_of", "groups_of"]

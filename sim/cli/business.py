"""What ``orgsim`` adds to a run folder for a strategy team: the business case of the move
(sim/experiments/business_case.py) — printed, as tables and in the report — and the Excel
workbook of the comparison, the business case and the settings (sim/report/workbook.py).

Files: ``tables/cash_flow`` (design, seed, week: revenue, costs, cash flow, cumulative),
``tables/business_case`` (one row per run), ``business_case.csv`` (the comparison of those) and
``results.xlsx``.
"""

from __future__ import annotations


def business_case(composed, results, replications: int, folder):
    """Compute and write the business case; returns (its comparison or None, printed text)."""
    from sim.experiments import business_case as bc
    from sim.experiments.analysis import table
    from sim.experiments.paired import stack

    designs = composed.designs
    baseline = designs[0] if len(designs) > 1 else None
    config = composed.config
    flows = bc.cash_flows(stack(results, "series"), config.business, config.run.step_weeks,
                          baseline)
    values = bc.run_values(flows, baseline)
    folder.write_table("cash_flow", flows)
    folder.write_table("business_case", values)
    comparison = bc.comparison(values, baseline)
    comparison.to_csv(folder.path("business_case.csv"), index=False)
    note = bc.payback_note(values, baseline, config.run.horizon_weeks)
    text = (bc.describe_settings(config.business) + "\n\n"
            + table(comparison, replications).to_string() + "\n" + (note + "\n" if note else ""))
    return comparison, text


def workbook(folder, caption: str, comparison, business, composed, facts: list[str]) -> None:
    """``results.xlsx``: comparison, business case and settings, one sheet each."""
    from sim.experiments.business_case import describe_settings
    from sim.report.workbook import write_workbook

    configs = {d: composed.config_for(d) for d in composed.designs}
    write_workbook(folder.path("results.xlsx"), caption, comparison, business,
                   [describe_settings(composed.config.business)], configs, facts)

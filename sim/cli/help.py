"""``orgsim --help``: what the command does, its groups and options, and where every setting is.

Written by orgsim rather than Hydra: Hydra's help composes the whole configuration once per
group option (seconds here), lists internal schema entries as options and prints 200 lines of
settings. This page is built from the files alone — the group folders in conf/, the design
registry and the scenario folder — so it answers at once; ``orgsim --cfg job`` still prints the
resolved configuration.
"""

from __future__ import annotations

from pathlib import Path

GROUPS = {  # group → what it holds (as in conf/config.yaml)
    "scenario": "a named what-if question (scenarios/*.yaml); it may set anything below",
    "market": "accounts, their decision-making units, network and customer jobs",
    "therapy": "the launch and how stakeholders adopt it",
    "staffing": "the people, how they are deployed and what they cost",
    "org": "the organisation design under study (compared with `baseline`)",
    "run": "horizon, step length, seeds, replications and workers",
    "business": "net price, its ramp, transformation cost and discount rate (business case)",
}

HEADER = """\
orgsim — does a micro-enterprise organisation serve organized customers better than a
traditional top-down one, by how much, at what cost, and when does the answer flip?

Runs the chosen scenario under `org` and `baseline` on the same paired seeds, prints the
headline outcomes (mean and 95% interval per design, and the paired difference) and writes a
results folder under outputs/.

Usage: orgsim [group=option ...] [key=value ...] [--cfg job] [--help]
       orgsim -m [key=v1,v2 ...]      a sweep over every combination (resumable)
       orgsim --reproduce FOLDER      run a results folder's configuration again
"""

FOOTER = """\
Examples:
  orgsim                                      default scenario, traditional vs micro_enterprise
  orgsim scenario=infusion_capacity org=matrix run.replications=30
  orgsim org.team_authority=20 staffing.primary_contact_span=3
  orgsim baseline=null org=pilot_rollout      one design alone
  orgsim --cfg job scenario=rare_disease      the resolved configuration, without running

Every setting, its default, unit and meaning: `orgsim --cfg job`, the YAML files in conf/ and
docs/ODD.md. Other commands: orgsim-analyze, orgsim-report, orgsim-export, orgsim-search,
orgsim-demo, orgsim-calibrate, orgsim-sensitivity, orgsim-discover, orgsim-verdict (each has
--help).
"""


def options(conf: Path, designs: list[str], scenarios: list[str]) -> dict[str, list[str]]:
    """The options a user may choose per group (internal schema entries are not options)."""
    out = {g: sorted(p.stem for p in (conf / g).glob("*.yaml")) for g in GROUPS}
    out["org"] = sorted(set(out["org"]) & set(designs)) or designs
    out["scenario"] = sorted(scenarios)
    return out


def text(conf: Path, designs: list[str], scenarios: list[str], defaults: dict[str, str]) -> str:
    lines = [HEADER, "Configuration groups (choose one option each, e.g. scenario=price_pressure;"
             " the default is marked *):", ""]
    for group, choices in options(conf, designs, scenarios).items():
        marked = [f"{c}*" if c == defaults.get(group) else c for c in choices]
        lines.append(f"  {group:<9} {GROUPS[group]}")
        lines.append(f"  {'':<9}   {', '.join(marked)}")
    lines += ["", "  baseline  the design `org` is compared with on the same seeds "
              f"(default {defaults.get('baseline', 'traditional')}; baseline=null: org alone)",
              "", FOOTER]
    return "\n".join(lines)

"""Generate docs/ODD.md's parameter tables from the configuration classes.

The tables sit between ``<!-- parameters:start -->`` and ``<!-- parameters:end -->`` in
docs/ODD.md. ``python -m sim.configuration.odd_table`` prints them; ``python -m
sim.configuration.odd_table --write`` replaces
them in docs/ODD.md; a test fails if the file and the code disagree.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields, is_dataclass
from pathlib import Path

from sim.configuration.business import BusinessConfig
from sim.configuration.design_registry import design_class, names
from sim.configuration.params import ASSUMPTION, allowed_text, source_kind
from sim.configuration.schema import MarketConfig, RunConfig, StaffingConfig, TherapyConfig

START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"
ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


def _rows(node, prefix: str, skip: tuple[str, ...] = (), inherited: str = "") -> list[str]:
    rows = []
    for f in fields(node):
        if f.name in skip:
            continue
        value = getattr(node, f.name)
        meta = f.metadata
        path = f"{prefix}.{f.name}"
        source = meta.get("source", "")
        if inherited and source in ("", ASSUMPTION):
            source = inherited  # a group's rows share the group's reasoning
        if is_dataclass(value):
            rows += _rows(value, path, inherited=source if source != ASSUMPTION else "")
            continue
        doc = meta.get("doc", "").replace("|", "/")
        allowed = "true or false" if isinstance(value, bool) else allowed_text(meta)
        if isinstance(value, str) and not meta.get("choices"):
            allowed = "text"
        kind, text = source_kind(source)
        if kind == "article claim" and not isinstance(value, bool | str):
            kind = "assumption"  # the article gives a direction or a mechanism, never this number
            text = f"value assumed; {text}"
        rows.append(f"| `{path}` | {doc} | {meta.get('unit', '')} | {_fmt(value)} | "
                    f"{allowed} | {kind} | {text.replace('|', '/')} |")
    return rows


HEADER = ("| Parameter | Meaning | Unit | Default | Allowed | Kind of source | Source, figure or "
          "reasoning |\n|---|---|---|---|---|---|---|")


def _job_table(market: MarketConfig) -> str:
    lines = ["| Job type | Capabilities: effort (expert-hours) | Patience (weeks) | "
             "Decision (k€) | Weight |", "|---|---|---|---|---|"]
    for name, job in market.jobs.items():
        effort = ", ".join(f"{k} {v:g}" for k, v in job.effort.items())
        lines.append(f"| `{name}` | {effort} | {job.patience_weeks:g} | {job.decision_k:g} | "
                     f"{job.weight:g} |")
    return "\n".join(lines)


def tables() -> str:
    market = MarketConfig()
    parts = [
        "### run", HEADER, *_rows(RunConfig(), "run"), "",
        "### market", HEADER, *_rows(market, "market", skip=("jobs",)), "",
        "#### market.jobs — the customer-job catalogue (each field is settable, e.g. "
        "`market.jobs.care_pathway.patience_weeks`)", _job_table(market), "",
        "### therapy", HEADER, *_rows(TherapyConfig(), "therapy"), "",
        "### staffing", HEADER, *_rows(StaffingConfig(), "staffing"), "",
        "### business", HEADER, *_rows(BusinessConfig(), "business"), "",
    ]
    for name in names():
        cls = design_class(name)
        config = cls.Config(design=name)
        skip = ("design", "before", "after") if name == "pilot_rollout" else ("design",)
        parts += [f"### org = {name}", HEADER, *_rows(config, "org", skip=skip)]
        if name == "pilot_rollout":
            parts.append("| `org.before.*`, `org.after.*` | the traditional and micro-enterprise "
                         "settings above; `after` defaults to initial_effectiveness 0.6, "
                         "resistance 0.3, revert_rate 0.05 | | | | article claim | [A4] names "
                         "resistance and reverting to old habits; sizes assumed |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def current() -> str:
    text = ODD.read_text(encoding="utf-8")
    return text[text.index(START) + len(START):text.index(END)].strip("\n") + "\n"


def write() -> None:
    text = ODD.read_text(encoding="utf-8")
    head, tail = text[: text.index(START) + len(START)], text[text.index(END):]
    ODD.write_text(head + "\n" + tables() + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/ODD.md in place")
    args = parser.parse_args(argv)
    if args.write:
        write()
    else:
        sys.stdout.write(tables())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Generate the default option of each Hydra config group from the configuration classes.

The YAML files below list every setting with its default, unit and meaning, so the configuration
tree documents itself. They are generated — the dataclasses in sim/configuration/schema.py and
sim/designs/ are the single source — and a test fails if they drift:

    conf/market/organized.yaml     conf/therapy/oncology.yaml     conf/staffing/standard.yaml
    conf/run/standard.yaml         conf/business/standard.yaml    conf/org/<design>.yaml

``python -m sim.configuration.conf_files --write`` regenerates them; other options in those groups
(for example
``market/fragmented.yaml``) are small hand-written files that start from these defaults.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields, is_dataclass
from pathlib import Path

from sim.configuration.business import BusinessConfig
from sim.configuration.design_registry import design_class, names
from sim.configuration.params import allowed_text
from sim.configuration.schema import MarketConfig, RunConfig, StaffingConfig, TherapyConfig

CONF = Path(__file__).resolve().parents[2] / "conf"


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value not in (float("inf"), float("-inf")) else ".inf"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value if value.replace("_", "").isalnum() else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def _comment(meta: dict) -> str:
    unit = meta.get("unit", "")
    parts = [f"[{unit}]" if unit and unit != "-" else "", meta.get("doc", "")]
    allowed = allowed_text(meta)
    if allowed != "any value":
        parts.append(f"({allowed})")
    return " ".join(p for p in parts if p)


def _lines(node, indent: int = 0, skip: tuple[str, ...] = ()) -> list[str]:
    pad = "  " * indent
    out = []
    for f in fields(node):
        if f.name in skip:
            continue
        value = getattr(node, f.name)
        if is_dataclass(value):
            out.append(f"{pad}{f.name}:  # {_comment(f.metadata)}")
            out += _lines(value, indent + 1)
        elif isinstance(value, dict) and value and is_dataclass(next(iter(value.values()))):
            out.append(f"{pad}{f.name}:  # {_comment(f.metadata)}")
            for key, item in value.items():
                out.append(f"{pad}  {key}:")
                out += _lines(item, indent + 2)
        else:
            out.append(f"{pad}{f.name}: {_scalar(value)}  # {_comment(f.metadata)}")
    return out


SCHEMA = "sim/configuration/schema.py"
HEADER = """\
# {title}
# Generated from {source} by `python -m sim.configuration.conf_files --write`;
# change defaults there, not here.
# Each line: setting: default  # [unit] meaning (allowed range). Sources: docs/ODD.md.
"""


def files() -> dict[Path, str]:
    """Path → content of every generated file."""
    out = {
        CONF / "market" / "organized.yaml": (
            "Market: organized customers (the default scenario's market)", SCHEMA, MarketConfig(),
            ()),
        CONF / "therapy" / "oncology.yaml": (
            "Therapy: an intravenous oncology launch", SCHEMA, TherapyConfig(), ()),
        CONF / "staffing" / "standard.yaml": (
            "Staffing: the people, how they are deployed, what they cost", SCHEMA,
            StaffingConfig(), ()),
        CONF / "run" / "standard.yaml": (
            "Run: horizon, step length, seeds", SCHEMA, RunConfig(), ()),
        CONF / "business" / "standard.yaml": (
            "Business case: net price, its ramp, transformation cost, discount rate",
            "sim/configuration/business.py", BusinessConfig(), ()),
    }
    texts = {}
    for path, (title, source, node, skip) in out.items():
        texts[path] = HEADER.format(title=title, source=source) + "\n".join(
            _lines(node, skip=skip)) + "\n"
    for name in names():
        cls = design_class(name)
        module = cls.__module__.replace(".", "/") + ".py"
        doc = (cls.__module__ and sys.modules[cls.__module__].__doc__ or "").strip()
        title = f"Organisation design `{name}`: " + doc.splitlines()[0].rstrip(".")
        body = _lines(cls.Config(design=name))
        texts[CONF / "org" / f"{name}.yaml"] = (
            HEADER.format(title=title, source=module)
            + f"defaults:\n  - {name}_schema  # typed: unknown settings are rejected\n"
            + "  - _self_\n\n" + "\n".join(body) + "\n")
    return texts


def stale() -> list[Path]:
    """Generated files whose content on disk differs from what the code generates."""
    return [p for p, text in files().items()
            if not p.exists() or p.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the generated files")
    args = parser.parse_args(argv)
    if args.write:
        for path, text in files().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return 0
    for path in stale():
        print(f"out of date: {path}")
    return 1 if stale() else 0


if __name__ == "__main__":
    raise SystemExit(main())

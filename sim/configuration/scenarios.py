"""Named what-if scenarios: small YAML files in scenarios/, one question each.

A scenario file composes the configuration groups (``defaults: - override /market: fragmented``)
and sets whatever else differs, under ``# @package _global_``. Its header says which question it
answers and where the question comes from::

    # Question: When infusion chairs cap treatment, ...?
    # Source: [A0] Roche ...

Adding a scenario is adding a file; no code changes. ``orgsim scenario=<file name>`` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
CONF = SCENARIOS.parent / "conf"  # the configuration tree (Hydra's config dir)


@dataclass(frozen=True)
class Scenario:
    name: str
    question: str
    source: str
    path: Path


def _comment_lines(path: Path, limit: int = 50) -> list[str]:
    """The file's leading comment lines (at most ``limit``): the header is all that is read of
    a scenario that is not chosen, so a huge or broken file costs nothing here."""
    lines = []
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.startswith("#") or len(lines) >= limit:
                    break
                lines.append(line[:1000].rstrip("\n"))
    except OSError:
        pass
    return lines


def _header(path: Path, key: str) -> str:
    lines, found = [], False
    for line in _comment_lines(path):
        text = line.lstrip("#").strip()
        if text.lower().startswith(key.lower() + ":"):
            found = True
            lines.append(text.split(":", 1)[1].strip())
        elif found and text and ":" not in text.split()[0]:
            lines.append(text)  # continuation of a wrapped header line
        else:
            found = False
    return " ".join(lines)


def catalog(directory: Path = SCENARIOS) -> dict[str, Scenario]:
    """Every scenario file, by name."""
    return {p.stem: Scenario(p.stem, _header(p, "Question"), _header(p, "Source"), p)
            for p in sorted(directory.glob("*.yaml"))}

"""The results as one Excel workbook (``results.xlsx``), because that is where a strategy team
takes the numbers next: the comparison, the business case and the settings used, one sheet each.

Numbers are written as numbers (not formatted text), so they can be charted and summed; text that
would start a formula (``=``, ``+``, ``-``, ``@``) is written as text — a value from a file
someone else wrote (a market file's path, an override) must never become a formula.
"""

from __future__ import annotations

import math
from dataclasses import asdict, is_dataclass
from pathlib import Path

import pandas as pd

SHEETS = ("comparison", "business case", "settings")
COMPARISON_COLUMNS = ["outcome", "label", "unit", "design", "kind", "mean", "low", "high", "n",
                      "p_value"]


def _value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None  # an empty cell: Excel has no NaN
    if isinstance(value, (list, tuple, dict)):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return _value(value.item())
    return value


def _sheet(book, title: str, intro: list[str], frame: pd.DataFrame) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    for line in intro:
        sheet.append([line])
    sheet.append([])
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_value(v) for v in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                cell.data_type = "s"  # text, never a formula
    sheet.freeze_panes = sheet.cell(row=len(intro) + 3, column=1)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column[len(intro) + 1:]) if len(
            column) > len(intro) + 1 else 10
        sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8) + 2, 60)


def flatten(node, prefix: str = "") -> dict[str, object]:
    """A configuration (dataclasses and dicts) as dotted setting → value."""
    node = asdict(node) if is_dataclass(node) else node
    out = {}
    for key, value in node.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def settings_frame(configs: dict[str, object]) -> pd.DataFrame:
    """One row per setting, one column per design (the designs differ only under ``org``)."""
    flat = {design: flatten(config) for design, config in configs.items()}
    names = list(dict.fromkeys(k for f in flat.values() for k in f))
    return pd.DataFrame({"setting": names,
                         **{d: [_value(f.get(n)) for n in names] for d, f in flat.items()}})


def write_workbook(path: Path, caption: str, comparison: pd.DataFrame,
                   business: pd.DataFrame | None, business_intro: list[str],
                   configs: dict[str, object], facts: list[str]) -> Path:
    """Write the three sheets to ``path``."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _sheet(book, "comparison", [caption, "Mean over seeds with its 95% interval; kind "
                                "'difference': paired difference from the baseline."],
           comparison[[c for c in COMPARISON_COLUMNS if c in comparison.columns]])
    frame = business[[c for c in COMPARISON_COLUMNS if c in business.columns]] \
        if business is not None else pd.DataFrame({"note": ["one design: no business case"]})
    _sheet(book, "business case", [caption, *business_intro], frame)
    _sheet(book, "settings", [caption, *facts], settings_frame(configs))
    book.save(path)
    return path

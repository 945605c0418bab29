"""Golden results: every table of a few reference runs, stored and compared value by value.

The comparison means "the model changed", not "a library rounded differently": counts, ids, states
and text must match exactly; floating-point columns match within a relative and absolute tolerance
of 1e-9 (a different numpy or pandas may sum in another order, which moves the last bits of a float
— about 1e-16 relative — but nothing a model change would move). A failure names the run, table,
column and first row that moved, the two values and how many rows differ.

``python tests/golden.py --write --reason "..."`` records the tables of the current code (only for a
documented model change: say which in the reason; the reasons are kept in history.json);
``python tests/golden.py`` prints what differs from the recorded tables.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from settings import fragmented, organized  # noqa: E402

DIR = Path(__file__).parent / "data" / "golden"
HISTORY = DIR / "history.json"
RTOL = ATOL = 1e-9
RUNS = {
    "traditional/seed3": lambda: (organized("traditional", horizon_weeks=78), 3),
    "micro_enterprise/seed3": lambda: (organized("micro_enterprise", horizon_weeks=78), 3),
    "matrix/seed4": lambda: (organized("matrix", horizon_weeks=78), 4),
    "pilot_rollout/seed5": lambda: (organized("pilot_rollout", horizon_weeks=78), 5),
    "fragmented_me/seed1": lambda: (fragmented("micro_enterprise"), 1),
}


def tables(name: str) -> dict[str, pd.DataFrame]:
    """Run reference run ``name`` and return its tables."""
    from sim import simulate
    from sim.experiments.paired import TABLES

    config, seed = RUNS[name]()
    result = simulate(config, seed)
    return {table: getattr(result, table) for table in TABLES}


def path(name: str, table: str) -> Path:
    return DIR / name.replace("/", "__") / f"{table}.parquet"


def _same(a, b) -> bool:
    return (a is b) or (a == b) or (pd.isna(a) and pd.isna(b))


def differences(name: str, table: str, current: pd.DataFrame, recorded: pd.DataFrame) -> list[str]:
    """Plain sentences, one per column that moved (empty when the tables match)."""
    where = f"{name}: table {table}"
    if list(current.columns) != list(recorded.columns):
        return [f"{where}: columns {list(recorded.columns)} became {list(current.columns)}"]
    if len(current) != len(recorded):
        return [f"{where}: {len(recorded)} rows became {len(current)}"]
    out = []
    for column in recorded.columns:
        was, now = recorded[column], current[column]
        if pd.api.types.is_float_dtype(was) and pd.api.types.is_numeric_dtype(now):
            a, b = was.to_numpy(float), now.to_numpy(float)
            equal = np.isclose(b, a, rtol=RTOL, atol=ATOL, equal_nan=True)
        else:
            equal = np.array([_same(x, y) for x, y in zip(was.tolist(), now.tolist(), strict=True)])
        if not equal.all():
            row = int(np.flatnonzero(~equal)[0])
            out.append(f"{where}, column {column}: row {row} was {was.tolist()[row]!r}, now "
                       f"{now.tolist()[row]!r} ({int((~equal).sum())} of {len(equal)} rows differ; "
                       f"floats are compared within {RTOL:g} relative / {ATOL:g} absolute)")
    return out


def compare(name: str) -> list[str]:
    out = []
    for table, frame in tables(name).items():
        recorded = path(name, table)
        if not recorded.exists():
            out.append(f"{name}: table {table} has no recorded reference ({recorded})")
            continue
        out += differences(name, table, frame.reset_index(drop=True), pd.read_parquet(recorded))
    return out


def write(reason: str) -> None:
    history = json.loads(HISTORY.read_text()) if HISTORY.exists() else []
    for name in RUNS:
        folder = path(name, "x").parent
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for table, frame in tables(name).items():
            frame.reset_index(drop=True).to_parquet(path(name, table), index=False,
                                                   compression="zstd")
    HISTORY.write_text(json.dumps(history + [reason], indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the current tables")
    parser.add_argument("--reason", default="", help="the documented model change (with --write)")
    args = parser.parse_args()
    if args.write:
        if not args.reason:
            parser.error("--reason is required: say which documented model change this is")
        write(args.reason)
        return
    moved = [line for name in RUNS for line in compare(name)]
    print("\n".join(moved) or "all reference tables match")
    sys.exit(1 if moved else 0)


if __name__ == "__main__":
    main()

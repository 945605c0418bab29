"""``orgsim-analyze <folder> [<folder> …]``: the paired comparison of one or more result folders.

Works on sweep folders (their Parquet store, queried with DuckDB) and on single-run folders. For
each scenario and setting: every outcome's mean and 95% interval per design, and the paired
difference from the baseline design with its interval, effect size (dz) and p-value. Writes
``analysis.csv`` and ``analysis.parquet`` (to ``--out``, default ``<first folder>/analysis``) and
prints one table per scenario and setting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.analysis import OUTCOME_INFO, load_summaries, paired_comparison, table


def analyze(folders: list[Path], baseline: str = "traditional",
            outcomes: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summaries, tidy comparison) of the runs in ``folders``."""
    summary = load_summaries(folders)
    base = baseline if baseline in set(summary.design) else None
    return summary, paired_comparison(summary, base, outcomes)


def render(comparison: pd.DataFrame, summary: pd.DataFrame) -> str:
    blocks = []
    for (scenario, setting), group in comparison.groupby(["scenario", "setting"], sort=True):
        runs = summary[(summary.scenario == scenario) & (summary.setting == setting)]
        reps = int(runs.groupby("design").seed.nunique().max())
        title = f"{scenario or 'runs'}" + (f" · {setting}" if setting else "")
        blocks.append(f"{title} · {reps} paired seeds\n\n{table(group, reps).to_string()}\n")
    return "\n".join(blocks)


def write_analysis(folders: list[Path], out: Path, baseline: str = "traditional",
                   outcomes: list[str] | None = None, show: bool = True) -> pd.DataFrame:
    summary, comparison = analyze(folders, baseline, outcomes)
    out.mkdir(parents=True, exist_ok=True)
    comparison.to_csv(out / "analysis.csv", index=False)
    comparison.to_parquet(out / "analysis.parquet", index=False)
    if show:
        print(render(comparison, summary))
    return comparison


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="orgsim-analyze", description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="sweep or run folders")
    parser.add_argument("--baseline", default="traditional",
                        help="design the others are compared with (default: traditional)")
    parser.add_argument("--outcomes", default="",
                        help="comma-separated summary columns (default: the headline outcomes)")
    parser.add_argument("--out", type=Path, help="where to write analysis.csv / .parquet")
    args = parser.parse_args(argv)
    outcomes = [o for o in args.outcomes.split(",") if o] or None
    for o in outcomes or []:
        if o not in OUTCOME_INFO:
            parser.exit(2, f"orgsim-analyze: error: --outcomes: unknown outcome {o!r}; allowed: "
                           f"{', '.join(OUTCOME_INFO)}\n")
    try:
        comparison = write_analysis(args.folders, args.out or args.folders[0] / "analysis",
                                    args.baseline, outcomes)
    except (OSError, ValueError) as error:  # a missing folder, a damaged file (named)
        parser.exit(2, f"orgsim-analyze: error: {str(error).splitlines()[0]}\n")
    print(f"Written: {(args.out or args.folders[0] / 'analysis')}/analysis.csv "
          f"({len(comparison)} rows)", file=sys.stderr)


if __name__ == "__main__":
    main()

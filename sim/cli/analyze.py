"""``orgsim-analyze <folder> [<folder> …]``: the paired comparison of one or more result folders.

Works on sweep folders (their Parquet store, queried with DuckDB) and on single-run folders. For
each scenario and setting: every outcome's mean and 95% interval per design, and the paired
difference from the baseline design with its interval, effect size (dz) and p-value. A sweep's
runs also carry the business case (sim/experiments/sweep_business.py): its outcomes join the
comparison, and ``business_case.csv`` holds one row per point and compared design (the NPV of the
move with its interval, the seeds in which the move pays back within the horizon and their share,
the median payback week). Writes ``analysis.csv`` and ``analysis.parquet`` (to ``--out``, default
``<first folder>/analysis``) and prints one table per scenario and setting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.experiments.analysis import (
    BUSINESS,
    HEADLINE,
    OUTCOME_INFO,
    load_summaries,
    paired_comparison,
    table,
)


def analyze(folders: list[Path], baseline: str = "traditional",
            outcomes: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summaries, tidy comparison) of the runs in ``folders``; by default the headline outcomes
    and, for the runs of a sweep, the business case."""
    from sim.experiments.sweep_business import with_business

    summary = load_summaries(folders)
    base = baseline if baseline in set(summary.design) else None
    summary = with_business(summary, folders, base)
    chosen = outcomes or [o[0] for o in (*HEADLINE, *BUSINESS)]
    return summary, _without_absent_business(paired_comparison(summary, base, chosen))


def _without_absent_business(comparison: pd.DataFrame) -> pd.DataFrame:
    """A single-run folder's business case is in its own tables, not in its summaries: beside a
    sweep its configuration would get empty business rows (n = 0 for every design). They are left
    out, so a folder reads the same analysed alone or beside others."""
    keys = ["scenario", "setting", "configuration", "outcome"]
    seen = comparison.groupby(keys, dropna=False)["n"].transform("max")
    empty = comparison.outcome.isin({o[0] for o in BUSINESS}) & (seen == 0)
    return comparison[~empty].reset_index(drop=True)


def render(comparison: pd.DataFrame, summary: pd.DataFrame) -> str:
    """One block per scenario, setting and configuration; blocks of one scenario and setting
    whose configurations differ (another market size, horizon, design settings …) name their
    folders and say that they are not compared."""
    blocks = []
    keys = ["scenario", "setting", "configuration"]
    for (scenario, setting, configuration), group in comparison.groupby(keys, sort=True):
        runs = summary[(summary.scenario == scenario) & (summary.setting == setting)
                       & (summary.configuration == configuration)]
        per_design = runs.groupby("design").seed.nunique()
        reps = int(per_design.max())
        designs = list(per_design.index)
        paired = (f"{reps} paired seeds" if len(designs) > 1 else
                  f"{reps} seed{'s' if reps != 1 else ''} of {designs[0]} only, no pairs")
        title = f"{scenario or 'runs'}" + (f" · {setting}" if setting else "")
        same = summary[(summary.scenario == scenario) & (summary.setting == setting)]
        if same.configuration.nunique() > 1:
            folders = ", ".join(sorted(set(runs.folder)))
            title += f" · configuration {configuration.split('@')[0]} ({folders})"
        blocks.append(f"{title} · {paired}\n\n{table(group, reps).to_string()}\n")
    return "\n".join(blocks)


def incomparable(summary: pd.DataFrame) -> list[str]:
    """One line per scenario and setting that several folders ran with different
    configurations: those are analysed apart, not pooled or compared."""
    lines = []
    for (scenario, setting), runs in summary.groupby(["scenario", "setting"], sort=True):
        if runs.configuration.nunique() > 1:
            parts = "; ".join(
                f"{', '.join(sorted(set(g.folder)))} → configuration {c.split('@')[0]}"
                for c, g in runs.groupby("configuration", sort=True))
            lines.append(f"orgsim-analyze: note: {scenario or 'runs'}"
                         f"{' · ' + setting if setting else ''} was run with different "
                         f"configurations (market, staffing, horizon or design settings) and "
                         f"cannot be compared across them; shown apart: {parts}")
    return lines


def write_analysis(folders: list[Path], out: Path, baseline: str = "traditional",
                   outcomes: list[str] | None = None, show: bool = True) -> pd.DataFrame:
    from sim.experiments.business_case import by_point

    summary, comparison = analyze(folders, baseline, outcomes)
    out.mkdir(parents=True, exist_ok=True)
    comparison.to_csv(out / "analysis.csv", index=False)
    comparison.to_parquet(out / "analysis.parquet", index=False)
    if (comparison.outcome == "pays_back").any() and summary.pays_back.notna().any():
        by_point(summary, comparison).to_csv(out / "business_case.csv", index=False)
    if show:
        print(render(comparison, summary))
    for line in incomparable(summary):
        print(line, file=sys.stderr)
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

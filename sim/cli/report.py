"""``orgsim-report <run or sweep folder>``: write the folder's self-contained HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import yaml

from sim.report.data import check_job, load
from sim.report.page import write_report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="orgsim-report", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--setting", help="sweep: the setting drawn in time-series figures")
    parser.add_argument("--job", type=int, help="job id for the step-by-step timeline")
    parser.add_argument("--out", type=Path, help="default: <folder>/report.html")
    args = parser.parse_args(argv)
    try:
        data = load(args.folder, args.setting)
        check_job(data, args.job)
    except (ValueError, OSError, KeyError, yaml.YAMLError, duckdb.Error) as error:
        # a missing or damaged folder: one line (a damaged file is named by the reader)
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        parser.exit(2, f"orgsim-report: error: {args.folder}: {text}\n"
                    if str(args.folder) not in text else f"orgsim-report: error: {text}\n")
    out = args.out or args.folder / "report.html"
    write_report(data, out, args.job)
    print(f"Report: {out}")


if __name__ == "__main__":
    main()

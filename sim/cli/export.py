"""``orgsim-export <folder> --format png,svg,pdf``: every figure as publication files + CSV.

Writes ``<folder>/figures/<NN_name>.<format>`` and ``<NN_name>.csv`` (the numbers drawn), and the
HTML report. Exit status 0 when every requested format was written; 1 when static formats could
not be (no browser: the message says how to install one; HTML and CSV are still written);
2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.report.data import check_job, load
from sim.report.export import STATIC, write_csvs, write_static
from sim.report.page import write_report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="orgsim-export", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--format", default="png,svg,pdf",
                        help="comma-separated: png, svg, pdf (CSV and HTML are always written)")
    parser.add_argument("--setting", help="sweep: the setting drawn in time-series figures")
    parser.add_argument("--job", type=int, help="job id for the step-by-step timeline")
    parser.add_argument("--out", type=Path, help="default: <folder>/figures")
    args = parser.parse_args(argv)
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in (*STATIC, "csv", "html")]
    if bad:
        parser.exit(2, f"orgsim-export: error: --format: unknown {', '.join(bad)}; allowed: "
                       "png, svg, pdf\n")
    try:
        data = load(args.folder, args.setting)
        check_job(data, args.job)
    except (FileNotFoundError, ValueError, OSError) as error:
        parser.exit(2, f"orgsim-export: error: {error}\n")
    out = args.out or args.folder / "figures"
    out.mkdir(parents=True, exist_ok=True)
    figures = write_report(data, out / "report.html", args.job)
    write_csvs(figures, out)
    static = [f for f in formats if f in STATIC]
    started = time.perf_counter()
    try:
        written = write_static(figures, out, static) if static else []
    except RuntimeError as error:
        print(f"orgsim-export: {error}; wrote the HTML report and {len(figures)} CSV files to "
              f"{out}", file=sys.stderr)
        raise SystemExit(1) from None
    seconds = time.perf_counter() - started
    timing = (f"{len(written)} files in {seconds:.1f} s, {seconds / len(written):.2f} s a file "
              "with the browser's start" if written else "no static files")
    print(f"{len(figures)} figures × {', '.join(static) or 'csv'} ({timing}) and "
          f"{len(figures)} CSVs → {out}")


if __name__ == "__main__":
    main()

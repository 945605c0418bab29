"""Publication files: every figure as PNG (print resolution), SVG and PDF, plus its CSV.

kaleido drives a local Chromium. Its server is started once for the whole export, so each figure
costs a fraction of a second, not a browser start. Without a browser the HTML report and the CSVs
are still written and the missing formats are reported.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sim.report.plotting import Figure

STATIC = ("png", "svg", "pdf")
WIDTH = 1100  # px; PNG at scale 3 is 3300 px wide: 300 dpi across 11 inches
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
INSTALL_HINT = ("install Chromium (Debian/Ubuntu: `apt-get install chromium`) or set "
                "BROWSER_PATH to a Chrome or Chromium executable")


def find_browser() -> str | None:
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def write_csvs(figures: list[Figure], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in figures:
        path = out / f"{f.name}.csv"
        f.data.to_csv(path, index=False)
        paths.append(path)
    return paths


def write_static(figures: list[Figure], out: Path, formats: list[str]) -> list[Path]:
    """Write ``formats`` of every figure with one kaleido server; raises RuntimeError (one
    line) if no browser is found."""
    browser = find_browser()
    if browser is None:
        raise RuntimeError(f"no browser for static export ({', '.join(formats)}): "
                           + INSTALL_HINT)
    os.environ.setdefault("BROWSER_PATH", browser)
    import warnings

    import kaleido

    # plotly passes its own defaults to kaleido, which a running server ignores; say nothing
    warnings.filterwarnings("ignore", message="The kopts argument is ignored")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    kaleido.start_sync_server(silence_warnings=True)
    try:
        for f in figures:
            height = f.figure.layout.height or 460
            for fmt in formats:
                path = out / f"{f.name}.{fmt}"
                f.figure.write_image(str(path), format=fmt, width=WIDTH, height=height,
                                     scale=3 if fmt == "png" else 1)
                paths.append(path)
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    return paths

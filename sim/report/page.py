"""The report: one self-contained HTML file (plotly.js embedded, no CDN) that opens offline.

:func:`html_page` is the one page builder: the run and sweep report here, the sensitivity page
(sim/report/sensitivity_page.py) and the scenario-discovery page (sim/report/discovery_page.py) are
all an ``<h1>`` and a body in the same shell and style (:data:`CSS`), with tables from
:func:`_html_table` and figures from :func:`figure_sections`."""

from __future__ import annotations

import contextlib
import html
import os
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from sim import __version__
from sim.experiments.analysis import HEADLINE, INTERVAL_METHOD, OUTCOME_INFO, table
from sim.report.data import ReportData
from sim.report.figures import all_figures
from sim.report.plotting import Figure

CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1150px;
       color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.reading { font-size: 1.05em; margin: 0.3em 0 0.2em; }
.caption, .meta { color: #555; font-size: 0.88em; }
pre { background: #f6f6f6; padding: 0.7em; overflow-x: auto; }
.edge { background: #fff6e0; padding: 0.6em 1em; border-left: 4px solid #E69F00; }
"""


def html_page(title: str, heading: str, body: str) -> str:
    """A whole offline page: ``title`` (the browser tab) and ``heading`` (the ``<h1>``) are plain
    text, escaped here; ``body`` is HTML."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}</title><style>{CSS}</style></head><body>
<h1>{html.escape(heading)}</h1>
{body}</body></html>
"""


def _html_table(frame: pd.DataFrame, index_label: str = "") -> str:
    head = f"<th>{html.escape(index_label)}</th>" + "".join(
        f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        f"<tr><td>{html.escape(str(i))}</td>"
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for i, row in zip(frame.index, frame.to_numpy(), strict=True))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def comparison_tables(data: ReportData) -> str:
    parts = []
    headline = data.comparison[data.comparison.outcome.isin([h[0] for h in HEADLINE])]
    for setting in data.settings:
        block = headline[headline.setting == setting]
        runs = data.summary[data.summary.setting == setting]
        reps = int(runs.groupby("design").seed.nunique().max()) if len(runs) else 0
        title = f"<h3>{html.escape(setting)}</h3>" if setting else ""
        parts.append(title + _html_table(table(block, reps), "outcome (unit)"))
    return "\n".join(parts)


def business_section(data: ReportData) -> str:
    """The business case's table (sim/experiments/business_case.py), if the run has one."""
    if data.business is None or data.business.empty:
        return ""
    reps = len(data.seeds)
    return ("<h2>Business case</h2><p class='meta'>Money over the horizon per run (k€), mean "
            "and 95% interval over seeds; the difference in net present value is the NPV of "
            "the move; the payback week is the first week from which the move's cumulative "
            "cash flow stays ≥ 0 (seeds where it never does are left out of its n). The "
            "cumulative cash-flow figure is below.</p>"
            + _html_table(table(data.business, reps), "outcome (unit)"))


def figure_sections(figures: list[Figure]) -> list[str]:
    """One HTML section per figure (title, reading, plot); plotly.js is embedded once, in the
    first, so the page works offline."""
    blocks = []
    for i, f in enumerate(figures):
        div = f.figure.to_html(full_html=False, include_plotlyjs=(i == 0),
                               config={"displaylogo": False}, div_id=f.name)
        # the section's id differs from the plot's div id: two elements with one id make
        # plotly draw into the section, leaving an empty box where the plot should be
        blocks.append(f'<section id="section-{f.name}"><h3>{html.escape(f.title)}</h3>'
                      f'<p class="reading">{html.escape(f.reading)}</p>{div}</section>')
    return blocks


READINGS = {"typical": "typical", "atypical": "not typical: the other design is better in most "
            "of the space", "unusual_size": "typical in direction, not in size", "tie": "no "
            "difference here"}


def _typical_rows(rows: list) -> str:
    """The per-outcome numbers of the typical line (typical.json, read as data)."""
    out = []
    for r in rows:
        try:
            outcome = str(r["outcome"])
            label = OUTCOME_INFO[outcome][1] if outcome in OUTCOME_INFO else outcome
            out.append([label, f"{float(r['difference']):+.4g}", str(r["better"] or "neither"),
                        f"{float(r['share']):.0%} [{float(r['low']):.0%}–{float(r['high']):.0%}]"
                        f" of {int(r['points'])}", f"{float(r['percentile']):.0f}",
                        READINGS.get(str(r.get("status")), str(r.get("status")))])
        except (KeyError, TypeError, ValueError):
            continue
    if not out:
        return ""
    frame = pd.DataFrame([o[1:] for o in out], index=[o[0] for o in out],
                         columns=["difference here", "better here",
                                  "where that design is better in the space (95% Wilson)",
                                  "percentile of the difference", "reading"])
    return _html_table(frame, "outcome")


def typical_section(data: ReportData) -> str:
    """Is this run's result typical of the space? The line ``orgsim`` printed (typical.json),
    a link to the verdict's report and the numbers per outcome; a sweep or an older folder gets
    the pointer to ``orgsim-verdict`` only."""
    t = data.typical
    if not t:
        return ("<p class='meta'>One setting of everything we are unsure of: whether this result "
                "is typical across the plausible ranges, and what would flip it, is what "
                "<code>orgsim-verdict</code> answers (README, \"The verdict\").</p>")
    link = ""
    if t.get("report"):
        where = Path(t["report"])
        with contextlib.suppress(ValueError):  # another drive: keep the absolute path
            where = Path(os.path.relpath(where.resolve(), Path(data.folder).resolve()))
        link = (f' <a href="{html.escape(quote(where.as_posix()))}">The verdict\'s report</a> '
                f'({html.escape(str(t.get("verdict") or ""))}).')
    rows = _typical_rows(t.get("rows") or [])
    if rows:
        rows += ("<p class='meta'>Per headline outcome of the verdict: this run's paired "
                 "difference, the share of the verdict's base points where the design better "
                 "here is better (95% Wilson interval) and where this difference falls among the "
                 "space's (percentile). Typical: better in at least half the space, between the "
                 "5th and 95th percentile. How a verdict is found and when it is valid: README, "
                 "\"The verdict\".</p>")
    return (f"<h2>Typical of the space?</h2><p class='reading'>{html.escape(t['line'])}{link}"
            f"</p>{rows}")


def render(data: ReportData, figures: list[Figure]) -> str:
    key = pd.DataFrame.from_dict(data.key_settings, orient="index", columns=["value"])
    blocks = figure_sections(figures)
    edge = ("<h2>Edge cases in this report</h2><div class='edge'><ul>"
            + "".join(f"<li>{html.escape(e)}</li>" for e in data.edge_cases)
            + "</ul></div>") if data.edge_cases else ""
    pairs = (f"Each design ran on the same {len(data.seeds)} seed(s), so the differences are "
             f"paired: same accounts, same job arrivals, same people."
             if len(data.designs) > 1 else "")
    sweep = (f"<p class='meta'>Sweep of {len(data.settings)} setting(s); time-series, job-path "
             f"and timeline figures show the setting <code>{html.escape(data.reference or '–')}"
             "</code>.</p>" if data.kind == "sweep" else "")
    return html_page(f"orgsim report — {data.scenario}", f"orgsim · {data.scenario}", f"""\
<p class="meta">{html.escape(data.caption())}. Designs: {html.escape(", ".join(data.designs))}.
</p>
<p class="meta">{html.escape(data.basis)}</p>
<p class="meta">{html.escape(data.market)}</p>
<h2>The question</h2>
<p>{html.escape(data.question or "(no question recorded for this scenario)")}</p>
<p class="meta">Source: {html.escape(data.source or "–")}</p>
<h2>Key settings</h2>
{_html_table(key, "setting")}
<p class="meta">What the scenario file changes from the defaults:</p>
<pre>{html.escape(data.scenario_settings or "(nothing: the default scenario)")}</pre>
{sweep}
<h2>Comparison</h2>
<p class="meta">Mean over replications [{html.escape(INTERVAL_METHOD)}]; the last column(s):
paired difference from {html.escape(data.designs[0])}. {pairs}</p>
{comparison_tables(data)}
{business_section(data)}
{typical_section(data)}
<h2>Figures</h2>
{''.join(blocks)}
{edge}
<p class="meta">Made by orgsim {__version__} from {html.escape(str(data.folder))} on
{datetime.now():%Y-%m-%d %H:%M}. Everything here can be reproduced from the folder's
configuration and seeds.</p>
""")


def write_report(data: ReportData, path: Path, job_id: int | None = None) -> list[Figure]:
    figures = all_figures(data, job_id)
    path.write_text(render(data, figures), encoding="utf-8")
    return figures

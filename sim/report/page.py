"""The report: one self-contained HTML file (plotly.js embedded, no CDN) that opens offline.

:func:`html_page` is the one page builder: the run and sweep report here, the sensitivity page
(sim/report/sensitivity_page.py) and the scenario-discovery page (sim/report/discovery_page.py) are
all an ``<h1>`` and a body in the same shell and style (:data:`CSS`), with tables from
:func:`_html_table` and figures from :func:`figure_sections`."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim import __version__
from sim.experiments.analysis import HEADLINE, INTERVAL_METHOD, table
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
<p class="meta">One setting of everything we are unsure of: whether this result is typical
across the plausible ranges, and what would flip it, is what <code>orgsim-verdict</code>
answers (README, "The verdict").</p>
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

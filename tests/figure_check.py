"""A visual check of plotly figures, as a person would look at them.

Each figure is drawn by plotly.js in Chromium (driven by Playwright) at the size orgsim exports
it, and the browser's own geometry of every piece of text is read back: titles, legend entries,
axis titles, tick labels, panel titles, annotations. Two problems are reported:

* **overlapping text**: two text boxes that intersect (by more than a pixel each way), or text
  outside the figure;
* **an empty plot area**: a set of axes (or a Sankey) with no finite data in any trace.

Tick labels of one axis never collide with each other in plotly (it thins them itself), so only
boxes of different elements are compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

WIDTH = 1100  # as sim.report.export
GAP = 3.0  # px: text closer than this counts as overlapping (fonts differ a little between
# the browser here and the exporter's, so touching boxes would collide in some rendering)

# Every text in the SVG, with what it is (the class of the nearest labelled group).
JS_BOXES = """
(div) => {
  const root = document.querySelector('#' + div + ' .main-svg').getBoundingClientRect();
  const kind = (t) => {
    for (const [sel, name] of [['.legend', 'legend'], ['.g-gtitle', 'title'],
         ['.xtick', 'xtick'], ['.ytick', 'ytick'], ['.g-xtitle, .g-x2title, .g-x3title, ' +
         '.g-x4title, [class^="g-x"][class$="title"]', 'xtitle'],
         ['[class^="g-y"][class$="title"]', 'ytitle'], ['.annotation', 'annotation'],
         ['.sankey', 'sankey'], ['.infolayer', 'info']]) {
      if (t.closest(sel)) return name;
    }
    return 'other';
  };
  const out = [];
  document.querySelectorAll('#' + div + ' .main-svg text').forEach((t) => {
    if (!t.textContent.trim()) return;
    const style = window.getComputedStyle(t);
    if (style.display === 'none' || style.visibility === 'hidden' ||
        Number(style.opacity) === 0) return;
    const r = t.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    const group = t.closest('.xtick, .ytick, .legend .traces, .annotation, .g-gtitle, ' +
                            '[class$="title"], .sankey .node');
    out.push({text: t.textContent, kind: kind(t), x0: r.left - root.left, y0: r.top - root.top,
              x1: r.right - root.left, y1: r.bottom - root.top,
              parent: group ? Array.from(group.parentNode.children).indexOf(group) + ':' +
                      (group.getAttribute('class') || '') : ''});
  });
  return {boxes: out, width: root.width, height: root.height};
}
"""


@dataclass
class Box:
    text: str
    kind: str
    x0: float
    y0: float
    x1: float
    y1: float
    parent: str

    def overlaps(self, other: Box) -> bool:
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > -GAP
                and min(self.y1, other.y1) - max(self.y0, other.y0) > -GAP)


def text_boxes(page, fig: go.Figure, width: int = WIDTH) -> tuple[list[Box], float, float]:
    """Draw ``fig`` in ``page`` (which has plotly.js loaded) and return its text boxes and
    the figure's size."""
    height = fig.layout.height or 460
    spec = json.loads(fig.to_json())
    spec["layout"].update(width=width, height=height)
    page.evaluate("""([spec]) => {
        const old = document.getElementById('fig'); if (old) old.remove();
        const div = document.createElement('div'); div.id = 'fig';
        document.body.appendChild(div);
        return Plotly.newPlot(div, spec.data, spec.layout, {staticPlot: true});
    }""", [spec])
    page.wait_for_timeout(150)  # Sankey lays out its nodes after the first frame
    got = page.evaluate(JS_BOXES, "fig")
    return [Box(**b) for b in got["boxes"]], got["width"], got["height"]


def problems(boxes: list[Box], width: float, height: float) -> list[str]:
    """Every pair of overlapping text boxes of different elements, and text outside."""
    found = []
    for b in boxes:
        if b.x0 < 0 or b.y0 < 0 or b.x1 > width or b.y1 > height:
            found.append(f"outside the figure: {b.kind} {b.text!r} at "
                         f"({b.x0:.0f}, {b.y0:.0f})–({b.x1:.0f}, {b.y1:.0f})")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a.parent and a.parent == b.parent and a.kind == b.kind:
                continue  # lines of one multi-line label
            if a.overlaps(b):
                found.append(f"overlap: {a.kind} {a.text!r} and {b.kind} {b.text!r}")
    return found


def _finite(values) -> bool:
    if values is None:
        return False
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return len(values) > 0  # categories
    return bool(np.isfinite(array).any())


def empty_plot_areas(fig: go.Figure) -> list[str]:
    """Axes pairs (subplots) with no finite point in any visible trace, and empty Sankeys."""
    layout = fig.layout
    axes = {name for name in layout if name.startswith("xaxis")}
    drawn = set()
    empty = []
    for trace in fig.data:
        if trace.type == "sankey":
            if not _finite(trace.link.value) or not np.nansum(
                    np.asarray(trace.link.value, float)) > 0:
                empty.append("a Sankey with no flows")
            continue
        if getattr(trace, "visible", True) is False:
            continue
        values = trace.x if trace.type == "bar" and trace.orientation == "h" else trace.y
        if _finite(values) and _finite(trace.x):
            drawn.add("xaxis" + (trace.xaxis or "x")[1:])
    if not any(t.type != "sankey" for t in fig.data):
        return empty  # no axes drawn (plotly keeps a default x axis in the layout)
    for axis in sorted(axes):
        if axis not in drawn and getattr(layout, axis).visible is not False:
            empty.append(f"{axis}: no data drawn")
    return empty


def browser_page(tmp: Path):
    """A Playwright page with plotly.js loaded (offline), and a close function."""
    from playwright.sync_api import sync_playwright
    from plotly.offline import get_plotlyjs

    from sim.report.export import find_browser

    page_file = tmp / "check.html"
    (tmp / "plotly.js").write_text(get_plotlyjs(), encoding="utf-8")
    page_file.write_text('<!DOCTYPE html><html><head><meta charset="utf-8">'
                         '<script src="plotly.js"></script></head><body style="margin:0">'
                         "</body></html>", encoding="utf-8")
    p = sync_playwright().start()
    browser = p.chromium.launch(executable_path=find_browser(), args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"])
    page = browser.new_page(viewport={"width": WIDTH + 20, "height": 1400})
    page.goto(page_file.as_uri())
    page.wait_for_function("typeof Plotly !== 'undefined'")

    def close() -> None:
        browser.close()
        p.stop()

    return page, close


def check_figures(figures, tmp: Path) -> dict[str, list[str]]:
    """{figure name: its problems} for a list of sim.report.figures.Figure."""
    page, close = browser_page(tmp)
    try:
        report = {}
        for f in figures:
            boxes, width, height = text_boxes(page, f.figure)
            report[f.name] = problems(boxes, width, height) + empty_plot_areas(f.figure)
        return report
    finally:
        close()

"""Make plotly figures fit their column.

Plotly 6+ ``FigureWidget`` draws before it is attached to the page, so inside Solara's columns
it keeps plotly's default 700 px width and overflows (upstream bug plotly/plotly.py#5370; its own
resize hook is never wired up outside JupyterLab). This invisible widget watches the plots'
containers and, debounced, sets each plot's width to its container's whenever one appears or
changes size — also when the sidebar is folded away. (An explicit width rather than
``Plots.resize``: the widget echoes the fitted width back into the layout, after which plotly's
own resize declines to act.) Remove it once plotly fixes the bug.
"""

from __future__ import annotations

import anywidget

_ESM = """
export default {
  render({ el }) {
    let timer = null;
    const nudge = () => {
      clearTimeout(timer);
      timer = setTimeout(() => document.querySelectorAll(".js-plotly-plot").forEach((plot) => {
        const width = Math.floor(plot.parentElement.getBoundingClientRect().width);
        if (window.Plotly && plot._fullLayout && width > 0
            && Math.abs(plot._fullLayout.width - width) > 1) {
          window.Plotly.relayout(plot, { width });
        }
      }), 120);
    };
    const watched = new WeakSet();
    const sizes = new ResizeObserver(nudge);
    const watch = () => document.querySelectorAll(".js-plotly-plot").forEach((plot) => {
      const box = plot.parentElement;
      if (box && !watched.has(box)) { watched.add(box); sizes.observe(box); }
    });
    const added = new MutationObserver(watch);
    added.observe(document.body, { childList: true, subtree: true });
    watch();
    return () => { added.disconnect(); sizes.disconnect(); clearTimeout(timer); };
  }
};
"""


class FitPlots(anywidget.AnyWidget):
    """Place once on a page that shows ``solara.FigurePlotly`` figures."""

    _esm = _ESM

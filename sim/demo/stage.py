"""The browser side of the page: one anywidget that draws both sides from a precomputed run.

Mesa's SolaraViz draws each chart as its own component and steps the model in Python on every
tick; with four plotly FigureWidgets that cost a room of twenty its time (each widget shipped the
whole plotly bundle, ~20 MB a page, and a Step took 300–400 ms to redraw). Here the run is
computed whole on the server (:mod:`sim.demo.replay`) and sent once; the browser draws the week
it is asked for as plain SVG (stage.js), so Play, Step and the keyboard redraw at once and the
only traffic is the chosen week going back to Python.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

HERE = Path(__file__).parent


class Stage(anywidget.AnyWidget):
    """What the stage is given and gives back.

    * ``run``: a :class:`~sim.demo.replay.Replay` payload as JSON text;
    * ``week``: the week shown (the browser changes it, Python reads it);
    * ``start_week``: the week a link opens at;
    * ``query``: the settings part of the address (the browser adds week and presenter);
    * ``note``: what the last lever change did;
    * ``job``: the followed job's path on both sides;
    * ``presenter``: presenter mode (either side may switch it);
    * ``narrow``: the browser's screen is phone-sized.
    """

    _esm = HERE / "stage.js"
    _css = HERE / "stage.css"
    run = traitlets.Unicode("").tag(sync=True)
    week = traitlets.Int(0).tag(sync=True)
    start_week = traitlets.Int(0).tag(sync=True)
    presenter = traitlets.Bool(False).tag(sync=True)
    query = traitlets.Unicode("").tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    job = traitlets.Dict().tag(sync=True)
    narrow = traitlets.Bool(False).tag(sync=True)  # a phone-sized screen (set by the browser)

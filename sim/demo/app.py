"""The workshop page: Mesa's SolaraViz with orgsim's levers, and the side-by-side dashboard.

Run with ``orgsim-demo`` (or ``solara run sim/demo/app.py``). Each browser session builds its own
:class:`SideBySide` model, so two people on the page never share a run.
"""

import solara
from mesa.visualization import SolaraViz

from sim.demo.levers import model_params
from sim.demo.side_by_side import SideBySide
from sim.demo.views import Dashboard


@solara.component
def Page():
    model = solara.use_reactive(solara.use_memo(SideBySide, []))  # one per browser session
    SolaraViz(model, components=[], model_params=model_params(), play_interval=300,
              name="orgsim · one market, two organisations")
    Dashboard(model.value)

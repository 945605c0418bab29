"""The live workshop demo: the same market under two organisation designs, side by side.

* ``side_by_side`` — the Mesa model the page drives: two orgsim runs on one seed;
* ``levers`` — the sliders a facilitator pulls, and how each maps onto the configuration;
* ``views`` — the charts, network view, follow-one-job panel and scoreboard;
* ``app`` — builds the page with Mesa's SolaraViz (``orgsim-demo`` serves it).
"""

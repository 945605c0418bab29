"""The live workshop demo: the same market under two organisation designs, side by side.

* ``side_by_side`` — the Mesa model behind the page: two orgsim runs on one seed;
* ``levers`` — the sliders a facilitator pulls, and how each maps onto the configuration;
* ``views`` — the numbers the page shows: scoreboard, chart series, one job's path;
* ``replay`` — a pair of runs computed whole and recorded week by week, cached across sessions;
* ``stage`` — the browser widget (stage.js) that draws a week of a replay;
* ``app`` — the Solara page (``orgsim-demo`` serves it).
"""

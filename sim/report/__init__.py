"""The results report and publication exports (``orgsim-report``, ``orgsim-export``): it reads
what experiments stored and draws it.

* ``data`` — read a run or sweep folder once;
* ``figures`` — every figure with the table behind it and a one-line reading from that table
  (``plotting``: what a figure is made of; ``journeys``: jobs' paths; ``sweep_figures``);
* ``page`` — the one HTML page builder (``html_page``: shell and style) and the run / sweep report;
  ``sensitivity_page`` and ``discovery_page`` — the sensitivity and scenario-discovery pages in it;
  ``calibration_page`` — the calibration figure;
* ``export`` — PNG / SVG / PDF through kaleido, and the CSV behind each figure;
* ``style`` — one look for every figure: the same colour for the same design (the demo uses it too).
"""

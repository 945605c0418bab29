"""The command line: the top layer. It parses arguments, calls the library and prints.
(Not yet thin everywhere: calibrate, search, sensitivity and discover still hold their workflows.)

Each module is one command (``orgsim`` and ``orgsim-*`` in pyproject.toml): ``main`` (a run,
written atomically to a run folder with provenance; ``multirun``: ``orgsim -m``, a sweep),
``analyze``, ``report``, ``export``, ``search``, ``calibrate``, ``sensitivity``, ``discover``
and ``demo``; ``outputs`` is the run folder, ``help`` the ``--help`` page, ``hydra_ways`` the
places where orgsim changes Hydra's own behaviour (``--hydra-help``; a run's configuration
composed once, not three times). Composing the configuration lives beneath, in
sim/configuration/ (``composition``), and is the same for a notebook as for the command line.
``import sim.cli.main`` must not import Mesa, pandas, SciPy, Plotly or DuckDB: ``--help`` and
refused input answer at once (each command imports the heavy layers inside the function that
runs).
"""

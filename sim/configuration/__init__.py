"""Configuration: the bottom layer — what one run is made of, declared once.

* ``params`` — :func:`param`: one declaration per setting (value, unit, meaning, source, range);
* ``schema`` — the typed tree (:class:`SimConfig`: market, therapy, staffing, org, run);
* ``validation`` — :func:`validate`, which turns every wrong value into a one-line
  :class:`ConfigError`; ``memory`` — refusing runs that would not fit in memory;
* ``capabilities`` — the kinds of expertise a customer job can need (the index of every skill);
* ``design_registry`` — design name → design class and settings class (the designs, a layer up,
  register themselves);
* ``scenarios`` — the named what-if files in scenarios/ and their questions;
* ``hydra_store``, ``composition``, ``safety`` — the Hydra configuration tree (conf/), composed
  from overrides into a validated :class:`~sim.configuration.composition.Composed`, refusing unsafe
  input; the one entry point for the command line and notebooks alike;
* ``conf_files``, ``odd_table`` — the generated conf/ defaults and docs/ODD.md parameter tables.

Nothing here imports Mesa, pandas, SciPy, Plotly or DuckDB (an import contract, .importlinter).
"""

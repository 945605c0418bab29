"""Experiments: running the engine many times and reading the runs as evidence.

* ``dispatch``, ``progress`` — the one way runs are run (in process or on a pool, in memory or
  stored) and the one progress bar;
* ``paired`` — designs on paired seeds (common random numbers) in worker processes; tables stacked;
* ``budget`` — comparing at equal budget or headcount (``equalised`` scales the compared design);
* ``sweep``, ``store`` — Hydra multiruns stored run by run (Parquet + manifest), resumable;
* ``analysis`` — paired differences with intervals, over one run or a store (DuckDB);
* ``space``, ``doe`` — a declared parameter space (the one format every workflow reads) and
  running a sample of it;
* ``sensitivity``, ``scenario_discovery`` — Morris / Sobol indices, and PRIM boxes;
* ``calibration``, ``calibration_setup`` — fitting the adoption hazard to an observed curve;
* ``patterns`` — a run's outputs in the units of published launch and field-force figures
  (pattern-oriented validation);
* ``search`` — the settings of a space's second design that serve an outcome best within a
  headcount budget.
"""

"""The engine: the simulation itself, the same mechanisms for every organisation design.

:class:`~sim.engine.model.OrgSimModel` owns the state and runs the week (docs/ODD.md, 7); each
submodel is a module: the market drawn from the seed (``market``, ``rng``, ``accounts``,
``stakeholders``, ``people``), customer jobs and their records (``jobs``), finding them
(``job_discovery``), visits (``visits``), decisions (``escalation``), routing and handoffs
(``routing``) under one table of frictions (``interactions``), standing teams (``teams``), staff
positions and their numbers (``staff``, ``workforce``), contacts per account (``contacts``),
adoption (``adoption``), the tidy result tables (``results``) and the per-step invariants
(``invariants``). The engine asks the design questions (sim/designs/base.py) and never imports a
design: it looks the design up by name in sim/configuration/design_registry.py.
"""

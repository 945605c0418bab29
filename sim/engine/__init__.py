"""The engine: the simulation itself, the same mechanisms for every organisation design.

:class:`~sim.engine.model.OrgSimModel` owns the state and runs the week (docs/ODD.md, 3); each
submodel is a module that acts on the model, named in its section of docs/ODD.md, 7: the market
drawn from the seed (``market``, ``rng`` — every random stream —, ``accounts``, ``stakeholders``,
``people``), customer jobs and their records (``jobs``), jobs arriving (``arrivals``), finding
them (``job_discovery``, 7.2), visits (``visits``, 7.1), decisions (``escalation``, 7.3),
routing and handoffs (``routing``, 7.4) under one table of frictions (``interactions``, 7.0),
work and resolution (``work``, 7.5), adoption (``adoption``, 7.6), trust (``trust``, 7.7),
engagement, learning, attrition and hiring (``turnover``, 7.8), costs (``costs``, 7.9), standing
teams (``teams``), staff positions and their numbers (``staff``, ``workforce``), contacts per
account (``contacts``), the tidy result tables (``results``) and the per-step invariants
(``invariants``). The engine asks the design questions (sim/designs/base.py) and never imports a
design: it looks the design up by name in sim/configuration/design_registry.py.
"""

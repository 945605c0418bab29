"""The ``orgsim`` command: a Hydra application over the simulation (see README, "Command line").

* ``registry`` — typed schemas and scenarios registered in Hydra's ConfigStore;
* ``compose`` — composing the configuration tree into a validated ``SimConfig`` (one-line errors);
* ``main`` — the entry point: validate, run the designs on paired seeds, print and write results;
* ``outputs`` — the run folder, written atomically, with provenance.
"""

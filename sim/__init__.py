"""orgsim: does a micro-enterprise organisation serve organized customers better than a
traditional top-down one — by how much, at what cost, and when does the answer flip?

Quick use::

    from sim import SimConfig, design_config, simulate
    result = simulate(SimConfig(org=design_config("micro_enterprise")), seed=1)
    result.summary      # one-row table of headline outcomes
    result.series       # one row per week

The names below are loaded on first use (PEP 562), so ``import sim.configuration`` or the command
line's
``--help`` does not pay for Mesa, pandas and SciPy.
"""

from importlib import import_module

__version__ = "0.1.0"

_WHERE = {
    "ConfigError": "sim.configuration.schema", "SimConfig": "sim.configuration.schema",
    "validate": "sim.configuration.validation",
    "design_config": "sim.configuration.design_registry",
    "design_names": "sim.configuration.design_registry",
    "OrgSimModel": "sim.engine.model", "simulate": "sim.engine.model",
    "RunResult": "sim.engine.results",
}

__all__ = sorted([*_WHERE, "__version__"])


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), "names" if name == "design_names" else name)
    globals()[name] = value
    return value

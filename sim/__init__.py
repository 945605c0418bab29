"""orgsim: does a micro-enterprise organisation serve organized customers better than a
traditional top-down one — by how much, at what cost, and when does the answer flip?

Quick use::

    from sim import SimConfig, design_config, simulate
    result = simulate(SimConfig(org=design_config("micro_enterprise")), seed=1)
    result.summary      # one-row table of headline outcomes
    result.series       # one row per week
"""

from sim.config import ConfigError, SimConfig, validate
from sim.designs import design_config
from sim.designs import names as design_names
from sim.model import OrgSimModel, simulate
from sim.results import RunResult

__version__ = "0.1.0"

__all__ = [
    "ConfigError", "OrgSimModel", "RunResult", "SimConfig", "__version__", "design_config",
    "design_names", "simulate", "validate",
]

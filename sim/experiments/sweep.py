"""Sweeps: many runs of many settings, stored so that nothing is lost and nothing is redone.

``orgsim -m org=traditional,micro_enterprise scenario=rare_disease
staffing.primary_contact_span=2,4,8 run.replications=30`` is a Hydra multirun: every combination
of the comma-separated values is a *job*, launched by the configured Hydra launcher (joblib on all
cores by default; Ray or SLURM through submitit for clusters). A job runs one design under one
*setting* on seeds run.seed … run.seed + run.replications − 1 — the same seeds in every job, so
designs are paired by seed (common random numbers) — and stores each run in the sweep's results
store (sim/experiments/store.py) through the one dispatcher, in the job's own process
(:func:`sim.experiments.dispatch.dispatch`).

The sweep folder is named after the command, so running the same command again finds the same
folder: runs already stored are skipped, failed and missing ones are (re)done. A run that raises
is recorded as failed and the job carries on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sim.configuration.composition import Composed
from sim.experiments.dispatch import (  # noqa: F401  (INJECT, SKIP, ONLY: named here for callers)
    INJECT,
    NOT_SETTING_PREFIXES,
    ONLY,
    SKIP,
    Run,
    StoreWriteError,
    dispatch,
    normalised,
    params_of,
    setting_of,
)


def sweep_folder(overrides: list[str], root: Path = Path("outputs") / "sweeps") -> Path:
    """Where the sweep given by these (unexpanded) overrides lives: the same command, the same
    folder. Named after the scenario(s) and a hash of the overrides."""
    normal = normalised(overrides)
    digest = hashlib.sha256(" ".join(normal).encode()).hexdigest()[:10]
    scenario = next((o.split("=", 1)[1] for o in normal if o.startswith("scenario=")), "")
    name = (scenario.replace(",", "+")[:40] or "oncology_launch") + "-" + digest
    return root / name


def run_job(composed: Composed, overrides: list[str], store_root: Path) -> dict[str, int]:
    """Run and store every seed of one sweep job in this process (Hydra's launcher decides where
    the job runs); returns counts of done / skipped / failed."""
    run = composed.config.run
    runs = [Run(composed.config, seed, composed.scenario, tuple(overrides))
            for seed in range(run.seed, run.seed + run.replications)]
    return dispatch(runs, workers=1, store=store_root).counts


__all__ = ["INJECT", "NOT_SETTING_PREFIXES", "ONLY", "SKIP", "StoreWriteError", "params_of",
           "run_job", "setting_of", "sweep_folder"]

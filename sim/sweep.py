"""Sweeps: many runs of many settings, stored so that nothing is lost and nothing is redone.

``orgsim -m org=traditional,micro_enterprise scenario=rare_disease staffing.ppoc_span=2,4,8
run.replications=30`` is a Hydra multirun: every combination of the comma-separated values is a
*job*, launched by the configured Hydra launcher (joblib on all cores by default; Ray or SLURM
through submitit for clusters). A job runs one design under one *setting* on seeds run.seed …
run.seed + run.replications − 1 — the same seeds in every job, so designs are paired by seed
(common random numbers) — and stores each run in the sweep's results store (sim/store.py).

The sweep folder is named after the command, so running the same command again finds the same
folder: runs already stored are skipped, failed and missing ones are (re)done. A run that raises
is recorded as failed and the job carries on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sim.cli.compose import Composed
from sim.model import simulate
from sim.store import ResultsStore, run_id

# Overrides that say how to run, not what: they are not part of a sweep's or a setting's identity.
NOT_SETTING_PREFIXES = ("hydra.", "hydra/", "run.seed=", "run.replications=", "run.workers=",
                        "baseline=")
INJECT = "ORGSIM_INJECT_FAILURE"  # test hook: "design:seed" makes that run raise


def _normal(overrides: list[str]) -> list[str]:
    return sorted(o.lstrip("+~") for o in overrides if not o.lstrip("+~").startswith(
        NOT_SETTING_PREFIXES))


def setting_of(overrides: list[str]) -> str:
    """A job's setting: its overrides except the design and how-to-run ones."""
    return " ".join(o for o in _normal(overrides) if not o.startswith(("org=", "scenario=")))


def params_of(overrides: list[str]) -> dict[str, str]:
    return dict(o.split("=", 1) for o in _normal(overrides)
                if "=" in o and not o.startswith("org="))


def sweep_folder(overrides: list[str], root: Path = Path("outputs") / "sweeps") -> Path:
    """Where the sweep given by these (unexpanded) overrides lives: the same command, the same
    folder. Named after the scenario(s) and a hash of the overrides."""
    normal = _normal(overrides)
    digest = hashlib.sha256(" ".join(normal).encode()).hexdigest()[:10]
    scenario = next((o.split("=", 1)[1] for o in normal if o.startswith("scenario=")), "")
    name = (scenario.replace(",", "+")[:40] or "oncology_launch") + "-" + digest
    return root / name


def run_job(composed: Composed, overrides: list[str], store_root: Path) -> dict[str, int]:
    """Run and store every seed of one sweep job; returns counts of done / skipped / failed."""
    store = ResultsStore(store_root)
    run = composed.config.run
    inject = os.environ.get(INJECT, "")
    counts = {"done": 0, "skipped": 0, "failed": 0}
    # Storing a run (Arrow encoding, which releases the GIL) overlaps simulating the next one.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="store") as writer:
        pending = [_run_seed(store, writer, composed, overrides, seed, inject, counts)
                   for seed in range(run.seed, run.seed + run.replications)]
        for future in pending:
            if future is not None:
                future.result()  # re-raise a failed write (e.g. a full disk) here
    return counts


def _run_seed(store, writer, composed, overrides, seed, inject, counts):
    """Simulate one seed unless already stored; hand the result to the writer thread."""
    config = composed.config
    design = config.org.design
    rid = run_id(config, seed)
    if store.is_done(rid):
        counts["skipped"] += 1
        return None
    meta = {"design": design, "seed": seed, "scenario": composed.scenario,
            "setting": setting_of(overrides), "params": params_of(overrides),
            "overrides": overrides, "config": _plain(config)}
    try:
        if inject and inject == f"{design}:{seed}":
            raise RuntimeError(f"injected failure ({INJECT}={inject})")
        started = time.perf_counter()
        result = simulate(config, seed)
        meta["simulation_seconds"] = time.perf_counter() - started
    except Exception as error:  # recorded, and the sweep carries on
        store.write_failure(rid, meta, error, traceback.format_exc())
        counts["failed"] += 1
        return None
    counts["done"] += 1
    return writer.submit(store.write_run, rid, result, meta)




def _plain(config) -> dict:
    return dataclasses.asdict(config)

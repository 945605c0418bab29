"""Sweeps: many runs of many settings, stored so that nothing is lost and nothing is redone.

``orgsim -m org=traditional,micro_enterprise scenario=rare_disease
staffing.primary_contact_span=2,4,8 run.replications=30`` is a Hydra multirun: every combination
of the comma-separated values is a *job*, launched by the configured Hydra launcher (joblib on all
cores by default; Ray or SLURM through submitit for clusters). A job runs one design under one
*setting* on seeds run.seed … run.seed + run.replications − 1 — the same seeds in every job, so
designs are paired by seed (common random numbers) — and stores each run in the sweep's results
store (sim/experiments/store.py).

The sweep folder is named after the command, so running the same command again finds the same
folder: runs already stored are skipped, failed and missing ones are (re)done. A run that raises
is recorded as failed and the job carries on.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import signal
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sim.configuration.composition import Composed
from sim.engine.model import simulate
from sim.experiments.store import ResultsStore, describe_os_error, run_id, with_file_digests

# Overrides that say how to run, not what: they are not part of a sweep's or a setting's identity.
NOT_SETTING_PREFIXES = ("hydra.", "hydra/", "run.seed=", "run.replications=", "run.workers=",
                        "baseline=")
# Test hook, "[kind:]design:seed": that run raises (no kind), its worker process is killed
# ("die:"), or storing it fails with a full disk after its first table ("disk_full:").
INJECT = "ORGSIM_INJECT_FAILURE"
# Set by `orgsim -m` (through hydra.job.env_set) while it recovers from a dead worker: runs to
# leave alone for now, or the one run to do alone ("_"-separated run ids; "none" = unset).
SKIP, ONLY = "ORGSIM_SWEEP_SKIP", "ORGSIM_SWEEP_ONLY"


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
                try:
                    future.result()  # a failed write (e.g. a full disk) ends the job
                except OSError as error:
                    raise StoreWriteError(describe_os_error(error)) from error
    return counts


def _run_seed(store, writer, composed, overrides, seed, inject, counts):
    """Simulate one seed unless already stored; hand the result to the writer thread."""
    config = composed.config
    design = config.org.design
    rid = run_id(config, seed)
    if store.is_done(rid) or _left_alone(rid):
        counts["skipped"] += 1
        return None
    meta = {"design": design, "seed": seed, "scenario": composed.scenario,
            "setting": setting_of(overrides), "params": params_of(overrides),
            "overrides": overrides, "config": with_file_digests(_plain(config))}
    store.mark_running(rid, meta)
    try:
        if inject == f"{design}:{seed}":
            raise RuntimeError(f"injected failure ({INJECT}={inject})")
        if inject == f"die:{design}:{seed}":
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        started = time.perf_counter()
        result = simulate(config, seed)
        meta["simulation_seconds"] = time.perf_counter() - started
    except Exception as error:  # recorded, and the sweep carries on
        store.write_failure(rid, meta, error, traceback.format_exc())
        counts["failed"] += 1
        return None
    counts["done"] += 1
    if inject == f"disk_full:{design}:{seed}":
        result = _DiskFillsUp(result, store.root)
    return writer.submit(store.write_run, rid, result, meta)


def _left_alone(rid: str) -> bool:
    """While recovering from a dead worker, runs that were running when it died are first left
    alone (so the rest completes), then done one at a time (so the one that kills its worker is
    known); see sim/cli/main.py."""
    only = os.environ.get(ONLY, "none")
    skip = os.environ.get(SKIP, "none")
    return (only != "none" and rid != only) or rid in skip.split("_")


class StoreWriteError(OSError):
    """The results store could not be written (disk full, read-only); ``str()`` is one line."""


class _DiskFillsUp:
    """Test hook: a run's result whose tables after the first cannot be stored (ENOSPC)."""

    def __init__(self, result, root: Path):
        self._result, self._root, self._served = result, root, 0

    def __getattr__(self, name):
        self._served += 1
        if self._served > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self._root))
        return getattr(self._result, name)




def _plain(config) -> dict:
    return dataclasses.asdict(config)

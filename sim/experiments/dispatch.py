"""The one way simulations are run: a list of runs — each a (configuration, seed) — in this
process or on a pool of worker processes, kept in memory or stored, with one progress display.

Every workflow comes here: a paired comparison (:func:`sim.experiments.paired.run_paired`), a
design of experiments for sensitivity and scenario discovery (:func:`sim.experiments.doe.evaluate`),
calibration and search (through ``run_paired``), and each job of a Hydra multirun
(:func:`sim.experiments.sweep.run_job`; Hydra's launcher — joblib, Ray, submitit — decides where a
job runs, the job itself dispatches its seeds here in its own process).

:func:`dispatch` is the function; two cores do one run each:

* **in memory** (no store): ``simulate(config, seed)``; the results come back in the order of the
  runs given, whatever order the workers finish in;
* **stored** (a :class:`~sim.experiments.store.ResultsStore` folder): a run already stored is
  skipped; a run that raises is recorded as failed (error and traceback) and the others carry on;
  in one process, storing a run overlaps simulating the next (a writer thread; Arrow encoding
  releases the GIL).

Given a ``cluster`` (sim/experiments/ray_cluster.py: a local Ray cluster, or one to join), the
runs are Ray tasks instead of local worker processes — the same store, the same skipping and
recording, the same results; a run whose worker dies there is recorded as failed.

A run is a pure function of (configuration, seed), so nothing depends on the number of workers
or where they are.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import signal
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sim.configuration.schema import SimConfig
from sim.engine.model import simulate
from sim.engine.results import RunResult
from sim.experiments.progress import progress_bar
from sim.experiments.store import ResultsStore, describe_os_error, run_id, with_file_digests

if TYPE_CHECKING:  # ray is imported only when a cluster is used
    from sim.experiments.ray_cluster import Cluster

# Overrides that say how to run, not what: they are not part of a sweep's or a setting's identity.
NOT_SETTING_PREFIXES = ("hydra.", "hydra/", "run.seed=", "run.replications=", "run.workers=",
                        "baseline=")
# Test hook, "[kind:]design:seed": that run raises (no kind), its worker process is killed
# ("die:"), or storing it fails with a full disk after its first table ("disk_full:").
INJECT = "ORGSIM_INJECT_FAILURE"
# Set by `orgsim -m` (through hydra.job.env_set) while it recovers from a dead worker: runs to
# leave alone for now, or the one run to do alone ("_"-separated run ids; "none" = unset).
SKIP, ONLY = "ORGSIM_SWEEP_SKIP", "ORGSIM_SWEEP_ONLY"


@dataclass(frozen=True)
class Run:
    """One simulation: a validated configuration and a seed. ``scenario`` and ``overrides`` (how
    the run is written on the command line) are recorded with a stored run; they do not change
    it."""

    config: SimConfig
    seed: int
    scenario: str = ""
    overrides: tuple[str, ...] = field(default=())

    @property
    def design(self) -> str:
        return self.config.org.design


@dataclass
class Dispatched:
    """What :func:`dispatch` did: ``results`` in the order of the runs given (in memory only;
    ``None`` when stored — read them from the store) and ``counts`` of done / skipped / failed."""

    results: list[RunResult] | None
    counts: dict[str, int]


def dispatch(runs: Sequence[Run], workers: int = 0, store: Path | None = None,
             progress: str | None = None,
             on_done: Callable[[Run], None] | None = None,
             cluster: Cluster | None = None) -> Dispatched:
    """Run every run; ``workers`` 0 means all cores, 1 this process; ``cluster``: as Ray tasks
    on that cluster instead (``workers`` is then not used).

    ``store``: the results-store folder to run into (``None``: keep results in memory).
    ``progress``: the description of a progress bar (``None``: no bar). ``on_done(run)`` is
    called as each run finishes, in the order they finish.
    """
    runs = list(runs)
    counts = {"done": 0, "skipped": 0, "failed": 0}
    n = worker_count(workers, len(runs))
    indexed = list(enumerate(runs))
    if cluster is not None:
        work = _on_cluster(indexed, store, cluster) if runs else iter(())
    elif store is not None:
        root = Path(store)
        work = (_store_runs(indexed, root) if n <= 1 else
                _pool(_stored, [(i, r, root) for i, r in indexed], n))
    else:
        work = (_simulated(i, r) for i, r in indexed) if n <= 1 else _pool(_simulated, indexed, n)
    results: list = [None] * len(runs)
    with _display(progress, len(runs)) as advance:
        for index, outcome in work:
            if store is None:
                results[index] = outcome
                counts["done"] += 1
            else:
                for k, v in outcome.items():
                    counts[k] += v
            advance(counts["failed"])
            if on_done:
                on_done(runs[index])
    return Dispatched(results if store is None else None, counts)


def worker_count(workers: int, items: int) -> int:
    """The worker processes ``items`` pieces of work get: ``workers``, 0 meaning every core,
    and never more than there are pieces."""
    return min(items, workers if workers > 0 else (os.cpu_count() or 1))


def _simulated(index: int, run: Run) -> tuple[int, RunResult]:
    return index, simulate(run.config, run.seed)


def _stored(index: int, run: Run, root: Path) -> tuple[int, dict[str, int]]:
    """One stored run in a worker process (its write is finished before it returns)."""
    return list(_store_runs([(index, run)], root))[0]


def _pool(function, arguments: list, n: int):
    """``function(*a)`` for every ``a`` on ``n`` worker processes, as each finishes."""
    from joblib import Parallel, delayed

    # loky replaces a worker whose memory grew by over 300 MB (a crowded corner of a space) once
    # it has finished its run, and warns; no run is lost, so the warning would only alarm.
    warnings.filterwarnings("ignore", message="A worker stopped while some jobs were given",
                            category=UserWarning)
    return Parallel(n_jobs=n, return_as="generator_unordered")(
        delayed(function)(*a) for a in arguments)


def _on_cluster(indexed: list[tuple[int, Run]], store: Path | None, cluster: Cluster):
    """As the pool, on a Ray cluster: yields (index, result or counts) as each run finishes."""
    from sim.experiments import ray_cluster

    ray_cluster.connect(cluster)
    if store is None:
        for _, result, error in ray_cluster.as_completed(_simulated, indexed):
            if error is not None:
                raise error
            yield result
        return
    root = Path(store).resolve()  # the workers' working folder may not be this one
    for (index, run, _), done, error in ray_cluster.as_completed(
            _stored, [(i, r, root) for i, r in indexed]):
        if isinstance(error, StoreWriteError):
            raise error
        if error is None:
            yield done  # (index, counts), as from the pool
            continue
        # its worker died: recorded here, as the worker could not
        ResultsStore(root).write_failure(run_id(run.config, run.seed), _meta(run), error,
                                         str(error))
        yield index, {"done": 0, "skipped": 0, "failed": 1}


# ----------------------------------------------------------------------------- the stored core
def _store_runs(indexed: list[tuple[int, Run]], root: Path):
    """Simulate and store each run unless stored already; yields (index, counts of that run).
    Storing a run happens on a writer thread while the next one is simulated; a failed write
    (a full disk, a read-only folder) ends the batch with a :class:`StoreWriteError`."""
    store = ResultsStore(root)
    inject = os.environ.get(INJECT, "")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="store") as writer:
        pending = []
        for index, run in indexed:
            counts = {"done": 0, "skipped": 0, "failed": 0}
            pending.append(_store_one(store, writer, run, inject, counts))
            yield index, counts
        for future in pending:
            if future is not None:
                try:
                    future.result()
                except OSError as error:
                    raise StoreWriteError(describe_os_error(error)) from error


def _store_one(store: ResultsStore, writer, run: Run, inject: str, counts: dict):
    """Simulate one run unless already stored; hand the result to the writer thread."""
    config, seed, design = run.config, run.seed, run.design
    rid = run_id(config, seed)
    if store.is_done(rid) or _left_alone(rid):
        counts["skipped"] += 1
        return None
    meta = _meta(run)
    store.mark_running(rid, meta)
    try:
        if inject == f"{design}:{seed}":
            raise RuntimeError(f"injected failure ({INJECT}={inject})")
        if inject == f"die:{design}:{seed}":
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        started = time.perf_counter()
        result = simulate(config, seed)
        meta["simulation_seconds"] = time.perf_counter() - started
    except Exception as error:  # recorded, and the others carry on
        store.write_failure(rid, meta, error, traceback.format_exc())
        counts["failed"] += 1
        return None
    counts["done"] += 1
    if inject == f"disk_full:{design}:{seed}":
        result = _DiskFillsUp(result, store.root)
    return writer.submit(store.write_run, rid, result, meta)


def _meta(run: Run) -> dict:
    """What a stored run's manifest records besides its outcome."""
    overrides = list(run.overrides)
    return {"design": run.design, "seed": run.seed, "scenario": run.scenario,
            "setting": setting_of(overrides), "params": params_of(overrides),
            "overrides": overrides,
            "config": with_file_digests(dataclasses.asdict(run.config))}


def _left_alone(rid: str) -> bool:
    """While recovering from a dead worker, runs that were running when it died are first left
    alone (so the rest completes), then done one at a time (so the one that kills its worker is
    known); see sim/cli/multirun.py."""
    only = os.environ.get(ONLY, "none")
    skip = os.environ.get(SKIP, "none")
    return (only != "none" and rid != only) or rid in skip.split("_")


def normalised(overrides: list[str]) -> list[str]:
    """The overrides that say what is run (not how), without +/~ prefixes, sorted."""
    return sorted(o.lstrip("+~") for o in overrides if not o.lstrip("+~").startswith(
        NOT_SETTING_PREFIXES))


def setting_of(overrides: list[str]) -> str:
    """A run's setting: its overrides except the design and how-to-run ones."""
    return " ".join(o for o in normalised(overrides) if not o.startswith(("org=", "scenario=")))


def params_of(overrides: list[str]) -> dict[str, str]:
    return dict(o.split("=", 1) for o in normalised(overrides)
                if "=" in o and not o.startswith("org="))


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


# ----------------------------------------------------------------------------- progress
class _display:
    """The progress bar (or nothing); ``advance(failed)`` moves it on by one run."""

    def __init__(self, description: str | None, total: int):
        self.description, self.total = description, total

    def __enter__(self):
        if self.description is None or not self.total:
            self.bar = None
            return lambda failed: None
        self.bar = progress_bar().__enter__()
        task = self.bar.add_task(self.description, total=self.total)

        def advance(failed: int) -> None:
            text = f"{self.description} ({failed} failed)" if failed else self.description
            self.bar.update(task, advance=1, description=text)
        return advance

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False

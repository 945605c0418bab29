"""The results store of a sweep: one Parquet file per run and table, plus a manifest per run.

Layout under ``<sweep folder>/store/``::

    runs/<run_id>.json        manifest: status (ok / failed), design, seed, scenario, setting,
                              the swept settings, the resolved configuration, provenance, error
    <table>/<run_id>.parquet  series, jobs, accounts, staff, summary, history — each with
                              run_id, design, seed, scenario and setting columns in front

A run's id is a hash of its resolved configuration (everything that affects the result) and its
seed, so the same run always has the same id: re-running a sweep skips what is already there, and
two sweeps never store the same run twice. Every file is written to a temporary name and renamed
into place; ``summary`` is the last table written and the manifest (with each table's size and
row count) comes after it, so a run counts as done only when all its tables are complete, and a
``summary`` file exists only for a run whose every table is complete. A resumed sweep checks
what it counts as stored (manifest readable, every table present, of the recorded size and
readable as Parquet) and does the rest again (:meth:`ResultsStore.discard_incomplete`). One sweep
at a time writes a store: :meth:`ResultsStore.lock` (a file lock, ``store/.lock``). A run that
raised is recorded with status ``failed``, its error and traceback; running the sweep again
retries it. While a run is being simulated a marker ``running/<run_id>.json``
exists; a marker left behind after the launcher returns means the process running it died (killed,
out of memory), and :meth:`ResultsStore.record_died` turns it into a ``failed`` manifest.

The store is a Parquet dataset: with DuckDB,
``select * from read_parquet('store/summary/*.parquet')`` reads every complete run's summary at
once (see sim/experiments/analysis.py); the other tables hold only complete runs once a sweep has
finished
or resumed, and ``where run_id in (select run_id from read_parquet('store/summary/*.parquet'))``
keeps to complete runs while one is being written.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from sim.configuration.schema import SimConfig

TABLES = ("series", "jobs", "accounts", "staff", "summary", "history")
WRITE_ORDER = tuple(t for t in TABLES if t != "summary") + ("summary",)  # summary = complete


class StoreBusy(RuntimeError):
    """Another sweep holds the store's lock; ``str()`` is one line."""
# Settings that do not change a run's result, so they are not part of its identity.
NOT_IDENTITY = {("run", "seed"), ("run", "replications"), ("run", "workers")}


def canonical(config: SimConfig) -> dict:
    """The configuration as plain data, without the settings that do not change the result.

    A market or organisation read from a file is identified by the file's contents, not only its
    path: a run from an edited file at the same path is another run, never a stored one reused."""
    data = dataclasses.asdict(config)
    for group, key in NOT_IDENTITY:
        data[group].pop(key, None)
    return with_file_digests(data)


def with_file_digests(data: dict) -> dict:
    """``data`` (a configuration as plain data) with ``file_sha256`` beside the path of each
    market or organisation file it reads: what identifies the run is the file's contents."""
    for group in ("market", "staffing"):
        if isinstance(data.get(group), dict) and data[group].get("source") == "file":
            raw = Path(data[group]["path"]).read_bytes()
            data[group]["file_sha256"] = hashlib.sha256(raw).hexdigest()
    return data


def run_id(config: SimConfig, seed: int) -> str:
    text = json.dumps({"config": canonical(config), "seed": int(seed)}, sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def atomic_write(path: Path, write) -> None:
    """Write through ``write(temporary path)`` and rename into place: a reader (or a resumed
    sweep) sees either nothing or the whole file, even if the process is killed mid-write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _with_run_columns(frame: pd.DataFrame, front: dict) -> pa.Table:
    """The table as Arrow with the run's identity in front (constant columns, dictionary-coded
    so they cost nothing per row)."""
    table = pa.Table.from_pandas(frame.drop(columns=["design", "seed"], errors="ignore"),
                                 preserve_index=False)
    n = table.num_rows
    columns, names = [], []
    for key, value in front.items():
        kind = pa.int64() if isinstance(value, int) else pa.string()
        columns.append(pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)),
                                                      pa.array([value], kind)))
        names.append(key)
    return pa.Table.from_arrays(columns + table.columns, names + table.column_names)


class ResultsStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def manifest_path(self, rid: str) -> Path:
        return self.root / "runs" / f"{rid}.json"

    def manifest(self, rid: str) -> dict | None:
        path = self.manifest_path(rid)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None  # unreadable: treat as not done, so it is redone
        return data if isinstance(data, dict) else None

    def is_done(self, rid: str) -> bool:
        """The run's manifest says ok and every table is there, complete and readable."""
        m = self.manifest(rid)
        return bool(m) and m.get("status") == "ok" and all(
            self._table_ok(rid, t, (m.get("tables") or {}).get(t)) for t in TABLES)

    def _table_ok(self, rid: str, table: str, recorded: dict | None) -> bool:
        path = self.root / table / f"{rid}.parquet"
        try:
            if recorded is not None and path.stat().st_size != recorded.get("bytes"):
                return False
            rows = pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException):
            return False
        return recorded is None or rows == recorded.get("rows")

    def lock(self) -> FileLock:
        """The store's lock, acquired: one sweep writes a store at a time (a second one started
        on the same folder gets :class:`StoreBusy` at once). Use as ``with store.lock():``."""
        check_writable(self.root)  # an OSError (read-only, a file in the way) before the lock
        lock = FileLock(self.root / ".lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise StoreBusy(f"{self.root.parent} is busy: another orgsim sweep is writing it; "
                            "wait until it ends, then run the same command again to add what "
                            "is missing") from None
        return lock

    def discard_incomplete(self) -> list[str]:
        """Remove what a killed or damaged sweep left that does not count as stored — a manifest
        that is unreadable or whose tables are missing, truncated or unreadable, and table files
        of runs with no ok manifest — so those runs are done again. Returns their ids. Call
        with the lock held, before the sweep runs."""
        bad = set()
        for path in sorted((self.root / "runs").glob("*.json")):
            m = self.manifest(path.stem)
            if m is None or (m.get("status") == "ok" and not self.is_done(path.stem)):
                bad.add(path.stem)
        for table in TABLES:
            for path in (self.root / table).glob("*.parquet"):
                m = self.manifest(path.stem)
                if path.stem in bad or m is None or m.get("status") != "ok":
                    if m is None or m.get("status") == "ok":
                        bad.add(path.stem)
                    path.unlink(missing_ok=True)
        for rid in bad:
            self.manifest_path(rid).unlink(missing_ok=True)
        return sorted(bad)

    def running_path(self, rid: str) -> Path:
        return self.root / "running" / f"{rid}.json"

    def mark_running(self, rid: str, meta: dict) -> None:
        """Say that ``rid`` is being simulated now (removed once its outcome is recorded)."""
        text = json.dumps({**meta, "run_id": rid, "pid": os.getpid()}, default=str)
        atomic_write(self.running_path(rid), lambda tmp: Path(tmp).write_text(text))

    def take_running(self) -> list[str]:
        """The runs marked running (their workers were killed), markers removed."""
        paths = sorted((self.root / "running").glob("*.json"))
        for path in paths:
            path.unlink(missing_ok=True)
        return [p.stem for p in paths]

    def record_died(self, attempt: str = "") -> list[str]:
        """Record every run still marked running as failed: its process died. Call only when no
        worker is running any more (after the launcher has returned or raised)."""
        died = []
        for path in sorted((self.root / "running").glob("*.json")):
            try:
                meta = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                meta = {}
            rid = path.stem
            meta.pop("pid", None)
            self.write_failure(rid, {**meta, "attempt": attempt}, ChildProcessError(
                "the worker process running it died (killed, or out of memory)"), "")
            died.append(rid)
        return died

    def write_run(self, rid: str, result, meta: dict) -> None:
        """Store every table of ``result``; the manifest (status ok) goes last."""
        front = {"run_id": rid, "design": meta["design"], "seed": int(meta["seed"]),
                 "scenario": meta["scenario"], "setting": meta["setting"]}
        written = {}
        for table in WRITE_ORDER:
            frame = getattr(result, table)
            if table == "summary":
                frame = frame.assign(**{f"param:{k}": str(v)
                                        for k, v in meta.get("params", {}).items()})
            arrow = _with_run_columns(frame, front)
            path = self.root / table / f"{rid}.parquet"
            atomic_write(path, lambda tmp, t=arrow: pq.write_table(t, tmp))
            written[table] = {"rows": arrow.num_rows, "bytes": path.stat().st_size}
        self._write_manifest(rid, {**meta, "run_id": rid, "status": "ok", "tables": written})
        self.running_path(rid).unlink(missing_ok=True)

    def write_failure(self, rid: str, meta: dict, error: BaseException, trace: str) -> None:
        self._write_manifest(rid, {**meta, "run_id": rid, "status": "failed",
                                   "error": f"{type(error).__name__}: {error}",
                                   "traceback": trace})
        self.running_path(rid).unlink(missing_ok=True)

    def _write_manifest(self, rid: str, data: dict) -> None:
        text = json.dumps(data, indent=1, default=str) + "\n"
        atomic_write(self.manifest_path(rid), lambda tmp: Path(tmp).write_text(text))

    def manifests(self) -> list[dict]:
        out = []
        for path in sorted((self.root / "runs").glob("*.json")):
            data = self.manifest(path.stem)
            if data is not None:
                out.append(data)
        return out

    def remove_partial_files(self) -> int:
        """Delete temporary files and running markers left by an interrupted sweep (call before
        writing again): those runs are not done, so they are simply run again."""
        partial = [*self.root.glob("*/.*.tmp"), *self.root.glob("running/*.json")] \
            if self.root.exists() else []
        for path in partial:
            path.unlink(missing_ok=True)
        return len(partial)

    def check_writable(self) -> None:
        """Raise OSError now, before any run, if the store cannot be written (read-only folder,
        a file where a folder should be, no space): one clear error instead of one per run."""
        check_writable(self.root)

    def counts(self) -> dict[str, int]:
        status = [m.get("status") for m in self.manifests()]
        return {"ok": status.count("ok"), "failed": status.count("failed")}


def check_writable(folder: Path) -> None:
    """Create ``folder`` if needed and write (then remove) a small file in it; raises OSError if
    that is impossible."""
    atomic_write(folder / ".writable", lambda tmp: Path(tmp).write_text("ok\n"))
    (folder / ".writable").unlink(missing_ok=True)


def describe_os_error(error: OSError) -> str:
    """One line for a failed write: what, where and the likely cause."""
    where = error.filename or "the results store"
    reason = error.strerror or str(error)
    hint = {errno.ENOSPC: "free some disk space and run the same command again to finish",
            errno.EDQUOT: "free some disk space and run the same command again to finish",
            errno.EACCES: "the folder is not writable: choose another (hydra.sweep.dir=...)",
            errno.EPERM: "the folder is not writable: choose another (hydra.sweep.dir=...)",
            errno.EROFS: "the file system is read-only: choose another folder",
            errno.ENOTDIR: "a file is in the way of a folder: choose another folder",
            errno.EEXIST: "a file is in the way of a folder: choose another folder",
            }.get(error.errno, "check the folder and run the same command again")
    return f"cannot write {where}: {reason} ({hint})"

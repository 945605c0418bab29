"""The results store of a sweep: one Parquet file per run and table, plus a manifest per run.

Layout under ``<sweep folder>/store/``::

    runs/<run_id>.json        manifest: status (ok / failed), design, seed, scenario, setting,
                              the swept settings, the resolved configuration, provenance, error
    <table>/<run_id>.parquet  series, jobs, accounts, staff, summary, history — each with
                              run_id, design, seed, scenario and setting columns in front

A run's id is a hash of its resolved configuration (everything that affects the result) and its
seed, so the same run always has the same id: re-running a sweep skips what is already there, and
two sweeps never store the same run twice. Every file is written to a temporary name and renamed
into place; the manifest is written last, so a run counts as done only when all its tables are
complete. A run that raised is recorded with status ``failed``, its error and traceback; running
the sweep again retries it.

The store is a Parquet dataset: with DuckDB,
``select * from read_parquet('store/summary/*.parquet')`` reads every run's summary at once
(see sim/analysis.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import SimConfig

TABLES = ("series", "jobs", "accounts", "staff", "summary", "history")
# Settings that do not change a run's result, so they are not part of its identity.
NOT_IDENTITY = {("run", "seed"), ("run", "replications"), ("run", "workers")}


def canonical(config: SimConfig) -> dict:
    """The configuration as plain data, without the settings that do not change the result."""
    data = dataclasses.asdict(config)
    for group, key in NOT_IDENTITY:
        data[group].pop(key, None)
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
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return None  # unreadable: treat as not done, so it is redone

    def is_done(self, rid: str) -> bool:
        m = self.manifest(rid)
        return bool(m) and m.get("status") == "ok" and all(
            (self.root / t / f"{rid}.parquet").exists() for t in TABLES)

    def write_run(self, rid: str, result, meta: dict) -> None:
        """Store every table of ``result``; the manifest (status ok) goes last."""
        front = {"run_id": rid, "design": meta["design"], "seed": int(meta["seed"]),
                 "scenario": meta["scenario"], "setting": meta["setting"]}
        for table in TABLES:
            frame = getattr(result, table)
            if table == "summary":
                frame = frame.assign(**{f"param:{k}": str(v)
                                        for k, v in meta.get("params", {}).items()})
            arrow = _with_run_columns(frame, front)
            atomic_write(self.root / table / f"{rid}.parquet",
                    lambda tmp, t=arrow: pq.write_table(t, tmp))
        self._write_manifest(rid, {**meta, "run_id": rid, "status": "ok"})

    def write_failure(self, rid: str, meta: dict, error: BaseException, trace: str) -> None:
        self._write_manifest(rid, {**meta, "run_id": rid, "status": "failed",
                                   "error": f"{type(error).__name__}: {error}",
                                   "traceback": trace})

    def _write_manifest(self, rid: str, data: dict) -> None:
        text = json.dumps(data, indent=1, default=str) + "\n"
        atomic_write(self.manifest_path(rid), lambda tmp: Path(tmp).write_text(text))

    def manifests(self) -> list[dict]:
        out = []
        for path in sorted((self.root / "runs").glob("*.json")):
            try:
                out.append(json.loads(path.read_text()))
            except (OSError, json.JSONDecodeError):
                continue
        return out

    def remove_partial_files(self) -> int:
        """Delete temporary files left by an interrupted writer (call before writing again)."""
        partial = list(self.root.glob("*/.*.tmp")) if self.root.exists() else []
        for path in partial:
            path.unlink(missing_ok=True)
        return len(partial)

    def counts(self) -> dict[str, int]:
        status = [m.get("status") for m in self.manifests()]
        return {"ok": status.count("ok"), "failed": status.count("failed")}

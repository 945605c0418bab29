"""The results folder of one ``orgsim`` invocation, written so that nothing is lost or half-done.

Hydra starts the job in ``outputs/.staging/<date>_<time>``; everything is written there and the
folder is moved to ``outputs/<date>/<time>`` in one rename once it is complete. An interrupted run
therefore never leaves a folder under ``outputs/<date>/`` that looks complete, and two runs in the
same second get different folders (the name carries microseconds; a clash gets a suffix instead
of overwriting). Layout::

    outputs/<date>/<time>/
      config.yaml          the resolved configuration (and .hydra/ with Hydra's own record)
      provenance.json      orgsim version, git commit, seeds, versions, start/end, how to reproduce
      comparison.csv       the printed table, in numbers
      report.html          self-contained HTML report (works offline; see sim/report/)
      tables/<name>.parquet and tables/<name>.csv for series, jobs, accounts, staff, summary,
                           history — every run stacked, with design and seed columns
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sim import __version__

REPO = Path(__file__).resolve().parents[2]


class RunFolder:
    def __init__(self, staging: Path, final: Path | None = None):
        self.staging = Path(staging)
        self.final = Path(final) if final is not None else None  # hydra.run.dir=<final>
        self.staging.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        p = self.staging / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        """Parquet and CSV of one table, both through Arrow (pandas' CSV writer is ~10× slower)."""
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, self.path(f"tables/{name}.parquet"))
        plain = table.cast(pa.schema([
            pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
            for f in table.schema]))
        pacsv.write_csv(plain, self.path(f"tables/{name}.csv"))

    def write_text(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")

    def write_json(self, name: str, data: dict) -> None:
        self.write_text(name, json.dumps(data, indent=2, default=str) + "\n")

    def files(self) -> dict[str, dict]:
        out = {}
        for p in sorted(self.staging.rglob("*")):
            if p.is_file() and not p.name.endswith(".log"):
                out[str(p.relative_to(self.staging))] = {
                    "bytes": p.stat().st_size,
                    "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
                }
        return out

    def final_path(self) -> Path:
        """``outputs/.staging/<date>_<time>`` → ``outputs/<date>/<time>``; the folder given as
        ``hydra.run.dir`` (staged beside it); elsewhere: in place."""
        if self.final is not None:
            return self.final
        if self.staging.parent.name != ".staging":
            return self.staging
        date, _, time = self.staging.name.partition("_")
        return self.staging.parent.parent / date / time

    def finalize(self) -> Path:
        """Move the complete folder into place in one rename; never overwrite another run."""
        target = self.final_path()
        if target == self.staging:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        candidate, k = target, 1
        while True:
            try:
                os.rename(self.staging, candidate)  # atomic; fails if candidate exists
                return candidate
            except OSError:
                if not os.path.lexists(candidate):
                    raise
                candidate, k = target.with_name(f"{target.name}-{k}"), k + 1


def git_commit() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit or None, "dirty": dirty if commit else None}


def versions() -> dict:
    """orgsim, Python, the platform, the main libraries — and every installed package with its
    version plus the SHA-256 of uv.lock, so a run records exactly the environment it ran in."""
    out = {"orgsim": __version__, "python": sys.version.split()[0],
           "platform": platform.platform()}
    for package in ("mesa", "numpy", "pandas", "hydra-core", "omegaconf", "plotly", "pyarrow"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = None
    lock = REPO / "uv.lock"
    out["uv_lock_sha256"] = (hashlib.sha256(lock.read_bytes()).hexdigest() if lock.is_file()
                             else None)
    installed = (_name_and_version(d) for d in metadata.distributions())
    out["packages"] = dict(sorted({name.lower(): version
                                   for name, version in installed if name}.items()))
    return out


def _name_and_version(dist: metadata.Distribution) -> tuple[str | None, str | None]:
    """Name and Version from the head of a package's METADATA, read as plain ``Key: value``
    lines: ``dist.metadata`` parses the whole file (long descriptions included) as e-mail, which
    took a run about 0.1–0.3 s for the ~150 installed packages."""
    fields: dict[str, str] = {}
    for line in (dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "").splitlines():
        if not line.strip():
            break  # the headers end at the first blank line
        key, sep, value = line.partition(":")
        if sep and key in ("Name", "Version") and key not in fields:
            fields[key] = value.strip()
    return fields.get("Name"), fields.get("Version")


def market_facts(config) -> dict | None:
    """The market file of a run for its header and provenance.json (None: synthetic market):
    path, SHA-256, size, accounts, the columns it gave and those drawn from the scenario."""
    from sim.configuration.market_file import OPTIONAL, describe, read_market_file

    if config.market.source != "file":
        return None
    table = read_market_file(config.market.path, tuple(config.market.jobs))
    return {"path": table.path, "sha256": table.sha256, "bytes": table.size,
            "accounts": table.n, "columns": ["id", *[c for c in OPTIONAL if table.has(c)]],
            "drawn": table.drawn(), "described": describe(table)}


def org_facts(config) -> dict | None:
    """The organisation file of a run for its header and provenance.json (None: staffing from
    the settings): path, SHA-256, size, headcount per role."""
    from sim.configuration.org_file import describe, read_org_file

    if config.staffing.source != "file":
        return None
    table = read_org_file(config.staffing.path)
    return {"path": table.path, "sha256": table.sha256, "bytes": table.size,
            "headcount": table.headcounts(), "regions": table.region is not None,
            "salaries": table.salary is not None, "described": describe(table)}


def changed_input_file(provenance: dict) -> str | None:
    """The market or organisation file a recorded run read, if it no longer has the recorded
    SHA-256 (or is gone); None if every input file is as it was."""
    from sim.configuration.table_file import MAX_BYTES

    for key in ("market_file", "organisation_file"):
        facts = provenance.get(key)
        if not isinstance(facts, dict) or not facts.get("path"):
            continue
        path = Path(str(facts["path"]))
        digest = None
        try:  # a results folder is someone else's: hash only a regular file within the limit
            if path.is_file() and path.stat().st_size <= MAX_BYTES:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            pass
        if digest != facts.get("sha256"):
            return str(path)
    return None


def run_header(composed, seeds: list[int], overrides: list[str], market, organisation) -> str:
    """The lines above the printed table: scenario, seeds, designs, comparison basis, input
    files, overrides and what a cell holds."""
    from sim.experiments.analysis import INTERVAL_METHOD
    from sim.experiments.budget import describe_basis

    caption = (f"Scenario {composed.scenario}; {len(seeds)} paired replications, seeds "
               f"{seeds[0]}–{seeds[-1]}; {composed.config.run.horizon_weeks} weeks.")
    header = f"orgsim · {caption} Designs: {', '.join(composed.designs)}."
    basis = describe_basis(composed.budget)
    if basis:
        header += "\n" + basis
    for facts in (market, organisation):
        header += "\n" + facts["described"] if facts else ""
    return header + (f"\nOverrides: {' '.join(overrides) or 'none (the defaults)'}\n"
                     f"Each cell: mean over replications [{INTERVAL_METHOD}].")

"""Fault injection in sweeps: a worker process that dies, a folder that cannot be written, a disk
that fills up. Each ends in one clear line, loses nothing stored before, and the same command
run again finishes the sweep.

A sweep that meets a fault in its workers (one that dies, a disk that fills up) is a subprocess
on the default (joblib) launcher, as is the smoke test of a single run's exit status 2; the
sweeps before and after a fault, and the faults found before anything is launched, run in this
process through orgsim's own entry point (tests/commands.py)."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from commands import run_command, run_process

from sim.experiments.store import TABLES, ResultsStore

pytestmark = pytest.mark.slow  # multi-run or multi-seed: not in the fast tier (make check)

ARGS = ["org=traditional,micro_enterprise", "run.horizon_weeks=26"]
# The earlier results a fault must leave alone, and the same command run again after the fault,
# are made one job after another: only the sweep that meets the fault runs on the default
# (parallel) launcher, where its workers report it. The launcher is not part of a sweep's
# identity (sim/experiments/dispatch.py NOT_SETTING_PREFIXES): the run again finds the same store.
SETUP = ["hydra/launcher=basic"]


def orgsim(args, cwd, env=None):
    """``orgsim -m args…`` as a subprocess: its launcher's worker processes meet the fault."""
    environ = {k: v for k, v in os.environ.items() if k != "ORGSIM_INJECT_FAILURE"}
    return run_process("orgsim", ["-m", *args], cwd, {**environ, **(env or {})})


def sweep(args, cwd):
    """``orgsim -m args…`` in this process (tests/commands.py), no fault injected."""
    assert "ORGSIM_INJECT_FAILURE" not in os.environ
    return run_command("orgsim", ["-m", *args], cwd)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its content hash."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_worker_that_dies_is_recorded_failed_the_rest_finish_and_rerun_retries_it(tmp_path):
    """SIGKILL inside a joblib worker (as the out-of-memory killer would). The launcher gives up
    on every job when one worker dies; orgsim finds the run that killed it and finishes the
    others."""
    args = [*ARGS, "run.replications=2", f"hydra.sweep.dir={tmp_path / 's'}"]
    out = orgsim(args, tmp_path, env={"ORGSIM_INJECT_FAILURE": "die:micro_enterprise:1"})
    assert out.returncode == 1, out.stderr
    assert "3 of 4 runs stored (3 new, 0 from before), 1 failed." in out.stdout
    assert "run the same command again to retry them" in one_line(out.stderr)
    runs = ResultsStore(tmp_path / "s" / "store").manifests()
    failed = [m for m in runs if m["status"] == "failed"]
    assert len(failed) == 1, failed
    assert (failed[0]["design"], failed[0]["seed"]) == ("micro_enterprise", 1)
    assert "worker process running it died" in failed[0]["error"]
    again = sweep([*args, *SETUP], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "4 of 4 runs stored (1 new, 3 from before), 0 failed." in again.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions (chmod 0o555)")
def test_a_read_only_sweep_folder_gets_one_line_and_earlier_results_are_untouched(tmp_path):
    folder = tmp_path / "s"
    first = sweep([*ARGS, "run.replications=1", f"hydra.sweep.dir={folder}", *SETUP], tmp_path)
    assert first.returncode == 0, first.stderr
    before = snapshot(folder)
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o555)
    try:
        # refused before anything is launched
        out = sweep([*ARGS, "run.replications=2", f"hydra.sweep.dir={folder}"], tmp_path)
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    assert out.returncode != 0
    line = one_line(out.stderr)
    assert line.startswith("orgsim: error: cannot write") and "not writable" in line, line
    assert snapshot(folder) == before


def test_a_file_in_place_of_the_sweep_folder_gets_one_line_and_is_untouched(tmp_path):
    """What a read-only folder does for root, whom permissions do not stop: nothing can be
    written there."""
    blocker = tmp_path / "s"
    blocker.write_text("someone's notes\n")
    out = sweep([*ARGS, "run.replications=1", f"hydra.sweep.dir={blocker}"], tmp_path)
    assert out.returncode == 2
    line = one_line(out.stderr)
    assert line.startswith(f"orgsim: error: cannot write {blocker}/store") and \
        "a file is in the way of a folder" in line, line
    assert blocker.read_text() == "someone's notes\n"


def test_a_single_run_into_an_unwritable_outputs_folder_gets_one_line(tmp_path):
    """Hydra makes a single run's folder before orgsim has control; orgsim checks first. A
    subprocess: the smoke test of exit status 2 and no traceback."""
    (tmp_path / "outputs").write_text("someone's notes\n")  # a file where outputs/ should be
    out = run_process("orgsim", ["run.replications=1", "run.horizon_weeks=4"], tmp_path)
    assert out.returncode == 2
    assert one_line(out.stderr) == (
        "orgsim: error: outputs: cannot write outputs/.staging (Not a directory); choose "
        "another folder (hydra.run.dir=...) or free disk space")
    assert "Traceback" not in out.stdout + out.stderr
    assert (tmp_path / "outputs").read_text() == "someone's notes\n"


def test_a_full_disk_mid_sweep_gets_one_line_leaves_no_partial_files_and_rerun_finishes(
        tmp_path):
    folder = tmp_path / "s"
    first = sweep([*ARGS, "run.replications=1", f"hydra.sweep.dir={folder}", *SETUP], tmp_path)
    assert first.returncode == 0, first.stderr
    store = ResultsStore(folder / "store")
    earlier = {m["run_id"]: m for m in store.manifests()}
    earlier_files = {k: v for k, v in snapshot(folder / "store").items()
                     if any(rid in k for rid in earlier)}
    args = [*ARGS, "run.replications=3", f"hydra.sweep.dir={folder}"]
    full = orgsim(args, tmp_path, env={"ORGSIM_INJECT_FAILURE": "disk_full:micro_enterprise:1"})
    assert full.returncode == 1
    line = one_line(full.stderr)
    assert line == (f"orgsim: error: cannot write {folder}/store: No space left on device "
                    "(free some disk space and run the same command again to finish)"), line
    assert not list((folder / "store").glob("*/.*.tmp"))  # atomic writes: nothing half-written
    after = {m["run_id"]: m for m in store.manifests()}
    assert all(after[rid]["status"] == "ok" for rid in earlier)  # earlier runs still there
    for rid in earlier:
        assert store.is_done(rid)
        for table in TABLES:
            assert len(pd.read_parquet(folder / "store" / table / f"{rid}.parquet")) >= 0
    now = snapshot(folder / "store")
    assert {k: now[k] for k in earlier_files} == earlier_files  # and unchanged
    stuck = [m for m in after.values() if (m["design"], m["seed"]) == ("micro_enterprise", 1)]
    assert stuck == []  # its first table may be there, but it does not count as done
    again = sweep([*args, *SETUP], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "6 of 6 runs stored" in again.stdout and "0 failed" in again.stdout
    assert not list((folder / "store").glob("running/*"))


def test_atomic_write_leaves_nothing_when_the_disk_fills_mid_file(tmp_path, monkeypatch):
    """In process: the Parquet writer writes half a file, then the disk is full."""
    from sim.configuration.composition import compose_run
    from sim.engine.model import simulate

    config = compose_run(["scenario=workshop", "run.horizon_weeks=8", "baseline=null"]).config
    store = ResultsStore(tmp_path / "store")
    meta = {"design": config.org.design, "scenario": "workshop", "setting": ""}
    store.write_run("earlier", simulate(config, 0), {**meta, "seed": 0})
    before = snapshot(tmp_path / "store")
    written = []

    def half_then_full(table, where):
        Path(where).write_bytes(b"PAR1 half a file")
        written.append(where)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(where))

    monkeypatch.setattr(pq, "write_table", half_then_full)
    with pytest.raises(OSError) as error:
        store.write_run("new", simulate(config, 1), {**meta, "seed": 1})
    assert error.value.errno == errno.ENOSPC and written
    assert snapshot(tmp_path / "store") == before  # no half file, no manifest, nothing changed
    assert store.is_done("earlier") and not store.is_done("new")
    monkeypatch.undo()
    store.write_run("new", simulate(config, 1), {**meta, "seed": 1})  # space is free again
    assert store.is_done("new") and store.counts() == {"ok": 2, "failed": 0}

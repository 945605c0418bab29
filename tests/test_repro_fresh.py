"""Reproducibility across fresh processes and execution engines, and from a results folder.

In-process determinism is tests/test_reproducibility.py; the sweep launchers (joblib, Ray,
submitit) against a serial sweep are tests/test_sweeps.py::test_launchers_give_identical_runs_*.
Here: the ``orgsim`` command itself, run twice in fresh processes (so nothing cached in a process
can help), serially and with worker processes, and again from its results folder with
``orgsim --reproduce FOLDER``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from commands import run_process

from sim.experiments.paired import TABLES

pytestmark = pytest.mark.slow  # multi-run or multi-seed: not in the fast tier (make check)

RUN = ["scenario=workshop", "run.replications=2", "run.horizon_weeks=26"]


def orgsim(args, cwd):
    return run_process("orgsim", args, cwd, timeout=300)


def folder_of(out, cwd: Path) -> Path:
    assert out.returncode == 0, out.stderr
    match = re.search(r"^Results: (.+)$", out.stdout, re.M)
    assert match, out.stdout
    path = Path(match.group(1).strip())
    return path if path.is_absolute() else cwd / path


def table_bytes(folder: Path) -> dict[str, bytes]:
    return {t: (folder / "tables" / f"{t}.parquet").read_bytes() for t in TABLES}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("repro")
    return cwd, folder_of(orgsim([*RUN, "run.workers=1"], cwd), cwd)


def test_two_fresh_processes_serial_and_parallel_write_byte_identical_tables(first):
    """``a`` is the fixture's fresh process, serial; a second serial process of the same
    configuration is test_orgsim_reproduce_folder_gives_identical_tables_in_a_new_folder's."""
    cwd, a = first
    c = folder_of(orgsim([*RUN, "run.workers=2"], cwd), cwd)  # fresh process, 2 workers
    assert a != c
    reference = table_bytes(a)
    assert all(len(v) > 100 for v in reference.values())
    assert table_bytes(c) == reference
    seeds = [json.loads((f / "provenance.json").read_text())["seeds"] for f in (a, c)]
    assert seeds == [[0, 1]] * 2


def test_a_results_folder_records_what_reproduces_it(first):
    _, a = first
    provenance = json.loads((a / "provenance.json").read_text())
    assert provenance["seeds"] == [0, 1] and provenance["overrides"]
    assert provenance["reproduce"].startswith("orgsim scenario=workshop")
    assert {"orgsim", "python", "mesa", "numpy", "pandas"} <= set(provenance["orgsim"])
    assert "commit" in provenance["git"]
    assert "design: micro_enterprise" in (a / "config.yaml").read_text()


def test_orgsim_reproduce_folder_gives_identical_tables_in_a_new_folder(first):
    cwd, a = first
    out = orgsim(["--reproduce", str(a)], cwd)
    again = folder_of(out, cwd)
    assert again != a
    assert table_bytes(again) == table_bytes(a)
    assert json.loads((again / "provenance.json").read_text())["overrides"] == json.loads(
        (a / "provenance.json").read_text())["overrides"]


def test_reproduce_refuses_when_the_configuration_changed_since(first, tmp_path):
    """A folder whose recorded configuration the current conf/ no longer gives (simulated by
    editing its config.yaml) is refused in one line naming the setting, not silently rerun."""
    _, a = first
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "provenance.json").write_text((a / "provenance.json").read_text())
    text = (a / "config.yaml").read_text()
    assert "  accounts: " in text
    (copy / "config.yaml").write_text(re.sub(r"(\n  accounts: )(\d+)", r"\g<1>999", text, count=1))
    out = orgsim(["--reproduce", str(copy)], tmp_path)
    assert out.returncode == 2
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert "configuration files changed" in lines[0] and "market.accounts: 999 then" in lines[0]
    assert not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("args, message", [
    (["--reproduce"], "give one results folder"),
    (["--reproduce", "/nonexistent/folder"], "is not an orgsim results folder"),
])
def test_reproduce_bad_input_is_one_line_exit_2(tmp_path, args, message):
    out = orgsim(args, tmp_path)
    assert out.returncode == 2 and message in out.stderr
    assert len([line for line in out.stderr.splitlines() if line.strip()]) == 1
    assert not (tmp_path / "outputs").exists()

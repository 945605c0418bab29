"""Your own market from a file (sim/configuration/market_file.py, sim/engine/market_file.py):
good files become the run's accounts; every bad file is refused in one line that names the file,
the row, the column and what is allowed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from commands import run_command

from sim.configuration import market_file, table_file
from sim.configuration.composition import InputError, compose_run
from sim.configuration.market_file import MarketFileError, describe, read_market_file
from sim.configuration.schema import MarketConfig
from sim.engine.market import build_market
from sim.engine.rng import RandomStreams

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "market_accounts.csv"
TEMPLATE = REPO / "examples" / "market_template.csv"
JOBS = tuple(MarketConfig().jobs)

GOOD_HEADER = "id,type,region,patients,prescribers,organisation,dmu_size,links,open_jobs\n"
GOOD_ROW = "A1,integrated,North,400,30,0.8,9,A2,formulary_evidence\n"
SECOND_ROW = "A2,community,South,120,10,0.4,5,,\n"


def _xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    if isinstance(content, list):
        return _xlsx(path, content)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# (what is wrong, file name, content, words the one line must contain)
BAD_FILES = [
    ("an unsupported file type", "accounts.xls", GOOD_HEADER + GOOD_ROW,
     ["unsupported file type '.xls'", "allowed: .csv (UTF-8) or .xlsx"]),
    ("an unsupported encoding (Latin-1)", "accounts.csv",
     (GOOD_HEADER + "A1,integrated,Génève,400,30,0.8,9,,\n").encode("latin-1"),
     ["not UTF-8 (byte 0xe9", "allowed: UTF-8 text"]),
    ("an unsupported encoding (UTF-16)", "accounts.csv",
     (GOOD_HEADER + GOOD_ROW).encode("utf-16"), ["not a text table (UTF-16?)", "allowed"]),
    ("a file that is not a table (binary)", "accounts.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00",
     ["not a text table", "allowed: comma-separated text"]),
    ("an empty file", "accounts.csv", "", ["the file is empty", "allowed: a header row"]),
    ("a header without accounts", "accounts.csv", GOOD_HEADER,
     ["no accounts (only a header row)", "allowed: one row per account"]),
    ("no id column", "accounts.csv", "type,patients\nintegrated,400\n",
     ["row 1: no 'id' column", "allowed"]),
    ("an unknown column", "accounts.csv", "id,beds\nA1,400\n",
     ["row 1: unknown column 'beds'", "allowed: id, name, type"]),
    ("a column twice", "accounts.csv", "id,patients,Patients\nA1,1,2\n",
     ["row 1: column 'patients' appears twice"]),
    ("a wrong type", "accounts.csv", "id,patients\nA1,400\nA2,many\n",
     ["row 3, column patients: 'many' is not a number", "allowed: a number ≥ 0"]),
    ("a negative count", "accounts.csv", "id,prescribers\nA1,-4\n",
     ["row 2, column prescribers", "out of range", "allowed: a whole number ≥ 0"]),
    ("a fraction of a person", "accounts.csv", "id,dmu_size\nA1,2.5\n",
     ["row 2, column dmu_size", "not a whole number", "allowed: a whole number ≥ 1"]),
    ("a degree of organisation above 1", "accounts.csv", "id,organisation\nA1,1.4\n",
     ["row 2, column organisation", "out of range", "allowed: a number from 0"]),
    ("not a number at all (nan)", "accounts.csv", "id,patients\nA1,nan\n",
     ["row 2, column patients: 'nan' is not a number"]),
    ("an unknown account type", "accounts.csv", "id,type\nA1,hospital\n",
     ["row 2, column type: 'hospital'", "allowed: one of integrated, academic"]),
    ("a duplicate id", "accounts.csv", "id,patients\nA1,1\nA2,2\nA1,3\n",
     ["row 4, column id: 'A1' is also the id of row 2", "allowed: a unique id"]),
    ("a link to an unknown account", "accounts.csv", "id,links\nA1,A2;Z9\nA2,\n",
     ["row 2, column links: 'Z9' is not the id of an account in this file", "allowed"]),
    ("a link to itself", "accounts.csv", "id,links\nA1,\nA2,A2\n",
     ["row 3, column links: the account links to itself", "allowed"]),
    ("an unknown job type", "accounts.csv", "id,open_jobs\nA1,formulary_evidence;lunch\n",
     ["row 2, column open_jobs: unknown job type 'lunch'", "allowed: access_query"]),
    ("an empty cell in a given column", "accounts.csv", "id,region\nA1,North\nA2,\n",
     ["row 3, column region: empty", "allowed: text", "leave the whole column out"]),
    ("more cells than columns", "accounts.csv", "id,patients\nA1,1,2\n",
     ["row 2: 3 cells but the header has 2 columns"]),
    ("values under a column without a name", "accounts.csv", "id,\nA1,5\n",
     ["row 1, column 2: a column with values has no name"]),
    ("a cell of a megabyte", "accounts.csv", "id,name\nA1," + "x" * 5000 + "\n",
     ["row 2, column name: 5000 characters", "allowed: at most 1000"]),
    ("an .xlsx that is not a workbook", "accounts.xlsx", GOOD_HEADER + GOOD_ROW,
     ["not an Excel workbook", "allowed: an .xlsx saved by Excel"]),
    ("an empty sheet", "accounts.xlsx", [], ["sheet 'Sheet' is empty", "allowed: a header row"]),
    ("a wrong type in Excel (a yes/no)", "accounts.xlsx", [["id", "patients"], ["A1", True]],
     ["row 2, column patients: 'True' is not a number"]),
]


@pytest.mark.parametrize("case", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_market_file_is_refused_in_one_line_naming_what_is_allowed(tmp_path, case):
    _, name, content, words = case
    path = _write(tmp_path, name, content)
    with pytest.raises(MarketFileError) as error:
        read_market_file(path, JOBS)
    line = str(error.value)
    assert "\n" not in line and line.startswith(str(path)), line
    for word in words:
        assert word in line, line


def test_a_missing_file_a_folder_and_a_huge_file_are_refused_before_reading(tmp_path,
                                                                              monkeypatch):
    with pytest.raises(MarketFileError, match="cannot read it .*allowed: an existing"):
        read_market_file(tmp_path / "nowhere.csv", JOBS)
    with pytest.raises(MarketFileError, match="not a file; allowed"):
        read_market_file(tmp_path, JOBS)
    monkeypatch.setattr(table_file, "MAX_BYTES", 10)
    path = _write(tmp_path, "big.csv", GOOD_HEADER + GOOD_ROW)
    with pytest.raises(MarketFileError, match="MiB; allowed: at most"):
        read_market_file(path, JOBS)


def test_a_bad_market_file_on_the_command_line_exits_2_with_one_line_and_no_output(tmp_path):
    bad = _write(tmp_path, "accounts.csv", "id,patients\nA1,-3\n")
    done = run_command("orgsim", ["market=file", f"market.path={bad}"], tmp_path)  # in process
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert done.stderr.startswith(f"orgsim: error: market.path: {bad}: row 2, column patients")
    assert not (tmp_path / "outputs").exists()


def test_market_file_without_a_path_asks_for_one():
    with pytest.raises(InputError, match="market.path: needs a value"):
        compose_run(["market=file"])


def test_the_example_and_the_template_are_good_market_files():
    example = read_market_file(EXAMPLE, JOBS)
    assert example.n >= 30 and example.drawn() == []  # the example gives every column
    template = read_market_file(TEMPLATE, JOBS)
    assert template.n == 1 and set(template.columns) == set(market_file.COLUMNS) - {"id"}


def test_a_file_market_uses_the_files_values_and_says_what_it_drew(tmp_path):
    path = _write(tmp_path, "a.csv", "id,region,patients\nA,N,400\nB,S,50\nC,N,7\n")
    composed = compose_run(["market=file", f"market.path={path}", "run.horizon_weeks=10"])
    m = composed.config.market
    assert (m.accounts, m.regions) == (3, 2)
    market = build_market(composed.config, RandomStreams(0))
    assert market.patients.tolist() == [400.0, 50.0, 7.0]
    assert market.region.tolist() == [0, 1, 0]
    line = describe(read_market_file(path, JOBS))
    assert "3 accounts" in line and "drawn from the scenario's distributions: type, " \
        "prescribers, organisation, dmu_size, links, open_jobs" in line


def test_the_files_links_and_known_open_jobs_are_in_the_market(tmp_path):
    path = _write(tmp_path, "a.csv", GOOD_HEADER + GOOD_ROW + SECOND_ROW)
    config = compose_run(["market=file", f"market.path={path}"]).config
    market = build_market(config, RandomStreams(3))
    links = zip(market.link_src.tolist(), market.link_dst.tolist(), strict=True)
    assert sorted(links) == [(0, 1), (1, 0)]
    at_launch = market.jobs.arrival == 0
    assert at_launch.sum() == 1 and market.jobs.account[at_launch].tolist() == [0]
    kind = market.jobs.type_names[market.jobs.job_type[at_launch][0]]
    assert kind == "formulary_evidence" and market.jobs.discovery_threshold[at_launch][0] == 0
    assert market.dmu_size().tolist() == [9, 5] and market.hcps.tolist() == [39.0, 15.0]


def test_an_excel_market_file_gives_the_same_market_as_the_same_csv(tmp_path):
    csv_path = _write(tmp_path, "a.csv", GOOD_HEADER + GOOD_ROW + SECOND_ROW)
    rows = [line.split(",") for line in (GOOD_HEADER + GOOD_ROW + SECOND_ROW).splitlines()]
    rows = [[float(v) if v.replace(".", "").isdigit() else v for v in r] for r in rows]
    xlsx_path = _xlsx(tmp_path / "a.xlsx", rows)
    markets = [build_market(compose_run(["market=file", f"market.path={p}"]).config,
                            RandomStreams(1)) for p in (csv_path, xlsx_path)]
    for column in ("patients", "hcps", "organisation", "region", "dmu_start", "link_src"):
        assert np.array_equal(getattr(markets[0], column), getattr(markets[1], column))


def test_both_designs_face_the_same_file_market_on_a_seed():
    composed = compose_run(["market=file", f"market.path={EXAMPLE}"])
    a, b = (build_market(composed.config_for(d), RandomStreams(5)) for d in composed.designs)
    assert np.array_equal(a.patients, b.patients) and np.array_equal(a.link_src, b.link_src)
    assert np.array_equal(a.jobs.arrival, b.jobs.arrival)


def test_a_stored_run_from_an_edited_file_at_the_same_path_is_another_run(tmp_path):
    """The store identifies a file market by the file's contents, so a sweep never reuses runs
    made from an older version of a file at the same path."""
    from sim.experiments.store import run_id

    path = tmp_path / "accounts.csv"
    path.write_bytes(EXAMPLE.read_bytes())
    composed = compose_run(["market=file", f"market.path={path}"])
    config = composed.config_for(composed.designs[0])
    before = run_id(config, 0)
    assert run_id(config, 0) == before
    path.write_bytes(EXAMPLE.read_bytes().replace(b"\n", b"\r\n"))
    assert run_id(config, 0) != before


def test_analysis_keeps_runs_from_two_versions_of_a_market_file_apart(tmp_path):
    """orgsim-analyze pools run folders of the same configuration; two folders that read
    different contents at the same market path are two configurations (provenance's checksum)."""
    import json

    import yaml

    from sim.experiments.analysis import _keys_of_run

    config = {"market": {"source": "file", "path": "/data/accounts.csv"},
              "org": {"design": "micro_enterprise"}}
    keys = []
    for digest in ("aaa", "bbb", "aaa"):
        folder = tmp_path / f"run-{len(keys)}"
        folder.mkdir()
        (folder / "config.yaml").write_text(yaml.safe_dump(config))
        (folder / "provenance.json").write_text(json.dumps({"market_file": {"sha256": digest}}))
        keys.append(_keys_of_run(folder, ["micro_enterprise"])["micro_enterprise"][0])
    assert keys[0] != keys[1] and keys[0] == keys[2]

"""What a strategy team takes away from a run: the example market file run end to end, the business
case in the printed table, the tables and the report, and the Excel workbook."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from commands import run_command

from sim.configuration.composition import compose_run
from sim.report.workbook import SHEETS, settings_frame, write_workbook

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "market_accounts.csv"
ORGANISATION = REPO / "examples" / "organisation.csv"


@pytest.mark.slow
def test_the_example_files_run_end_to_end_with_checksums_and_business_case(tmp_path):
    # run.workers=1: the six runs one after another (the files, not the worker pool, are the
    # subject; results do not depend on it), in this process through orgsim's own entry point
    done = run_command("orgsim", ["market=file", f"market.path={EXAMPLE}", "staffing=file",
                                  f"staffing.path={ORGANISATION}", "run.replications=3",
                                  "run.horizon_weeks=52", "run.workers=1"], tmp_path)
    assert done.returncode == 0, done.stderr
    folder = Path(re.search(r"^Results: (.+)$", done.stdout, re.M).group(1).strip())
    provenance = json.loads((folder / "provenance.json").read_text())
    market = provenance["market_file"]
    assert market["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert market["accounts"] == 48 and market["drawn"] == []
    organisation = provenance["organisation_file"]
    assert organisation["sha256"] == hashlib.sha256(ORGANISATION.read_bytes()).hexdigest()
    assert organisation["headcount"]["sales_rep"] == 90 and "Organisation: 150 people" in \
        done.stdout
    assert "Market: 48 accounts from" in done.stdout and "net present value (k€)" in done.stdout
    accounts = pd.read_parquet(folder / "tables" / "accounts.parquet")
    assert accounts.groupby(["design", "seed"]).size().eq(48).all()

    # the NPV of the move is the mean over seeds of the paired per-run difference
    values = pd.read_parquet(folder / "tables" / "business_case.parquet")
    by_seed = values.pivot(index="seed", columns="design", values="npv")
    move = (by_seed.micro_enterprise - by_seed.traditional).mean()
    business = pd.read_csv(folder / "business_case.csv")
    row = business[(business.outcome == "npv") & (business.kind == "difference")].iloc[0]
    assert row["mean"] == pytest.approx(move)
    flows = pd.read_parquet(folder / "tables" / "cash_flow.parquet")
    ends = flows.groupby(["design", "seed"]).cumulative.last().reset_index()
    merged = ends.merge(values, on=["design", "seed"])
    assert np.allclose(merged.cumulative, merged.net_cash_flow)

    book = openpyxl.load_workbook(folder / "results.xlsx")
    assert tuple(book.sheetnames) == SHEETS
    html = (folder / "report.html").read_text()
    assert "Business case" in html and "Cumulative net cash flow" in html


def test_the_workbook_has_one_sheet_each_numbers_as_numbers_and_no_formulas(tmp_path):
    composed = compose_run(["market.accounts=30"])
    configs = {d: composed.config_for(d) for d in composed.designs}
    comparison = pd.DataFrame({"outcome": ["npv"], "label": ["net present value"],
                               "unit": ["k€"], "design": ["traditional"], "kind": ["mean"],
                               "mean": [-12.5], "low": [np.nan], "high": [3.0], "n": [2],
                               "p_value": [np.nan]})
    path = write_workbook(tmp_path / "r.xlsx", "caption", comparison, comparison,
                          ["settings line"], configs, ["=HYPERLINK(\"http://x\")"])
    book = openpyxl.load_workbook(path)
    assert tuple(book.sheetnames) == SHEETS
    rows = list(book["comparison"].iter_rows(values_only=True))
    header = rows.index(tuple(comparison.columns))
    assert rows[header + 1][5] == -12.5 and rows[header + 1][6] is None  # NaN → empty cell
    fact = book["settings"]["A2"]
    assert fact.data_type == "s" and fact.value.startswith("=HYPERLINK")  # text, not a formula
    settings = settings_frame(configs).set_index("setting")
    assert settings.loc["market.accounts"].tolist() == [30, 30]
    assert settings.loc["org.design"].tolist() == composed.designs


def test_reproducing_a_run_notices_that_its_market_file_changed(tmp_path):
    from sim.cli.outputs import changed_input_file

    path = tmp_path / "accounts.csv"
    path.write_text("id\nA\n", encoding="utf-8")
    recorded = {"market_file": {"path": str(path),
                                "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}}
    assert changed_input_file(recorded) is None
    path.write_text("id\nB\n", encoding="utf-8")
    assert changed_input_file(recorded) == str(path)
    path.unlink()
    assert changed_input_file(recorded) == str(path)
    assert changed_input_file({"market_file": None}) is None

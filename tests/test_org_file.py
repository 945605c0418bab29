"""Your own organisation from a file (sim/configuration/org_file.py, sim/engine/org_file.py):
headcount and salaries become the staffing, frontline people sit in the file's regions, and every
bad file is refused in one line naming the file, the row, the column and what is allowed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sim.configuration.composition import InputError, compose_run
from sim.configuration.org_file import read_org_file
from sim.configuration.table_file import TableFileError
from sim.engine.model import OrgSimModel
from sim.engine.org_file import interleave
from sim.engine.staff import AccessManager, SalesRep

REPO = Path(__file__).resolve().parents[1]
MARKET = REPO / "examples" / "market_accounts.csv"
ORGANISATION = REPO / "examples" / "organisation.csv"


def _write(tmp_path: Path, text: str, name: str = "org.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_FILES = [
    ("no headcount column", "role,region\nsales_rep,North\n",
     ["row 1: no 'headcount' column", "allowed: role, headcount"]),
    ("an unknown column", "role,headcount,bonus\nmsl,3,1\n",
     ["row 1: unknown column 'bonus'", "allowed: role, region, headcount, salary_k"]),
    ("an unknown role", "role,headcount\nsales_director,3\n",
     ["row 2, column role: 'sales_director'", "allowed: one of sales_rep, msl"]),
    ("a negative headcount", "role,headcount\nmsl,-2\n",
     ["row 2, column headcount: '-2' is out of range", "allowed: a whole number ≥ 0"]),
    ("half a person", "role,headcount\nmsl,2.5\n",
     ["row 2, column headcount", "not a whole number"]),
    ("a salary that is not a number", "role,headcount,salary_k\nmsl,2,lots\n",
     ["row 2, column salary_k: 'lots' is not a number", "allowed: a number > 0"]),
    ("a frontline role without a region", "role,region,headcount\nsales_rep,,4\n",
     ["row 2, column region: a sales_rep needs a region"]),
    ("an expert placed in a region", "role,region,headcount\noperations_expert,North,2\n",
     ["row 2, column region: 'North': a operations_expert works centrally",
      "allowed: empty or 'central'"]),
    ("only a header", "role,headcount\n", ["no rows below the header"]),
]


@pytest.mark.parametrize("case", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_organisation_file_is_refused_in_one_line_naming_what_is_allowed(tmp_path, case):
    _, text, words = case
    path = _write(tmp_path, text)
    with pytest.raises(TableFileError) as error:
        read_org_file(path)
    line = str(error.value)
    assert "\n" not in line and line.startswith(str(path)), line
    for word in words:
        assert word in line, line


def test_a_region_the_market_does_not_have_is_refused_with_the_markets_regions(tmp_path):
    path = _write(tmp_path, "role,region,headcount\nsales_rep,Nort,4\n")
    with pytest.raises(InputError, match=r"^staffing.path: .*row 2, column region: 'Nort' is not "
                                         r"a region of the market file; allowed: South, East, "
                                         r"West, North$"):
        compose_run(["market=file", f"market.path={MARKET}", "staffing=file",
                     f"staffing.path={path}"])
    with pytest.raises(InputError, match="is region 3, the market has 2"):
        compose_run(["market.regions=2", "staffing=file", f"staffing.path="
                     f"{_write(tmp_path, 'role,region,headcount\nmsl,a,1\nmsl,b,1\nmsl,c,1\n')}"])
    with pytest.raises(InputError, match="staffing.path: needs a value with staffing=file"):
        compose_run(["staffing=file"])


def test_the_file_sets_the_role_counts_and_headcount_weighted_salaries():
    staffing = compose_run(["market=file", f"market.path={MARKET}", "staffing=file",
                            f"staffing.path={ORGANISATION}"]).config.staffing
    assert (staffing.reps, staffing.msls, staffing.access, staffing.operations_experts,
            staffing.patient_services_experts) == (90, 25, 20, 8, 7)
    # by hand: reps (24·215 + 22·205 + 26·210 + 18·200) / 90; experts (8·220 + 7·180) / 15
    assert staffing.salary_rep == pytest.approx((24 * 215 + 22 * 205 + 26 * 210 + 18 * 200) / 90)
    assert staffing.salary_expert == pytest.approx((8 * 220 + 7 * 180) / 15)


def test_frontline_people_sit_in_the_files_regions():
    config = compose_run(["market=file", f"market.path={MARKET}", "staffing=file",
                          f"staffing.path={ORGANISATION}", "org=traditional",
                          "baseline=null"]).config
    model = OrgSimModel(config, 0)
    regions = ("South", "East", "West", "North")  # the market file's order of first appearance
    reps = Counter(regions[a.region] for a in model.agents if type(a) is SalesRep)
    access = Counter(regions[a.region] for a in model.agents if type(a) is AccessManager)
    assert reps == {"North": 24, "South": 22, "East": 26, "West": 18}
    assert access == {"North": 5, "South": 5, "East": 6, "West": 4}


def test_positions_are_interleaved_so_scaled_staff_keep_the_files_proportions():
    assert interleave([(0, 2), (1, 1)]) == [0, 1, 0]
    order = interleave([(0, 30), (1, 10)])
    assert Counter(order[:20]) == {0: 15, 1: 5}  # any prefix keeps 3 : 1


def test_without_a_region_column_people_are_dealt_round_robin(tmp_path):
    path = _write(tmp_path, "role,headcount\nsales_rep,12\nmsl,4\n")
    config = compose_run(["staffing=file", f"staffing.path={path}", "org=traditional",
                          "baseline=null", "market.regions=3"]).config
    assert (config.staffing.reps, config.staffing.msls, config.staffing.access) == (12, 4, 0)
    model = OrgSimModel(config, 0)
    reps = Counter(a.region for a in model.agents if type(a) is SalesRep)
    assert reps == {0: 4, 1: 4, 2: 4}

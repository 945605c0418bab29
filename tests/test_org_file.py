"""Your own organisation from a file (sim/configuration/org_file.py, sim/engine/org_file.py):
headcount and salaries become the staffing, frontline people sit in the file's regions, and every
bad file is refused in one line naming the file, the row, the column and what is allowed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from commands import run_command

from sim.configuration.composition import InputError, compose_run
from sim.configuration.org_file import describe, read_org_file
from sim.configuration.org_hierarchy import managers_per_level
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


H = "role,headcount,level,span\nmsl,4,,\n"  # a header with the hierarchy's columns, one role

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
    # the traditional design's hierarchy: one manager row per level (level, span)
    ("a manager row without a span column", "role,headcount,level\nmsl,4,\nmanager,,1\n",
     ["row 3: a manager row needs a span column", "allowed: add 'span' to the header"]),
    ("a level that is not a whole number", H + "manager,,1.5,5\n",
     ["row 3, column level: '1.5' is not a whole number", "allowed: a whole number from 1"]),
    ("a span of one", H + "manager,,1,1\n",
     ["row 3, column span: '1' is out of range", "allowed: a whole number ≥ 2 and ≤ 1000",
      "a span of 1 never reaches a top"]),
    ("a negative span", H + "manager,,1,-4\n", ["row 3, column span: '-4' is out of range"]),
    ("a span that is not a number", H + "manager,,1,wide\n",
     ["row 3, column span: 'wide' is not a number"]),
    ("a manager row without a level", H + "manager,,,5\n",
     ["row 3, column level: empty; a manager row needs a level"]),
    ("a level on a rep's row", "role,region,headcount,level,span\nsales_rep,N,4,1,\n",
     ["row 2, column level: '1': only a manager row has a level",
      "allowed: empty on a sales_rep row"]),
    ("a manager placed in a region", "role,region,headcount,level,span\nmsl,N,4,,\n"
     "manager,N,,1,5\n", ["row 3, column region: 'N': a manager row is a level of the "
                           "hierarchy", "allowed: empty or 'central'"]),
    ("a level given twice", H + "manager,,1,5\nmanager,,1,6\n",
     ["row 4, column level: level 1 appears twice (also row 3)", "one manager row per level"]),
    ("a gap between levels", H + "manager,,1,5\nmanager,,3,6\n",
     ["row 4, column level: level 3 but no level 2", "levels 1, 2, … without a gap"]),
    ("spans that leave a line without a head", "role,headcount,level,span\nsales_rep,90,,\n"
     "manager,,1,8\nmanager,,2,4\n",
     ["row 4, column span: the sales_rep line (90 people) still has 3 managers at level 2",
      "or a manager row for level 3"]),
    ("a manager count the spans do not give", "role,headcount,level,span\nsales_rep,90,,\n"
     "msl,25,,\nmanager,15,1,8\nmanager,,2,12\n",
     ["row 4, column headcount: 15 managers at level 1, but the spans give 16",
      "allowed: 16, or empty"]),
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


def test_a_bad_hierarchy_on_the_command_line_exits_2_with_one_line_and_no_output(tmp_path):
    bad = _write(tmp_path, "role,headcount,level,span\nmsl,4,,\nmanager,,1,0\n")
    done = run_command("orgsim", ["staffing=file", f"staffing.path={bad}"], tmp_path)  # in process
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert done.stderr.startswith(f"orgsim: error: staffing.path: {bad}: row 3, column span")
    assert not (tmp_path / "outputs").exists()


def test_a_line_has_ceil_n_over_span_managers_per_level_until_one_head():
    # by hand: 90 → ⌈90/8⌉ = 12 → ⌈12/4⌉ = 3 → ⌈3/3⌉ = 1; a line of one person has one manager
    assert managers_per_level(90, [8, 4, 3]) == [12, 3, 1]
    assert managers_per_level(90, [8]) == [12, 2, 1]  # the last span repeats above
    assert managers_per_level(1, [8]) == [1] and managers_per_level(0, [8]) == []


def test_the_files_hierarchy_is_the_traditional_designs_and_only_its():
    composed = compose_run(["market=file", f"market.path={MARKET}", "staffing=file",
                            f"staffing.path={ORGANISATION}", "org=micro_enterprise",
                            "baseline=traditional"])
    assert composed.baseline.org.level_spans == [8, 4, 3]
    assert not hasattr(composed.config.org, "level_spans")  # micro-enterprises have no levels
    # managers' salary: by hand (21·300 + 5·360 + 1·420) / 27
    assert composed.config.staffing.salary_manager == pytest.approx(
        (21 * 300 + 5 * 360 + 420) / 27)
    matrix = compose_run(["staffing=file", f"staffing.path={ORGANISATION}", "market=file",
                          f"market.path={MARKET}", "org=matrix", "baseline=null"]).config
    assert matrix.org.level_spans == []  # the matrix design keeps its own structure
    pilot = compose_run(["staffing=file", f"staffing.path={ORGANISATION}", "market=file",
                         f"market.path={MARKET}", "org=pilot_rollout", "baseline=null"]).config
    assert pilot.org.before.level_spans == [8, 4, 3]  # its traditional part


def test_the_built_hierarchy_has_the_files_managers_per_level_and_a_general_manager():
    config = compose_run(["market=file", f"market.path={MARKET}", "staffing=file",
                          f"staffing.path={ORGANISATION}", "org=traditional",
                          "baseline=null"]).config
    levels = Counter(m.level for m in OrgSimModel(config, 0).design.managers())
    assert levels == {1: 21, 2: 5, 3: 1, 4: 1}  # the file's 21, 5, 1 and the top


def test_without_manager_rows_the_hierarchy_is_the_scenarios_and_the_run_says_so(tmp_path):
    path = _write(tmp_path, "role,headcount\nsales_rep,12\nmsl,4\n")
    config = compose_run(["staffing=file", f"staffing.path={path}", "org=traditional",
                          "baseline=null", "org.span_of_control=6"]).config
    assert config.org.level_spans == [] and config.org.spans() == [6]
    assert "hierarchy from org.span_of_control (the file has no manager rows)" in describe(
        read_org_file(path))
    assert "hierarchy from the file: 3 levels, spans 8, 4, 3 (21 + 5 + 1 managers" in describe(
        read_org_file(ORGANISATION))

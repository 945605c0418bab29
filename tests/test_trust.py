"""Outputs a user can trust at a glance (issue 15): the winner of a search carries its market,
analyses never mix configurations, calibration never reports a fit that did not happen, every
generated sentence agrees with its numbers, and intervals stay within what is possible."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

BIN = Path(sys.executable).parent


def orgsim(cmd: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / cmd[0]), *cmd[1:]], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def scenarios_copy(tmp_path, monkeypatch):
    """A temporary copy of scenarios/ that the composer reads instead of the real one."""
    import sim.cli.registry as registry
    from sim.scenarios import SCENARIOS

    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    monkeypatch.setattr(registry, "SCENARIOS_DIR", folder)
    registry._registered = False
    yield folder
    registry._registered = False
    registry.BROKEN.clear()


# ----------------------------------------------------------------------- 1. orgsim-search
@pytest.mark.slow
def test_the_search_winner_runs_the_searched_market_with_its_own_budget(tmp_path,
                                                                        scenarios_copy):
    import sim.cli.registry as registry
    from sim.cli.compose import compose_run
    from sim.cli.search import headcount

    out = orgsim(["orgsim-search", "scenario=rare_disease", "run.horizon_weeks=8",
                  "market.accounts=10", "--trials", "2", "--seeds", "1", "--out",
                  str(tmp_path / "s")], tmp_path)
    assert out.returncode == 0, out.stderr
    searched = compose_run(["scenario=rare_disease", "market.accounts=10"]).config
    (scenarios_copy / "best.yaml").write_text((tmp_path / "s" / "best.yaml").read_text())
    registry._registered = False  # read scenarios/ again, now with best.yaml
    best = compose_run(["scenario=best"]).config
    # the same market, therapy and horizon as the search, and the scenario's own headcount
    assert best.market == searched.market
    assert best.therapy == searched.therapy
    assert best.run.horizon_weeks == 8
    assert headcount(best) == headcount(searched) == 33
    assert compose_run(["scenario=best"]).designs == ["traditional", "micro_enterprise"]

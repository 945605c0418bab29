from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


# The files that take longest, longest first: each file's summed test time in a whole `make test`
# (junit, 2026-12-06 on main at 36a3099, load 6-10 on 2 cores), less what issue 13's second round
# took off the sweep, report and trust files (docs/PERFORMANCE.md "The suite's CPU by file").
# Each file runs on one worker (--dist loadfile, so module fixtures are computed once) and files
# are handed out in collection order (--no-loadscope-reorder): a long file handed out last would
# keep one core busy while the other has finished. Files not listed follow in their usual order.
# The real-data calibration goes first although it is no longer the longest: its fits use both
# cores. The subprocess files (cli, faults, sweeps, trust, report) are long in wall time more
# than in CPU: their children start Python and process pools. Every file of more than about 5 s
# is listed, so that the suite ends on files of a second or two: unlisted, the space, typical
# and strategy files (15-25 s each) came last in alphabetical order, one core busy with them
# while the other had run out of files.
LONGEST_FIRST = ("test_calibration_real_data.py", "test_cli.py", "test_faults.py",
                 "test_sweeps.py", "test_trust.py", "test_report.py", "test_fair_fight.py",
                 "test_hostile_input.py", "test_journey_claims.py", "test_people_claims.py",
                 "test_calibration.py", "test_demo_browser.py", "test_channel_claims.py",
                 "test_roles_claims.py", "test_bass_docking.py", "test_platform_claims.py",
                 "test_verdict.py", "test_claims.py", "test_repro_fresh.py",
                 "test_portfolio_claims.py", "test_security.py", "test_scenario_discovery.py",
                 "test_sensitivity.py", "test_properties.py",
                 "test_demo.py", "test_invariants.py", "test_patterns.py",
                 "test_space_doe.py", "test_typical.py", "test_strategy_outputs.py",
                 "test_golden.py", "test_market_file.py", "test_org_file.py",
                 "test_reproducibility.py", "test_renamed.py", "test_dispatch.py",
                 "test_plausible_space.py")


def pytest_collection_modifyitems(items):
    """Multi-seed statistical claims are slow by nature: leave them out of the fast tier too.
    Long files first (see LONGEST_FIRST); the order within a file is kept."""
    for item in items:
        if item.get_closest_marker("statistical") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def scenarios_copy(tmp_path, monkeypatch):
    """A temporary copy of scenarios/ that the composer reads instead of the real one: a test
    that adds or breaks a scenario file never touches the folder other workers read."""
    import shutil

    import sim.configuration.hydra_store as registry
    from sim.configuration.scenarios import SCENARIOS

    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    monkeypatch.setattr(registry, "SCENARIOS_DIR", folder)
    registry._registered = False
    yield folder
    registry._registered = False  # the next compose re-reads the real scenarios/
    registry.BROKEN.clear()

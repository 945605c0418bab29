from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def pytest_collection_modifyitems(items):
    """Multi-seed statistical claims are slow by nature: leave them out of the fast tier too."""
    for item in items:
        if item.get_closest_marker("statistical") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


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

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def pytest_collection_modifyitems(items):
    """Multi-seed statistical claims are slow by nature: leave them out of the fast tier too."""
    import pytest

    for item in items:
        if item.get_closest_marker("statistical") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)

"""Results match the recorded reference runs value by value (tests/golden.py).

Counts, ids, states and text match exactly; floats within 1e-9 (relative and absolute), so a new
numpy or pandas that sums in another order does not fail the suite but a model change does. If a
change is meant to alter results, record the new tables with a reason:
``python tests/golden.py --write --reason "…"`` and document the change in docs/ODD.md.
"""

from __future__ import annotations

import pandas as pd
import pytest
from golden import RUNS, compare, differences


@pytest.mark.parametrize("name", sorted(RUNS))
def test_tables_match_the_recorded_reference(name):
    moved = compare(name)
    assert not moved, "\n".join(moved) + (
        "\nif this is a documented model change, re-record with tests/golden.py --write --reason")


def test_a_last_bit_float_difference_is_tolerated_but_a_real_change_is_named():
    recorded = pd.DataFrame({"job": [1, 2, 3], "state": ["open", "resolved", "lost"],
                             "hours": [0.1 + 0.2, 1.0, 2.0]})
    rounding = recorded.assign(hours=[0.3, 1.0, 2.0])  # 0.1 + 0.2 != 0.3 in the last bit
    assert differences("run", "jobs", rounding, recorded) == []
    moved = differences("run", "jobs", recorded.assign(hours=[0.3, 1.001, 2.0]), recorded)
    assert len(moved) == 1 and "column hours: row 1 was 1.0, now 1.001" in moved[0]
    state = differences("run", "jobs", recorded.assign(state=["open", "lost", "lost"]), recorded)
    assert "column state: row 1 was 'resolved', now 'lost'" in state[0]
    count = differences("run", "jobs", recorded.assign(job=[1, 2, 4]), recorded)
    assert "column job: row 2 was 3, now 4" in count[0]

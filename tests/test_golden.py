"""Results are bit-identical to the recorded reference runs (tests/golden.py).

If a change is meant to alter results (a model change), record new fingerprints with a reason:
``python tests/golden.py --write --reason "…"`` and document the change in docs/ODD.md.
"""

from __future__ import annotations

import json

import pytest
from golden import PATH, RUNS, fingerprint

from sim import simulate
from sim.experiment import TABLES

RECORDED = json.loads(PATH.read_text())["runs"]


@pytest.mark.parametrize("name", sorted(RUNS))
def test_tables_match_the_recorded_reference(name):
    config, seed = RUNS[name]()
    result = simulate(config, seed)
    for table in TABLES:
        assert fingerprint(getattr(result, table)) == RECORDED[name][table], (
            f"{name}: table {table} changed; if this is a documented model change, re-record "
            "with tests/golden.py --write --reason")

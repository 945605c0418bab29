"""Golden fingerprints: SHA-256 of every table of a few reference runs.

Performance work must not change results. ``python tests/golden.py --write --reason "..."`` records
the fingerprints of the current code (do it only for a documented model change, and say which in
the reason); ``tests/test_golden.py`` fails if any table of these runs changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from settings import fragmented, organized  # noqa: E402

from sim import simulate  # noqa: E402
from sim.experiment import TABLES  # noqa: E402

PATH = Path(__file__).parent / "data" / "golden.json"
RUNS = {
    "traditional/seed3": lambda: (organized("traditional", horizon_weeks=78), 3),
    "micro_enterprise/seed3": lambda: (organized("micro_enterprise", horizon_weeks=78), 3),
    "matrix/seed4": lambda: (organized("matrix", horizon_weeks=78), 4),
    "pilot_rollout/seed5": lambda: (organized("pilot_rollout", horizon_weeks=78), 5),
    "fragmented_me/seed1": lambda: (fragmented("micro_enterprise"), 1),
}


def fingerprint(frame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def current() -> dict[str, dict[str, str]]:
    out = {}
    for name, make in RUNS.items():
        config, seed = make()
        result = simulate(config, seed)
        out[name] = {table: fingerprint(getattr(result, table)) for table in TABLES}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--reason", default="")
    args = parser.parse_args()
    if args.write:
        if not args.reason:
            parser.error("--reason is required: say which documented model change this is")
        history = json.loads(PATH.read_text())["history"] if PATH.exists() else []
        PATH.write_text(json.dumps({"runs": current(), "history": history + [args.reason]},
                                   indent=2) + "\n")
    else:
        print(json.dumps(current(), indent=2))


if __name__ == "__main__":
    main()

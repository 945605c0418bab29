"""Whether a speed-up changed any result: fingerprints of 37 runs, compared bit by bit.

The runs: the default scenario (oncology_launch) under every design on seeds 0 and 1; every other
scenario of scenarios/ under both designs on seed 2 (between them they switch on every optional
submodel: channels, no-see HCPs, people and pay rules, the platform layers, a portfolio,
converged roles, the network's ecosystem IQ, …); and the micro-enterprise design at the
traditional design's budget (``orgsim``'s default comparison). A fingerprint is
benchmarks/space_speed.py's: SHA-256 over every cell of every tidy table, floats bit by bit.
tests/test_golden.py compares its runs within 1e-9; this compares exactly, on more settings.

    .venv/bin/python benchmarks/identical_runs.py OUT.json [--compare REFERENCE.json]

Record the reference with the code before the change, then compare the code after it (about 35
CPU seconds each); it prints every run that differs ("none" for a pure speed-up).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from space_speed import fingerprint  # noqa: E402

from sim.configuration.composition import compose_run  # noqa: E402
from sim.engine.model import simulate  # noqa: E402
from sim.experiments.budget import equalised  # noqa: E402

DESIGNS = ("traditional", "micro_enterprise", "matrix", "pilot_rollout", "journey_teams")
SCENARIOS = ("fragmented_community", "omnichannel", "people_and_pay", "two_platforms",
             "portfolio", "converged_roles", "patient_journeys", "pilot_rollout", "rare_disease",
             "infusion_capacity", "oncology_access", "price_pressure", "tight_compliance")


def runs() -> list[tuple[str, list[str], int]]:
    """(name, overrides, seed) of every run compared."""
    out = [(f"oncology_launch/{d}/{seed}", ["scenario=oncology_launch", f"org={d}",
                                           "baseline=null"], seed)
           for d in DESIGNS for seed in (0, 1)]
    out += [(f"{s}/{d}/2", [f"scenario={s}", f"org={d}", "baseline=null"], 2)
            for s in SCENARIOS for d in ("traditional", "micro_enterprise")]
    return out


def fingerprints() -> dict[str, str]:
    found = {name: fingerprint(simulate(compose_run(overrides).config, seed))
             for name, overrides, seed in runs()}
    compared = equalised(compose_run(["scenario=oncology_launch"]))
    found["equal_budget/micro_enterprise/0"] = fingerprint(
        simulate(compared.config_for("micro_enterprise"), 0))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path, help="fingerprints recorded before the change")
    args = parser.parse_args()
    start = time.process_time()
    found = fingerprints()
    args.out.write_text(json.dumps(found, indent=1) + "\n")
    print(f"{len(found)} runs, {time.process_time() - start:.1f} CPU s")
    if args.compare:
        reference = json.loads(args.compare.read_text())
        differ = [name for name in reference if reference[name] != found.get(name)]
        print("differ:", ", ".join(differ) if differ else "none")


if __name__ == "__main__":
    main()

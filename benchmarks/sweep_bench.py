"""Sweep throughput: 2 designs × 5 scenarios × 30 seeds (300 runs), serial vs the joblib launcher,
and the per-run overhead of Hydra and the results store.

    python benchmarks/sweep_bench.py [--replications 30]

Overhead = (wall time of the serial sweep − Σ simulation time of its runs) / Σ simulation time;
the simulation time of each run is recorded in its manifest. Writes benchmarks/results/sweep.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).parent / "results"
SCENARIOS = "oncology_launch,infusion_capacity,rare_disease,price_pressure,fragmented_community"


def sweep(folder: Path, launcher: str, replications: int) -> tuple[float, float, int]:
    orgsim = Path(sys.executable).parent / "orgsim"
    t = time.perf_counter()
    subprocess.run([str(orgsim), "-m", "org=traditional,micro_enterprise",
                    f"scenario={SCENARIOS}", f"run.replications={replications}",
                    f"hydra/launcher={launcher}", f"hydra.sweep.dir={folder}"],
                   check=True, stdout=subprocess.DEVNULL, cwd=folder.parent)
    wall = time.perf_counter() - t
    runs = [json.loads(p.read_text()) for p in (folder / "store" / "runs").glob("*.json")]
    return wall, sum(r["simulation_seconds"] for r in runs), len(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="orgsim-sweep-bench-"))
    try:
        serial, serial_sim, n = sweep(tmp / "serial", "basic", args.replications)
        parallel, _, _ = sweep(tmp / "joblib", "joblib", args.replications)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = (f"| sweep ({n} runs) | wall s | runs/min |\n|---|---|---|\n"
            f"| serial (hydra/launcher=basic) | {serial:.1f} | {n / serial * 60:.1f} |\n"
            f"| joblib, all cores | {parallel:.1f} | {n / parallel * 60:.1f} |\n\n"
            f"speed-up {serial / parallel:.2f}×; simulation {serial_sim:.1f} s of the serial "
            f"{serial:.1f} s: Hydra, validation, store and analysis overhead "
            f"{(serial - serial_sim) / serial_sim:.1%} of simulation time "
            f"({(serial - serial_sim) / n * 1000:.0f} ms per run)\n")
    OUT.mkdir(exist_ok=True)
    (OUT / "sweep.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

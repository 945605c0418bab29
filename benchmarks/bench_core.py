"""Time one default-sized run (≈60 accounts, ≈150 staff, 156 weekly steps) per design, next to
Mesa's own Boltzmann wealth example (1000 agents, 156 steps) timed in the same process.

    python benchmarks/bench_core.py [--repeats 5]

Reports seconds per run, microseconds per agent-step (agent-steps = Mesa agents × steps; the
stakeholders, which are arrays, are reported separately) and the ratio to Boltzmann. Writes
benchmarks/results/core.csv. Machines are noisy: compare the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pandas as pd
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

from sim import OrgSimModel, SimConfig, design_config

STEPS = 156
OUT = Path(__file__).parent / "results" / "core.csv"


def time_boltzmann(repeats: int) -> dict:
    times = []
    for r in range(repeats):
        t = time.perf_counter()
        model = BoltzmannWealth(BoltzmannScenario(n=1000, width=10, height=10, rng=r))
        for _ in range(STEPS):
            model.step()
        times.append(time.perf_counter() - t)
    s = statistics.median(times)
    return {"model": "mesa boltzmann (1000 agents)", "seconds_per_run": s, "agents": 1000,
            "us_per_agent_step": s / (1000 * STEPS) * 1e6, "stakeholders": 0}


def time_orgsim(design: str, repeats: int) -> dict:
    times, agents, stakeholders = [], 0, 0
    for r in range(repeats):
        t = time.perf_counter()
        model = OrgSimModel(SimConfig(org=design_config(design)), seed=r)
        model.run()
        times.append(time.perf_counter() - t)
        agents, stakeholders = len(model.agents), len(model.dmus)
    s = statistics.median(times)
    return {"model": f"orgsim {design}", "seconds_per_run": s, "agents": agents,
            "us_per_agent_step": s / (agents * STEPS) * 1e6, "stakeholders": stakeholders}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = [time_boltzmann(args.repeats)]
    rows += [time_orgsim(d, args.repeats) for d in ("traditional", "micro_enterprise")]
    df = pd.DataFrame(rows)
    df["ratio_to_boltzmann"] = df.us_per_agent_step / rows[0]["us_per_agent_step"]
    OUT.parent.mkdir(exist_ok=True)
    df.to_csv(OUT, index=False)
    print(df.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()

"""All performance benchmarks in one command (``make bench``); results as a table.

* Three market sizes, each a full run (156 weekly steps) under both designs:
  workshop (≈20 accounts, 40 staff), default (60 accounts, 150 staff) and national (600
  accounts — roughly the number of US health systems — and 1500 staff).
* Mesa's Boltzmann wealth example with 1000 agents, 156 steps, timed in the same invocation: the
  ratio of microseconds per agent-step is the figure that matters (machines are noisy).
* Scaling: the default market ×1, ×2, ×4, ×8, ×16 (accounts and staff together); the log-log slope
  of run time against size.

Each measurement runs in a fresh subprocess, so its peak memory (max RSS) is its own. Agent-steps
count Mesa agents (accounts, staff positions, micro-enterprises) × steps; a second column also
counts the stakeholders, the model's decision-makers, which live in arrays rather than as Mesa
agents (MODEL.md allows it for speed).

    python benchmarks/run_all.py [--repeats 3] [--quick]

Writes benchmarks/results/benchmark.csv and benchmark.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent / "results"
STEPS = 156


def sized_config(design: str, scale: float):
    """The default market and staff multiplied by ``scale`` (regions keep ≈10 accounts each)."""
    from sim import SimConfig, design_config, validate

    cfg = SimConfig(org=design_config(design))
    m, s = cfg.market, cfg.staffing
    m.accounts = max(1, round(60 * scale))
    m.regions = max(1, round(6 * scale))
    for field in ("reps", "msls", "access", "operations_experts", "patient_services_experts"):
        setattr(s, field, max(1, round(getattr(s, field) * scale)))
    return validate(cfg)


SIZES = {"workshop": 1 / 3, "default": 1.0, "national": 10.0}


def measure_one(kind: str, design: str, scale: float, seed: int) -> dict:
    """Run in this (fresh) process; returns timing, agents and peak memory."""
    if kind == "boltzmann":
        from mesa.examples.basic.boltzmann_wealth_model.model import (
            BoltzmannScenario,
            BoltzmannWealth,
        )

        t = time.perf_counter()
        model = BoltzmannWealth(BoltzmannScenario(n=1000, width=10, height=10, rng=seed))
        for _ in range(STEPS):
            model.step()
        seconds, agents, stakeholders = time.perf_counter() - t, 1000, 0
    else:
        from sim import OrgSimModel

        config = sized_config(design, scale)
        t = time.perf_counter()
        model = OrgSimModel(config, seed=seed)
        model.run()
        seconds = time.perf_counter() - t
        agents, stakeholders = len(model.agents), len(model.dmus)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    return {"seconds": seconds, "agents": agents, "stakeholders": stakeholders,
            "peak_mib": peak}


def measure(kind: str, design: str, scale: float, repeats: int) -> dict:
    runs = []
    for r in range(repeats):
        out = subprocess.run([sys.executable, __file__, "--one", kind, design, str(scale),
                              str(r)], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    seconds = statistics.median(r["seconds"] for r in runs)
    agents = runs[0]["agents"]
    stakeholders = runs[0]["stakeholders"]
    return {"seconds_per_run": seconds, "agents": agents, "stakeholders": stakeholders,
            "us_per_agent_step": seconds / (agents * STEPS) * 1e6,
            "us_per_agent_step_with_stakeholders":
                seconds / ((agents + stakeholders) * STEPS) * 1e6,
            "peak_mib": max(r["peak_mib"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no ×16 scaling")
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, design, scale, seed = args.one
        print(json.dumps(measure_one(kind, design, float(scale), int(seed))))
        return

    repeats = 1 if args.quick else args.repeats
    boltzmann = measure("boltzmann", "-", 1.0, repeats)
    rows = [{"benchmark": "mesa boltzmann (1000 agents)", "design": "-", **boltzmann}]
    for size, scale in SIZES.items():
        for design in ("traditional", "micro_enterprise"):
            r = measure("orgsim", design, scale, 1 if size == "national" else repeats)
            rows.append({"benchmark": f"{size} (×{scale:g})", "design": design, **r})
    scales = [1, 2, 4, 8] if args.quick else [1, 2, 4, 8, 16]
    scaling = []
    for design in ("traditional", "micro_enterprise"):
        times = [measure("orgsim", design, s, 1)["seconds_per_run"] for s in scales]
        slope = float(np.polyfit(np.log(scales), np.log(times), 1)[0])
        scaling.append({"design": design, **{f"x{s}": t for s, t in zip(scales, times,
                                                                       strict=True)},
                        "loglog_slope": slope})
    table = pd.DataFrame(rows)
    table["ratio_to_boltzmann"] = table.us_per_agent_step / boltzmann["us_per_agent_step"]
    table["ratio_with_stakeholders"] = (table.us_per_agent_step_with_stakeholders
                                        / boltzmann["us_per_agent_step"])
    scaling = pd.DataFrame(scaling)
    OUT.mkdir(exist_ok=True)
    table.to_csv(OUT / "benchmark.csv", index=False)
    scaling.to_csv(OUT / "scaling.csv", index=False)
    text = ("## Run time per size\n\n" + table.to_markdown(index=False, floatfmt=".3f")
            + "\n\n## Scaling (seconds per run at ×size)\n\n"
            + scaling.to_markdown(index=False, floatfmt=".3f") + "\n")
    (OUT / "benchmark.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

"""How long one simulation run takes, now and in another checkout, in CPU seconds.

Each design of the default scenario, as configured (no budget scaling, so both checkouts build the
same organisation), 156 weekly steps. A run is split into the parts a sweep worker pays for each
of its thousands of runs:

* *compose*: the configuration from Hydra (``compose_run``; a sweep composes each design once
  and copies it per point, so this is paid once per worker, not per run),
* *build*: ``OrgSimModel(config, seed)`` (the market, the organisation),
* *steps*: the 156 calls of ``model.step()``, as ``simulate`` makes them (``OrgSimModel.run``:
  the garbage collector's survivors frozen every 13 steps; stepping without that pays for
  rescanning the run's jobs and tasks, about a quarter more CPU at the default size),
* *result*: the tidy tables (``model.result()``).

``--scale K`` multiplies the market and the staff by K (accounts, regions, reps, MSLs, access
managers and central experts, as benchmarks/run_all.py does), to see how a change holds up on a
larger market.

CPU time (``time.process_time``), not wall time: the machine is shared, and another process
taking a core stretches wall time but not our CPU time. Each child process composes once and runs
``--runs`` seeds in a row, as a sweep worker does (the first run also warms caches); a figure is
the median over every run of every child (``--repeats`` children per design and checkout).
``--source DIR`` times another checkout with this environment's Python (e.g. ``git archive
<commit> | tar -x -C /tmp/before``); children of the two checkouts take turns, so load falls on
both alike, or with ``--together`` run at the same time, one on each core: on a machine shared
by other sessions the load (which inflates CPU time too, through the shared caches) then falls
on both alike within seconds, not only on average. Mesa's Boltzmann wealth example (1000 agents,
156 steps) is timed the same way, so the cost per agent-step is also given as a ratio to it.

*Agent-steps* count Mesa agents (accounts, staff positions, micro-enterprises) × steps, as in
benchmarks/run_all.py.

    .venv/bin/python benchmarks/run_speed_bench.py [--repeats 3] [--runs 3] [--scale 1]
        [--source /tmp/before]

Writes benchmarks/results/run_speed.json (``run_speed_x<K>.json`` with ``--scale K``) and prints
a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).parent / "results"
HERE = Path(__file__).parents[1]
DESIGNS = ("traditional", "micro_enterprise")
STEPS = 156

# Runs in the child process: compose the default scenario for one design, then time each part of
# ``runs`` runs (seeds 0, 1, …). Prints one JSON line.
CHILD = """
import gc, json, sys, time
cpu = time.process_time
kind, runs, scale = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
out = []
if kind == "boltzmann":
    from mesa.examples.basic.boltzmann_wealth_model.model import (
        BoltzmannScenario, BoltzmannWealth)
    for seed in range(runs):
        t = cpu()
        model = BoltzmannWealth(BoltzmannScenario(n=1000, width=10, height=10, rng=seed))
        b = cpu()
        for _ in range(156):
            model.step()
        out.append({"compose": 0.0, "build": b - t, "steps": cpu() - b, "result": 0.0,
                    "agents": 1000})
else:
    try:  # today's layout
        from sim.configuration.composition import compose_run
        from sim.engine.model import OrgSimModel
    except ImportError:  # an older checkout (before the layers)
        from sim.cli.compose import compose_run
        from sim.model import OrgSimModel
    t = cpu()
    config = compose_run([f"org={kind}", "baseline=null"]).config
    compose = cpu() - t
    if scale != 1:  # market and staff × scale, as benchmarks/run_all.py sizes them
        from sim import validate
        m, st = config.market, config.staffing
        m.accounts, m.regions = max(1, round(m.accounts * scale)), max(1, round(m.regions * scale))
        for field in ("reps", "msls", "access", "operations_experts", "patient_services_experts"):
            setattr(st, field, max(1, round(getattr(st, field) * scale)))
        config = validate(config)
    for seed in range(runs):
        t = cpu()
        model = OrgSimModel(config, seed=seed)
        b = cpu()
        try:  # the steps as OrgSimModel.run (simulate) makes them
            while model.running:
                if model.steps % 13 == 0:
                    gc.freeze()
                model.step()
        finally:
            gc.unfreeze()
        s = cpu()
        model.result()
        out.append({"compose": compose, "build": b - t, "steps": s - b, "result": cpu() - s,
                    "agents": len(model.agents)})
print(json.dumps(out))
"""

PARTS = ("compose", "build", "steps", "result")


def start_child(source: Path, kind: str, runs: int, scale: float = 1.0) -> subprocess.Popen:
    """A fresh child process of checkout ``source`` making ``runs`` runs of ``kind``."""
    return subprocess.Popen([sys.executable, "-c", CHILD, kind, str(runs), str(scale)],
                            cwd=source, stdout=subprocess.PIPE, text=True,
                            env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"})


def runs_of(process: subprocess.Popen) -> list[dict]:
    """Every run of a child process, once it has finished."""
    out, _ = process.communicate()
    if process.returncode:
        raise RuntimeError(f"a benchmark child failed (exit {process.returncode})")
    return json.loads(out.strip().splitlines()[-1])


def child(source: Path, kind: str, runs: int, scale: float = 1.0) -> list[dict]:
    """Every run of one fresh child process of checkout ``source``."""
    return runs_of(start_child(source, kind, runs, scale))


def summarise(runs: list[dict]) -> dict:
    """Medians of each part; a run is build + steps + result (compose is paid once a worker)."""
    figures = {part: statistics.median(r[part] for r in runs) for part in PARTS}
    figures["run"] = statistics.median(r["build"] + r["steps"] + r["result"] for r in runs)
    figures["agents"] = runs[0]["agents"]
    figures["agent_steps_per_s"] = figures["agents"] * STEPS / figures["steps"]
    figures["us_per_agent_step"] = 1e6 / figures["agent_steps_per_s"]
    figures["runs"] = len(runs)
    return figures


def measure(sources: dict[str, Path], repeats: int, runs: int, scale: float = 1.0,
            together: bool = False) -> dict[str, dict[str, dict]]:
    """{checkout: {kind: figures}}; the checkouts' children take turns (or run together)."""
    collected = {name: {k: [] for k in ("boltzmann", *DESIGNS)} for name in sources}
    for _ in range(repeats):
        for kind in ("boltzmann", *DESIGNS):
            if together:
                started = {name: start_child(source, kind, runs, scale)
                           for name, source in sources.items()}
                for name, process in started.items():
                    collected[name][kind] += runs_of(process)
                continue
            for name, source in sources.items():
                collected[name][kind] += child(source, kind, runs, scale)
    return {name: {kind: summarise(r) for kind, r in kinds.items()}
            for name, kinds in collected.items()}


def table(results: dict[str, dict[str, dict]]) -> list[str]:
    lines = ["| checkout | model | CPU s/run | steps s | build s | result s | compose s (once) "
             "| agents | agent-steps/s | µs/agent-step | × Boltzmann |",
             "|---|---|" + "---:|" * 9]
    for name, kinds in results.items():
        boltzmann = kinds["boltzmann"]["us_per_agent_step"]
        for kind, f in kinds.items():
            lines.append(
                f"| {name} | {kind} | {f['run']:.3f} | {f['steps']:.3f} | {f['build']:.3f} "
                f"| {f['result']:.3f} | {f['compose']:.3f} | {f['agents']} "
                f"| {f['agent_steps_per_s']:,.0f} | {f['us_per_agent_step']:.2f} "
                f"| {f['us_per_agent_step'] / boltzmann:.2f} |")
    if len(results) == 2:
        (now, a), (before, b) = results.items()
        lines.append("")
        lines.append(f"| {now} / {before} | " + " | ".join(
            f"{d}: run {a[d]['run'] / b[d]['run']:.2f}, steps {a[d]['steps'] / b[d]['steps']:.2f}"
            for d in DESIGNS) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="child processes per model")
    parser.add_argument("--runs", type=int, default=3, help="runs (seeds) per child process")
    parser.add_argument("--source", type=Path, help="another orgsim checkout to time as 'before'")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="market and staff × this (1: the default scenario as configured)")
    parser.add_argument("--together", action="store_true",
                        help="run the two checkouts' children at the same time")
    args = parser.parse_args()
    sources = {"now": HERE}
    if args.source:
        sources["before"] = args.source.resolve()
    results = measure(sources, args.repeats, args.runs, args.scale, args.together)
    OUT.mkdir(exist_ok=True)
    name = "run_speed.json" if args.scale == 1 else f"run_speed_x{args.scale:g}.json"
    (OUT / name).write_text(json.dumps(results, indent=2) + "\n")
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()

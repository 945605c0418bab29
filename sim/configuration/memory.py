"""How much memory the runs of one configuration need, checked before anything is allocated.

:func:`check_memory` is the last step of :func:`sim.configuration.validation.validate`: a
configuration whose runs would exhaust the machine (or the container's limit) is refused with a
one-line error naming the setting that drives the need, not found out by the operating system.
"""

from __future__ import annotations

import math
import os
from functools import cache

from sim.configuration.schema import ConfigError, MarketConfig, RunConfig, SimConfig

# ------------------------------------------------------------------------- memory estimate
# Bytes one run holds at its peak, per unit of its dominant arrays. Measured as the growth of peak
# RSS (getrusage ru_maxrss) over the imported interpreter, one fresh process per size, varying
# one driver at a time on the default market (see _memory_estimate): e.g. 500 → 2000 accounts with
# no ordinary jobs, 150 → 2200 staff, stakeholders 7.5 → 100 per account, job_rate 0.08 → 0.64.
# Coefficients are the measured slopes rounded up.
BYTES_PER_JOB = 3 * 1024  # job object, its history events and table rows (measured 2.5 KiB)
BYTES_RETAINED_PER_JOB = 512  # a finished run's tables kept until all runs end (0.4 KiB)
BYTES_PER_ACCOUNT = 5 * 1024  # account, trigger-point jobs, network (measured 5.0 KiB)
BYTES_PER_STAKEHOLDER = 100  # decision-making-unit arrays (measured 65 B)
BYTES_PER_ACCOUNT_STEP = 128  # per-step history of every account (measured 116 B)
BYTES_PER_PERSON = 3 * 1024  # workforce arrays, skills, staff table (measured 2.6 KiB)
BYTES_PER_PROCESS = 160 * 2**20  # a worker's interpreter with numpy, pandas, mesa (150 MiB)
MEMORY_SAFETY = 0.75  # use at most this share of the machine's memory


@cache
def machine_memory() -> int:
    """Physical memory in bytes, or the container's limit if that is lower (cgroup v2)."""
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    try:
        limit = open("/sys/fs/cgroup/memory.max").read().strip()  # noqa: SIM115
        if limit.isdigit():
            total = min(total, int(limit))
    except OSError:
        pass
    return total


def expected_jobs(config: SimConfig) -> float:
    """Mean number of customer jobs one run creates: the Poisson arrival rate of
    sim/engine/market.py
    summed over account types (log-normal size: E[s^e] = median^e · exp((e·sigma)^2 / 2))."""
    m = config.market
    size = math.exp((m.size_elasticity * m.patients_sigma) ** 2 / 2)
    per_account = sum(
        t.share * (t.patients / 100.0) ** m.size_elasticity * size
        * (1 + m.organisation_gain * t.organisation)
        for t in m.account_types().values()
    )
    gates = len(config.therapy.gates)  # at most one trigger-point job per gate and account
    return m.accounts * (m.job_rate * per_account * config.run.horizon_weeks + gates)


def _memory_estimate(config: SimConfig) -> tuple[float, dict[str, float]]:
    """(bytes, {driving setting: bytes it drives}) for the runs of one design run together."""
    m, s, r = config.market, config.staffing, config.run
    stakeholders = m.accounts * sum(t.share * t.stakeholders for t in m.account_types().values())
    steps = r.horizon_weeks / r.step_weeks + 1
    people = s.frontline() + s.operations_experts + s.patient_services_experts
    jobs = expected_jobs(config)
    workers = r.workers or os.cpu_count() or 1
    parallel = min(workers, r.replications)
    terms = {
        "market.job_rate": jobs * BYTES_PER_JOB,
        "market.accounts": m.accounts * BYTES_PER_ACCOUNT + stakeholders * BYTES_PER_STAKEHOLDER,
        "run.horizon_weeks": m.accounts * steps * BYTES_PER_ACCOUNT_STEP,
        "staffing.reps": people * BYTES_PER_PERSON,
    }
    per_run = sum(terms.values())
    total = parallel * (BYTES_PER_PROCESS + per_run) + r.replications * jobs * \
        BYTES_RETAINED_PER_JOB
    terms = {k: v * parallel for k, v in terms.items()}
    terms["run.workers"] = parallel * BYTES_PER_PROCESS
    terms["run.replications"] = r.replications * jobs * BYTES_RETAINED_PER_JOB
    return total, terms


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PiB"


def check_memory(config: SimConfig) -> None:
    """Refuse, before anything is allocated, a run that would exhaust the machine's memory."""
    need, terms = _memory_estimate(config)
    allowed = MEMORY_SAFETY * machine_memory()
    if need <= allowed:
        return
    m, r = config.market, config.run
    setting = max(terms, key=terms.get)
    if setting in ("market.job_rate", "market.accounts", "run.horizon_weeks"):
        # these multiply: name the one furthest above its default
        ratios = {"market.accounts": m.accounts / MarketConfig().accounts,
                  "market.job_rate": m.job_rate / MarketConfig().job_rate,
                  "run.horizon_weeks": r.horizon_weeks / RunConfig().horizon_weeks}
        if setting != "market.accounts" or ratios["market.accounts"] < 1:
            setting = max(ratios, key=ratios.get)
    value = {"market.job_rate": m.job_rate, "market.accounts": m.accounts,
             "run.horizon_weeks": r.horizon_weeks, "staffing.reps": config.staffing.reps,
             "run.workers": r.workers, "run.replications": r.replications}[setting]
    raise ConfigError(
        setting,
        f"got {value:g}: {m.accounts} accounts, {expected_jobs(config):.3g} customer jobs per "
        f"run over {r.horizon_weeks:g} weeks, {config.staffing.frontline()} frontline staff and "
        f"{r.replications} replications ({min(r.workers or os.cpu_count() or 1, r.replications)}"
        f" at once) would need about {_size(need)} of memory; allowed: at most "
        f"{_size(allowed)} on this machine (reduce market.accounts, market.job_rate, "
        "run.horizon_weeks, staffing or run.workers)",
    )

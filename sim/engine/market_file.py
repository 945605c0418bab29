"""The market of a run whose accounts come from a file (``market.path``; the file is read and
checked by sim/configuration/market_file.py).

Each account is one row. What the file gives is used as it is; what it lacks is drawn exactly as
the synthetic market draws it (sim/engine/market.py), from the same named random streams, so the
same file and seed give the same market under every design:

* ``type`` — shuffled by the type shares; ``region`` — balanced (account i in region i mod R);
* ``patients`` — the type's median × a log-normal; ``organisation`` — the type's mean + noise;
* ``dmu_size`` — the type's mean × a log-normal; ``prescribers`` — patients ÷ patients per HCP;
* ``links`` — drawn ∝ √size, mostly within a region.

The detailing audience is prescribers + the decision-making unit (as in the synthetic market,
where the prescribers are estimated from the patients). Known open jobs (``open_jobs``) arrive at
week 0 on top of the drawn job stream, with the catalogue's effort, patience and decision size
and their usual spread; they are *known*: discovered in the first step.
"""

from __future__ import annotations

import numpy as np

from sim.configuration.capabilities import INDEX, N_CAPABILITIES
from sim.configuration.market_file import ACCOUNT_TYPES, AccountTable, read_market_file
from sim.configuration.schema import SimConfig
from sim.engine.rng import RandomStreams


def file_accounts(cfg: SimConfig, table: AccountTable, rng: np.random.Generator) -> dict:
    """The account columns of the market: the file's where given, drawn where not. Every
    draw is made whether or not its column is given, so one column never shifts another's."""
    m, n = cfg.market, table.n
    types = m.account_types()
    from sim.engine.market import _type_counts

    counts = _type_counts([types[t].share for t in ACCOUNT_TYPES], n)
    drawn_type = rng.permutation(np.repeat(np.arange(len(ACCOUNT_TYPES)), counts))
    size_noise = rng.lognormal(0.0, m.patients_sigma, n)
    org_noise = rng.normal(0.0, m.organisation_sd, n)
    dmu_noise = rng.lognormal(0.0, 0.25, n)
    trust0 = np.clip(rng.normal(m.trust_initial, m.trust_sd, n), 0.02, 0.98)

    def given(column: str, drawn, dtype=float):
        return np.asarray(table.columns[column], dtype) if table.has(column) else drawn

    account_type = given("type", drawn_type, None)
    if table.has("type"):
        account_type = np.array([ACCOUNT_TYPES.index(t) for t in account_type], np.int64)
    per_type = {k: np.array([getattr(types[t], k) for t in ACCOUNT_TYPES])[account_type]
                for k in ("patients", "organisation", "stakeholders")}
    patients = given("patients", per_type["patients"] * size_noise)
    organisation = given("organisation",
                         np.clip(per_type["organisation"] + org_noise, 0.0, 1.0))
    dmu = given("dmu_size", np.maximum(1, np.rint(per_type["stakeholders"] * dmu_noise)),
                np.int64).astype(np.int64)
    if table.has("region"):
        labels = table.regions()
        region = np.array([labels.index(r) for r in table.columns["region"]], np.int64)
    else:
        region = np.arange(n) % m.regions
    prescribers = given("prescribers", patients / m.patients_per_hcp)
    return {
        "account_type": account_type,
        "region": region,
        "patients": patients,
        "hcps": prescribers + dmu,
        "organisation": organisation,
        "trust0": trust0,
        "dmu_start": np.concatenate([[0], np.cumsum(dmu)]),
    }


def file_links(table: AccountTable) -> tuple[np.ndarray, np.ndarray]:
    """The file's links as the directed edge list the model uses (each link both ways, once)."""
    pairs = {(min(a, b), max(a, b)) for a, targets in enumerate(table.columns["links"])
             for b in targets}
    a = np.array(sorted(pairs), np.int64).reshape(-1, 2)
    return np.concatenate([a[:, 0], a[:, 1]]), np.concatenate([a[:, 1], a[:, 0]])


def with_open_jobs(cfg: SimConfig, jobs, table: AccountTable, rng: np.random.Generator):
    """The drawn job stream plus the file's known open jobs, arriving at week 0."""
    if not table.has("open_jobs"):
        return jobs
    account = np.array([a for a, names in enumerate(table.columns["open_jobs"])
                        for _ in names], np.int64)
    kind = np.array([jobs.type_names.index(name) for names in table.columns["open_jobs"]
                     for name in names], np.int64)
    if not len(account):
        return jobs
    m, n = cfg.market, len(account)
    types = [m.jobs[k] for k in jobs.type_names]
    base = np.zeros((len(types), N_CAPABILITIES))
    for i, t in enumerate(types):
        for cap, hours in t.effort.items():
            base[i, INDEX[cap]] = hours
    extra = {
        "arrival": np.zeros(n),
        "account": account,
        "job_type": kind,
        "effort": base[kind] * rng.lognormal(0.0, m.effort_sigma, (n, N_CAPABILITIES)),
        "patience": np.array([t.patience_weeks for t in types])[kind]
        * rng.lognormal(0.0, m.patience_sigma, n),
        "decision": np.array([t.decision_k for t in types])[kind]
        * rng.lognormal(0.0, m.decision_sigma, n),
        "gating": np.zeros(n, bool),
        "discovery_threshold": np.zeros(n),  # known: discovered in the first step
        "pick": rng.random(n),
    }
    merged = {k: np.concatenate([extra[k], getattr(jobs, k)]) for k in extra}
    order = np.lexsort((np.arange(len(merged["arrival"])), merged["arrival"]))
    return type(jobs)(**{k: v[order] for k, v in merged.items()}, type_names=jobs.type_names)


def build_file_market(cfg: SimConfig, streams: RandomStreams):
    """The market for one seed from the accounts of ``cfg.market.path``."""
    from sim.engine.market import (
        Market,
        _build_gates,
        _build_jobs,
        _build_links,
        _build_stakeholders,
    )

    table = read_market_file(cfg.market.path, tuple(cfg.market.jobs))
    acc = file_accounts(cfg, table, streams.market)
    sh = _build_stakeholders(cfg, acc, streams.stakeholders)
    src, dst = (file_links(table) if table.has("links")
                else _build_links(cfg, acc, streams.market))
    gates = _build_gates(cfg, acc, streams.market)
    jobs = with_open_jobs(cfg, _build_jobs(cfg, acc, gates, streams.jobs), table, streams.jobs)
    return Market(**acc, **sh, gates=gates, link_src=src, link_dst=dst, jobs=jobs,
                  n_regions=cfg.market.regions,
                  extra={"account_ids": table.ids, "market_file_sha256": table.sha256})

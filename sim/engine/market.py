"""The market: organized customers, their decision-making units, their network and their jobs.

Everything here is drawn before the first step, from the seed alone, so the same seed gives the
same market under every organisation design (common random numbers, see sim/engine/rng.py):

* accounts of four types (integrated systems, academic centres, community networks, fragmented
  practices) with size, degree of organisation, initial trust and region;
* each account's decision-making unit (DMU): stakeholders with a role, an initial stage of change
  and a pre-drawn threshold per stage transition;
* referral / key-opinion-leader links between accounts (mostly within a region, hubs at the
  larger accounts);
* the account's trigger points (which job types gate its adoption of the launch);
* every customer job that will arrive during the horizon, with its type, capabilities, effort,
  patience, decision size and pre-drawn discovery threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.configuration.capabilities import INDEX, N_CAPABILITIES
from sim.configuration.schema import SimConfig
from sim.engine.rng import RandomStreams

ACCOUNT_TYPES = ("integrated", "academic", "community", "fragmented")
ROLES = ("prescriber", "nurse", "pharmacist", "administrator", "payer")
PRESCRIBER, NURSE, PHARMACIST, ADMINISTRATOR, PAYER = range(len(ROLES))
# The order in which roles fill a decision-making unit: a practice of two has a prescriber and a
# nurse; a health system's DMU adds pharmacy (formulary), administration and payer / access.
ROLE_ORDER = (PRESCRIBER, NURSE, PHARMACIST, ADMINISTRATOR, PAYER)
CLINICAL_ROLES = (PRESCRIBER, NURSE)


@dataclass
class JobStream:
    """Every job that will arrive, as columns sorted by arrival week."""

    arrival: np.ndarray  # week
    account: np.ndarray  # account index
    job_type: np.ndarray  # index into ``type_names``
    effort: np.ndarray  # (n, N_CAPABILITIES) expert-hours, 0 where not needed
    patience: np.ndarray  # weeks
    decision: np.ndarray  # k€
    gating: np.ndarray  # bool: a trigger point of its account
    discovery_threshold: np.ndarray  # Exp(1): discovered when accumulated hazard exceeds it
    pick: np.ndarray  # U(0,1): which contact discovers it, ∝ their share of the hazard
    type_names: tuple[str, ...]
    product: np.ndarray | None = None  # whose job (sim/engine/portfolio.py); None: all product 0

    def capabilities(self, i: int) -> tuple[int, ...]:
        """Indices of the capabilities job ``i`` needs (cached per job)."""
        if not hasattr(self, "_caps"):
            # Vectorised: each job's set of needed capabilities as a bit mask, then one of the
            # 2**N_CAPABILITIES tuples per job (a Python call per job took a second for 60 000).
            needs = self.effort > 0
            masks = needs @ (1 << np.arange(needs.shape[1]))
            tuples = [tuple(c for c in range(needs.shape[1]) if m >> c & 1)
                      for m in range(1 << needs.shape[1])]
            self._caps = [tuples[m] for m in masks.tolist()]
        return self._caps[i]

    def as_lists(self) -> dict[str, list]:
        """Every per-job column as a list of Python values (made once): jobs are opened one by
        one, and a list item costs a fraction of reading a numpy cell and converting it."""
        if not hasattr(self, "_lists"):
            names = ("arrival", "account", "job_type", "patience", "decision", "gating",
                     "discovery_threshold", "pick")
            self._lists = {name: getattr(self, name).tolist() for name in names}
            self._lists["product"] = (None if self.product is None
                                      else self.product.tolist())
        return self._lists

    def __len__(self) -> int:
        return len(self.arrival)


@dataclass
class Market:
    """The customers side of one run; immutable once built."""

    account_type: np.ndarray  # index into ACCOUNT_TYPES
    region: np.ndarray
    patients: np.ndarray
    hcps: np.ndarray  # prescribers and other HCPs reached by detailing
    organisation: np.ndarray
    trust0: np.ndarray
    dmu_start: np.ndarray  # stakeholders of account a are dmu_start[a]:dmu_start[a+1]
    gates: list[tuple[str, ...]]  # trigger-point job types per account
    stakeholder_account: np.ndarray
    stakeholder_role: np.ndarray
    stakeholder_stage0: np.ndarray
    stakeholder_thresholds: np.ndarray  # (n, 4): one Exp(1) per forward transition
    link_src: np.ndarray  # directed edge list (each undirected link appears twice)
    link_dst: np.ndarray
    jobs: JobStream
    n_regions: int
    extra: dict = field(default_factory=dict)

    @property
    def n_accounts(self) -> int:
        return len(self.patients)

    def dmu_size(self) -> np.ndarray:
        return np.diff(self.dmu_start)

    def degree(self) -> np.ndarray:
        return np.bincount(self.link_src, minlength=self.n_accounts)

    def network(self):
        """The account network as a networkx Graph (for analysis and drawing)."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(self.n_accounts))
        g.add_edges_from(zip(self.link_src.tolist(), self.link_dst.tolist(), strict=True))
        return g


def _type_counts(shares: list[float], n: int) -> list[int]:
    """Largest-remainder rounding of ``shares × n`` so counts sum to ``n`` exactly."""
    raw = np.array(shares) * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


def _build_accounts(cfg: SimConfig, rng: np.random.Generator) -> dict:
    m = cfg.market
    types = m.account_types()
    counts = _type_counts([types[t].share for t in ACCOUNT_TYPES], m.accounts)
    account_type = rng.permutation(np.repeat(np.arange(len(ACCOUNT_TYPES)), counts))
    n = m.accounts
    median = np.array([types[t].patients for t in ACCOUNT_TYPES])[account_type]
    org_mean = np.array([types[t].organisation for t in ACCOUNT_TYPES])[account_type]
    dmu_mean = np.array([types[t].stakeholders for t in ACCOUNT_TYPES])[account_type]
    patients = median * rng.lognormal(0.0, m.patients_sigma, n)
    organisation = np.clip(org_mean + rng.normal(0.0, m.organisation_sd, n), 0.0, 1.0)
    dmu = np.maximum(1, np.rint(dmu_mean * rng.lognormal(0.0, 0.25, n))).astype(np.int64)
    trust0 = np.clip(rng.normal(m.trust_initial, m.trust_sd, n), 0.02, 0.98)
    region = np.arange(n) % m.regions  # balanced regions; types are already shuffled
    return {
        "account_type": account_type,
        "region": region,
        "patients": patients,
        "hcps": patients / m.patients_per_hcp + dmu,
        "organisation": organisation,
        "trust0": trust0,
        "dmu_start": np.concatenate([[0], np.cumsum(dmu)]),
    }


def _build_stakeholders(cfg: SimConfig, acc: dict, rng: np.random.Generator) -> dict:
    dmu = np.diff(acc["dmu_start"])
    owner = np.repeat(np.arange(len(dmu)), dmu)
    rank = np.arange(len(owner)) - acc["dmu_start"][owner]  # position within the DMU
    roles = np.array(ROLE_ORDER)
    # Beyond the five distinct roles, extra members alternate prescriber / nurse.
    role = np.where(rank < len(roles), roles[np.minimum(rank, len(roles) - 1)],
                    np.where(rank % 2 == 1, PRESCRIBER, NURSE))
    stage0 = rng.choice(5, size=len(owner), p=np.asarray(cfg.therapy.initial_stages, float)
                        / np.sum(cfg.therapy.initial_stages))
    thresholds = rng.exponential(1.0, size=(len(owner), 4))
    return {
        "stakeholder_account": owner.astype(np.int64),
        "stakeholder_role": role.astype(np.int8),
        "stakeholder_stage0": stage0.astype(np.int8),
        "stakeholder_thresholds": thresholds,
    }


def _build_links(cfg: SimConfig, acc: dict, rng: np.random.Generator):
    """Referral / KOL links: stubs ∝ √size, partners ∝ √size, mostly in the same region."""
    m = cfg.market
    n = len(acc["patients"])
    if n < 2 or m.links_per_account <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    weight = np.sqrt(acc["patients"])
    expected = m.links_per_account / 2 * weight / weight.mean()  # each link has two ends
    stubs = rng.poisson(expected)
    src = np.repeat(np.arange(n), stubs)
    region = acc["region"]
    members = [np.flatnonzero(region == r) for r in range(m.regions)]
    cum = [np.cumsum(weight[idx]) for idx in members]
    cross = rng.random(len(src)) < m.cross_region_links
    shift = rng.integers(1, max(2, m.regions), len(src))
    target_region = np.where(cross & (m.regions > 1), (region[src] + shift) % m.regions,
                             region[src])
    u = rng.random(len(src))
    dst = np.empty(len(src), np.int64)
    for r in range(m.regions):
        sel = target_region == r
        if not sel.any() or len(members[r]) == 0:
            dst[sel] = src[sel]
            continue
        pos = np.searchsorted(cum[r], u[sel] * cum[r][-1], side="right")
        dst[sel] = members[r][np.minimum(pos, len(members[r]) - 1)]
    keep = src != dst
    a, b = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    pairs = np.unique(a * n + b)
    a, b = pairs // n, pairs % n
    return np.concatenate([a, b]), np.concatenate([b, a])


def _build_gates(cfg: SimConfig, acc: dict, rng: np.random.Generator) -> list[tuple[str, ...]]:
    gate_names = sorted(cfg.therapy.gates)  # sorted: YAML key order must not change the market
    u = rng.random((len(acc["patients"]), len(gate_names)))
    chance = np.array([cfg.therapy.gates[g] for g in gate_names])
    has = u < chance[None, :] * acc["organisation"][:, None]
    return [tuple(g for g, h in zip(gate_names, row, strict=True) if h) for row in has]


def _build_jobs(cfg: SimConfig, acc: dict, gates, rng: np.random.Generator) -> JobStream:
    m, horizon = cfg.market, float(cfg.run.horizon_weeks)
    names = tuple(sorted(m.jobs))
    types = [m.jobs[k] for k in names]
    cross = np.array([len(t.effort) > 1 for t in types])
    weight = np.array([t.weight for t in types], float)
    base_effort = np.zeros((len(types), N_CAPABILITIES))
    for i, t in enumerate(types):
        for cap, hours in t.effort.items():
            base_effort[i, INDEX[cap]] = hours

    # Ordinary jobs: a Poisson stream per account, busier in larger and more organized accounts.
    org, patients = acc["organisation"], acc["patients"]
    rate = m.job_rate * (patients / 100.0) ** m.size_elasticity * (1 + m.organisation_gain * org)
    counts = rng.poisson(rate * horizon)
    account = np.repeat(np.arange(len(rate)), counts)
    arrival = rng.uniform(0.0, horizon, len(account))
    p_cross = np.clip(m.cross_functional_base + m.cross_functional_gain * org[account], 0, 1)
    wants_cross = rng.random(len(account)) < p_cross
    u = rng.random(len(account))
    job_type = np.empty(len(account), np.int64)
    for flag in (True, False):
        w = np.where(cross == flag, weight, 0.0)
        if w.sum() == 0:  # no type in this class: fall back to the other class
            w = weight
        cdf = np.cumsum(w) / w.sum()
        sel = wants_cross == flag
        job_type[sel] = np.minimum(np.searchsorted(cdf, u[sel], side="right"), len(types) - 1)
    gating = np.zeros(len(account), bool)

    # Trigger-point jobs: one per gate of each account, surfacing early after launch.
    g_acc, g_type = [], []
    for a, account_gates in enumerate(gates):
        for g in account_gates:
            g_acc.append(a)
            g_type.append(names.index(g))
    g_arrival = rng.exponential(cfg.therapy.gate_arrival_weeks, len(g_acc))
    keep = g_arrival < horizon
    account = np.concatenate([account, np.array(g_acc, np.int64)[keep]])
    arrival = np.concatenate([arrival, g_arrival[keep]])
    job_type = np.concatenate([job_type, np.array(g_type, np.int64)[keep]])
    gating = np.concatenate([gating, np.ones(int(keep.sum()), bool)])

    n = len(account)
    effort = base_effort[job_type] * rng.lognormal(0.0, m.effort_sigma, (n, N_CAPABILITIES))
    patience = np.array([t.patience_weeks for t in types])[job_type] * rng.lognormal(
        0.0, m.patience_sigma, n)
    decision = np.array([t.decision_k for t in types])[job_type] * rng.lognormal(
        0.0, m.decision_sigma, n)
    threshold = rng.exponential(1.0, n)
    pick = rng.random(n)
    order = np.lexsort((np.arange(n), arrival))
    return JobStream(
        arrival=arrival[order], account=account[order], job_type=job_type[order],
        effort=effort[order], patience=patience[order], decision=decision[order],
        gating=gating[order], discovery_threshold=threshold[order], pick=pick[order],
        type_names=names,
    )


def build_market(cfg: SimConfig, streams: RandomStreams) -> Market:
    """Draw the whole market for one seed. Uses only the market-side streams. With
    ``market.source`` file the accounts come from ``market.path`` (sim/engine/market_file.py)."""
    if cfg.market.source == "file":
        from sim.engine.market_file import build_file_market

        return build_file_market(cfg, streams)
    acc = _build_accounts(cfg, streams.market)
    sh = _build_stakeholders(cfg, acc, streams.stakeholders)
    src, dst = _build_links(cfg, acc, streams.market)
    gates = _build_gates(cfg, acc, streams.market)
    jobs = _build_jobs(cfg, acc, gates, streams.jobs)
    return Market(**acc, **sh, gates=gates, link_src=src, link_dst=dst, jobs=jobs,
                  n_regions=cfg.market.regions)

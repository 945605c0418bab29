"""A portfolio: further products or indications launching after the therapy (ODD 7.6a).

The therapy is product 0, launched at week 0. ``therapy.portfolio`` adds products 1, 2, … with
their own launch weeks. For each further product the market gets, from its launch on:

* **its own adoption state**: every stakeholder has a stage of change for it, starting from
  ``therapy.initial_stages`` and with its own Exp(1) thresholds; every account its own week of
  adoption. It advances by the therapy's rule (sim/engine/adoption.py) with the product's own
  peers (who adopted *this* product) and its own product detailing; trust, scientific exchange,
  jobs resolved and access won belong to the account and count for every product — the
  relationship the first launch built carries the next;
* **its own trigger points**: each account draws its gates for the product by ``therapy.gates``;
  the product's trigger-point jobs surface ``therapy.gate_arrival_weeks`` (on average) after its
  launch, and its accounts adopt only once they are solved;
* **its own ordinary jobs**: a Poisson stream at ``job_rates[k] × market.job_rate`` (same
  account weights and job mix as the market's) from its launch to the horizon.

These are drawn from their own stream (:func:`sim.engine.rng.portfolio_stream`, key 37), never
from the market's: the market's accounts, stakeholders and jobs are the same with or without a
portfolio, and the portfolio is the same under every design.

**Who details which product** is structure: a position with a product line (``product`` ≥ 0, the
traditional design's reps) details that product only; everyone else who details (a primary point
of contact, a matrix or micro-enterprise member) shares the product message evenly among the
products launched. The over-detailing penalty reads all detailing an account receives, whatever
the product. With no portfolio this module is never built and nothing changes.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.engine.rng import portfolio_stream
from sim.engine.stakeholders import DecisionMakingUnits


class Portfolio:
    """Launch weeks, per-product adoption state and trigger points of the further products."""

    def __init__(self, config, market, seed: int):
        p = config.therapy.portfolio
        self.launch = np.array([0.0, *p.launch_weeks], float)  # product 0: the therapy
        self.n_products = len(self.launch)
        n = market.n_accounts
        self.dmus = [None]  # product 0's stakeholders are model.dmus
        self.adopted_week = [None]  # product 0's are model.book.adopted_week
        self.gates: list = [None]  # product 0's are the accounts' own
        self.open_gates = [None]
        self.jobs_resolved = np.zeros(self.n_products, np.int64)
        shares = np.asarray(config.therapy.initial_stages, float)
        for k in range(1, self.n_products):
            rng = portfolio_stream(seed, k)
            dmus = DecisionMakingUnits(market)
            dmus.stage = rng.choice(5, size=len(dmus), p=shares / shares.sum()).astype(np.int8)
            dmus.thresholds = rng.exponential(1.0, size=(len(dmus), 4))
            self.dmus.append(dmus)
            self.adopted_week.append(np.full(n, np.nan))
            gates = product_gates(config, market, rng)
            self.gates.append([set(g) for g in gates])
            self.open_gates.append(np.array([len(g) for g in gates], np.int64))
        self.detailing = np.zeros((self.n_products, n))  # hours/week this step, per product

    def launched(self, week: float) -> int:
        """How many products are on the market at ``week`` (the therapy counts)."""
        return int(np.sum(self.launch <= week + 1e-9))

    # ------------------------------------------------------------------- trigger points
    def gates_open(self, job) -> bool:
        """Whether ``job`` (of a further product) is still a trigger point of its account."""
        return job.gating and job.job_type in self.gates[job.product][job.account]

    def solve_gate(self, job) -> None:
        if self.gates_open(job):
            gates = self.gates[job.product][job.account]
            gates.discard(job.job_type)
            self.open_gates[job.product][job.account] = len(gates)

    # ---------------------------------------------------------------------- detailing
    def split_detailing(self, model, rows: np.ndarray, accounts: np.ndarray,
                        hours: np.ndarray) -> None:
        """This step's product-message hours per product and account (hours per week)."""
        launched = self.launched(model.now)
        agents = model.workforce.agents
        line = np.array([getattr(agents[r], "product", -1) for r in rows.tolist()], np.int64)
        line = np.where(line < launched, line, -1)  # a line not yet launched: treated as shared
        n = model.market.n_accounts
        shared = np.bincount(accounts, np.where(line < 0, hours, 0.0), n) / launched
        for k in range(self.n_products):
            own = np.bincount(accounts, np.where(line == k, hours, 0.0), n)
            self.detailing[k] = own + (shared if k < launched else 0.0)


def product_gates(config, market, rng: np.random.Generator) -> list[tuple[str, ...]]:
    """Each account's trigger points for one further product, by the therapy's gate rule."""
    from sim.engine.market import _build_gates

    return _build_gates(config, {"patients": market.patients,
                                 "organisation": market.organisation}, rng)


def with_portfolio_jobs(config, market, portfolio: Portfolio, seed: int):
    """The market's job stream with every further product's jobs merged in, by arrival week;
    a ``product`` column says whose each job is (0: the therapy, or the market in general)."""
    from sim.engine.market import _build_jobs

    jobs = market.jobs
    horizon = float(config.run.horizon_weeks)
    parts = [(jobs, np.zeros(len(jobs), np.int64), 0.0)]
    acc = {"patients": market.patients, "organisation": market.organisation}
    for k in range(1, portfolio.n_products):
        launch = float(portfolio.launch[k])
        if launch >= horizon:
            continue
        rng = portfolio_stream(seed, k, 1)
        rate = config.market.job_rate * config.therapy.portfolio.job_rates[k - 1]
        window = dataclasses.replace(
            config, run=dataclasses.replace(config.run, horizon_weeks=horizon - launch),
            market=dataclasses.replace(config.market, job_rate=rate))
        gates = [tuple(sorted(g)) for g in portfolio.gates[k]]
        own = _build_jobs(window, acc, gates, rng)
        parts.append((own, np.full(len(own), k, np.int64), launch))
    columns = ("arrival", "account", "job_type", "effort", "patience", "decision", "gating",
               "discovery_threshold", "pick")
    merged = {c: np.concatenate([getattr(s, c) + (shift if c == "arrival" else 0)
                                 for s, _, shift in parts]) for c in columns}
    product = np.concatenate([p for _, p, _ in parts])
    order = np.lexsort((np.arange(len(product)), merged["arrival"]))
    return type(jobs)(**{c: v[order] for c, v in merged.items()}, type_names=jobs.type_names,
                      product=product[order])


def update_portfolio(model) -> None:
    """One step for every further product on the market: its stakeholders advance by the
    therapy's rule, and accounts whose unit agrees and whose trigger points for it are solved
    adopt it (ODD 7.6a). Runs after the therapy's own step (sim/engine/adoption.py)."""
    pf, book, t = model.portfolio, model.book, model.config.therapy
    total = book.detailing_hours
    for k in range(1, pf.launched(model.now)):
        dmus = pf.dmus[k]
        hazard = model.adoption.hazard(dmus, book.trust, book.exchange_hours, pf.detailing[k],
                                       book.resolved_stock, book.access_won,
                                       all_detailing_h=total)
        dmus.advance(hazard, t.maintenance_rate, model.dt)
        adopted = pf.adopted_week[k]
        ready = (model.adoption.consensus(dmus) & np.isnan(adopted) & (pf.open_gates[k] == 0))
        adopted[ready] = model.now


def weeks_to_adoption(adopted_week: np.ndarray, launch: float, horizon: float) -> float:
    """Mean weeks from launch to an account's adoption, counting an account that has not
    adopted by the horizon as the weeks to the horizon (a restricted mean: comparable between
    designs over one horizon, and it does not drop the slow accounts)."""
    if launch >= horizon or len(adopted_week) == 0:
        return float("nan")
    waited = np.where(np.isnan(adopted_week), horizon, adopted_week) - launch
    return float(np.mean(waited))


# ---------------------------------------------------------------------------------- results
# Products are numbered for people from 1 (the therapy) in column names: product2_… is the first
# further product.
def _label(k: int) -> str:
    return f"product{k + 1}"


def adopted_weeks(model) -> list[np.ndarray]:
    """Each product's week of adoption per account (NaN: not adopted)."""
    pf = model.portfolio
    return [model.book.adopted_week, *pf.adopted_week[1:]]


def series_columns(model, weeks: np.ndarray) -> dict[str, np.ndarray]:
    """Share of accounts that had adopted each further product, per recorded week."""
    out = {}
    for k, adopted in enumerate(adopted_weeks(model)):
        if k:
            done = np.sort(adopted[~np.isnan(adopted)])
            out[f"{_label(k)}_accounts_adopted_share"] = (
                np.searchsorted(done, weeks + 1e-9, side="right") / max(1, len(adopted)))
    return out


def account_columns(model) -> dict[str, np.ndarray]:
    """Each further product's week of adoption and trigger points still open, per account."""
    pf, out = model.portfolio, {}
    for k in range(1, pf.n_products):
        out[f"{_label(k)}_adopted_week"] = pf.adopted_week[k]
        out[f"{_label(k)}_gates_open"] = pf.open_gates[k]
    return out


def summary_columns(model, series) -> dict[str, float]:
    """Per product: launch week, accounts adopted at the horizon, the restricted mean weeks from
    launch to adoption over the shortest product window (horizon − last launch before the
    horizon, so every product is timed over the same number of weeks; NaN for a product that
    never launched), jobs resolved of its own, and company
    contacts per account from its launch on."""
    pf, horizon = model.portfolio, model.now
    window = horizon - float(pf.launch[pf.launch < horizon].max(initial=0.0))
    out: dict[str, float] = {}
    for k, adopted in enumerate(adopted_weeks(model)):
        launch, name = float(pf.launch[k]), _label(k)
        since = series[series.week > launch]
        within = np.where(adopted <= launch + window, adopted, np.nan)
        out.update({
            f"{name}_launch_week": launch,
            f"{name}_accounts_adopted_share": float(np.mean(~np.isnan(adopted))),
            f"{name}_weeks_to_adoption": (weeks_to_adoption(within, launch, launch + window)
                                          if launch < horizon else float("nan")),
            f"{name}_jobs_resolved": int(pf.jobs_resolved[k]),
            f"{name}_contacts_per_account": (float(since.contacts_per_account.mean())
                                             if len(since) else float("nan")),
        })
    return out

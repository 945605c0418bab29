"""Ecosystem IQ: what the company's people learn about how the customers' network is linked, and
how they use it (ODD 7.2a).

The market links accounts by referral and key-opinion-leader ties (sim/engine/market.py): patients
pass from community networks and practices to academic centres and integrated systems, and
opinion leaders influence their neighbours. [A1] calls the understanding of these influence
networks, and of the trigger points along them, "ecosystem IQ". The model gives it to people,
not to the organisation chart, by one rule for every design (``staffing.ecosystem_iq``):

* **learning** — person p knows link a–b to a degree k ∈ [0, 1]; each week
  k ← 1 − (1 − k) · exp(−rate · √(e_pa · e_pb) · dt), where e_px is p's attentive contact with
  account x this week: the hours of its visits in which a problem can come up, weighted by p's
  skill (the largest of its discovery exposures over the capabilities, sim/engine/visits.py).
  The geometric mean means only someone who meets *both* ends learns how they are linked; what
  a person knows leaves with them (a new holder of the position starts at 0);
* **use** — when a job is resolved, its owner p knows to look for the same problem along the
  patient's path: each undiscovered job of the same type at an account b linked to the job's
  account gains ``lead_strength`` · k_p(a–b) of discovery hazard, and one whose accumulated hazard
  passes its pre-drawn threshold is discovered by p at once (a *lead*). No random number is drawn.

The company's ecosystem IQ (reported) is the mean over links of what the best-informed person
knows of it. With ``learning_rate`` 0 (the default) nothing is computed and nothing changes.
"""

from __future__ import annotations

import numpy as np

from sim.engine.job_discovery import discover
from sim.engine.jobs import JobState


class EcosystemMap:
    """Each position's knowledge of each undirected link of the account network."""

    def __init__(self, model):
        market = model.market
        self.rules = model.config.staffing.ecosystem_iq
        upper = market.link_src < market.link_dst  # every undirected link once
        self.a = market.link_src[upper]
        self.b = market.link_dst[upper]
        # links touching each account, both directions: (link index, the other end)
        self.incident: list[list[tuple[int, int]]] = [[] for _ in range(market.n_accounts)]
        for link, (a, b) in enumerate(zip(self.a.tolist(), self.b.tolist(), strict=True)):
            self.incident[a].append((link, b))
            self.incident[b].append((link, a))
        self.knowledge = np.zeros((0, len(self.a)))  # (positions, links)
        self.holder = np.zeros(0, np.int64)  # person whose knowledge each row holds
        self.leads = 0  # jobs discovered through a known link

    @property
    def active(self) -> bool:
        return self.rules.active()

    def iq(self, model) -> float:
        """Mean over links of the best-informed present person's knowledge of it (0 if none)."""
        if not self.active or not len(self.a) or not len(self.holder):
            return 0.0
        wf, n = model.workforce, len(self.holder)
        present = wf.filled[:n] & wf.active[:n] & (self.holder == wf.person_id[:n])
        if not present.any():
            return 0.0
        return float(self.knowledge[present].max(axis=0).mean())

    def _fit(self, model) -> None:
        """Rows for positions added since the last step; reset rows whose holder changed."""
        wf = model.workforce
        n, old = wf.n, len(self.holder)
        if n > old:
            self.knowledge = np.vstack([self.knowledge, np.zeros((n - old, len(self.a)))])
            self.holder = np.concatenate([self.holder, wf.person_id[old:n]])
        changed = self.holder != wf.person_id[:n]
        if changed.any():
            self.knowledge[changed] = 0.0
            self.holder[changed] = wf.person_id[:n][changed]

    def learn(self, model) -> None:
        """Knowledge grows from this week's attentive contact at both ends of each link."""
        self._fit(model)
        if model.visit_groups is None or not len(self.a):
            return
        rows, exposure, bounds = model.visit_groups
        accounts = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
        contact = np.zeros((len(self.holder), len(bounds) - 1))
        np.add.at(contact, (rows, accounts), exposure.max(axis=1))
        rate = self.rules.learning_rate * np.sqrt(contact[:, self.a] * contact[:, self.b])
        self.knowledge = learned(self.knowledge, rate, model.dt)

    def follow_leads(self, model) -> None:
        """Every job resolved this step points its owner at the same problem next door."""
        if self.rules.lead_strength <= 0 or model.this_step("resolved") == 0:
            return
        now = model.now
        resolved = [j for j in model.jobs if j.state == JobState.RESOLVED and j.closed_at == now]
        und = model.undiscovered
        for job in resolved:
            owner = job.owner
            if owner is None or owner.vacant or owner.row >= len(self.holder):
                continue
            for link, other in self.incident[job.account]:
                k = self.knowledge[owner.row, link]
                if k <= 0:
                    continue
                for i in np.flatnonzero(und.account == other).tolist():
                    target = und.jobs[i]
                    if target.state != JobState.UNDISCOVERED or target.job_type != job.job_type:
                        continue
                    und.accumulated[i] += self.rules.lead_strength * k
                    if und.accumulated[i] >= und.threshold[i]:
                        target.exposure = float(und.accumulated[i])
                        discover(model, target, owner)
                        self.leads += 1


def learned(knowledge: np.ndarray, rate: np.ndarray, dt: float) -> np.ndarray:
    """Knowledge after ``dt`` weeks at learning hazard ``rate``: 1 − (1 − k) · exp(−rate · dt)."""
    return 1.0 - (1.0 - knowledge) * np.exp(-rate * dt)


def update_ecosystem_iq(model) -> None:
    """Learn from this week's contact, then follow the leads of this week's resolved jobs."""
    eco = model.ecosystem
    if not eco.active:
        return
    eco.learn(model)
    eco.follow_leads(model)

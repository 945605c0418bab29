"""The pilot roll-out: micro-enterprises on a few key accounts first, then everywhere [A4].

"Start small but think big. Consider piloting the new model with a select few key accounts …
before a broader rollout" [A4]. At launch the largest ``pilot_accounts`` accounts are served by a
national key-account micro-enterprise staffed with a proportional share of each function (its most
experienced people); every other account stays with the traditional design. At ``rollout_week``
the traditional structure is dissolved: its managers go, its frontline people form regional
micro-enterprises, and open escalations and handoffs are taken over by the new structure.

Both structures use their own design's rules; this module only composes them (each question is
passed to the design that serves the job's account). Transition costs come from the
micro-enterprise settings in ``after``: a learning curve (``initial_effectiveness``,
``learning_weeks``), members who resist the change (``resistance``) and teams sliding back to old
habits (``revert_rate``) until reinforced (``reinforcement_rate``) — the pitfalls [A4] lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.configuration.params import param
from sim.designs import register
from sim.designs.base import OrganisationDesign, require
from sim.designs.micro_enterprise import (
    MicroEnterpriseConfig,
    MicroEnterpriseDesign,
    regional_groups,
)
from sim.designs.structures.platform import Platform
from sim.designs.traditional import TraditionalConfig, TraditionalDesign
from sim.engine.costs import pay_transition
from sim.engine.escalation import Escalation, take_decision
from sim.engine.routing import Handoff, dispatch
from sim.engine.visits import VisitPlan


def _transition_defaults() -> MicroEnterpriseConfig:
    return MicroEnterpriseConfig(
        design="micro_enterprise", initial_effectiveness=0.6, resistance=0.3, revert_rate=0.05,
        reinforcement_rate=0.1,
    )


@dataclass
class PilotRolloutConfig:
    design: str = param("pilot_rollout", unit="-", doc="Organisation design (a module in "
                        "sim/designs)")
    pilot_accounts: int = param(
        6, unit="accounts", doc="Largest accounts served by the pilot micro-enterprise from "
        "launch", ge=0, source="article claim [A4]: pilot on a few key accounts; number assumed",
    )
    rollout_week: float = param(
        52.0, unit="weeks", doc="When every other account moves to micro-enterprises", ge=0,
        source="assumption: a one-year pilot",
    )
    before: TraditionalConfig = param(
        TraditionalConfig(), unit="-", doc="The traditional design outside the pilot",
    )
    after: MicroEnterpriseConfig = param(
        _transition_defaults(), unit="-", doc="The micro-enterprise design of the pilot and "
        "after roll-out, with transition costs", source="article claim [A4] (resistance, "
        "reverting to old habits); sizes assumed",
    )

    def validate(self, config) -> None:
        require(self.pilot_accounts <= config.market.accounts, "org.pilot_accounts",
                f"must be ≤ market.accounts ({config.market.accounts}), "
                f"got {self.pilot_accounts}")
        self.before.validate(config, "org.before")
        self.after.validate(config, "org.after")


@register
class PilotRolloutDesign(OrganisationDesign):
    name = "pilot_rollout"
    Config = PilotRolloutConfig

    def __init__(self, model, config: PilotRolloutConfig):
        super().__init__(model, config)
        self.old = TraditionalDesign(model, config.before)
        self.new = MicroEnterpriseDesign(model, config.after)
        self.plan = VisitPlan.empty()
        self.served_by_new = np.zeros(model.market.n_accounts, bool)
        self.rolled_out = False

    def _for(self, account: int) -> OrganisationDesign:
        return self.new if self.served_by_new[account] else self.old

    # ------------------------------------------------------------------------ structure
    def build(self) -> None:
        from sim.designs.structures.territories import (  # Mesa agents: built, not read
            create_staff,
            incumbents,
        )

        model, cfg = self.model, self.config
        frontline, experts = create_staff(model, incumbents(model))
        self.old.platform = self.new.platform = Platform(experts)
        n = model.market.n_accounts
        pilot = sorted(np.argsort(-model.market.patients, kind="stable")[: cfg.pilot_accounts])
        self.served_by_new[pilot] = True
        chosen = self._pilot_people(frontline, len(pilot) / n if n else 0.0) if pilot else []
        if chosen:
            self.new.form_teams([(chosen, [int(a) for a in pilot])])
            pay_transition(self.model, [], chosen)
        rest = [s for s in frontline if s not in chosen]
        self.old.organise(rest, experts, [a for a in range(n) if not self.served_by_new[a]])
        self._replan()

    def _pilot_people(self, frontline: list, share: float) -> list:
        """A proportional share of each function, most experienced first."""
        wf, chosen = self.model.workforce, []
        for function in ("sales", "medical", "access"):
            people = sorted((s for s in frontline if s.function == function),
                            key=lambda s: (-wf.experience[s.row], s.row))
            k = max(1 if function == "sales" else 0, round(share * len(people)))
            chosen += people[:k]
        return chosen

    # ----------------------------------------------------------------------- roll-out
    def on_step(self) -> None:
        self.new.on_step()
        if not self.rolled_out and self.model.now + 1e-9 >= self.config.rollout_week:
            self.roll_out()

    def roll_out(self) -> None:
        """Dissolve the traditional structure into regional micro-enterprises."""
        model, old = self.model, self.old
        self.rolled_out = True
        managers = old.hierarchy.dissolve()
        pending = [item for m in managers for item in m.inbox.items()]
        for m in managers:
            m.inbox.clear()
            model.workforce.retire(m.row)
            m.remove()
        for e in old.experts:
            e.manager = None
        members, accounts = old.frontline, old.accounts
        for s in members:
            s.manager, s.accounts = None, []
        if members:
            self.new.form_teams(regional_groups(model, members, accounts), now=model.now)
        self.served_by_new[accounts] = True
        old.frontline, old.accounts, old.covering = [], [], {}
        old.plan, old._template = VisitPlan.empty(), None
        old.structure_changed()
        self.structure_changed()
        pay_transition(model, managers, members)
        for item in pending:  # the new structure takes over what was waiting on managers
            if not item.is_live():
                continue
            if isinstance(item, Escalation):
                job = item.job
                if job.decision <= self.new.authority_of(job.owner, job):
                    take_decision(model, job, job.owner, reviews=item.level)
                else:
                    item.hand_over(self.new.escalation_chain(job), self.new.min_reviews(job),
                                   model.now)
            elif isinstance(item, Handoff):
                task = item.task
                dispatch(task, self.new.route(task.job, task.capability), model.now)
        self.new._next_plan = model.now
        self._replan()

    # --------------------------------------------------------------- capacity planning
    def _replan(self) -> None:
        parts = [d.plan for d in (self.old, self.new) if len(d.plan)]
        self.plan = (VisitPlan(*(np.concatenate([getattr(p, f) for p in parts])
                                 for f in VisitPlan.__dataclass_fields__))
                     if parts else VisitPlan.empty())

    def plan_if_due(self) -> bool:
        changed = [d.plan_if_due() for d in (self.old, self.new)]
        if any(changed):
            self._replan()
        return any(changed)

    def plan_visits(self) -> VisitPlan:
        return self.plan

    def plan_template(self):
        raise NotImplementedError("the pilot plans through its two designs")

    def teams(self) -> list:
        return [*self.old.teams(), *self.new.teams()]

    def managers(self) -> list:
        return [*self.old.managers(), *self.new.managers()]

    def structure_changed(self) -> None:
        super().structure_changed()
        self.old.structure_changed()
        self.new.structure_changed()

    # ------------------------------------------------------- questions, per account
    def owner_of(self, job, discoverer):
        return self._for(job.account).owner_of(job, discoverer)

    def default_contact(self, account: int):
        return self._for(account).default_contact(account)

    def authority_of(self, owner, job) -> float:
        return self._for(job.account).authority_of(owner, job)

    def escalation_chain(self, job) -> tuple:
        return self._for(job.account).escalation_chain(job)

    def min_reviews(self, job) -> int:
        return self._for(job.account).min_reviews(job)

    def route(self, job, capability: int):
        return self._for(job.account).route(job, capability)

    def front(self, task, worker):
        return self._for(task.job.account).front(task, worker)

    def _new_rows(self) -> list[int]:
        """Positions working under the micro-enterprise design (its members; after roll-out,
        the experts too)."""
        rows = [m.row for team in self.new.me_teams for m in team.members]
        if self.rolled_out:  # the experts now serve micro-enterprises only
            rows += [e.row for e in self.new.platform.experts]
        return rows

    def kpi(self) -> np.ndarray:
        kpi, rows = self.old.kpi(), self._new_rows()
        kpi[rows] = self.new.kpi()[rows]
        return kpi

    def value_pay_fractions(self) -> np.ndarray:
        fractions, rows = self.old.value_pay_fractions(), self._new_rows()
        fractions[rows] = self.new.value_pay_fractions()[rows]
        return fractions

    def converges_roles(self) -> bool:
        return self.old.converges_roles() or self.new.converges_roles()

    def role_rules_for(self, job) -> tuple[float, bool]:
        return self._for(job.account).role_rules_for(job)

    def role_rules_by_position(self) -> tuple[np.ndarray, np.ndarray]:
        convergence, firewall = self.old.role_rules_by_position()
        new_convergence, new_firewall = self.new.role_rules_by_position()
        rows = self._new_rows()
        convergence[rows], firewall[rows] = new_convergence[rows], new_firewall[rows]
        return convergence, firewall

    def answered_accounts(self) -> tuple[np.ndarray, np.ndarray]:
        old_rows, old_accs = self.old.answered_accounts()
        new_rows, new_accs = self.new.answered_accounts()
        keep = ~np.isin(old_rows, self._new_rows())
        take = np.isin(new_rows, self._new_rows())
        return (np.concatenate([old_rows[keep], new_rows[take]]),
                np.concatenate([old_accs[keep], new_accs[take]]))

"""Two orgsim runs of one market, stepped together: the model the workshop page drives.

Both sides share the scenario, the seed (so the same accounts, the same job arrivals, the same
people) and the levers; only the organisation design differs, and the right side is compared at
equal budget (its staff scaled to the left side's planned cost, sim/experiments/budget.py), as
``orgsim`` compares. This wrapper is itself a Mesa model
(step it, read ``running``); the page runs it to the horizon once per settings and records every
week (sim/demo/replay.py).
"""

from __future__ import annotations

from mesa import Model

from sim.demo.levers import DEFAULTS, configure
from sim.engine.model import OrgSimModel
from sim.experiments.budget import equalise


class SideBySide(Model):
    """Left and right: the same market under two designs.

    The orgsim scenario is ``scenario_name``: Mesa's own ``Model.scenario`` (an experimental
    parameter holder that SolaraViz passes on reset) is a different thing."""

    def __init__(self, scenario_name: str = "workshop", left: str = "traditional",
                 right: str = "micro_enterprise", seed: int = 0,
                 primary_contact_span: float = DEFAULTS["primary_contact_span"],
                 team_size: int = DEFAULTS["team_size"],
                 team_authority: float = DEFAULTS["team_authority"],
                 hierarchy_levels: int = DEFAULTS["hierarchy_levels"],
                 call_target_share: float = DEFAULTS["call_target_share"],
                 platform_experts: int = DEFAULTS["platform_experts"],
                 cross_functional: float = DEFAULTS["cross_functional"],
                 resistance: float = DEFAULTS["resistance"]):
        super().__init__(rng=int(seed))
        levers = {"primary_contact_span": primary_contact_span, "team_size": team_size,
                  "team_authority": team_authority, "hierarchy_levels": hierarchy_levels,
                  "call_target_share": call_target_share, "platform_experts": platform_experts,
                  "cross_functional": cross_functional, "resistance": resistance}
        self.scenario_name = scenario_name
        self.levers = levers
        self.seed_value = int(seed)
        configs = {"left": configure(scenario_name, left, levers),
                   "right": configure(scenario_name, right, levers)}
        self.basis = None  # as orgsim compares: the right side scaled to the left's budget
        if right != left:
            configs["right"], self.basis = equalise(configs["left"], configs["right"],
                                                    "equal_budget")
        self.sides = {side: OrgSimModel(cfg, seed=int(seed)) for side, cfg in configs.items()}
        self.designs = {"left": left, "right": right}

    @property
    def week(self) -> float:
        return self.sides["left"].now

    def step(self) -> None:
        for side in self.sides.values():
            if side.running:
                side.step()
        self.running = any(side.running for side in self.sides.values())

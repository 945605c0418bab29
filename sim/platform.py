"""The platform: the shared pool of central experts behind the front line.

[A1] describes the micro-enterprise model as frontline teams backed by platform layers. Here the
platform is the pool of patient-services and operations / digital experts. The traditional
design employs the same people in head-office functions; what differs is the way in: a primary
point of contact pulls a platform expert directly, while a traditional rep's request climbs the
hierarchy and comes back down (sim/hierarchy.py). Experts serve requests first come, first served,
so many teams pulling on few experts queue — the contention cost of the platform.
"""

from __future__ import annotations

from sim.people import HOME_CAPABILITY


class Platform:
    """Central experts indexed by the capability they are expert in."""

    def __init__(self, experts: list):
        self.experts = list(experts)
        self.by_capability: dict[int, tuple] = {}
        for e in self.experts:
            cap = HOME_CAPABILITY[e.function]
            self.by_capability[cap] = (*self.by_capability.get(cap, ()), e)

    def experts_for(self, capability: int) -> tuple:
        return self.by_capability.get(capability, ())

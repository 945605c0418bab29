"""Channels and consistency: how the company reaches customers, by one rule in every design
(docs/ODD.md 7.1a).

Two halves, one on each side of the counter:

* ``staffing.channels`` (:class:`ChannelUseConfig`) — the company's side: which share of planned
  customer time goes through remote meetings, email / portal content and congress / peer events
  (the rest is face to face), and what an hour in each costs and how many customer hours it
  reaches. The mix is a shared behaviour: a design never sets it;
* ``market.channels`` (:class:`ChannelMarketConfig`) — the customers' side: how receptive clinical
  (prescribers, nurses) and organisational (pharmacists, administrators, payers) stakeholders are
  to each channel, what share of them restricts face-to-face rep access, and how much trust an
  account loses for each extra uncoordinated voice it hears from the company.

Every default switches the rule off: all customer time is face to face, nobody restricts access
and consistency costs nothing, so the model is the one of section 7.1.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.configuration.params import A0, A2, A3, param

CHANNELS = ("face_to_face", "remote", "content", "event")
OTHER_CHANNELS = CHANNELS[1:]  # face to face takes the rest of the week's customer time


@dataclass
class ChannelUse:
    """One channel other than face to face, from the company's side."""

    share: float = param(
        0.0, unit="share", doc="Share of every position's planned customer time spent through "
        "this channel (0 = none; face to face takes what the channels leave)", ge=0, le=1,
        source=f"assumption: off by default; {A2}: HCPs 'primarily used digital channels' "
        "(no share given)",
    )
    cost: float = param(
        1.0, unit="× visit_cost", doc="Direct cost of one person-hour in this channel, as a "
        "multiple of staffing.visit_cost (a face-to-face hour is 1)", ge=0, le=20,
        source="assumption",
    )
    reach: float = param(
        1.0, unit="customer hours / person-hour", doc="Customer contact hours one person-hour "
        "in this channel delivers (a face-to-face hour delivers 1)", gt=0, le=50,
        source="assumption",
    )


@dataclass
class ChannelUseConfig:
    """The channel mix every position uses and what each channel costs and reaches."""

    remote: ChannelUse = param(
        ChannelUse(0.0, 0.5, 1.25), unit="-", doc="Remote meetings (video, phone)",
        source="assumption: cost 0.5 — no travel, which is most of a visit's direct cost; reach "
        "1.25 — no travel time between meetings, so a quarter more meetings fit in an hour",
    )
    content: ChannelUse = param(
        ChannelUse(0.0, 0.5, 4.0), unit="-", doc="Email and portal content sent to the "
        "account's people",
        source="assumption: cost 0.5 — content production and licences per hour of a person's "
        "time; reach 4 — one hour of a person's time sends what four customer-hours read",
    )
    event: ChannelUse = param(
        ChannelUse(0.0, 3.0, 3.0), unit="-", doc="Congress and peer-to-peer events",
        source="assumption: cost 3 — venue, travel and fees; reach 3 — one hour at an event "
        "meets several of an account's people at once",
    )
    remote_fallback: float = param(
        1.0, unit="share", doc="Share of refused face-to-face commercial time (market.channels "
        "restricted_*) held as a remote meeting instead; the rest is not spent", ge=0, le=1,
        source="assumption: a rep refused a visit offers a remote meeting (ZS AccessMonitor "
        "reports restricted prescribers moving to remote contact, without a share)",
    )

    def uses(self) -> dict[str, ChannelUse]:
        return {"remote": self.remote, "content": self.content, "event": self.event}

    def planned_cost_factor(self) -> float:
        """Direct cost of a planned customer hour through the mix, ÷ visit_cost (1 when all of
        it is face to face; refused time is not planned away, so it is not in here)."""
        uses = self.uses().values()
        if not any(c.share > 0 for c in uses):
            return 1.0
        return 1.0 - sum(c.share for c in uses) + sum(c.share * c.cost for c in uses)

    def active(self) -> bool:
        """Whether any customer time leaves the face-to-face channel by choice."""
        return any(c.share > 0 for c in self.uses().values())


@dataclass
class Receptivity:
    """How much one customer hour in a channel counts, per stakeholder type (face to face = 1)."""

    clinical: float = param(
        1.0, unit="× face to face", doc="For prescribers and nurses", ge=0, le=2,
        source="assumption",
    )
    organisational: float = param(
        1.0, unit="× face to face", doc="For pharmacists, administrators and payers", ge=0,
        le=2, source="assumption",
    )


@dataclass
class ChannelMarketConfig:
    """How customers take each channel, who restricts reps, and what inconsistency costs."""

    remote: Receptivity = param(
        Receptivity(0.6, 0.8), unit="-", doc="Receptivity to remote meetings",
        source=f"assumption: below face to face; organisational stakeholders (formulary, "
        f"budgets) closer to it than clinicians (direction only, from {A2})",
    )
    content: Receptivity = param(
        Receptivity(0.3, 0.15), unit="-", doc="Receptivity to email and portal content",
        source=f"assumption: one-way content counts for little; clinicians more than others — "
        f"{A2}: HCPs 'primarily used digital channels for professional learning' and "
        "'prioritised scientific educational content over branded communications'",
    )
    event: Receptivity = param(
        Receptivity(0.8, 0.3), unit="-", doc="Receptivity to congress and peer events",
        source=f"assumption: {A2}: HCPs 'missed in person peer-to-peer networking opportunities "
        "… and MSL interactions at medical congresses'; payers and administrators seldom attend",
    )
    restricted_clinical: float = param(
        0.0, unit="share", doc="Share of prescribers and nurses who refuse face-to-face rep "
        "access (0 = everybody receives reps)", ge=0, le=1,
        source="assumption: off by default; the published figure is ZS AccessMonitor 2013 "
        "(FiercePharma, 30 July 2013): 65% of oncologists put 'moderate to severe' restrictions "
        "on rep access — a restriction, not always a refusal, so 0.65 is an upper end",
    )
    restricted_organisational: float = param(
        0.0, unit="share", doc="Share of pharmacists, administrators and payers who refuse "
        "face-to-face rep access", ge=0, le=1, source="assumption: off by default",
    )
    consistency_strain: float = param(
        0.0, unit="1/week per voice", doc="Trust an account loses a week for each uncoordinated "
        "voice beyond the first among its recent company contacts (people who share no standing "
        "team are separate voices; 'complicated to deal with')", ge=0, le=1,
        source=f"assumption: off by default; {A0}: customers found the company 'complicated to "
        f"deal with'; {A3}: omnichannel needs a consistent experience across channels (no size)",
    )

    def receptivity(self) -> dict[str, Receptivity]:
        return {"remote": self.remote, "content": self.content, "event": self.event}

    def restricts(self) -> bool:
        return self.restricted_clinical > 0 or self.restricted_organisational > 0

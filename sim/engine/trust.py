"""Trust: how much an account's people believe the company serves them (ODD 7.7).

Each account's trust (0–1) starts at its drawn ``trust0`` and changes four ways:

* every week it drifts back toward ``trust0`` at ``market.trust_reversion`` and is strained by
  too many company contacts — each contact beyond ``comfortable_contacts`` within
  ``contact_window_weeks`` costs ``contact_strain`` per week (:func:`update_trust`) [A0: one
  face to the customer];
* a resolved job raises it, an abandoned one lowers it (sim/engine/work.py, through
  :class:`~sim.engine.accounts.Account`);
* when a recent contact leaves the company, each account they served loses
  ``departure_trust_loss`` (:func:`lose_departed_contact`).
* with the channel rule on (ODD 7.1a), each uncoordinated voice beyond the first among the
  recent contacts costs ``market.channels.consistency_strain`` a week
  (sim/engine/consistency.py).

Trust opens customers up (discovery, sim/engine/job_discovery.py) and raises the adoption hazard
(sim/engine/adoption.py).
"""

from __future__ import annotations

import numpy as np

from sim.engine.consistency import consistency_strain


def update_trust(model) -> None:
    """One step of reversion toward each account's starting trust, less the contact strain."""
    m, book = model.config.market, model.book
    contacts = model.contacts.recent(model.now, m.contact_window_weeks)
    strain = m.contact_strain * np.maximum(0.0, contacts - m.comfortable_contacts)
    if model.channels is not None:  # uncoordinated voices (7.1a, sim/engine/consistency.py)
        strain = strain + consistency_strain(model)
    book.trust += model.dt * (m.trust_reversion * (model.market.trust0 - book.trust) - strain)
    np.clip(book.trust, 0.0, 1.0, out=book.trust)


def lose_departed_contact(model, person_id: int) -> None:
    """``person_id`` left the company: every account they met recently trusts it a little less."""
    m = model.config.market
    for a in model.contacts.accounts_of(person_id, model.now, m.contact_window_weeks):
        model.accounts[a].lose_trust(m.departure_trust_loss)

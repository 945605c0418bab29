"""Value-sharing pay: a share of pay tied to the customer value people help create (ODD 7.8a).

What people are paid on is an incentive, so the design says how much: a fraction f of each
position's pay (``org.value_pay_fraction``; ``design.value_pay_fractions()``). How that pay is
worked out, and how it is felt, is one rule for every design (``staffing.value_pay``):

* **customer value** of a position = the mean of three shares over the accounts it answers for
  (its team's, its own, or every account for central people — the same accounts its KPI reads):
  jobs resolved rather than abandoned (r + 1)/(r + a + 2), accounts adopted, and patients on
  therapy against the accounts' peak (eligible patients × ``therapy.peak_share``);
* **pay** = salary · (1 − f + f · min(value / ``on_target_value``, ``cap``)): at the on-target
  value people earn their salary, below it less, above it more (up to the cap). Salaries in the
  settings are pay at target, so the money is the budget's, not new money: a design that creates
  little value pays less, one that creates much pays more;
* **felt**: the engagement target (sim/engine/turnover.py) moves by ``pay_weight`` · (pay ÷ salary
  − 1), so through the existing engagement rule pay reaches attrition.

With f = 0 (every design's default) pay is the salary and nothing changes.
"""

from __future__ import annotations

import numpy as np


def customer_value(model) -> np.ndarray:
    """Customer-value index in [0, 1] per position over the accounts it answers for."""
    book, n = model.book, model.workforce.n
    rows, accs = model.design.answered_accounts()
    peak = model.market.patients * model.config.therapy.peak_share

    def pooled(values):
        return np.bincount(rows, values[accs], minlength=n)

    r, a = pooled(book.resolved_stock), pooled(book.abandoned_stock)
    jobs = (r + 1.0) / (r + a + 2.0)
    count = np.bincount(rows, minlength=n).clip(1)
    adopted = pooled(book.adopted.astype(float)) / count
    patients = np.divide(pooled(book.patients_treated), pooled(peak),
                         out=np.zeros(n), where=pooled(peak) > 0)
    return (jobs + adopted + np.clip(patients, 0.0, 1.0)) / 3.0


def relative_pay(fraction: np.ndarray, value: np.ndarray, rules) -> np.ndarray:
    """Pay ÷ salary of each position: 1 − f + f · min(value / on-target value, cap)."""
    payout = np.minimum(value / rules.on_target_value, rules.cap)
    return 1.0 - fraction + fraction * payout


def pay_for_value(model) -> None:
    """Set this step's pay factor of every position and count the variable pay paid (k€).

    Skipped entirely while no position has pay tied to value: the factor stays 1.
    """
    wf, n = model.workforce, model.workforce.n
    fraction = model.design.value_pay_fractions()
    if not fraction.any():
        wf.pay_factor[:n] = 1.0
        return
    rules = model.config.staffing.value_pay
    value = customer_value(model)
    wf.pay_factor[:n] = relative_pay(fraction, value, rules)
    present = wf.filled[:n] & wf.active[:n]
    payout = np.minimum(value / rules.on_target_value, rules.cap)
    weekly = wf.salary[:n] / 52.0 * model.dt
    model.counts["variable_pay"] += float((weekly * fraction * payout)[present].sum())
    model.counts["variable_pay_target"] += float((weekly * fraction)[present].sum())

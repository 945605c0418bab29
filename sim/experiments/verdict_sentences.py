"""The verdict in plain sentences, each written from its numbers.

Every sentence is made by one function from a list of numbers (:class:`Number`: what it is, its
measure, its value); the text formats each number with :data:`FORMATS` of its measure and nothing
else. verdict.csv has one row per number of each sentence (its ``sentence_id``), so a reader — and
tests/test_verdict.py — can check that every number the sentence states is the one in the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiments.analysis import OUTCOME_INFO
from sim.experiments.sensitivity import horizon
from sim.experiments.verdict import WIN_INTERVAL, Verdict, wilson

FORMATS = {"share": "{:.0%}", "count": "{:.0f}", "index": "{:.2f}", "spearman": "{:+.2f}",
           "limit": "{:.3g}", "k€": "{:,.0f} k€", "week": "{:.0f}"}
COLUMNS = ["sentence_id", "section", "outcome", "subject", "measure", "value", "sentence"]


@dataclass(frozen=True)
class Number:
    subject: str  # what the number is about: a design, a group, a setting, a box side
    measure: str  # a key of FORMATS
    value: float

    def __str__(self) -> str:
        return FORMATS[self.measure].format(self.value)


def label(outcome: str) -> str:
    return OUTCOME_INFO[outcome][1] if outcome in OUTCOME_INFO else outcome


# ----------------------------------------------------------------------------- one per answer
def win_sentence(outcome: str, design: str, numbers: list[Number]) -> str:
    share, low, high, k, n = numbers
    return (f"{design} is better on {label(outcome)} in {share} of the space ({low}–{high}, "
            f"{k} of {n} points).")


def decides_sentence(outcome: str, numbers: list[Number], scale: str = "difference") -> str:
    """Leading groups (ST ± half-width), then the settings inside them (Spearman); ``scale``:
    what was decomposed (the difference, or the log ratio of a ratio outcome)."""
    indices = [n for n in numbers if n.measure == "index"]
    groups = list(zip(indices[::2], indices[1::2], strict=True))
    settings = [n for n in numbers if n.measure == "spearman"]
    what = (f"the difference in {label(outcome)}" if scale == "difference" else
            f"the ratio of {label(outcome)} between the designs (as a log ratio)")
    text = f"What decides {what}: " + ", then ".join(
        f"{st.subject} (total Sobol index {st} ± {conf})" for st, conf in groups)
    if settings:
        text += "; the settings that move with it most (Spearman rank correlation, a hint) " \
                "are " + ", ".join(f"{s.subject} (ρ {s})" for s in settings)
    return text + "."


def _limit_words(numbers: list[Number]) -> str:
    """'p exceeds a', 'p is below b' or 'p is between a and b' for each restricted setting."""
    parts, by_setting = [], {}
    for n in numbers:
        if n.measure == "limit":
            by_setting.setdefault(n.subject.rsplit(" ", 1)[0], {})[n.subject.rsplit(" ", 1)[1]] = n
    for setting, ends in by_setting.items():
        if "low" in ends and "high" in ends:
            parts.append(f"{setting} is between {ends['low']} and {ends['high']}")
        elif "low" in ends:
            parts.append(f"{setting} exceeds {ends['low']}")
        else:
            parts.append(f"{setting} is below {ends['high']}")
    return " and ".join(parts)


def flip_sentence(outcome: str, design: str, at_least: bool, numbers: list[Number]) -> str:
    better = "at least as good" if at_least else "better"
    density, coverage = (n for n in numbers if n.measure == "share")
    where = _limit_words(numbers)
    if not where:
        return (f"No box of settings holds where {design} is {better} on {label(outcome)}: the "
                f"densest region found has only {density} such points (coverage {coverage}).")
    return (f"{design} is {better} on {label(outcome)} when {where} ({density} of the points "
            f"in that region; it holds {coverage} of all such points).")


def payback_sentence(first: str, second: str, horizon: float, numbers: list[Number]) -> str:
    share, low, high, k, n = numbers
    return (f"Moving from {first} to {second} pays back within the {horizon:g}-week horizon in "
            f"{share} of the space ({low}–{high}, {k} of {n} points).")


def npv_sentence(first: str, second: str, numbers: list[Number]) -> str:
    median, p10, p90, share, low, high = numbers
    return (f"The NPV of the move from {first} to {second} is {median} at the median point "
            f"(10th–90th percentile {p10} to {p90}) and positive in {share} of the space "
            f"({low}–{high}).")


# ----------------------------------------------------------------------------- all of them
def _win_rows(v: Verdict):
    for row in v.wins.itertuples():
        numbers = [Number(row.design, "share", row.share), Number(row.design, "share", row.low),
                   Number(row.design, "share", row.high), Number(row.design, "count", row.wins),
                   Number(row.design, "count", row.points)]
        if np.isfinite(row.share):
            yield "wins", row.outcome, numbers, win_sentence(row.outcome, row.design, numbers)


def _decides_rows(v: Verdict, leading: int = 2):
    for outcome, block in v.sobol.groupby("outcome", sort=False):
        top = block.sort_values("ST", ascending=False).head(leading)
        numbers = []
        for g in top.itertuples():
            numbers += [Number(g.group, "index", g.ST), Number(g.group, "index", g.ST_conf)]
        inside = v.leading[v.leading.outcome == outcome]
        numbers += [Number(s.setting, "spearman", s.spearman) for s in inside.itertuples()]
        scale = str(block.scale.iloc[0]) if "scale" in block else "difference"
        yield "decides", outcome, numbers, decides_sentence(outcome, numbers, scale)


def _box_numbers(d) -> list[Number]:
    numbers = [Number("box", "share", d.box.density), Number("box", "share", d.box.coverage)]
    for name in d.restricted[:3]:
        lim = d.limits.loc[name]
        if lim.low > lim.full_low:
            numbers.append(Number(f"{name} low", "limit", lim.low))
        if lim.high < lim.full_high:
            numbers.append(Number(f"{name} high", "limit", lim.high))
    return numbers


def _flip_rows(v: Verdict):
    first, second = v.space.designs
    for outcome, sides in v.boxes.items():
        for d, design, at_least in ((sides[0], second, False), (sides[1], first, True)):
            if not 0 < d.base_rate < v.threshold:  # nowhere, or the whole space qualifies
                continue
            numbers = (_box_numbers(d) if d.reached else
                       [Number("box", "share", d.box.density),
                        Number("box", "share", d.box.coverage)])
            yield "flips", outcome, numbers, flip_sentence(outcome, design, at_least, numbers)


def _business_rows(v: Verdict):
    first, second = v.space.designs
    case = v.business
    k, n = case.share_paid_back()
    if n == 0:
        return
    share, (low, high) = k / n, wilson(k, n)
    numbers = [Number("move", "share", share), Number("move", "share", low),
               Number("move", "share", high), Number("move", "count", k),
               Number("move", "count", n)]
    yield "business", "payback_week", numbers, payback_sentence(first, second, horizon(v.space),
                                                                numbers)
    npv = case.per_point.reindex(case.base).npv_move.dropna()
    k, n = case.share_npv_positive()
    low, high = wilson(k, n)
    numbers = [Number("move", "k€", float(npv.median())),
               Number("move", "k€", float(npv.quantile(0.1))),
               Number("move", "k€", float(npv.quantile(0.9))),
               Number("move", "share", k / n), Number("move", "share", low),
               Number("move", "share", high)]
    yield "business", "npv", numbers, npv_sentence(first, second, numbers)


def sentences(v: Verdict) -> pd.DataFrame:
    """verdict.csv: one row per number of each sentence, the sentence repeated on each."""
    rows = []
    makers = (_win_rows(v), _decides_rows(v), _flip_rows(v), _business_rows(v))
    sid = 0
    for maker in makers:
        for section, outcome, numbers, text in maker:
            sid += 1
            rows += [dict(sentence_id=sid, section=section, outcome=outcome,
                          subject=n.subject, measure=n.measure, value=n.value, sentence=text)
                     for n in numbers]
    return pd.DataFrame(rows, columns=COLUMNS)


def texts(table: pd.DataFrame) -> list[str]:
    """The sentences of a verdict.csv table, once each, in order."""
    return list(table.drop_duplicates("sentence_id").sentence)


def method_note() -> str:
    return (f"Shares: {WIN_INTERVAL}. Sobol: total indices of groups of settings (SALib, "
            "Saltelli design with groups) on the paired difference — on the log ratio "
            "(second / first) for a cost per unit — ± SALib's bootstrap 95% "
            "half-width (1000 resamples). Settings inside a group: Spearman rank correlation "
            "with the paired difference over all points (a screening hint, not a Sobol index). "
            "Boxes: PRIM over all points.")


__all__ = ["COLUMNS", "FORMATS", "Number", "method_note", "sentences", "texts"]

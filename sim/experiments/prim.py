"""PRIM, the Patient Rule Induction Method, as ema_workbench implements it — with its peeling
step computed for every candidate at once (:class:`FastPrim`), the same boxes, trajectory and
quasi-p-values (tests/test_scenario_discovery.py compares them with the library's).

Its own module so that ema_workbench (about 4 s of CPU to import, with its optional back-ends)
is imported only where a box is looked for (sim/experiments/scenario_discovery.py), not by every
command and test process that reads a condition or a stored discovery.
"""

from __future__ import annotations

import copy
import math
import warnings
from operator import itemgetter

import numpy as np

with warnings.catch_warnings():  # ema_workbench warns about optional parallel back-ends
    warnings.simplefilter("ignore")
    from ema_workbench.analysis import prim as _prim


class _Box(_prim.PrimBox):
    """ema_workbench's box, with the quasi-p-values of a box computed when asked for
    (:meth:`quasi_p`) instead of for every box of the trajectory as it is built: the same
    numbers (the library's own function, on the same box and points), for the one box chosen."""

    def _calculate_quasi_p(self, i, restricted_dims):
        return None  # see quasi_p

    def quasi_p(self, i: int) -> dict:
        restricted = _prim.sdutil._determine_restricted_dims(self.box_lims[i],
                                                             self.prim.box_init)
        return _prim.PrimBox._calculate_quasi_p(self, i, restricted)


def _quantile_of_sorted(data: np.ndarray, quantile: float) -> float:
    """ema_workbench's ``get_quantile`` (the sdtoolkit rule: step past ties, then the midpoint)
    on data already sorted, so one sort of the box serves every parameter."""
    i = (len(data) - 1) * quantile
    low, high = math.floor(i), math.ceil(i)
    if quantile > 0.5:
        while data[low] == data[high] and low > 0:
            low -= 1
    else:
        while data[low] == data[high] and high < len(data) - 1:
            high += 1
    return (data[low] + data[high]) / 2


class FastPrim(_prim.Prim):
    """ema_workbench's PRIM with the same peeling step, computed for all candidates at once.

    At every peel the library builds, for each of the 2 × d candidate peels (d parameters), a
    deep copy of the box's limits as a data frame, sorts the parameter's values for its
    quantile, and compares the copy with the initial box to count restricted parameters: pandas
    work per candidate that cost the verdict ~95% of its analysis with its 224 settings. Here the
    box's values are sorted once, each candidate's quantile is the library's rule on them
    (:func:`_quantile_of_sorted`), the points and points of interest it keeps are counted for all
    candidates in one array operation, its objective is the library's *lenient1* formula on those
    counts (the same floating-point operations: a mean of booleans is their count over their
    number), and its restricted count follows from the current box's (one limit changes). The
    candidates are sorted in the library's order (each parameter's upper peel, then its lower) by
    the same keys with the same stable sort, so the chosen peel — and every box of the
    trajectory — is the library's (tests/test_scenario_discovery.py compares them). Only the
    winner becomes a data frame. Integer or categorical columns, another objective or a y that
    is not boolean keep the library's step. Its boxes are :class:`_Box`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prim_box_klass = _Box

    def _peel(self, box):
        if (len(self.x_int_columns) or len(self.x_nominal_columns) or self.y.dtype != bool
                or self.obj_func is not _prim.Prim._lenient1_obj_func):
            return super()._peel(box)
        mass_old = box.yi.shape[0] / self.n
        x = self.x_float[box.yi]
        if x.shape[1] == 0:
            return box
        y_old = self.y[box.yi]
        ordered = np.sort(x, axis=0)
        alpha = self.peel_alpha
        limits = {1: np.array([_quantile_of_sorted(ordered[:, j], 1 - alpha)
                               for j in range(x.shape[1])]),
                  0: np.array([_quantile_of_sorted(ordered[:, j], alpha)
                               for j in range(x.shape[1])])}
        kept = {1: x <= limits[1], 0: x >= limits[0]}  # per side: points × parameters
        count = {side: mask.sum(axis=0) for side, mask in kept.items()}
        hits = {side: mask[y_old].sum(axis=0) for side, mask in kept.items()}
        n_old, mean_old = y_old.shape[0], np.mean(y_old)
        current = box.box_lims[-1]
        position = {c: k for k, c in enumerate(self.box_init.columns)}
        initial = self.box_init.to_numpy()
        differs = current.to_numpy() != initial  # what _determine_restricted_dims compares
        restricted = differs.any(axis=0)
        n_restricted = int(restricted.sum())
        scores = []
        for j, u in enumerate(self.x_float_colums):
            k = position[u]
            for side in (1, 0):  # the library's order: upper, then lower
                n_new, limit = int(count[side][j]), limits[side][j]
                mean_new = np.float64(hits[side][j]) / n_new if n_new > 0 else 0
                obj = 0  # lenient1, as the library computes it
                if mean_old != mean_new:
                    if n_old == n_new:
                        raise _prim.PrimException("mean differs while the box is the same")
                    obj = (mean_new - mean_old) / abs(n_old - n_new)
                now = bool(differs[1 - side, k] or limit != initial[side, k])
                nr = n_restricted - int(restricted[k]) + int(now)
                scores.append((obj, self.n_cols - nr, (side, j, u, limit)))
        scores.sort(key=itemgetter(0, 1), reverse=self._maximization)
        obj_score, _, (side, j, u, limit) = scores[0]
        indices = box.yi[kept[side][:, j]]
        mass_new = self.y[indices].shape[0] / self.n
        if (mass_new >= self.mass_min) & (mass_new < mass_old) & (
                obj_score > 0 if self._maximization else obj_score < 0):
            box_new = copy.deepcopy(current)
            box_new.loc[side, u] = limit
            box.update(box_new, indices)
            return self._peel(box)
        return box

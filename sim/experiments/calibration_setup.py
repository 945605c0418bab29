"""What a calibration fits and whether its fit is a result.

A *setup* (``conf/calibration/<name>.yaml``) names the settings to fit with their bounds, and
optionally the base model's overrides, the number of common seeds and the optimiser's budget.
:func:`fit_failure` says why a fit is not a result (the optimiser did not move, or it is worse
than the observed mean): ``orgsim-calibrate`` then writes no folder. The fitting itself is
:func:`sim.experiments.calibration.calibrate`. From a notebook::

    setup = load_setup("default")
    base = compose_run([*setup.get("overrides", []), "baseline=null"]).config
    observed = read_observed(Path("observed.csv"), parse_period("4weeks"))
    result = calibrate(observed, base, fitted_settings(setup, base), [0, 1, 2, 3])
    fit_failure(result, 4.0) or result.params
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sim.configuration.composition import CONF, InputError
from sim.configuration.schema import SimConfig
from sim.experiments.calibration import Calibration
from sim.experiments.calibration_settings import setting_value


def load_setup(name: str) -> dict:
    """A calibration setup by name (``conf/calibration/<name>.yaml``) or path, checked."""
    path = Path(name) if name.endswith(".yaml") else CONF / "calibration" / f"{name}.yaml"
    if not path.is_file():
        raise InputError(f"--setup: no calibration setup {path}")
    setup = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    params = setup.get("params") or {}
    if not params:
        raise InputError(f"--setup {path}: 'params' must name at least one setting to fit")
    for key, spec in params.items():
        if ("." not in str(key) or not isinstance(spec, dict)
                or not 0 < float(spec.get("low", 0)) < float(spec.get("high", 0))):
            raise InputError(f"--setup params.{key}: needs a dotted setting name and "
                             f"0 < low < high")
    return setup


def fitted_settings(setup: dict, base: SimConfig) -> dict[str, tuple[float, float]]:
    """The setup's settings to fit with their (low, high); each must be a numeric setting."""
    params = {k: (float(v["low"]), float(v["high"])) for k, v in setup["params"].items()}
    for key in params:  # every fitted name must be a real numeric setting (or share)
        value = setting_value(base, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"--setup params.{key}: not a numeric setting of orgsim (or "
                             f"one share of a list of shares, e.g. therapy.initial_stages[2])")
        if "[" in key and not params[key][1] <= 1:
            raise InputError(f"--setup params.{key}: a share; allowed: 0 < low < high ≤ 1")
    return params


def fit_failure(result: Calibration, period) -> str | None:
    """Why the fit is not a result (None: it is one)."""
    hint = ("check the period (--period, now " + (
        "from the 'date' column" if period == "date" else f"{period:.4g} week(s)") + "), the "
        "base model (its market and horizon) and --max-evals")
    if not result.extra.get("moved", True):
        why = ("the simulated curve does not respond to the settings there"
               if not result.extra.get("responds", True) else "no step improved the fit")
        return (f"the optimiser did not move from its start in {result.iterations} step(s) "
                f"({why}); no fit — {hint}")
    if not result.r2 >= 0:
        return (f"the fit is worse than the observed mean (R² {result.r2:.2f}, RMSE "
                f"{result.rmse:.3g}); no fit — {hint}")
    return None

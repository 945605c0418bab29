"""Four places where ``orgsim`` changes how Hydra's own machinery behaves in its process: what
``--hydra-help`` lists, Hydra's two extra compositions before a run, and its check of a sweep's
jobs that orgsim has made already (see each function)."""

from __future__ import annotations

import contextlib
import copy

# Groups in conf/ that configure other commands (orgsim-calibrate, -search, -sensitivity,
# -discover), not a run; and the designs' schemas, which conf/org/<design>.yaml builds on.
NOT_CHOICES = ("calibration", "search", "space")


def help_lists_only_choices() -> None:
    """Hydra's own page (``--hydra-help``) lists the options a user can choose: not the
    schemas the design files start from (``traditional_schema``) nor other commands' groups."""
    from hydra._internal.hydra import Hydra

    def format_config_groups(self, predicate, compact: bool = True) -> str:
        lines = []
        for group in sorted(g for g in self.list_all_config_groups()
                            if predicate(g) and g.split("/")[0] not in NOT_CHOICES):
            options = sorted(o for o in self.config_loader.get_group_options(group)
                             if not o.endswith("_schema"))
            lines.append(f"{group}: {', '.join(options)}" if compact else
                         f"{group}:\n" + "\n".join(f"  {o}" for o in options))
        return "\n".join(lines)

    Hydra.format_config_groups = format_config_groups


def mode_without_composing() -> None:
    """Hydra composes the whole configuration once more before a run only to read ``hydra.mode``
    (run or sweep), which only an override sets: conf/ leaves it unset and a scenario file may
    not touch Hydra. Without such an override the answer is "unset" (Hydra then runs what it
    was asked, as before) and orgsim, which has just composed these overrides, skips that."""
    from hydra._internal.hydra import Hydra

    compose = getattr(Hydra.get_mode, "composes", Hydra.get_mode)

    def get_mode(self, config_name, overrides):
        if any(o.lstrip("+~").startswith("hydra.mode") for o in overrides):
            return compose(self, config_name, overrides)
        return None

    get_mode.composes = compose
    Hydra.get_mode = get_mode


class _Once:
    """The one composition :func:`composing_once` remembers: its inputs and a copy of its tree."""

    active = False
    key: tuple | None = None
    tree = None


@contextlib.contextmanager
def composing_once():
    """Within this block Hydra's configuration loader composes a configuration once: the first
    composition (orgsim's own, ``compose_run``, which validates the overrides before Hydra makes
    any folder) is remembered, and the next request for the same configuration name, overrides
    and mode (Hydra's run composing them again before the job, about 0.2–0.3 s) gets that tree
    instead, once. The two are the same tree: the same files, overrides and process, and
    ``compose_run`` composes as the job "main" Hydra names a job of sim/cli/main.py
    (sim/configuration/composition.py). How the overrides reached the loader (shell or API)
    changes only the wording of a composition's error, and a failed composition is not
    remembered. Nothing is remembered after the block."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.types import RunMode

    load = getattr(ConfigLoaderImpl.load_configuration, "composes",
                   ConfigLoaderImpl.load_configuration)

    def load_configuration(self, config_name, overrides, run_mode, from_shell=True,
                           validate_sweep_overrides=True):
        key = (config_name, tuple(overrides), run_mode, validate_sweep_overrides)
        if _Once.active and _Once.tree is not None and _Once.key == key:
            tree, _Once.tree = _Once.tree, None  # handed over once: Hydra's run changes it
            return tree
        first = _Once.active and _Once.key is None and run_mode == RunMode.RUN
        if first:  # composed as Hydra's run will ask for it: Hydra adds hydra.mode=RUN to a
            # run's overrides when the mode is unset (_run_app), which mode_without_composing
            # makes the case; orgsim refuses hydra.mode on the command line
            overrides = [*overrides, "hydra.mode=RUN"]
        cfg = load(self, config_name=config_name, overrides=overrides, run_mode=run_mode,
                   from_shell=from_shell, validate_sweep_overrides=validate_sweep_overrides)
        if first:
            _Once.key = (config_name, tuple(overrides), run_mode, validate_sweep_overrides)
            _Once.tree = copy.deepcopy(cfg)  # the caller may change its own
        return cfg

    load_configuration.composes = load
    ConfigLoaderImpl.load_configuration = load_configuration
    _Once.active, _Once.key, _Once.tree = True, None, None
    try:
        yield
    finally:
        _Once.active, _Once.key, _Once.tree = False, None, None


@contextlib.contextmanager
def sweeping_checked_jobs():
    """Within this block Hydra's basic sweeper launches a batch of jobs without composing each
    one first. It composes them only to fail early on a job that cannot be composed (its
    ``validate_batch_is_legal``: a full composition per job, ≈ 0.2 s, before any job starts);
    ``orgsim -m`` has composed and validated every job of the sweep, with the same overrides,
    before it made the sweep folder (sim/cli/multirun.validate_jobs). The launcher still composes
    each job where it runs it."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    own = BasicSweeper.__dict__.get("validate_batch_is_legal")  # else the Sweeper's
    BasicSweeper.validate_batch_is_legal = lambda self, batch: None
    try:
        yield
    finally:
        if own is None:
            del BasicSweeper.validate_batch_is_legal
        else:
            BasicSweeper.validate_batch_is_legal = own

"""The project's commands run inside the test process, through their own entry points.

Starting a command as a subprocess costs its Python start and its imports (Hydra, Mesa, pandas,
SciPy, plotly: about 1.8 CPU s) before it does anything; the test process has paid those
already. :func:`run_command` calls the entry function a console script calls (pyproject.toml,
``[project.scripts]``) with the same ``sys.argv``, working folder and environment, and returns
what the process would have: exit status, standard output and standard error. It then puts back
what a command changes in its process, so the next test sees the process as it was.

Tests whose subject *is* the process keep a subprocess (:func:`run_process`): exit status and
no traceback (a few smoke tests per command), a kill or Ctrl-C, a worker or launcher process, a
fresh interpreter, environment read at start-up, stdout buffering, process limits.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import logging
import os
import signal
import subprocess
import sys
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent  # where the console scripts are installed

# [project.scripts]: command name → "module:function"
ENTRY_POINTS = {
    "orgsim": "sim.cli.main:main",  # run() is main() then os._exit once a folder is written
    "orgsim-analyze": "sim.cli.analyze:main",
    "orgsim-search": "sim.cli.search:main",
    "orgsim-report": "sim.cli.report:main",
    "orgsim-export": "sim.cli.export:main",
    "orgsim-calibrate": "sim.cli.calibrate:main",
    "orgsim-sensitivity": "sim.cli.sensitivity:main",
    "orgsim-discover": "sim.cli.discover:main",
    "orgsim-verdict": "sim.cli.verdict:main",
}

# Python's own warning filters (a process started without -W or PYTHONWARNINGS), last first:
# pytest records warnings instead of printing them, and may turn some into errors.
_PYTHON_FILTERS = (("ignore", ResourceWarning), ("ignore", ImportWarning),
                   ("ignore", PendingDeprecationWarning), ("ignore", DeprecationWarning))


@dataclass
class Result:
    """What :class:`subprocess.CompletedProcess` gives, for a command run in this process."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_process(name: str, args, cwd, env: dict | None = None, timeout: float = 600,
                **kwargs) -> subprocess.CompletedProcess:
    """The installed console script ``name`` as a subprocess (its environment: this process's,
    plus ``env``)."""
    return subprocess.run([str(BIN / name), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})},
                          **kwargs)


def run_command(name: str, args, cwd, env: dict | None = None) -> Result:
    """``name args…`` run in ``cwd`` as its console script runs it, in this process.

    ``env``: variables set for the command only. Exit status as the process's: 0 when the
    entry function returns, ``SystemExit``'s code otherwise, 1 (with the traceback on standard
    error) for an exception the command does not handle."""
    module, function = ENTRY_POINTS[name].split(":")
    argv = [str(BIN / name), *map(str, args)]
    with _as_a_fresh_process(name, argv, cwd, env) as (out, err):
        entry = getattr(importlib.import_module(module), function)
        try:
            code = _exit_status(entry())
        except SystemExit as stop:
            code = _exit_status(stop.code)
        except Exception:  # noqa: BLE001 - what the interpreter prints before exit status 1
            traceback.print_exc()
            code = 1
    return Result(argv, code, out.getvalue(), err.getvalue())


def _exit_status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("text"): printed, status 1
    return 1


@contextlib.contextmanager
def _as_a_fresh_process(name, argv, cwd, env):
    """Set up what a new process of ``name`` would start with; afterwards restore this one."""
    from hydra._internal.hydra import Hydra

    saved_argv, saved_path, saved_cwd = sys.argv, sys.path[:], os.getcwd()
    saved_env = dict(os.environ)
    saved_signals = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    saved_hydra = {k: Hydra.__dict__[k] for k in ("get_mode", "format_config_groups")}
    saved_gc = gc.get_threshold()
    loggers = _logging_state()
    out, err = io.StringIO(), io.StringIO()
    _forget_the_last_command()
    try:
        sys.argv = argv
        os.environ.update({k: str(v) for k, v in (env or {}).items()})
        os.chdir(cwd)
        if name == "orgsim":
            from sim.cli.main import _GC_BETWEEN_RUNS

            gc.set_threshold(*_GC_BETWEEN_RUNS)  # as run() sets it
        with warnings.catch_warnings(), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            warnings.resetwarnings()
            for action, category in _PYTHON_FILTERS:
                warnings.filterwarnings(action, category=category)
            warnings.showwarning = _print_warning
            yield out, err
            sys.stdout.flush()
            sys.stderr.flush()
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        os.chdir(saved_cwd)
        for key in set(os.environ) - set(saved_env):
            del os.environ[key]
        os.environ.update(saved_env)
        for number, handler in saved_signals.items():
            signal.signal(number, handler)
        for key, value in saved_hydra.items():
            setattr(Hydra, key, value)
        gc.set_threshold(*saved_gc)
        _restore_logging(loggers)
        _forget_the_last_command()


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Python's own display of a warning: on standard error (as it is when the warning
    happens), not pytest's record of it."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


_REGISTERED: dict = {}  # the scenario folder's file names when a command last ran


def _forget_the_last_command() -> None:
    """What a command keeps in its modules (Hydra's global instance, the scenarios read, the
    files cached, a run's folder): a new process starts without it."""
    from hydra.core.config_store import ConfigStore
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig

    GlobalHydra.instance().clear()
    HydraConfig.instance().cfg = None
    registry = sys.modules.get("sim.configuration.hydra_store")
    if registry is not None:  # the next command reads the chosen scenario files afresh
        folder = Path(registry.SCENARIOS_DIR)
        listing = (str(folder), sorted(p.name for p in folder.glob("*.yaml")))
        if listing != _REGISTERED.get("listing"):  # and registers the folder's names again
            registry._registered = False  # (registering the schemas: ≈ 0.08 CPU s)
            ConfigStore.instance().repo.get("scenario", {}).clear()
            _REGISTERED["listing"] = listing
        registry.BROKEN.clear()
        registry.LOADED.clear()
    renamed = sys.modules.get("sim.configuration.renamed")
    if renamed is not None:
        renamed._told.clear()  # an old setting name is noted once per process
    main = sys.modules.get("sim.cli.main")
    if main is not None:
        main._STARTED = time.perf_counter()  # provenance.json's start-up time starts here
        main._FINAL_DIR = None
        main._LAST_FOLDER.clear()
    multirun = sys.modules.get("sim.cli.multirun")
    if multirun is not None:
        multirun._INTERRUPTED.clear()
    for module in [m for n, m in list(sys.modules.items()) if n.startswith("sim.")]:
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and \
                    getattr(value, "__module__", None) == module.__name__:
                value.cache_clear()  # functools caches: files read, compositions


def _logging_state() -> dict:
    """Each logger's level, handlers and switches (Hydra configures logging for its job)."""
    manager = logging.Logger.manager
    loggers = [logging.root, *(lg for lg in list(manager.loggerDict.values())
                               if isinstance(lg, logging.Logger))]
    state = {lg: (lg.level, lg.handlers[:], lg.disabled, lg.propagate) for lg in loggers}
    return {"loggers": state, "disable": manager.disable}


def _restore_logging(saved: dict) -> None:
    manager, state = logging.Logger.manager, saved["loggers"]
    now = [logging.root, *(lg for lg in list(manager.loggerDict.values())
                           if isinstance(lg, logging.Logger))]
    for lg in now:
        if lg not in state:  # made by a module the command imported: its level is the module's
            lg.disabled = False  # (as when first made), not disabled by the job's configuration
            continue
        level, handlers, disabled, propagate = state[lg]
        for handler in lg.handlers:
            if handler not in handlers:
                handler.close()  # e.g. the log file Hydra opened in the run folder
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.disabled, lg.propagate = disabled, propagate
    logging.disable(saved["disable"])

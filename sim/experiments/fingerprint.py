"""Which model made a number: a fingerprint of everything that can change a run's result.

A verdict (``orgsim-verdict``) takes a quarter of an hour; a single ``orgsim`` run asks whether
its result is typical of one (sim/experiments/typical.py). That is only honest if both came from
the same model, so a verdict records :func:`model_fingerprint` and a run uses a verdict only if
the fingerprints are equal.

The fingerprint is a SHA-256 over the *content* of

* the code beneath the report — ``sim/configuration``, ``sim/engine``, ``sim/designs`` and
  ``sim/experiments`` (every module that can change a number; the command line, the report and
  the demo only present numbers and are left out, so a new figure keeps verdicts valid);
* the configuration and scenario files (``conf/``, ``scenarios/``), since defaults and the
  spaces live there;
* the versions of the numerical libraries a result depends on (:data:`LIBRARIES`).

Content, not a git commit: it works in an installed copy without git, a change that is
committed without touching the model keeps verdicts valid, and an uncommitted edit to the model
invalidates them. It errs on the safe side: a comment edited in an engine module makes every
verdict stale (re-running one costs minutes; using a wrong one costs a wrong sentence).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from sim import __version__
from sim.configuration.scenarios import CONF, SCENARIOS

PACKAGE = Path(__file__).resolve().parents[1]  # sim/
MODEL_CODE = ("configuration", "engine", "designs", "experiments")
LIBRARIES = ("mesa", "numpy", "pandas", "scipy", "salib", "networkx")


def _files() -> list[tuple[str, Path]]:
    """(the name it is hashed under, the file) for every file the fingerprint covers."""
    out = []
    for part in MODEL_CODE:
        out += [(f"sim/{p.relative_to(PACKAGE).as_posix()}", p)
                for p in (PACKAGE / part).rglob("*") if p.is_file() and p.suffix != ".pyc"]
    for name, root in (("conf", CONF), ("scenarios", SCENARIOS)):
        out += [(f"{name}/{p.relative_to(root).as_posix()}", p)
                for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".csv")]
    return sorted(out)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def model_fingerprint() -> dict:
    """``{"sha256", "files", "libraries", "orgsim"}`` of the model as it is on disk now (computed
    once per process: hashing about 150 small files takes a few milliseconds)."""
    digest = hashlib.sha256()
    files = _files()
    for name, path in files:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    libraries = {p: _version(p) for p in LIBRARIES}
    for package, version in libraries.items():
        digest.update(f"{package}=={version}\0".encode())
    return {"sha256": digest.hexdigest(), "files": len(files), "libraries": libraries,
            "orgsim": __version__}


__all__ = ["LIBRARIES", "MODEL_CODE", "model_fingerprint"]

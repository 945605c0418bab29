"""The lock file pins what pyproject.toml asks for: every install (make run, make test, CI) gets the
same package versions, and a run records them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).parents[1]


def _requirement_set(requirements: list[str], extra: str | None = None) -> set[tuple]:
    out = set()
    for text in requirements:
        r = Requirement(text)
        marker = f"extra == '{extra}'" if extra else None
        out.add((r.name.lower().replace("_", "-"), tuple(sorted(r.extras)), str(r.specifier),
                 marker))
    return out


def test_the_lock_file_matches_pyproject_toml():
    """Fails when a dependency in pyproject.toml was changed without `make lock`."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    wanted = _requirement_set(project["dependencies"])
    for extra, requirements in project.get("optional-dependencies", {}).items():
        wanted |= _requirement_set(requirements, extra)
    root = next(p for p in lock["package"] if p["name"] == project["name"])
    locked = {(d["name"].lower().replace("_", "-"), tuple(sorted(d.get("extras", []))),
               str(Requirement(f"x{d.get('specifier', '')}").specifier), d.get("marker"))
              for d in root["metadata"]["requires-dist"]}
    assert locked == wanted, (
        f"uv.lock is out of date with pyproject.toml (run `make lock`): only in pyproject "
        f"{sorted(wanted - locked)}, only in uv.lock {sorted(locked - wanted)}")
    from packaging.specifiers import SpecifierSet

    probe = ["3.11.9", "3.12.0", "3.12.9", "3.13.0"]  # uv writes >=3.12,<3.13 as ==3.12.*
    assert ([v in SpecifierSet(lock["requires-python"]) for v in probe]
            == [v in SpecifierSet(project["requires-python"]) for v in probe])


def test_the_environment_is_the_locked_one():
    """The installed versions of the packages the results depend on are the locked versions."""
    from importlib import metadata

    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    pinned = {p["name"]: p["version"] for p in lock["package"] if "version" in p}
    for name in ("mesa", "numpy", "pandas", "scipy", "networkx", "pyarrow", "plotly"):
        assert metadata.version(name) == pinned[name], (
            f"{name} {metadata.version(name)} is installed, uv.lock pins {pinned[name]}: "
            "install with `make` (uv sync --frozen)")


def test_a_run_records_every_package_version_and_the_lock():
    from sim.cli.outputs import versions

    v = versions()
    assert v["packages"]["numpy"] == v["numpy"] and v["packages"]["mesa"] == v["mesa"]
    assert len(v["uv_lock_sha256"]) == 64

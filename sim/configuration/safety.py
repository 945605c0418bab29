"""What orgsim accepts from files and command lines that other people wrote (docs/THREAT_MODEL.md).

A scenario file, a results folder someone sends, a calibration CSV: each is *data*. Nothing in
it may run code, read the environment or decide where orgsim writes. Hydra would allow all three
— ``hydra.callbacks`` are instantiated from ``_target_``, ``${oc.env:…}`` reads a variable,
``hydra.run.dir`` chooses the output folder — so this module refuses them before Hydra sees them:

* :func:`read_yaml` reads a YAML file within limits (size, nesting depth, values after alias
  expansion) and refuses duplicate keys, each in one line, before anything parses it fully.
* :func:`check_data` refuses, in a file's content, Hydra's own settings (a ``hydra`` key, a
  ``defaults`` entry or ``@package`` line that reaches into ``hydra``) and interpolations.
* :func:`check_overrides` lets through only the Hydra settings a user chooses on purpose (where
  to write, which launcher and its documented settings, where to look for scenario files), and
  no interpolation except ``${now:…}`` in a folder name.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

MAX_BYTES = 1 << 20  # a scenario file is a few kB; the largest generated one is under 100 kB
MAX_DEPTH = 20  # the configuration tree is 5 levels deep
MAX_VALUES = 100_000  # values in a file once YAML aliases (*name) are expanded

# Hydra settings the command line may set (README, "Sweeps"); every other hydra.* key is refused.
HYDRA_KEYS = ("hydra.run.dir", "hydra.sweep.dir", "hydra.sweep.subdir", "hydra.searchpath")
LAUNCHERS = ("joblib", "basic", "ray", "slurm", "submitit_local", "submitit_slurm")
_NOW = re.compile(r"\$\{now:[^${}]*\}")


class UnsafeInput(ValueError):
    """Input that could run code, read the environment or write elsewhere; ``str()`` is one
    line."""


# ------------------------------------------------------------------------------ YAML files
class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key, line: int):
        super().__init__(f"duplicate key {key!r} at line {line}")
        self.key, self.line = key, line


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; a scenario file must not."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue  # an unhashable key: construct_mapping names it
            if duplicate:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
        return super().construct_mapping(node, deep)


def _reason(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    return f"{problem} at line {mark.line + 1}" if mark is not None else problem


def _check_shape(text: str, where: str) -> None:
    """Depth and expanded size from PyYAML's event stream (its parser is not recursive, so a
    list nested thousands deep, or an alias bomb, is measured without being built)."""
    depth, total, sizes, open_nodes = 0, 0, {}, []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            total += sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            total += 1
            depth += 1
            open_nodes.append((event.anchor, total))
            if depth > MAX_DEPTH:
                raise UnsafeInput(f"{where}: nested more than {MAX_DEPTH} levels deep (line "
                                  f"{event.start_mark.line + 1}); allowed: at most {MAX_DEPTH}")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            anchor, start = open_nodes.pop()
            if anchor:
                sizes[anchor] = total - start + 1
        if total > MAX_VALUES:
            raise UnsafeInput(f"{where}: more than {MAX_VALUES} values once its aliases (*name) "
                              f"are expanded; allowed: at most {MAX_VALUES}")


def read_yaml(path: Path | str, where: str | None = None):
    """The data of a YAML file someone else wrote, or :class:`UnsafeInput` in one line (too
    large, too deep, an alias bomb, a duplicate key, not YAML, not UTF-8)."""
    path = Path(path)
    where = where or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UnsafeInput(f"{where}: {path} is {size / 2**20:.1f} MiB; allowed: at most "
                              f"{MAX_BYTES // 2**20} MiB")
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
        text = raw.decode("utf-8")
    except OSError as error:
        raise UnsafeInput(f"{where}: cannot read {path} ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise UnsafeInput(f"{where}: cannot read {path} ({error})") from None
    return parse_yaml(text, f"{where}: {path}")


def parse_yaml(text: str, where: str):
    """:func:`read_yaml` for text already in memory."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise UnsafeInput(f"{where}: larger than {MAX_BYTES // 2**20} MiB")
    try:
        _check_shape(text, where)
        loader = _UniqueKeyLoader(text)  # a SafeLoader: builds plain data only
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _DuplicateKey as error:
        raise UnsafeInput(f"{where}: {error}; each setting may appear once") from None
    except yaml.YAMLError as error:
        raise UnsafeInput(f"{where}: not valid YAML ({_reason(error)})") from None


# ---------------------------------------------------------------------------- file content
def _package(text: str) -> str | None:
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*@package\s+(\S+)", line)
        if match:
            return match.group(1)
    return None


def check_data(data, where: str, text: str = "") -> None:
    """Refuse Hydra's own settings and interpolations in a configuration file's content."""
    package = _package(text)
    if package is not None and package != "_global_":
        raise UnsafeInput(f"{where}: '# @package {package}': a configuration file may only use "
                          "'# @package _global_'")
    if isinstance(data, dict):
        for key in data:
            if str(key).split(".")[0].strip() == "hydra":
                first = _first_key(data[key]) if key == "hydra" else str(key)[len("hydra."):]
                raise UnsafeInput(f"{where}: sets hydra.{first}: a configuration file may not "
                                  "set Hydra's own settings (hydra.*); output folders and "
                                  "launchers are chosen on the command line")
        defaults = data.get("defaults")
        for entry in defaults if isinstance(defaults, list) else []:
            if "hydra" in str(entry):
                raise UnsafeInput(f"{where}: defaults entry {entry!r}: a configuration file may "
                                  "not choose Hydra's own settings (hydra/...)")
    _check_strings(data, where, "")


def _first_key(node) -> str:
    return str(next(iter(node), "")) if isinstance(node, dict) and node else ""


def _check_strings(node, where: str, path: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _check_strings(value, where, f"{path}.{key}" if path else str(key))
            if "${" in str(key):
                raise UnsafeInput(f"{where}: key {key!r}: interpolations (${{...}}) are not "
                                  "allowed; write the value itself")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_strings(value, where, f"{path}[{i}]")
    elif isinstance(node, str) and "${" in node:
        raise UnsafeInput(f"{where}: {path or 'a value'}: interpolations (${{...}}) are not "
                          f"allowed in a configuration file (got {node[:60]!r}); write the "
                          "value itself")


# ------------------------------------------------------------------------------- overrides
QUIET_LOGGING = ("default", "disabled")


def check_overrides(parsed) -> None:
    """Refuse overrides (parsed by Hydra's OverridesParser) that set Hydra's own settings
    outside the allow-list, or hold an interpolation."""
    for o in parsed:
        key = o.key_or_group
        text = o.input_line or ""
        value = text.split("=", 1)[1] if "=" in text else ""
        if key == "hydra" or key.startswith(("hydra.", "hydra/")):
            _check_hydra_override(o, key)
            if key in ("hydra.run.dir", "hydra.sweep.dir", "hydra.sweep.subdir"):
                value = _NOW.sub("", value)  # Hydra's own folder names use ${now:...}
        if "${" in value:
            raise UnsafeInput(f"{key}: interpolations (${{...}}) are not allowed in a setting "
                              f"(got {value[:60]!r}); write the value itself")


def _check_hydra_override(o, key: str) -> None:
    if key == "hydra/launcher":
        if o.value() not in LAUNCHERS:
            raise UnsafeInput(f"hydra/launcher: unknown launcher {o.value()!r}; allowed: "
                              f"{', '.join(LAUNCHERS)}")
        return
    if key in ("hydra/hydra_logging", "hydra/job_logging") and o.value() in QUIET_LOGGING:
        return  # Hydra's own logging presets: a sweep turns its per-job log off
    if key.startswith("hydra.launcher."):
        parts = key.split(".")[2:]
        if not any(p.startswith("_") or p == "setup" for p in parts):
            return
    elif key in HYDRA_KEYS and not o.is_delete():
        return
    raise UnsafeInput(f"{key}: Hydra's own settings cannot be changed here; allowed: "
                      f"{', '.join(HYDRA_KEYS)}, hydra/launcher=<{'|'.join(LAUNCHERS)}>, "
                      f"hydra/hydra_logging and hydra/job_logging=<{'|'.join(QUIET_LOGGING)}> "
                      "and hydra.launcher.<setting>")


def check_search_folder(folder: Path, choices: dict[str, str]) -> None:
    """A folder on ``hydra.searchpath`` (a shared scenario folder) holds configuration groups
    only: no hydra/ options (a launcher there would be instantiated); each chosen option found
    there (``choices``: group → option) is within the limits and free of Hydra settings and
    interpolations. Other files in the folder are not read."""
    folder = Path(folder)
    if (folder / "hydra").exists():
        raise UnsafeInput(f"hydra.searchpath: {folder} has a hydra/ folder; a search folder may "
                          "hold configuration groups (scenario/, market/, …) only")
    for group, name in choices.items():
        path = folder / group / f"{name}.yaml"
        if path.is_file():
            data = read_yaml(path, f"{group} {name}")
            check_data(data, f"{group} {name}: {path}", _head(path))


def _head(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as f:
        return "".join(line for _, line in zip(range(20), f, strict=False))

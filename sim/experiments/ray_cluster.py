"""Runs on a Ray cluster: where :func:`sim.experiments.dispatch.dispatch` sends its runs when it
is given a cluster instead of (or beside) a number of local worker processes.

A cluster is named by a short text, checked before anything runs (:func:`parse`; no Ray import):

* ``local:<cpus>`` — start a Ray cluster on this machine with that many CPUs, for this process
  only (stopped when it ends);
* ``auto`` — join the cluster started on this machine with ``ray start --head`` (or the one
  ``RAY_ADDRESS`` names);
* ``<host>:<port>`` or ``ray://<host>:<port>`` — join that cluster (its head's address).

Each run is one Ray task needing one CPU (``ray.remote(num_cpus=1)``); the driver sends them
all and takes each result as it finishes (``ray.wait``), so the order and the number of CPUs
change nothing: a run is a pure function of (configuration, seed). Tasks are not retried
(``max_retries=0``): a run that kills its worker is reported, as the local pool reports it, and
the dispatcher records it as failed. A stored run is written by the worker that ran it, as with
the local pool, so every node must see the results store at the same path (always true of a
local cluster; on several machines, put the store on a shared file system).

``ray`` is imported only when a cluster is used: importing it costs a second or more, and the
command lines must stay fast without it.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sim.configuration.composition import InputError

_LOCAL = re.compile(r"local:(.*)")
_ADDRESS = re.compile(r"(ray://)?([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})")
REACH_SECONDS = 5.0  # how long to wait for a cluster's head to answer before giving up


@dataclass(frozen=True)
class Cluster:
    """Where to run: ``cpus`` for a local cluster started here, else ``address`` to join."""

    spec: str
    cpus: int | None = None
    address: str | None = None

    def __str__(self) -> str:
        if self.cpus is not None:
            return f"a local Ray cluster of {self.cpus} CPU(s)"
        return ("this machine's Ray cluster (auto)" if self.address == "auto"
                else f"the Ray cluster at {self.address}")


def parse(spec: str) -> Cluster:
    """The cluster ``spec`` names, or an :class:`InputError` saying what is wrong (one line)."""
    text = (spec or "").strip()
    local = _LOCAL.fullmatch(text)
    if local:
        cpus = local.group(1)
        if not cpus.isdigit() or int(cpus) < 1:
            raise InputError(f"--ray: local:<cpus> needs a whole number of CPUs ≥ 1, got "
                             f"{cpus!r}")
        return Cluster(text, cpus=int(cpus))
    if _names_a_cluster(text, "--ray"):
        return Cluster(text, address=text)
    raise InputError(f"--ray: expected auto, <host>:<port>, ray://<host>:<port> or "
                     f"local:<cpus>, got {spec!r}")


def _names_a_cluster(text: str, setting: str) -> bool:
    """Whether ``text`` names a cluster to join (``auto``, ``<host>:<port>``,
    ``ray://<host>:<port>``); a port out of range is an :class:`InputError` naming ``setting``."""
    address = _ADDRESS.fullmatch(text)
    if address and not 0 < int(address.group(3)) < 65536:
        raise InputError(f"{setting}: port out of range in {text!r}")
    return text == "auto" or address is not None


def connect(cluster: Cluster) -> int:
    """Start or join the cluster (once per process); returns its number of CPUs. A cluster that
    cannot be reached is an :class:`InputError` (one line)."""
    if cluster.address not in (None, "auto"):
        _reachable(cluster.address)
    import ray

    if ray.is_initialized():
        return int(ray.cluster_resources().get("CPU", 0))
    quiet = dict(logging_level=logging.WARNING, log_to_driver=False)
    # a local cluster's token authentication is on, as it should be; its notice is no warning
    logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(
        logging.ERROR)
    try:
        if cluster.cpus is not None:
            ray.init(num_cpus=cluster.cpus, include_dashboard=False, **quiet)
        else:
            ray.init(address=cluster.address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise InputError(f"--ray: cannot use {cluster}: {_first_line(error)}") from None
    return int(ray.cluster_resources().get("CPU", 0))


def _reachable(address: str, setting: str = "--ray") -> None:
    """Refuse at once an address nobody answers at (Ray itself would retry for a minute)."""
    host, port = _ADDRESS.fullmatch(address).group(2, 3)
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=REACH_SECONDS).close()
    except OSError as error:
        raise InputError(f"{setting}: cannot reach a Ray cluster at {address}: "
                         f"{error.strerror or error}") from None


def check_joinable(address: str, setting: str) -> None:
    """Refuse at once (one line naming ``setting``) a cluster to join that is not there: an
    address in the wrong form, a head nobody answers at, or ``auto`` with no Ray running on this
    machine. For a sweep's Hydra Ray launcher, which would otherwise fail with Ray's traceback
    after the sweep's folder is made."""
    if not _names_a_cluster(address, setting):
        raise InputError(f"{setting}: expected auto, <host>:<port> or ray://<host>:<port>, got "
                         f"{address!r}")
    if address == "auto":
        try:  # how ray.init finds "auto" (RAY_ADDRESS, then a cluster running here); private,
            # so a Ray without it (the lock pins Ray) leaves the check to ray.init
            from ray._private.services import get_ray_address_from_environment
        except ImportError:
            return
        try:
            address = get_ray_address_from_environment("auto", None)
        except ConnectionError:
            raise InputError(f"{setting}: no Ray cluster is running on this machine (start one "
                             "with `ray start --head`, or give its head's <host>:<port>)") from None
        if not _ADDRESS.fullmatch(address):  # RAY_ADDRESS in another form: ray.init's to judge
            return
    _reachable(address, setting)


class LostRun(Exception):
    """A task ended without a result (its worker died, or the cluster lost it); ``str()`` is
    one line."""


def as_completed(function: Callable, arguments: list
                 ) -> Iterator[tuple[tuple, object, BaseException | None]]:
    """``function(*a)`` for every ``a`` as a Ray task; yields ``(a, result, None)`` as each
    finishes, or ``(a, None, error)``: the exception the function raised, or :class:`LostRun`
    when its worker died."""
    import ray

    task = ray.remote(num_cpus=1, max_retries=0)(function)
    pending = {task.remote(*a): a for a in arguments}
    while pending:
        [ref], _ = ray.wait(list(pending), num_returns=1)
        args = pending.pop(ref)
        try:
            yield args, ray.get(ref), None
        except ray.exceptions.RayTaskError as error:
            cause = error.cause if isinstance(error.cause, Exception) else None
            yield args, None, cause or LostRun(_first_line(error))
        except ray.exceptions.RayError as error:  # the worker died, the node went away
            yield args, None, LostRun(f"the Ray task ended without a result "
                                      f"({type(error).__name__}: {_first_line(error)})")


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0].strip() if lines else type(error).__name__


def shutdown() -> None:
    """Leave the cluster (and stop it, if this process started it)."""
    import ray

    if ray.is_initialized():
        ray.shutdown()


__all__ = ["Cluster", "LostRun", "as_completed", "connect", "parse", "shutdown"]

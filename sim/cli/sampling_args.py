"""Checks shared by the commands that sample a space and run it on paired seeds
(``orgsim-discover``, ``orgsim-verdict``, ``orgsim-sensitivity``): each bad value gets one line
naming the option."""

from __future__ import annotations

import argparse

from sim.configuration.composition import InputError

RAY_HELP = ("run on Ray: local:<cpus> (start one here), auto (join this machine's), or "
            "<host>:<port> / ray://<host>:<port>")


def check_sampling(args: argparse.Namespace) -> None:
    """``--seeds``, ``--first-seed``, ``--sample-seed``, ``--threshold`` and ``--workers``."""
    if args.seeds < 1:
        raise InputError(f"--seeds: must be ≥ 1, got {args.seeds}")
    if args.first_seed < 0 or args.sample_seed < 0:
        raise InputError("--first-seed and --sample-seed: must be ≥ 0")
    if not (0 < args.threshold <= 1):
        raise InputError(f"--threshold: must be in (0, 1], got {args.threshold:g}")
    if args.workers < 0:
        raise InputError(f"--workers: must be ≥ 0, got {args.workers}")


def add_ray(parser: argparse.ArgumentParser) -> None:
    """``--ray CLUSTER``: the runs as tasks of a Ray cluster (sim/experiments/ray_cluster.py)."""
    parser.add_argument("--ray", metavar="CLUSTER", help=RAY_HELP)


def cluster_of(args: argparse.Namespace):
    """The cluster ``--ray`` names (checked without importing Ray), or ``None``; with it,
    ``--workers`` must be left out: the cluster's CPUs decide the parallelism."""
    if getattr(args, "ray", None) is None:
        return None
    from sim.experiments.ray_cluster import parse

    if args.workers != 0:
        raise InputError("--ray: the cluster's CPUs decide the parallelism; leave --workers out")
    return parse(args.ray)


def join(cluster) -> None:
    """Start or join the cluster now, so an unreachable one is refused before any folder."""
    if cluster is not None:
        from sim.experiments.ray_cluster import connect

        connect(cluster)

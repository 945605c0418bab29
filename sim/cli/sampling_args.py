"""Checks shared by the commands that sample a space and run it on paired seeds
(``orgsim-discover``, ``orgsim-verdict``): each bad value gets one line naming the option."""

from __future__ import annotations

import argparse

from sim.configuration.composition import InputError


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

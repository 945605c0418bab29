"""The one progress display: a rich bar of runs (done of total, elapsed, remaining),
gone when finished. Every workflow shows it — a run, a sweep, sensitivity, discovery,
calibration — through :func:`sim.experiments.dispatch.dispatch` or, for a Hydra multirun that
follows its store, directly. rich is imported only when a bar is made, so importing this module
costs nothing at command-line start-up.
"""

from __future__ import annotations


def progress_bar():
    """A ``rich.progress.Progress`` for counting runs; use it as a context manager and
    ``add_task(description, total=...)``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("runs"), TimeElapsedColumn(), TimeRemainingColumn(),
                    transient=True)

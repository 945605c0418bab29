"""Start ``orgsim-demo`` on a free port of 127.0.0.1 for a test module, and stop it after."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving_demo(timeout: float = 90) -> Iterator[tuple[int, str]]:
    """(port, url) of a running demo; checks the address it prints, waits until it answers."""
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "orgsim-demo"), "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith(f"orgsim demo: http://127.0.0.1:{port}"), first
        url = f"http://127.0.0.1:{port}/"
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        yield port, url
    finally:
        proc.terminate()
        proc.wait(timeout=30)

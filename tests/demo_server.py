"""Start ``orgsim-demo`` on a free port of 127.0.0.1 for a test module, and stop it after."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Demo:
    port: int
    url: str
    lines: list[str] = field(default_factory=list)  # everything it printed, in order
    answered_at_once: bool = False  # the printed address answered on the first try
    pid: int = 0  # the server's process

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (Linux), for load figures."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __iter__(self):  # `with serving_demo() as (port, url):` still works
        return iter((self.port, self.url))


@contextlib.contextmanager
def serving_demo(timeout: float = 300) -> Iterator[Demo]:
    """A running demo. Reads the address it prints (it prints it only once the server answers,
    so one request without retrying must succeed), then keeps collecting what it prints."""
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "orgsim-demo"), "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    demo = Demo(port, f"http://127.0.0.1:{port}/", pid=proc.pid)
    reader = None
    try:
        first = proc.stdout.readline()
        demo.lines.append(first)
        assert first.startswith(f"orgsim demo: http://127.0.0.1:{port}"), first
        try:
            urllib.request.urlopen(demo.url, timeout=30).read()
            demo.answered_at_once = True
        except OSError:
            pass
        reader = threading.Thread(target=lambda: demo.lines.extend(proc.stdout), daemon=True)
        reader.start()
        yield demo
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if reader is not None:
            reader.join(timeout=5)

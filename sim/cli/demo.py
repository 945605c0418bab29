"""``orgsim-demo``: serve the live workshop page on this machine and print its address.

Binds to 127.0.0.1 unless told otherwise (``--host``); serves every asset locally
(solara-assets), so it works with no internet.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "demo" / "app.py"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the usage block
        self.exit(2, f"orgsim-demo: {message}\n")


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a whole number 1–65535, got {text!r}")
    return int(text)


def _free(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served, or None."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.bind((host, port))
    except OSError as e:
        return e.strerror or str(e)
    return None


def main(argv: list[str] | None = None) -> None:
    parser = _Parser(prog="orgsim-demo", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=_port, default=8765)
    args = parser.parse_args(argv)
    problem = _free(args.host, args.port)
    if problem:
        parser.exit(2, f"orgsim-demo: cannot serve on {args.host}:{args.port} ({problem}); "
                       "choose another --port or --host\n")
    solara = shutil.which("solara", path=str(Path(sys.executable).parent)) or "solara"
    print(f"orgsim demo: http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.execv(solara, [solara, "run", str(APP), "--host", args.host, "--port", str(args.port),
                      "--production", "--no-open"])


if __name__ == "__main__":
    main()

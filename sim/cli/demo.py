"""``orgsim-demo``: serve the live workshop page on this machine and print its address.

Binds to 127.0.0.1 unless told otherwise (``--host``); serves every asset locally
(solara-assets), so it works with no internet. The address is printed only once the server
answers and the default view is computed, so the first click on it finds a ready page. The
terminal shows orgsim's own lines and real errors only (Solara's start-up banner and its cookie
warning for plain http are left out).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import threading
import time
import urllib.request
import warnings
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


def _quiet() -> dict:
    """Logging for the server: errors only (uvicorn's and Solara's info lines are not ours)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    # Solara warns on every page load over plain http that its cookie falls back to
    # samesite=lax; on 127.0.0.1 that is expected and harmless.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    return {"version": 1, "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "orgsim-demo: %(name)s: %(message)s"}},
            "handlers": {"err": {"class": "logging.StreamHandler", "formatter": "plain",
                                 "stream": "ext://sys.stderr"}},
            "loggers": {name: {"handlers": ["err"], "level": "ERROR", "propagate": False}
                        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "solara",
                                     "reacton")}}


def _announce(server, url: str) -> None:
    """Compute the default view, wait until the server answers, then print the address."""
    from sim.demo.app import Page  # noqa: F401  (the page's imports, done once, before anyone asks)
    from sim.demo.replay import Settings, replay_for

    replay_for(Settings())
    while not server.should_exit:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        return
    print(f"orgsim demo: {url}  (Ctrl+C to stop)", flush=True)


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
    # what `solara run APP --production` sets up, without its banner or version check
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ["SOLARA_APP"] = str(APP)
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = args.host, str(args.port)
    import uvicorn
    from solara.server import settings

    settings.main.mode = "production"
    config = uvicorn.Config("solara.server.starlette:app", host=args.host, port=args.port,
                            log_config=_quiet(), access_log=False)
    server = uvicorn.Server(config)
    url = f"http://{args.host}:{args.port}/"
    threading.Thread(target=_announce, args=(server, url), daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


if __name__ == "__main__":
    main()

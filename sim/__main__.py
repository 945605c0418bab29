"""``python -m sim`` is the ``orgsim`` command."""

from sim.cli.main import run

if __name__ == "__main__":
    run()

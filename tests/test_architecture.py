"""The layers point one way (docs/ARCHITECTURE.md): command line → demo → report → experiments →
designs → engine → configuration, and composing a configuration stays light. The contracts live in
.importlinter and are checked by import-linter, so a backwards import fails the suite."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
LINT = Path(sys.executable).parent / "lint-imports"


def test_imports_point_one_way_down_the_layers():
    out = subprocess.run([str(LINT), ".importlinter", "--no-cache", "--no-logo"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 kept, 0 broken" in out.stdout, out.stdout


def test_every_layer_is_a_subpackage_that_says_what_it_owns():
    import importlib

    for layer in ("cli", "demo", "report", "experiments", "designs", "engine", "configuration"):
        package = importlib.import_module(f"sim.{layer}")
        assert package.__file__.endswith("__init__.py") and len(package.__doc__ or "") > 80, layer
    stray = sorted(p.name for p in (ROOT / "sim").glob("*.py")
                   if p.name not in {"__init__.py", "__main__.py"})
    assert stray == [], f"modules outside the layers: {stray}"


def test_the_command_line_and_composing_a_configuration_import_nothing_heavy():
    """``orgsim --help`` and a refused input answer at once: importing the command line and
    composing (and validating) a comparison load neither Mesa nor pandas, SciPy, Plotly, DuckDB."""
    code = ("import sys, sim.cli.main\n"
            "from sim.configuration.composition import compose_run\n"
            "compose_run(['scenario=workshop'])\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules}"
            " & {'mesa', 'pandas', 'scipy', 'plotly', 'duckdb'})))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"heavy imports: {out.stdout.strip()}"

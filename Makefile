# Two commands set up and run everything on a fresh machine (see README):
#   make run    — install the locked environment (.venv, Python 3.12) and run the main job
#   make test   — the same environment (and Chromium for figure export) and the full test suite
# Installs come from uv.lock, so every machine gets the same package versions; installer output
# goes to .setup.log. `make check` is the fast tier for the edit–test loop; `make lock` refreshes
# uv.lock after pyproject.toml changes.
PYTHON ?= python3.12
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
UV := $(TOOLS)/bin/uv
LOG := .setup.log
# uv may not download a Python here: it uses the machine's 3.12 (pyenv or system).
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# The interpreter itself, not a launcher in front of it (pyenv's shim): given the shim, uv does not
# recognise the environment's own Python and rebuilds .venv on every sync, stamps included — so
# `make check` after `make test` reinstalled and recompiled everything (≈ 50 s).
INTERPRETER := $(PYTHON) -c 'import sys; print(sys.executable)'
# Python writes each module's bytecode (.pyc) the first time a process imports it, and every later
# process starts from it. Where the environment says not to (PYTHONDONTWRITEBYTECODE, as the
# sessions here set it), every process — each test worker, each `orgsim` the suite starts — compiled
# pandas, SciPy, Mesa and plotly from source again: about 3 s CPU each (docs/PERFORMANCE.md). These
# commands allow it for their own processes. Only what is imported is compiled, when it is first
# imported: compiling all 16 893 modules of the lock up front (`uv sync --compile-bytecode`) cost
# the first `make test` ≈ 60 s CPU and 26 s of wall time.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: run test check bench lint lock browser

$(UV):
	@echo "setting up uv $(UV_VERSION) (log: $(LOG))"
	@$(PYTHON) -m venv $(TOOLS) > $(LOG) 2>&1 && \
	 $(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) >> $(LOG) 2>&1 \
	 || { tail -20 $(LOG); exit 1; }

$(BIN)/.installed: pyproject.toml uv.lock | $(UV)
	@echo "installing the locked environment into $(VENV) (log: $(LOG))"
	@$(UV) sync --frozen --all-extras --python "$$($(INTERPRETER))" >> $(LOG) 2>&1 \
	 || { tail -20 $(LOG); exit 1; }
	@touch $@

# Static figure export (kaleido) and the browser tests drive a local Chromium.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium (apt-get install chromium; log: $(LOG))"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >> $(LOG) 2>&1; \
	else \
		echo "note: no Chromium found; install it (Debian/Ubuntu: sudo apt-get install chromium)" \
		     "for figure export — the browser tests are skipped without it"; \
	fi

run: $(BIN)/.installed
	@$(BIN)/orgsim

test: $(BIN)/.installed browser
	$(BIN)/python -m pytest

# Fast tier: everything but the slow marker (multi-seed statistics, browsers, sweeps of many runs).
check: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not slow"

lock: | $(UV)
	$(UV) lock --python "$$($(INTERPRETER))"

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/sweep_bench.py
	$(BIN)/python benchmarks/demo_bench.py
	$(BIN)/python benchmarks/cli_bench.py

lint: $(BIN)/.installed
	$(BIN)/ruff check sim tests benchmarks

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
# The tests run on installed packages compiled to bytecode (.pyc, once: $(BIN)/.compiled). Without
# it a Python that may not write bytecode (PYTHONDONTWRITEBYTECODE, a read-only environment)
# compiles pandas, SciPy, Mesa and plotly from source in every process: about 3 s CPU per test
# worker and per subprocess the suite starts (docs/PERFORMANCE.md). `make run` skips it: compiling
# costs about a minute of CPU, more than one run saves.

# The project's own package too (sim/: 149 modules, ≈ 0.18 s CPU of compiling in every process
# that runs a simulation), brought up to date before each test command: only what changed is
# compiled again. Written even where PYTHONDONTWRITEBYTECODE is set, as the install's are; a
# file that does not compile is left to the tests to report.
COMPILE_SIM := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m compileall -q sim >> $(LOG) 2>&1 || true

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

$(BIN)/.compiled: $(BIN)/.installed
	@echo "compiling the environment's bytecode for the tests (log: $(LOG))"
	@$(UV) sync --frozen --all-extras --compile-bytecode --python "$$($(INTERPRETER))" \
	 >> $(LOG) 2>&1 || { tail -20 $(LOG); exit 1; }
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

test: $(BIN)/.compiled browser
	@$(COMPILE_SIM)
	$(BIN)/python -m pytest

# Fast tier: everything but the slow marker (multi-seed statistics, browsers, sweeps of many runs).
check: $(BIN)/.compiled
	@$(COMPILE_SIM)
	$(BIN)/python -m pytest -m "not slow"

lock: | $(UV)
	$(UV) lock --python "$$($(INTERPRETER))"

bench: $(BIN)/.compiled
	@$(COMPILE_SIM)
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/sweep_bench.py
	$(BIN)/python benchmarks/demo_bench.py
	$(BIN)/python benchmarks/cli_bench.py

lint: $(BIN)/.installed
	$(BIN)/ruff check sim tests benchmarks

# Two commands set up and run everything on a fresh machine (see README):
#   make run    — create .venv with Python 3.12 and run the main job
#   make test   — create .venv with Python 3.12 (and Chromium for figure export) and run the tests
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench lint browser

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Static figure export (kaleido) and the browser tests drive a local Chromium.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium (apt-get install chromium)"; \
		apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "note: no Chromium found; install it (Debian/Ubuntu: sudo apt-get install chromium)" \
		     "for figure export — the browser tests are skipped without it"; \
	fi

run: $(BIN)/.installed
	$(BIN)/orgsim

test: $(BIN)/.installed browser
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/sweep_bench.py
	$(BIN)/python benchmarks/demo_bench.py

lint: $(BIN)/.installed
	$(BIN)/ruff check sim tests benchmarks

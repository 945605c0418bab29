# Two commands set up and run everything on a fresh machine (see README):
#   make run    — create .venv with Python 3.12 and run the main job
#   make test   — create .venv with Python 3.12 and run the test suite
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench lint

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/orgsim

test: $(BIN)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run_all.py

lint: $(BIN)/.installed
	$(BIN)/ruff check sim tests benchmarks

# DigitApp — `make run` opens the app, `make test` runs the whole test suite.
# Both create .venv from this project's own files first (idempotent: reinstalls only
# when pyproject.toml changes). Windows equivalents are in README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/python -m digitapp

test: install lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The core must stay free of Qt (contract in pyproject.toml [tool.importlinter]).
lint: install
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build dist .pytest_cache

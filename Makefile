# DigitApp — `make run` opens the app, `make test` runs the whole test suite.
# Both create .venv from this project's own files first (idempotent: reinstalls only
# when pyproject.toml changes). `make run` installs what the app needs; `make test` adds
# the test tools (pytest, ruff, import-linter). Windows equivalents are in README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install install-test run test lint clean exe exe-test bench default-model

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e .
	touch $(STAMP)

install-test: $(TEST_STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install -e '.[test]'
	touch $(TEST_STAMP)

run: install
	$(BIN)/python -m digitapp

# The bundled default model, made with the app's own recipe on bundled MNIST: the Keras file
# with its sidecar (accuracy, history, versions) and an ONNX copy, proven equal to it, that
# answers drawings before TensorFlow has loaded.
default-model: install
	rm -rf build/default-model-home
	DIGITAPP_HOME=build/default-model-home $(BIN)/digitapp train --dataset mnist --model thorough \
		--out resources/default-model.keras
	$(BIN)/python -c "from pathlib import Path; from digitapp.core import rejection; \
		print(*rejection.bundle(Path('build/default-model-home/cache'), Path('resources/not-a-digit')), sep='\n')"
	$(BIN)/digitapp export resources/default-model.keras --format onnx --dataset mnist --out resources/default-model.onnx

test: install-test lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# ruff (rules in pyproject.toml [tool.ruff]) and the layering contracts (core free of Qt,
# front ends reach TensorFlow through core.workflow only: [tool.importlinter]).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The frozen app: dist/DigitApp/ (onedir; DigitApp.exe on Windows). Slow (~5 min).
BUILD_STAMP := $(VENV)/.installed-build

$(BUILD_STAMP): $(TEST_STAMP)
	$(BIN)/python -m pip install -e '.[test,build]'
	touch $(BUILD_STAMP)

exe: $(BUILD_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean build.spec
	du -sh dist/DigitApp

# Build, then run the frozen app's own check (window offscreen, TensorFlow, training,
# prediction, save/reopen). Not part of `make test`: it takes minutes.
exe-test: exe
	dist/DigitApp/DigitApp --self-test

# Every benchmark in bench/ (results in bench/results/, written up in docs/BENCHMARKS.md).
# Long (tens of minutes: real training runs); needs xvfb and xdotool for the launch time.
# Run it on an otherwise idle machine: the scripts measure time.
bench: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/draw_latency.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/gui_training.py
	$(BIN)/python bench/handwriting.py
	$(BIN)/python bench/cli_accuracy.py
	$(BIN)/python bench/training_curves.py classic default best fashion fashion-long cifar
	xvfb-run -a -s "-screen 0 1400x900x24" $(BIN)/python bench/launch_time.py

clean:
	rm -rf $(VENV) build dist .pytest_cache

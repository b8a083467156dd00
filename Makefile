# Tollgate developer entry points. CI runs `.ci/run`, which installs what is missing and
# then runs `make test`.
SWIFT   ?= swift
PYTHON  ?= python3
VENV    ?= .venv
BIN     := .build/release/tollgate
CONFIG  ?= routes.yaml
# extra arguments for pytest, e.g. `make e2e PYTEST_ARGS="-k reload -x"`
PYTEST_ARGS ?=
# Release builds skip Swift's runtime exclusivity checks in every module, dependencies
# included (Package.swift can only set it for ours). SwiftNIO's were ~10% of the gateway's
# instructions per request (bench/profile); the static checks still run at compile time.
RELEASE_FLAGS := -c release -Xswiftc -enforce-exclusivity=unchecked

.PHONY: all build build-tests unit unit-run e2e e2e-run test run bench venv clean

all: build

## build: the release binary (.build/release/tollgate), as shipped and benchmarked
build:
	$(SWIFT) build $(RELEASE_FLAGS)

## build-tests: one release build of the binary *and* the unit tests.
## `swift test -c release` compiles every module with testability, so it cannot reuse a plain
## release build (measured: a full second compile). Building once with --build-tests gives both
## the test bundle and a binary for the e2e suite; -enable-testing is what lets the unit tests'
## `@testable import` compile in release. (A later plain `make build` recompiles.)
build-tests:
	$(SWIFT) build $(RELEASE_FLAGS) --build-tests -Xswiftc -enable-testing

## unit: the Swift unit tests (XCTest + Swift Testing), release configuration
unit: build-tests
	$(MAKE) unit-run

unit-run:
	$(SWIFT) test $(RELEASE_FLAGS) --skip-build

## venv: .venv with the e2e test dependencies (re-made when requirements-test.txt changes)
venv: $(VENV)/.installed

$(VENV)/.installed: requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements-test.txt
	touch $@

## e2e: the end-to-end suite (Tests/e2e) against the release binary and the mock upstream
e2e: build venv
	$(MAKE) e2e-run

# pytest exit codes: 0 all passed, 1 some failed, 2-4 interrupted/internal/usage error,
# 5 no test collected (an empty suite is a failure here, never a silent pass).
e2e-run:
	@rc=0; TOLLGATE_BIN="$(CURDIR)/$(BIN)" $(VENV)/bin/python -m pytest Tests/e2e -q $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "e2e: pytest collected no tests"; fi; exit $$rc

## test: unit + e2e on one release build; both suites run even if the first fails
test: build-tests venv
	$(MAKE) -k unit-run e2e-run

## run: serve routes.yaml with the release binary
run: build
	$(BIN) serve --config $(CONFIG)

## bench: the benchmark harness (bench/run)
bench: build
	bench/run

clean:
	rm -rf .build $(VENV)

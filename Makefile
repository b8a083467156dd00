# Tollgate developer entry points. CI runs `.ci/run`, which installs what is missing and
# then runs `make test`.
SWIFT   ?= swift
PYTHON  ?= python3
VENV    ?= .venv
# a second venv with the newest SDKs PyPI serves today (requirements-newest.txt, unpinned)
VENV_NEWEST ?= .venv-newest
BIN     := .build/release/tollgate
CONFIG  ?= routes.yaml
# extra arguments for pytest, e.g. `make e2e PYTEST_ARGS="-k reload -x"`
PYTEST_ARGS ?=
# which e2e run this is, shown in the suite's header and failure summary ("" = the pinned run)
TOLLGATE_E2E_LABEL ?=
# Release builds skip Swift's runtime exclusivity checks in every module, dependencies
# included (Package.swift can only set it for ours). SwiftNIO's were ~10% of the gateway's
# instructions per request (bench/profile); the static checks still run at compile time.
RELEASE_FLAGS := -c release -Xswiftc -enforce-exclusivity=unchecked

.PHONY: all build build-tests unit unit-run e2e e2e-run e2e-newest e2e-newest-run test run bench venv venv-newest clean

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

## venv-newest: .venv-newest with the newest releases of the e2e dependencies, upgraded on
## every call (requirements-newest.txt is unpinned on purpose)
venv-newest:
	test -x $(VENV_NEWEST)/bin/python || $(PYTHON) -m venv $(VENV_NEWEST)
	$(VENV_NEWEST)/bin/python -m pip install --disable-pip-version-check -q --upgrade -r requirements-newest.txt

## e2e: the end-to-end suite (Tests/e2e) against the release binary and the mock upstream
e2e: build venv
	$(MAKE) e2e-run

# pytest exit codes: 0 all passed, 1 some failed, 2-4 interrupted/internal/usage error,
# 5 no test collected (an empty suite is a failure here, never a silent pass).
e2e-run:
	@rc=0; TOLLGATE_BIN="$(CURDIR)/$(BIN)" TOLLGATE_E2E_LABEL="$(TOLLGATE_E2E_LABEL)" $(VENV)/bin/python -m pytest Tests/e2e -q $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "e2e: pytest collected no tests"; fi; exit $$rc

## e2e-newest: the end-to-end suite again, with the newest SDKs (.venv-newest). The run prints
## the installed openai / anthropic / google-genai versions in its header and, on failure, in
## its summary (Tests/e2e/conftest.py), so a break names the release that caused it.
e2e-newest: build venv-newest
	$(MAKE) e2e-newest-run

## e2e-newest-run: the same as e2e-run with .venv-newest's python; no build (CI runs it after
## `make test`, on the binary that run built)
e2e-newest-run:
	@$(MAKE) --no-print-directory e2e-run VENV=$(VENV_NEWEST) TOLLGATE_E2E_LABEL=newest-sdks

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
	rm -rf .build $(VENV) $(VENV_NEWEST)

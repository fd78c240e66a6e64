# VerifyDesk: every set-up step is here, so `make run` and `make test` work on a fresh Debian machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: run test lint typecheck pytest bench package clean

## make run: install what is missing, then open the window on the embedded sandbox pool.
run:
	sh .ci/system-deps.sh run
	sh .ci/venv.sh "$(PYTHON)" "$(VENV)" sandbox
	sh .ci/run-app.sh "$(VENV)"

## make test: install everything (Debian libs, Python deps, Node peers), lint, type-check, run all tests.
test:
	sh .ci/system-deps.sh test
	sh .ci/venv.sh "$(PYTHON)" "$(VENV)" sandbox,test,dev,package
	sh tests/peers/install.sh
	$(MAKE) --no-print-directory lint typecheck pytest

## make lint: ruff, and the GitHub workflows (with the example in examples/) against the workflow schema
## vendored in check-jsonschema (offline; the workflows that test on Windows and macOS and build their
## installers run nowhere else); the example suites against the shipped suite schema.
lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml examples/github-actions.yml
	$(VENV)/bin/check-jsonschema --schemafile app/core/suites/suite.schema.json examples/*.yaml

typecheck:
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy packaging/build.py packaging/pkg_*.py

pytest:
	sh .ci/pytest.sh "$(VENV)" $(PYTEST_ARGS)

## make bench: the performance table with budgets (see bench/README.md); installs Qt's libraries and
## the bench extra (awscli for the CLI baseline, pyinstrument/py-spy for profiling) first.
## BENCH_ARGS="--quick" for a smoke run, "--only gui" for one part, "--write" to record bench/RESULTS.md.
BENCH_ARGS ?=
bench:
	sh .ci/system-deps.sh run
	sh .ci/venv.sh "$(PYTHON)" "$(VENV)" sandbox,bench
	$(PY) -m bench $(BENCH_ARGS)

## make package: PyInstaller bundle, .tar.gz and .deb for Linux, then run the built app's self-test.
package:
	sh .ci/system-deps.sh test
	sh .ci/venv.sh "$(PYTHON)" "$(VENV)" sandbox,test,dev,package
	$(PY) packaging/build.py

clean:
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache

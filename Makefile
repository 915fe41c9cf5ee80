# The two commands the README opens with. Each does its own set-up and is safe to rerun.
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/sample

.PHONY: sample test test-fast lint docs setup browser bench clean

setup:
	@scripts/setup.sh

# Debian's chromium + chromium-driver for the practice page's browser tests (not for `sample`).
browser:
	@scripts/setup-browser.sh

# What the sample depends on: its inputs and the code and templates that make it. When none
# changed since the last build, `make sample` only verifies the existing manifest.
SAMPLE_INPUTS := examples/sample-exam.yaml examples/roster.csv cli.py pyproject.toml \
	$(wildcard generators/*.py answer_engine/*.py exams/*.py exams/exporters/*.py templates/*.j2 templates/*/*.j2)

## sample: build the example exam for the example 30-student roster into $(OUT)
sample: setup $(OUT)/manifest.json
	$(BIN)/variantex verify $(OUT)/manifest.json
	@echo "sample exams built in $(OUT)/ (exam.pdf, key.pdf, exams/, keys/, key.csv, manifest.json)"

$(OUT)/manifest.json: $(SAMPLE_INPUTS)
	$(BIN)/variantex build examples/sample-exam.yaml --roster examples/roster.csv --strict --out $(OUT)

## test: lint (ruff and mypy), then the whole test suite (slow tests included) in a random order with
## warnings as errors and branch coverage, then the coverage floors; what CI runs
## Both cores (pytest-xdist): coverage slows tracing about twice, and this keeps the whole
## run near ten minutes on an idle 2-core machine. loadgroup keeps a group of tests (the
## installed-wheel test, which builds one environment) on one worker.
test: setup browser lint docs
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup --cov --cov-report=
	$(BIN)/python scripts/coverage_floor.py

## lint: ruff's rules and its formatter, and mypy's types, as pyproject.toml sets them
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@scripts/typecheck.sh

## docs: the user guide (docs/, mkdocs.yml) built into site/, strictly: a broken link, a
## missing anchor or a page left out of the navigation fails it
docs: setup
	@log=$$($(BIN)/mkdocs build --strict 2>&1) || { echo "$$log"; exit 1; }; echo "docs: site/ built (mkdocs --strict)"

## test-fast: the suite without the slow tests; `make test-fast -j` spreads it over the cores
## (pytest-xdist, one worker per core)
test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow" $(if $(filter -j%,$(MAKEFLAGS)),-n auto)

bench: setup
	$(BIN)/python benchmarks/roster_build.py

clean:
	rm -rf out site .pytest_cache .hypothesis

# The two commands the README opens with. Each does its own set-up and is safe to rerun.
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/sample

.PHONY: sample test test-fast setup bench clean

setup:
	@scripts/setup.sh

## sample: build the example exam for the example 30-student roster into $(OUT)
sample: setup
	$(BIN)/variantex build examples/sample-exam.yaml --roster examples/roster.csv --out $(OUT)
	$(BIN)/variantex verify $(OUT)/manifest.json
	@echo "sample exams built in $(OUT)/ (exam.pdf, key.pdf, exams/, keys/, key.csv, manifest.json)"

## test: the whole test suite (slow tests included), as CI runs it
test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup
	$(BIN)/python benchmarks/roster_build.py

clean:
	rm -rf out .pytest_cache .hypothesis

# The two commands the README opens with. Each does its own set-up and is safe to rerun.
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/sample

.PHONY: sample test test-fast setup bench clean

setup:
	@scripts/setup.sh

## sample: build the embedded example exam (PDF + key + manifest) into $(OUT)
sample: setup
	$(BIN)/variantex build examples/sample-exam.yaml --out $(OUT)
	@echo "sample exam built in $(OUT)/"

## test: the whole test suite (slow tests included), as CI runs it
test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup
	$(BIN)/python benchmarks/generation.py

clean:
	rm -rf out .pytest_cache .hypothesis

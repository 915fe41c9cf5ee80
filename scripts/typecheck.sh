#!/usr/bin/env bash
# mypy over the installed namespace. mypy reads source files, not import hooks, so it cannot
# see the editable install's mapping of this checkout onto `variantex`; a link named
# `variantex` to the checkout (in .typecheck/, which git ignores) gives it the same layout.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .typecheck
ln -sfn .. .typecheck/variantex
exec "${VENV:-.venv}/bin/mypy" -p variantex.answer_engine -p variantex.generators -p variantex.exams -m variantex.cli "$@"

#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine (Python 3.11): a virtual environment with
# variantex installed, and TeX Live + latexmk + lmodern from Debian when pdflatex is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
# XeTeX (in texlive-binaries) sets the names pdflatex cannot print, in DejaVu Serif (Greek,
# Cyrillic) or Noto Serif CJK (Chinese, Japanese, Korean): exams/names.py.
TEX_PACKAGES="texlive-latex-base texlive-latex-recommended texlive-pictures \
texlive-fonts-recommended lmodern latexmk poppler-utils fontconfig fonts-dejavu-core fonts-noto-cjk"

if ! command -v pdflatex >/dev/null || ! command -v latexmk >/dev/null || ! command -v pdftotext >/dev/null \
    || ! command -v xetex >/dev/null \
    || ! fc-list ":family=Noto Serif CJK SC" | grep -q . || ! fc-list ":family=DejaVu Serif" | grep -q .; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "setup: installing TeX Live and fonts from Debian packages (about a minute)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $TEX_PACKAGES >/dev/null
    else
        echo "setup: pdflatex/latexmk missing; install as root: apt-get install $TEX_PACKAGES" >&2
        exit 1
    fi
fi

stamp="$VENV/.installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    # This machine's pip config names optional local mirrors; their "ignored" notes are noise.
    quiet() { grep -v "is ignored: it is neither a file nor a directory" >&2 || true; }
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2> >(quiet)
    PYTHONWARNINGS=ignore "$VENV/bin/python" -m pip install -q -e ".[test]" 2> >(quiet)
    touch "$stamp"
fi

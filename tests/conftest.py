import os
import shutil
from pathlib import Path

import numpy as np
import pytest

# The suite tests the families this package ships, whatever else is installed: plug-ins in
# the environment are off (their own warnings would change the CLI's one-line output). The
# tests of plug-in discovery turn it back on for themselves (tests/test_family_kit.py), and
# the wheel test runs its commands without this variable.
os.environ["VARIANTEX_NO_PLUGINS"] = "1"


def pytest_terminal_summary(terminalreporter, config):
    """The random order's seed, printed last even under -q: rerun an order with
    `--randomly-seed=N` (pytest-randomly)."""
    seed = getattr(config.option, "randomly_seed", None)
    if seed is not None:
        terminalreporter.write_line(f"random order: rerun it with --randomly-seed={seed}")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def forget_question_files():
    """Question files register families for the process: other tests list the built-ins."""
    from variantex.exams.question_files import forget_all

    yield
    forget_all()


ROOT = Path(__file__).resolve().parents[1]
# The README and the user guide: what the documentation tests read.
GUIDE_PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

requires_tex = pytest.mark.skipif(
    shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
    reason="TeX Live / poppler missing: run `make setup`",
)

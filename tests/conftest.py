import shutil

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


requires_tex = pytest.mark.skipif(
    shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
    reason="TeX Live / poppler missing: run `make setup`",
)

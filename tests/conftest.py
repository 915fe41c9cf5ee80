import shutil

import numpy as np
import pytest

from generators.variant import Variant


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def render_question(variant: Variant, fmt: str, key: bool) -> str:
    """Render one question through the real view and LaTeX templates (strict about undefined variables)."""
    import sympy as sp

    from exams.exporters.latex import environment, question_context
    from exams.view import question_view

    view = question_view(variant, fmt, points=sp.Integer(3))
    return environment().get_template("question.tex.j2").render(question=question_context(view), key=key)


requires_tex = pytest.mark.skipif(
    shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
    reason="TeX Live / poppler missing: run `make setup`",
)

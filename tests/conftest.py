import shutil

import numpy as np
import pytest

from exams.render import environment
from generators.variant import Variant


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def render_question(variant: Variant, fmt: str, key: bool) -> str:
    """Render one question through the real templates (strict about undefined variables)."""
    from exams.assemble import QuestionInstance
    from exams.render import question_context
    from exams.spec import QuestionSpec
    import sympy as sp

    spec = QuestionSpec("q1", variant.family, fmt, sp.Integer(3))
    context = question_context(QuestionInstance(1, spec, variant, None))
    return environment().get_template("question.tex.j2").render(question=context, key=key)


requires_tex = pytest.mark.skipif(
    shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
    reason="TeX Live / poppler missing: run `make setup`",
)

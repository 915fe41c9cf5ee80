"""Every YAML example in the README and docs/ parses, and every exam spec among them builds:
an example a reader copies works as printed."""

import re

import pytest
import yaml

from tests.conftest import GUIDE_PAGES, ROOT
from variantex.exams.build import build

PAGES = GUIDE_PAGES
_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.DOTALL | re.MULTILINE)


def yaml_blocks() -> list[tuple[str, str]]:
    return [
        (f"{page.relative_to(ROOT)}#{index}", block)
        for page in PAGES
        for index, block in enumerate(_BLOCK.findall(page.read_text(encoding="utf-8")), start=1)
    ]


pytestmark = pytest.mark.usefixtures("forget_question_files")  # tests/conftest.py


def test_the_pages_have_yaml_examples():
    names = [name for name, _ in yaml_blocks()]
    assert len(names) >= 5 and any(name.startswith("docs/exams.md#") for name in names)


@pytest.mark.parametrize(("name", "block"), yaml_blocks(), ids=[name for name, _ in yaml_blocks()])
def test_every_yaml_example_parses_and_every_spec_builds(name, block, tmp_path):
    data = yaml.safe_load(block)
    assert isinstance(data, dict), name
    if "questions" not in data:
        return  # a question file: tests/test_question_files.py loads and draws each one
    # A spec may use the question files the same pages define (saved where it names them).
    for _, other in yaml_blocks():
        question = yaml.safe_load(other)
        if "id" in question and ("params" in question or "static" in question):
            folder = tmp_path / "questions"
            folder.mkdir(exist_ok=True)
            (folder / f"{question['id']}.yaml").write_text(other, encoding="utf-8")
    spec = tmp_path / "exam.yaml"
    spec.write_text(block if "title" in data else "title: Example\n" + block, encoding="utf-8")
    result = build(spec, tmp_path / "out", make_pdf=False)
    exam = (result.out / "exam.tex").read_text(encoding="utf-8")
    assert exam.count(r"\subsection*{Question") == len([q for q in data["questions"] if "section" not in q]), name

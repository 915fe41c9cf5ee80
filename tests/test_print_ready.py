"""What an instructor would otherwise fix by hand before printing: wording, layout, keys."""

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import requires_tex
from tests.test_build import pdf_text
from tests.test_hardening import pages, write_roster
from variantex.answer_engine.errors import InputError
from variantex.answer_engine.formatting import untypesettable
from variantex.exams.build import build
from variantex.exams.exporters.text import question_text
from variantex.exams.view import plain_content, question_view
from variantex.generators import family
from variantex.generators.variant import variant_from_data

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "four-families.yaml"


def student_text(family_id: str, params: dict, fmt: str = "open") -> str:
    view = question_view(variant_from_data(family(family_id), params, fmt), fmt)
    return " ".join(question_text(view, key=False).split())


def test_one_eigenvector_is_spoken_of_in_the_singular():
    text = student_text("eigen-determinant", {"eigenvectors": [[1, 2, 0]], "eigenvalues": [3], "trace": 5})
    assert "has the eigenvector v_1 = (1, 2, 0)^⊤ with eigenvalue λ_1 = 3." in text
    assert "respectively" not in text and "linearly independent" not in text


def test_a_one_output_network_never_mentions_a_first_output():
    text = student_text("relu-backprop", {"x": 1, "t": 1, "w1": 2, "w2": 1, "b": -2}, "numeric")
    assert "first output" not in text and "y_1" not in text


def test_pixels_are_math_symbols_and_every_gate_is_introduced():
    text = student_text("shapley-and", {"players": ["x1", "x2", "x3"], "required": ["x1", "x2"], "gate": "or"})
    assert "pixels x_1, x_2, x_3" in text and "the gate" not in text


def test_calculator_questions_print_decimals_not_fractions():
    text = student_text(
        "relu-backprop", {"x": "-1.3", "t": 1, "w1": "-0.7", "w2": "1.2", "b": "0.4", "calculator": True}, "numeric"
    )
    assert "x = -1.3" in text and "/10" not in text
    assert "decimals to 4 significant figures" in text


def test_shares_are_not_written_twice():
    solution = variant_from_data(
        family("shapley-and"),
        {"players": ["a", "b", "c", "d", "e", "f"], "required": ["a", "b", "c", "d", "e"], "payoff": 6},
    ).solution
    assert r"6/5 = \frac{6}{5}" not in solution.steps[0] and r"\frac{6}{5}" in solution.steps[0]


def test_the_readme_points_only_inside_the_repository():
    readme = (ROOT / "README.md").read_text()
    assert "../shared" not in readme and "docs/catalog.md" in readme
    assert (ROOT / "docs" / "catalog.md").is_file() and (ROOT / "docs" / "architecture.md").is_file()


def test_exam_questions_are_boxed_whole_and_key_solutions_kept_together(tmp_path):
    out = build(SAMPLE, tmp_path / "out", make_pdf=False).out
    exam, key = (out / "exam.tex").read_text(), (out / "key.tex").read_text()
    assert exam.count(r"\begin{minipage}{\linewidth}") == exam.count(r"\subsection*{Question")
    assert r"\keeptogether{6\baselineskip}" + "\n" + r"\textbf{\keytext{Solution.}}" in key
    assert "Signature" in exam and "Signature" not in key
    assert "End of the answer key" in key and "End of the exam" in exam


@pytest.mark.slow
@requires_tex
def test_every_paper_starts_on_an_odd_page_and_keys_have_no_signature_line(tmp_path):
    roster = write_roster(tmp_path / "r.csv", [[f"S{i}", f"Student {i}"] for i in range(6)])
    out = build(SAMPLE, tmp_path / "out", roster=roster).out
    for i in range(6):
        assert pages(out / "exams" / f"S{i}.pdf") % 2 == 0, "an odd page count would shift the next paper"
        assert pages(out / "keys" / f"S{i}.pdf") % 2 == 0
        assert "Signature" not in pdf_text(out / "keys" / f"S{i}.pdf")


@pytest.mark.slow
@requires_tex
@pytest.mark.parametrize("fmt", ["mcq", "numeric", "open"])
def test_two_output_cross_entropy_compiles_in_every_format(tmp_path, fmt):
    spec = tmp_path / "s.yaml"
    spec.write_text(
        f"title: T\nquestions:\n  - family: relu-backprop\n    format: {fmt}\n    points: 3\n"
        "    options: {loss: cross_entropy, outputs: 2}\n  - family: relu-backprop\n"
        f"    format: {fmt}\n    points: 3\n    options: {{loss: cross_entropy, outputs: 2, calculator: true}}\n"
    )
    result = build(spec, tmp_path / "out", strict=True)
    assert "Question 2" in pdf_text(result.out / "key.pdf")


@pytest.mark.slow
@requires_tex
def test_every_family_in_every_format_and_branch_compiles(tmp_path):
    from variantex.generators import families

    slots = [(f, fmt, branch) for f in families() for fmt in f.formats for branch in f.branches]
    lines = ["title: Every family", "seed: 3", "questions:"]
    lines += [
        f"  - {{id: s{i}, family: {f.id}, format: {fmt}, branch: {branch}, points: 2}}"
        for i, (f, fmt, branch) in enumerate(slots)
    ]
    spec = tmp_path / "all.yaml"
    spec.write_text("\n".join(lines) + "\n")
    result = build(spec, tmp_path / "out", strict=True)  # strict: no line may run into the margin
    exam, key = pdf_text(result.out / "exam.pdf"), pdf_text(result.out / "key.pdf")
    assert f"Question {len(slots)}" in exam and f"Question {len(slots)}" in key
    assert key.count("Solution.") == len(slots)


@pytest.mark.slow
@requires_tex
def test_key_pages_start_with_a_question_or_its_solution_never_mid_question(tmp_path):
    """Issue 26: key pages started with answer boxes whose question was on the page before, or
    with an `Answers:` line alone. A key question is now boxed whole like the exam's, and its
    answers line stays with the last step."""
    import re
    import subprocess

    roster = write_roster(tmp_path / "r.csv", [[f"S{i}", f"Student {i}"] for i in range(8)])
    out = build(SAMPLE, tmp_path / "out", roster=roster).out
    key = out / "key.pdf"
    asks = ("Mark exactly one", "Write each value", "Justify each step", "Mark T (true)")
    for number in range(1, pages(key) + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(key), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        body = [line.strip() for line in text.splitlines() if line.strip()][1:]  # past the running head
        assert body and not body[0].startswith(("Answers:", "Key:")), (number, body[:2])
        # every question that starts on this page has its answer area here too
        headings = [m.start() for m in re.finditer(r"Question \d+", text)]
        for start in headings:
            rest = text[start:]
            nxt = re.search(r"Question \d+", rest[1:])
            block = rest[: nxt.start() + 1] if nxt else rest
            assert any(ask in block for ask in asks), (number, block[:200])


def _generated_texts():
    """Every text a key prints that a family generates: named mistakes' descriptions, worked
    steps, rubric criteria, statements and their justifications, over branches and formats."""
    import numpy as np

    from variantex.generators import families
    from variantex.generators.variant import draw_variant

    for chosen in families():
        yield chosen.id, chosen.title
        for branch in chosen.branches:
            for fmt in chosen.formats:
                for seed in range(3):
                    try:
                        variant = draw_variant(chosen, np.random.default_rng(seed), branch, {}, fmt)
                    except InputError:
                        continue
                    yield from ((chosen.id, m.description) for m in chosen.mistakes(variant.params))
                    yield from ((chosen.id, step) for step in variant.solution.steps)
                    if fmt == "open":
                        yield from ((chosen.id, criterion) for criterion, _ in chosen.rubric(variant.params))
                    if fmt == "tf":
                        view = question_view(variant, "tf")
                        yield from ((chosen.id, plain_content(s.content, lambda t: f"${t}$")) for s in view.statements)


@pytest.mark.slow
@requires_tex
def test_every_generated_key_text_prints_every_character(tmp_path):
    """δ, −, λ, σ₁ … in prose print as math: no "?" in their place, no missing glyph in the log."""
    from variantex.exams.exporters.latex import inline
    from variantex.generators.markup import parse_inline

    lines, lost = [], []
    for family_id, text in _generated_texts():
        outside_math = re.sub(r"(?<!\\)\$.*?(?<!\\)\$", "", text)
        if untypesettable(outside_math):
            lost.append((family_id, untypesettable(outside_math), text))
        lines.append(inline(parse_inline(text)))
    assert not lost, lost[:5]
    unique = list(dict.fromkeys(lines))
    document = (
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}\\usepackage{lmodern}"
        "\\usepackage{amsmath,amssymb}\\begin{document}\n" + "\n\n".join(unique) + "\n\\end{document}\n"
    )
    (tmp_path / "texts.tex").write_text(document, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "texts.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    log = (tmp_path / "texts.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log[log.find("\n!") :][:1500]
    assert "Missing character" not in log
    assert len(unique) > 1000


def _tf_text(family_id: str, seed: int) -> str:
    import numpy as np

    from variantex.generators.variant import draw_variant

    chosen = family(family_id)
    variant = draw_variant(chosen, np.random.default_rng(seed), chosen.branches[0], {}, "tf")
    return question_text(question_view(variant, "tf")).split("--- key")[0]


def test_a_true_false_stem_asks_for_no_value_digits_or_reason():
    """Before: hoeffding-bound in tf said "give decimals to 4 significant figures. What is ε?"
    and laplace-mle in tf asked to "say … why", then collected only T/F marks."""
    for seed in range(5):
        hoeffding = _tf_text("hoeffding-bound", seed)
        assert "What is" not in hoeffding and "significant figures" not in hoeffding
        laplace = _tf_text("laplace-mle", seed)
        assert "say which" not in laplace and "why" not in laplace and "Compute" not in laplace


def test_text_answers_are_stated_as_sentences():
    """Before: "sample: the validation set." (a field label, not a sentence)."""
    texts = " ".join(_tf_text("hoeffding-bound", seed) for seed in range(6))
    assert "This bound may be used on the" in texts and "sample:" not in texts


def test_the_gelu_rubric_uses_only_the_question_s_symbols():
    import numpy as np

    from variantex.generators.variant import draw_variant

    chosen = family("gelu-derivative")
    variant = draw_variant(chosen, np.random.default_rng(1), "rising", {}, "open")
    assert not any("k" in re.sub(r"\\[a-z]+", "", criterion) for criterion, _ in chosen.rubric(variant.params)[:1])


def test_a_key_lists_only_the_answers_its_question_asked():
    """Before: the k-NN multiple-choice key listed the factor for halving ε, never asked."""
    import numpy as np

    from variantex.generators.variant import draw_variant

    chosen = family("knn-sample-scaling")
    variant = draw_variant(chosen, np.random.default_rng(1), "ambient", {}, "mcq")
    view = question_view(variant, "mcq")
    assert [p.name for p in view.key_answers] == ["n"] and len(view.answers) == 2
    key = question_text(view).split("--- key")[1]
    assert "N(ε/2)" not in key.split("Worked solution")[0]


def test_terminal_text_keeps_groups_accents_and_approximations():
    """Before: `e^1/2` for e^(1/2), `tildeL`, and `x'_1 = ≈ 4.936` in the text output."""
    from click.testing import CliRunner

    from variantex.answer_engine.formatting import latex_to_text
    from variantex.cli import cli

    assert latex_to_text(r"$e^{1/2}$") == "e^(1/2)" and latex_to_text(r"$e^{\frac{1}{2}}$") == "e^(1/2)"
    assert latex_to_text(r"$x_{12} + e^{-x} + w^{\top}x$") == "x_12 + e^-x + w^⊤x"
    assert latex_to_text(r"$\tilde{L} + \bar x$") == "L\u0303 + x\u0304"
    shown = CliRunner().invoke(
        cli, ["show", "relu-backprop", "--seed", "1", "--format", "numeric", "-o", "calculator=true"]
    )
    assert shown.exit_code == 0 and "≈ 0.7239" in shown.output and "= ≈" not in shown.output


def test_an_open_question_takes_the_room_its_spec_gives(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "title: Room\nquestions:\n"
        "  - {id: a, family: relu-backprop, format: open, points: 5, space: 12 lines}\n"
        "  - {id: b, family: relu-backprop, format: open, points: 5, space: 45mm}\n"
        "  - {id: c, family: relu-backprop, format: open, points: 5}\n",
        encoding="utf-8",
    )
    roster = write_roster(tmp_path / "r.csv", [["S1", "Ann"], ["S2", "Bo"]])
    out = build(spec, tmp_path / "out", roster=roster, make_pdf=False).out
    exam = (out / "exam.tex").read_text(encoding="utf-8")
    assert exam.count(r"\answerspace{9.6cm}") == 2 and exam.count(r"\answerspace{4.5cm}") == 2
    assert exam.count(r"\answerspace{11.5cm}") == 2  # the default by points: 4 + 1.5 × 5


@pytest.mark.parametrize(
    "entry, message",
    [
        ("{family: relu-backprop, format: numeric, points: 2, space: 5cm}", "space is for open questions"),
        ("{family: relu-backprop, format: open, points: 2, space: lots}", "expected a length such as 8cm"),
        ("{family: relu-backprop, format: open, points: 2, space: 40cm}", "between 0 and 24 cm"),
    ],
)
def test_a_bad_space_is_one_line_naming_the_field(tmp_path, entry, message):
    from click.testing import CliRunner

    from variantex.cli import cli

    spec = tmp_path / "s.yaml"
    spec.write_text(f"title: Room\nquestions:\n  - {entry}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(spec), "--no-pdf", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.output and "s.yaml:3: questions[0].space" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@requires_tex
def test_a_very_long_name_is_shrunk_to_fit_never_cut(tmp_path):
    """Before: "… Featherstonehaugh de la Cruz" ran off the cover with exit 0."""
    name = "Maximiliana Augustina Wilhelmina von Hohenzollern-Sigmaringen Featherstonehaugh de la Cruz"
    roster = write_roster(tmp_path / "r.csv", [["S1", name], ["S2", "Bo"]])
    result = build(SAMPLE, tmp_path / "out", roster=roster, strict=True)  # strict: nothing into the margin
    cover = pdf_text(result.out / "exams" / "S1.pdf").split("\f")[0]
    assert " ".join(name.split()[-6:]) in " ".join(cover.split())


def _calculator_build(tmp_path, questions: str, head: str = "", expect: int = 0):
    from click.testing import CliRunner

    from variantex.cli import cli

    tmp_path.mkdir(exist_ok=True)
    spec = tmp_path / "s.yaml"
    spec.write_text(f"title: Calc\n{head}questions:\n{questions}", encoding="utf-8")
    roster = write_roster(tmp_path / "r.csv", [["S1", "Ann"], ["S2", "Bo"]])
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(spec), "--roster", str(roster), "--no-pdf", "--out", str(out)])
    assert result.exit_code == expect, result.output
    exam = (out / "exam.tex").read_text(encoding="utf-8") if expect == 0 else ""
    return result.output, exam


HOEFFDING = "  - {family: hoeffding-bound, format: numeric, points: 2}\n"
GD_STEP = "  - {family: gd-step, format: numeric, points: 2}\n"


def test_no_stem_speaks_of_calculators_the_cover_does():
    """Before: hoeffding-bound said "A calculator is allowed" in its stem, beside an exam's
    "no electronic devices"."""
    for family_id in ("hoeffding-bound", "pac-bayes-gaussian", "guess-and-check"):
        for fmt in ("numeric", "mcq", "tf") if family_id == "hoeffding-bound" else ("numeric",):
            assert "calculator" not in question_text(question_view(_draw(family_id, fmt), fmt)).lower()


def _draw(family_id: str, fmt: str, branch: str | None = None, options: dict | None = None):
    import numpy as np

    from variantex.generators.variant import draw_variant

    chosen = family(family_id)
    return draw_variant(chosen, np.random.default_rng(3), branch or chosen.branches[0], options or {}, fmt)


def test_which_questions_need_a_calculator():
    assert family("hoeffding-bound").needs_calculator(_draw("hoeffding-bound", "numeric").params)
    assert not family("gd-step").needs_calculator(_draw("gd-step", "numeric").params)
    relu = family("relu-backprop")
    assert relu.needs_calculator(_draw("relu-backprop", "numeric", options={"calculator": True}).params)
    assert not relu.needs_calculator(_draw("relu-backprop", "numeric").params)
    neumann = family("neumann-series")
    assert neumann.needs_calculator(_draw("neumann-series", "numeric", "smallest-r").params)
    assert not neumann.needs_calculator(_draw("neumann-series", "numeric", "partial-sum").params)


def test_the_cover_says_a_calculator_is_allowed_when_the_spec_or_a_question_says_so(tmp_path):
    allowed = "\\item A calculator is allowed."
    assert _calculator_build(tmp_path / "a", HOEFFDING + GD_STEP)[1].count(allowed) == 2  # both papers
    assert allowed not in _calculator_build(tmp_path / "b", GD_STEP)[1]
    assert _calculator_build(tmp_path / "c", GD_STEP, head="calculator: true\n")[1].count(allowed) == 2


def test_a_question_that_needs_a_calculator_in_an_exam_without_one_is_refused(tmp_path):
    output, _ = _calculator_build(tmp_path, GD_STEP + HOEFFDING, head="calculator: false\n", expect=2)
    assert output.strip().endswith(
        "s.yaml:5: questions[1]: hoeffding-bound needs a calculator (decimals or logarithms), "
        "and the spec says calculator: false"
    ), output
    assert len(output.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
    output, _ = _calculator_build(tmp_path / "bad", GD_STEP, head="calculator: maybe\n", expect=2)
    assert "s.yaml:2: calculator: expected true (allowed) or false (not allowed)" in output


def test_instructions_that_speak_of_calculators_get_a_warning_when_the_spec_is_silent(tmp_path):
    head = 'instructions: ["No electronic devices."]\n'
    output, exam = _calculator_build(tmp_path, HOEFFDING, head=head)
    assert output.count("instructions[0] speaks of calculators, and hoeffding-bound needs one") == 1, output
    assert "A calculator is allowed." in exam


@requires_tex
def test_the_cover_can_say_how_many_pages_the_paper_has(tmp_path):
    """Issue 26, item 7: an optional "N pages" line, true for every paper (counted by TeX)."""
    spec = tmp_path / "s.yaml"
    spec.write_text(SAMPLE.read_text(encoding="utf-8") + "page_count: true\n", encoding="utf-8")
    roster = write_roster(tmp_path / "r.csv", [["S1", "Ann"], ["S2", "Bo"], ["S3", "王小明"]])
    result = build(spec, tmp_path / "out", roster=roster, strict=True)
    counts = []
    for student in ("S1", "S2", "S3"):
        pdf = result.out / "exams" / f"{student}.pdf"
        said = re.search(r"This paper has (\d+) pages, this cover and the answer sheet included", pdf_text(pdf))
        assert said and int(said[1]) == pages(pdf), student
        counts.append(int(said[1]))
        assert "pages, this cover" not in pdf_text(result.out / "keys" / f"{student}.pdf")
    exam_tex = (result.out / "exam.tex").read_text(encoding="utf-8")
    assert re.findall(r"\\vxpages\{(\d+)\}", exam_tex) == [str(n) for n in counts]  # exam.tex says it too
    from click.testing import CliRunner

    from variantex.cli import cli

    verified = CliRunner().invoke(cli, ["verify", str(result.out / "manifest.json")])
    assert verified.exit_code == 0, verified.output  # the papers' recorded digests are of the filled exam.tex
    quiet = build(SAMPLE, tmp_path / "plain", roster=roster, make_pdf=False)
    assert "This paper has" not in (quiet.out / "exam.tex").read_text(encoding="utf-8")
    unknown = build(spec, tmp_path / "tex", roster=roster, make_pdf=False)
    assert any("page_count: without PDFs" in w for w in unknown.warnings)

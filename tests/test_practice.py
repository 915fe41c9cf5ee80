"""Practice sets: the self-checking HTML page (in a real headless chromium), the PDF
worksheet, and the page that gives nothing away."""

from __future__ import annotations

import json
import random
import re
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.browser import ARTIFACTS, chromium, requires_browser
from tests.conftest import requires_tex
from variantex.cli import cli
from variantex.exams.audit import judge_claim
from variantex.exams.bank import draw_bank
from variantex.exams.exporters.html import mathml
from variantex.exams.lms.html import notation_html
from variantex.exams.practice import spec_from_items


def numeric_families() -> list[str]:
    from variantex.generators import families

    return [f.id for f in families() if "numeric" in f.formats]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def expanded(page: Path) -> str:
    """The page with every stored (compressed) variant unpacked, as a browser would show them."""
    import base64
    import gzip

    text = page.read_text(encoding="utf-8")
    stored = [
        gzip.decompress(base64.b64decode(encoded)).decode("utf-8")
        for variants in page_data(page)["later"].values()
        for _, encoded in variants
    ]
    return text + "\n".join(stored)


def page_data(page: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    return json.loads(
        re.search(r'<script type="application/json" id="variantex-data">(.*?)</script>', text, re.DOTALL)
        .group(1)
        .replace("<\\/", "</")
    )


@pytest.fixture(scope="module")
def practice_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("practice") / "set"
    result = run(
        "practice",
        "relu-backprop:numeric",
        "eigen-determinant:mcq",
        "loss-ordering:mcq",
        "shapley-and:open",
        "--count",
        "4",
        "--seed",
        "7",
        "--out",
        str(out),
        "--to",
        "html",
    )
    assert result.exit_code == 0, result.output
    return out


def test_the_page_is_one_offline_file_with_mathml_and_inline_svg(practice_set):
    page = (practice_set / "practice.html").read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from anywhere
    assert "<script src" not in page and "<link" not in page
    assert page.count("<math") > 20 and "<svg" in page
    assert page.count('class="variant"') == 4 and page.count("Variant 1 of 4") == 4  # the rest are stored
    assert [len(v) for v in page_data(practice_set / "practice.html")["later"].values()] == [3, 3, 3, 3]
    whole = expanded(practice_set / "practice.html")
    assert whole.count('class="variant"') == 16 and whole.count("<math") > 100
    data = page_data(practice_set / "practice.html")
    assert set(data["keys"]) == {
        f"{slot}-v00{i}"
        for slot in ("relu-backprop", "eigen-determinant", "loss-ordering", "shapley-and")
        for i in range(1, 5)
    }
    assert data["rules"]["max_digits"] == 40 and "infinity" in data["rules"]["infinity"]


def test_no_answers_leaves_every_answer_out(tmp_path):
    out = tmp_path / "proctored"
    result = run(
        "practice",
        "relu-backprop:numeric",
        "eigen-determinant:numeric",
        "--count",
        "3",
        "--seed",
        "2",
        "--no-answers",
        "--out",
        str(out),
        "--to",
        "html",
    )
    assert result.exit_code == 0, result.output
    page = expanded(out / "practice.html")
    assert page_data(out / "practice.html")["keys"] is None
    assert 'class="show-solution"' not in page and ">Check<" not in page and "Forward:" not in page
    assert 'class="solution"' not in page
    bank = draw_bank(spec_from_items(["relu-backprop:numeric", "eigen-determinant:numeric"], 2), 2, 3)
    for slot in bank.slots:
        for variant in slot.variants:
            for part in variant.view.answers:
                value = part.value
                written = [str(value)] + ([] if isinstance(value, str) else [f"{float(value):.6g}"])
                for text in written:
                    if len(text) > 2:  # a digit or two occurs in any page
                        assert f'"{text}"' not in page and f">{text}<" not in page, (variant.id, part.name, text)
    manifest = json.loads((out / "manifest.json").read_text())
    assert all("key" not in v for s in manifest["slots"] for v in s["variants"])


@requires_tex
def test_the_worksheet_has_the_questions_in_sequence_and_solutions_at_the_end(tmp_path):
    import subprocess

    out = tmp_path / "sheet"
    assert (
        run(
            "practice", "eigen-determinant:numeric", "shapley-and:mcq", "--count", "2", "--out", str(out), "--to", "pdf"
        ).exit_code
        == 0
    )
    text = subprocess.run(["pdftotext", str(out / "practice.pdf"), "-"], capture_output=True, text=True).stdout
    assert [int(n) for n in re.findall(r"Question (\d+)", text)] == [1, 2, 3, 4, 1, 2, 3, 4]  # then solutions
    assert text.index("Solutions") > text.index("Question 4")
    inline = tmp_path / "inline"
    assert (
        run(
            "practice",
            "eigen-determinant:numeric",
            "--count",
            "2",
            "--inline-solutions",
            "--out",
            str(inline),
            "--to",
            "pdf",
        ).exit_code
        == 0
    )
    text = subprocess.run(["pdftotext", str(inline / "practice.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Solutions" not in text and text.index("Solution.") < text.index("Question 2")
    bare = tmp_path / "bare"
    assert (
        run(
            "practice", "eigen-determinant:numeric", "--count", "2", "--no-answers", "--out", str(bare), "--to", "pdf"
        ).exit_code
        == 0
    )
    text = subprocess.run(["pdftotext", str(bare / "practice.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Solution" not in text and "no solutions included" in text


def test_bad_practice_input_is_one_line_exit_2(tmp_path):
    for args, message in [
        (["practice", "nosuch"], "unknown family"),
        (["practice", "relu-backprop:essay"], "has no format 'essay'"),
        (["practice", "relu-backprop", "--count", "0"], "--count"),
        (["practice", str(tmp_path / "missing.yaml")], "no such file"),
    ]:
        result = run(*args, "--out", str(tmp_path / "o"))
        assert result.exit_code == 2 and message in result.output and len(result.output.strip().splitlines()) == 1


# --- in the browser ---------------------------------------------------------------------------


def _closed_form(claim: str) -> bool:
    from variantex.answer_engine import exact

    text = claim.strip()
    return bool(re.search(r"[a-z(*^]", text.lower())) and exact.looks_numeric(text) and not exact.is_decimal_text(text)


def _claims(rng: random.Random, view, variant) -> list[tuple[str, str]]:
    """(part, claim) pairs a student might type: right answers in every form, near misses,
    named mistakes, words, typos, and numbers out of bounds."""
    family, params = variant.family, variant.params
    mistakes = [m for m in family.mistakes(params) if not m.guess]
    claims = []
    for part in view.asked:
        value = part.value
        candidates = [
            "banana",
            "cannot be determined",
            "Undetermined ",
            "infinity",
            "-inf",
            "∞",
            "1e999",
            "3/0",
            str(rng.randint(-20, 20)),
            f"{rng.randint(-9, 9)}/{rng.randint(1, 9)}",
            "-0",
            "+0.50",
            "2.5e-1",
            " 3 / 4 ",
            "sqrt(2)/2"[:0] or "0.5",
        ]
        if not isinstance(value, str) and value.is_finite:
            exact = Fraction(int(value.p), int(value.q)) if value.is_Rational else None
            number = float(value)
            candidates += [
                str(value).replace(" ", ""),
                f"{number:.2g}",
                f"{number:.3g}",
                f"{number:.5g}",
                repr(number * 1.0099),
                repr(number * 1.0101),
                repr(number * 0.9901),
                repr(-number),
            ]
            if exact is not None:
                candidates += [f"{exact.numerator * 2}/{exact.denominator * 2}"]
        else:
            candidates += [str(value), str(value).upper()]
        for mistake in mistakes:
            wrong = mistake.values.get(part.name)
            if wrong is None:
                continue
            candidates.append(str(wrong))
            if not isinstance(wrong, str) and wrong.is_finite:
                candidates.append(f"{float(wrong):.4g}")
        claims += [(part.name, c) for c in candidates]
    return claims


@pytest.fixture(scope="module")
def judging_page(tmp_path_factory) -> tuple[Path, dict]:
    items = [f"{family}:numeric" for family in numeric_families()]  # every family, as the registry grows
    out = tmp_path_factory.mktemp("judging") / "set"
    assert run("practice", *items, "--count", "14", "--seed", "11", "--out", str(out), "--to", "html").exit_code == 0
    bank = draw_bank(spec_from_items(items, 11), 11, 14)
    return out / "practice.html", {f"{s.spec.slot}-{v.id}": v for s in bank.slots for v in s.variants}


@requires_browser
def test_browser_verdicts_equal_variantex_check_on_random_claims(judging_page):
    page, variants = judging_page
    rng = random.Random(2027)
    per_family: dict[str, int] = {}
    cases = []
    for ident, variant in variants.items():
        claims = _claims(rng, variant.view, variant.variant)
        per_family[variant.variant.family.id] = per_family.get(variant.variant.family.id, 0) + len(claims)
        cases += [(ident, part, claim) for part, claim in claims]
    assert set(per_family) == set(numeric_families()) and min(per_family.values()) >= 200, per_family
    with chromium() as browser:
        browser.get(page.as_uri())
        verdicts = browser.execute_script(
            "return arguments[0].map(([id, part, claim]) => window.variantexJudge(id, part, claim));", cases
        )
    differences = []
    closed = 0
    for (ident, part, claim), seen in zip(cases, verdicts):
        closed += _closed_form(claim)  # sqrt(2)/2, log(3)/12500: read on the page as by `check` (issue 27)
        verdict, description = judge_claim(variants[ident].variant, part, claim)
        # The page shows a description as HTML: scripts as <sup>/<sub>, math as MathML.
        expected = (verdict, notation_html(description, mathml) if description else "")
        if (seen["verdict"], seen["mistake"]) != expected:
            differences.append((ident, part, claim, expected, seen))
    assert not differences, differences[:5]
    assert closed >= 100, closed
    kinds = {judge_claim(variants[i].variant, p, c)[0] for i, p, c in cases}
    assert kinds == {"correct", "wrong", "mistake", "unreadable"}  # every verdict was exercised


@requires_browser
def test_a_student_answers_checks_reveals_and_moves_on(practice_set):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    bank = draw_bank(
        spec_from_items(["relu-backprop:numeric", "eigen-determinant:mcq", "loss-ordering:mcq", "shapley-and:open"], 7),
        7,
        4,
    )
    relu = next(v for v in bank.slots[0].variants if v.id == "v001")
    eigen = next(v for v in bank.slots[1].variants if v.id == "v001")
    right = relu.view.asked[0]  # a1
    wrong_option = next(o for o in eigen.view.options if not o.correct and not o.mistake.guess)
    with chromium(width=420, height=900) as browser:  # a phone-sized window
        browser.get((practice_set / "practice.html").as_uri())
        form = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="relu-backprop-v001"]')
        form.find_element(By.ID, f"relu-backprop-v001-{right.name}").send_keys(str(right.value))
        second = relu.view.asked[1]
        form.find_element(By.ID, f"relu-backprop-v001-{second.name}").send_keys("12345")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        lines = [line.text for line in form.find_elements(By.CSS_SELECTOR, ".feedback p")]
        assert lines[0].endswith(": correct.") and lines[1].endswith(": not correct."), lines
        mcq = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="eigen-determinant-v001"]')
        mcq.find_element(By.CSS_SELECTOR, f'input[value="{wrong_option.letter}"]').click()
        mcq.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        feedback = mcq.find_element(By.CLASS_NAME, "feedback").text
        assert f"({wrong_option.letter}) is not correct." in feedback
        assert f"This is what you get if you {wrong_option.mistake.description}." in feedback
        show = mcq.find_element(By.CLASS_NAME, "show-solution")
        show.click()
        solution = browser.find_element(By.ID, "eigen-determinant-v001-solution")
        assert solution.is_displayed() and show.get_attribute("aria-expanded") == "true"
        assert "Answers:" in solution.text
        mcq.find_element(By.CLASS_NAME, "another").click()
        section = browser.find_element(By.ID, "question-eigen-determinant")
        WebDriverWait(browser, 5).until(
            lambda _: section.find_element(By.CSS_SELECTOR, "article:not([hidden]) h3").text == "Variant 2 of 4"
        )
        assert browser.find_element(By.ID, "eigen-determinant-v002").is_displayed()
        assert not browser.find_element(By.ID, "eigen-determinant-v001").is_displayed()
        assert browser.switch_to.active_element.text == "Variant 2 of 4"  # focus follows, for keyboards
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "practice-page.png"))
    assert (ARTIFACTS / "practice-page.png").stat().st_size > 10_000


@requires_browser
def test_the_keyboard_alone_can_answer(practice_set):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with chromium() as browser:
        browser.get((practice_set / "practice.html").as_uri())
        field = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="relu-backprop-v001"] input[type=text]')
        field.send_keys("banana", Keys.ENTER)  # Enter submits the form
        feedback = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="relu-backprop-v001"] .feedback')
        assert 'cannot read "banana"' in feedback.text
        labels = browser.find_elements(By.CSS_SELECTOR, 'form[data-variant="relu-backprop-v001"] label')
        assert all(label.get_attribute("for") for label in labels)  # every input has its label


def test_practice_from_an_exam_spec_covers_every_slot(tmp_path):
    spec = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "four-families.yaml"
    out = tmp_path / "from-spec"
    result = run("practice", str(spec), "--count", "2", "--out", str(out), "--to", "html")
    assert result.exit_code == 0, result.output
    page = (out / "practice.html").read_text(encoding="utf-8")
    from variantex.exams.spec import load_spec

    slots = [q.slot for q in load_spec(spec).questions]
    assert [m for m in re.findall(r'<section class="question" id="question-([^"]+)"', page)] == slots
    assert "<title>Practice: Final exam — sample</title>" in page
    open_slot = next(q.slot for q in load_spec(spec).questions if q.format == "open")
    article = page[page.index(f'id="{open_slot}-v001"') :]
    article = article[: article.index("</article>")]
    assert "<textarea" in article and 'class="show-solution"' in article and ">Check<" not in article


_TEX_LEFTOVER = re.compile(r"\\[A-Za-z]|[\^_]\{|\$|(?<![\w<])big/|[\^_](?=[\w−⊤])")


def _feedback_markup() -> dict[str, str]:
    """Every named mistake's description and every statement's justification, as the page
    shows them (exams/exporters/html.variant_key), over a few draws of every branch and format."""
    import numpy as np

    from variantex.answer_engine.errors import InvalidParams
    from variantex.exams.exporters.html import mathml, variant_key
    from variantex.exams.lms.html import notation_html
    from variantex.exams.view import question_view
    from variantex.generators import families
    from variantex.generators.variant import draw_variant

    descriptions: dict[str, int] = {}
    where: dict[str, str] = {}
    for chosen in families():
        for branch in chosen.branches:
            for fmt in chosen.formats:
                for seed in range(3):
                    try:
                        variant = draw_variant(chosen, np.random.default_rng(seed), branch, {}, fmt)
                    except InvalidParams:  # a branch this format cannot draw
                        continue
                    before = set(descriptions)
                    variant_key(question_view(variant, fmt), variant, descriptions)
                    for mistake in chosen.mistakes(variant.params):
                        descriptions.setdefault(notation_html(mistake.description, mathml), len(descriptions))
                    where.update({markup: f"{chosen.id} {branch} {fmt}" for markup in set(descriptions) - before})
    return where


def test_no_feedback_or_justification_leaves_tex_behind():
    """Before: feedback printed ∂E/∂w_1, n^2, QK^⊤ as text and 'minimise 1 big/ ∑_i |y_i − μ|'."""
    found = _feedback_markup()
    assert len(found) > 500
    leftovers = []
    for markup, origin in found.items():
        maths = re.findall(r"<math\b.*?</math>", markup, re.DOTALL)
        outside = re.sub(r"<math\b.*?</math>", " ", markup, flags=re.DOTALL)
        text = re.sub(r"<[^>]+>", "", outside)
        if _TEX_LEFTOVER.search(text) or any("\\" in m for m in maths):
            leftovers.append((origin, text[:120]))
    assert not leftovers, leftovers[:10]
    assert any("<sup>⊤</sup>" in m for m in found) and any("<math" in m for m in found)

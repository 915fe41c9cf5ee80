"""A practice page a student comes back to (issue 27), in Debian's chromium: progress kept
across a reload, scores, reset and export; math in feedback; two quick clicks; a phone's
width measured by element boxes; printing; a set published as a folder; axe-core."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.browser import ARTIFACTS, chromium, requires_browser
from variantex.cli import cli
from variantex.exams.bank import draw_bank
from variantex.exams.practice import spec_from_items

pytestmark = [requires_browser, pytest.mark.slow]

ITEMS = ["relu-backprop:numeric", "eigen-determinant:mcq", "tf-attention-cost:tf", "loss-ordering:numeric"]
AXE = Path(__file__).resolve().parents[1] / ".cache" / "axe-core-4.10.2" / "axe.min.js"


@pytest.fixture(scope="module")
def practice(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student") / "set"
    result = CliRunner().invoke(cli, ["practice", *ITEMS, "-n", "4", "--seed", "7", "--to", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "practice.html"


def ready(browser) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda b: b.execute_script("return document.body.dataset.ready === 'true'"))


def shown(browser, slot: str) -> str:
    return browser.execute_script(
        "return document.querySelector(`#question-${arguments[0]} article.variant:not([hidden])`).id;", slot
    )


def test_progress_survives_a_reload_and_reset_forgets_it(practice):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    bank = draw_bank(spec_from_items(ITEMS, 7), 7, 4)
    relu = bank.slots[0].variants[0]
    eigen = bank.slots[1].variants[0]
    wrong = next(o for o in eigen.view.options if not o.correct)
    with chromium() as browser:
        browser.get(practice.as_uri())
        ready(browser)
        assert browser.find_element(By.ID, "progress-score").text == "Your score: nothing checked yet."
        form = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="relu-backprop-v001"]')
        for part in relu.view.asked:
            form.find_element(By.ID, f"relu-backprop-v001-{part.name}").send_keys(str(part.value))
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        mcq = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="eigen-determinant-v001"]')
        mcq.find_element(By.CSS_SELECTOR, f'input[value="{wrong.letter}"]').click()
        mcq.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        for target in ("loss-ordering-v002", "loss-ordering-v003"):
            browser.find_element(By.CSS_SELECTOR, "#question-loss-ordering article:not([hidden]) .another").click()
            WebDriverWait(browser, 5).until(lambda b, target=target: shown(b, "loss-ordering") == target)
        score = "Your score: 1 of 2 variants checked are right."
        assert browser.find_element(By.ID, "progress-score").text == score

        browser.refresh()
        ready(browser)
        assert browser.find_element(By.ID, "progress-score").text == score
        assert shown(browser, "loss-ordering") == "loss-ordering-v003"  # the variant it showed
        first = relu.view.asked[0]
        value = browser.find_element(By.ID, f"relu-backprop-v001-{first.name}").get_attribute("value")
        assert value == str(first.value)
        assert browser.find_element(By.CSS_SELECTOR, f'input[value="{wrong.letter}"]').is_selected()
        feedback = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="eigen-determinant-v001"] .feedback')
        assert f"({wrong.letter}) is not correct." in feedback.text  # verdicts shown again
        per_question = browser.find_element(By.CSS_SELECTOR, "#question-relu-backprop .score").text
        assert per_question == "1 of 1 variants checked are right."

        browser.find_element(By.ID, "reset-progress").click()
        browser.switch_to.alert.accept()
        ready(browser)
        assert browser.find_element(By.ID, "progress-score").text == "Your score: nothing checked yet."
        assert shown(browser, "loss-ordering") == "loss-ordering-v001"
        assert browser.find_element(By.ID, f"relu-backprop-v001-{first.name}").get_attribute("value") == ""
        assert browser.execute_script("return Object.keys(localStorage).length") == 0  # nothing else kept


def test_an_attempt_is_saved_as_json_and_csv(practice, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium() as browser:
        browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
        browser.get(practice.as_uri())
        ready(browser)
        field = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="relu-backprop-v001"] input[type=text]')
        field.send_keys("−27/16")
        browser.find_element(By.CSS_SELECTOR, 'form[data-variant="relu-backprop-v001"] button[type=submit]').click()
        attempt = json.loads(browser.execute_script("return window.variantexExport('json')"))
        assert attempt["saved_in"] == "this browser only"
        [row] = attempt["answered"]
        assert row["variant"] == "v001" and row["verdict"] == "wrong" and "−27/16" in row["answers"].values()
        browser.find_element(By.CSS_SELECTOR, 'button[data-export="csv"]').click()
        WebDriverWait(browser, 10).until(lambda _: (tmp_path / "my-attempt.csv").exists())
    lines = (tmp_path / "my-attempt.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "question,variant,field,answer,verdict" and lines[1].endswith(",−27/16,wrong")


def test_feedback_math_is_rendered_not_printed_as_tex(practice):
    from selenium.webdriver.common.by import By

    bank = draw_bank(spec_from_items(ITEMS, 7), 7, 4)
    statements = bank.slots[2].variants[0].view.statements
    with chromium() as browser:
        browser.get(practice.as_uri())
        ready(browser)
        form = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="tf-attention-cost-v001"]')
        for statement in statements:  # every statement answered wrong: every justification shown
            form.find_element(
                By.CSS_SELECTOR,
                f'input[data-statement="{statement.number}"][value="{"F" if statement.truth else "T"}"]',
            ).click()
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        feedback = form.find_element(By.CLASS_NAME, "feedback")
        assert len(feedback.find_elements(By.CSS_SELECTOR, "math, sup, sub")) > 0
        assert not re.search(r"\\[a-z]|\^\{|_\{|\$", feedback.text), feedback.text
        numeric = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="relu-backprop-v001"]')
        numeric.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # nothing typed: every part named
        lines = numeric.find_elements(By.CSS_SELECTOR, ".feedback p")
        assert len(lines) == len(bank.slots[0].variants[0].view.asked)
        assert all(line.find_elements(By.TAG_NAME, "math") for line in lines)  # ∂E/∂w₁ as math, not "∂E/∂w_1"
        assert "_" not in numeric.find_element(By.CLASS_NAME, "feedback").text


def test_two_quick_clicks_show_two_variants_on(practice):
    with chromium() as browser:
        browser.get(practice.as_uri())
        ready(browser)
        browser.execute_script(  # faster than any unpacking: both clicks before the first ends
            "const b = document.querySelector('#question-eigen-determinant button.another'); b.click(); b.click();"
        )
        browser.implicitly_wait(0)
        for _ in range(50):
            if shown(browser, "eigen-determinant") == "eigen-determinant-v003":
                break
            browser.execute_script("return new Promise((r) => setTimeout(r, 50))")
        assert shown(browser, "eigen-determinant") == "eigen-determinant-v003"
        browser.execute_script(
            "const b = document.querySelector('#question-eigen-determinant button.another'); b.click(); b.click();"
        )
        browser.execute_async_script("setTimeout(arguments[0], 500)")
        ids = browser.execute_script(
            "return [...document.querySelectorAll('#question-eigen-determinant article.variant')].map((a) => a.id)"
        )
        assert sorted(ids) == [f"eigen-determinant-v00{i}" for i in range(1, 5)]  # each once, all reachable
        assert shown(browser, "eigen-determinant") == "eigen-determinant-v001"  # 3 → 4 → 1


def phone(browser) -> None:
    """A 390-px phone screen (a window cannot be made that narrow: chromium's least is ~500)."""
    metrics = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def test_a_phone_width_keeps_statements_in_their_boxes_and_figures_readable(practice):
    with chromium() as browser:
        phone(browser)
        browser.get(practice.as_uri())
        ready(browser)
        overflowing = browser.execute_script(
            """return [...document.querySelectorAll('fieldset.statement')].filter((box) => {
                 const outer = box.getBoundingClientRect(), legend = box.querySelector('legend').getBoundingClientRect();
                 return legend.right > outer.right + 0.5 || outer.right > document.documentElement.clientWidth;
               }).length"""
        )
        smallest = browser.execute_script(
            """const sizes = [...document.querySelectorAll('.figure svg text')]
                 .map((t) => t.getBoundingClientRect().height).filter((h) => h > 0);
               return sizes.length ? Math.min(...sizes) : null"""
        )
        page_width = browser.execute_script("return document.documentElement.scrollWidth")
        assert browser.execute_script("return document.documentElement.clientWidth") == 390
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "practice-phone.png"))
    assert overflowing == 0
    assert smallest is not None and smallest >= 9, smallest  # labels at their size, not ~6 px
    assert page_width <= 390  # a wide figure scrolls inside its box, the page does not


def test_a_single_page_links_to_no_index(practice):
    assert 'href="index.html"' not in practice.read_text(encoding="utf-8")


def test_printing_prints_the_variants_on_screen_without_controls(practice, tmp_path):
    with chromium() as browser:
        browser.get(practice.as_uri())
        ready(browser)
        browser.execute_script("document.querySelector('#question-eigen-determinant button.another').click()")
        browser.execute_async_script("setTimeout(arguments[0], 300)")
        pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
    (tmp_path / "printed.pdf").write_bytes(base64.b64decode(pdf["data"]))
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "printed.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Variant 2 of 4" in text and "Variant 1 of 4" in text  # eigen on 2, the others on 1
    for control in ("Check", "Another variant", "Show solution", "Reset my progress", "Save my attempt"):
        assert control not in text, control


def test_a_set_published_as_a_folder_links_each_topic_and_titles_them_by_name(tmp_path):
    from selenium.webdriver.common.by import By

    out = tmp_path / "set"
    result = CliRunner().invoke(
        cli, ["practice", *ITEMS[:2], "-n", "3", "--to", "html", "--layout", "folder", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.html")) == ["eigen-determinant.html", "index.html", "relu-backprop.html"]
    with chromium() as browser:
        browser.get((out / "index.html").as_uri())
        title = browser.find_element(By.TAG_NAME, "h1").text
        assert "relu-backprop" not in title and title.startswith("Practice: ")  # names, not ids
        links = browser.find_elements(By.CSS_SELECTOR, "nav a")
        assert [link.get_attribute("href").rsplit("/", 1)[1] for link in links] == [
            "relu-backprop.html",
            "eigen-determinant.html",
        ]
        links[1].click()
        ready(browser)
        headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "article.variant:not([hidden]) h3")]
        assert headings == ["Variant 1 of 3"]
        assert "Variant 1 of 3\nVariant 1" not in browser.find_element(By.TAG_NAME, "main").text
        browser.find_element(By.LINK_TEXT, "All topics").click()
        assert browser.find_element(By.TAG_NAME, "h1").text == title
        if AXE.exists():
            assert axe_violations(browser) == []


def axe_violations(browser) -> list:
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    report = browser.execute_async_script("axe.run(document).then(arguments[0]);")
    return [(v["id"], v["help"], len(v["nodes"])) for v in report["violations"]]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not fetched (scripts/setup-browser.sh fetches it with npm)")
def test_axe_core_finds_no_violations_after_a_student_has_worked(practice):
    from selenium.webdriver.common.by import By

    with chromium() as browser:
        browser.get(practice.as_uri())
        ready(browser)
        form = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="relu-backprop-v001"]')
        form.find_element(By.CSS_SELECTOR, "input[type=text]").send_keys("banana")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        # An unreadable answer (and the blank parts) is not a verdict: the score does not count it.
        assert browser.find_element(By.ID, "progress-score").text == "Your score: nothing checked yet."
        violations = axe_violations(browser)
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "practice-worked.png"))
    assert violations == [], violations

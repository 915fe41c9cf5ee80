"""Hostile text in every string a user controls reaches the practice page as text, never as
markup, and the page's Content-Security-Policy stops script even where escaping slipped.

Checked in a real headless chromium: each payload tries to set `document.body.id` (an
element handler, an inline script, a `javascript:` URL); after the page has loaded and every
variant has been shown, the id must still be empty and the payload visible as text.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.browser import chromium, requires_browser

PAYLOADS = (
    "<svg/onload=body.id=7>",
    "<img src=x onerror=body.id=8>",
    "]]><b>x</b>",
    "a&b",
    "<script>body.id=9</script>",
    '"><a href="javascript:body.id=10">',
)


# Player names (at most 24 characters): the family's string params.
NAMES = ("<svg/onload=body.id=7>", "]]><b>x</b>", "a&b", "<b onclick=x>b</b>", '"><i>q</i>', "<iframe src=x>")


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML strings


def _spec(folder: Path) -> Path:
    players = list(NAMES)
    spec = folder / "spec.yaml"
    spec.write_text(
        textwrap.dedent(f"""\
        title: {_yaml("Quiz " + " ".join(PAYLOADS))}
        course: {_yaml(PAYLOADS[0])}
        seed: 3
        questions:
          - id: names
            family: shapley-and
            format: mcq
            points: 2
            params: {{players: {json.dumps(players, ensure_ascii=False)}, required: {json.dumps(players[:2], ensure_ascii=False)}}}
          - id: drawn
            family: shapley-and
            format: open
            points: 2
        """),
        encoding="utf-8",
    )
    return spec


def _variantex(*args: str) -> None:
    """The installed command, as a user runs it, on the payload spec."""
    done = subprocess.run([sys.executable, "-m", "variantex.cli", *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def _practice(folder: Path) -> Path:
    out = folder / "set"
    _variantex("practice", str(_spec(folder)), "--count", "3", "--out", str(out), "--to", "html")
    return out / "practice.html"


def test_payloads_stay_text_in_the_page_source(tmp_path):
    page = _practice(tmp_path).read_text(encoding="utf-8")
    for payload in (*PAYLOADS, *NAMES):
        if "<" in payload:
            assert payload not in page, payload
    assert "<svg/onload" not in page and "<iframe" not in page and "<b onclick" not in page
    policy = html.unescape(page.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0])
    assert policy.startswith("default-src 'none'; script-src 'sha256-") and "unsafe" not in policy


def _visit(browser, page: Path) -> str:
    from selenium.webdriver.common.by import By

    browser.get(page.as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    for section in browser.find_elements(By.CSS_SELECTOR, "section.question"):  # show every variant once
        for shown in (2, 3):
            button = next(b for b in section.find_elements(By.CLASS_NAME, "another") if b.is_displayed())
            browser.execute_script("arguments[0].click()", button)
            WebDriverWait(browser, 10).until(
                lambda _, n=shown, s=section: (
                    s.find_element(By.CSS_SELECTOR, "article:not([hidden]) h3").text == f"Variant {n} of 3"
                )
            )
    return browser.execute_script("return document.body.id")


@requires_browser
def test_no_payload_runs_in_chromium_and_each_reads_as_text(tmp_path):
    page = _practice(tmp_path)
    with chromium() as browser:
        assert _visit(browser, page) == ""
        text = browser.find_element("tag name", "body").text
        for name in NAMES:
            assert name in text, name  # shown as the text it is


@requires_browser
def test_the_policy_stops_script_that_escaping_let_through(tmp_path):
    page = _practice(tmp_path)
    # An escaping slip, simulated: raw markup spliced into the page after it was written.
    source = page.read_text(encoding="utf-8")
    slipped = source.replace(
        "<main>",
        '<main><img src="x" onerror="document.body.id=\'handler\'"><script>document.body.id="inline"</script>'
        "<svg onload=\"document.body.id='svg'\"></svg>",
        1,
    )
    page.write_text(slipped, encoding="utf-8")
    with chromium() as browser:
        assert _visit(browser, page) == ""
        # and the page's own script still runs: its first question has its controls
        assert browser.execute_script("return document.querySelectorAll('form[data-variant]').length") > 0


def _lms_html(folder: Path, target: str) -> str:
    """Every piece of HTML an LMS would show from an export of the payload spec, as one page."""
    import zipfile

    from lxml import etree

    from variantex.exams.lms.checks import holds_html

    out = folder / f"bank-{target}"
    _variantex("export", str(_spec(folder)), "--to", target, "--variants", "2", "--out", str(out))
    if target == "moodle":
        documents = [out.read_bytes()]
    else:
        with zipfile.ZipFile(out) as archive:
            documents = [archive.read(n) for n in archive.namelist() if n.endswith(".xml")]
    parts = []
    for document in documents:
        root = etree.fromstring(document, etree.XMLParser(resolve_entities=False))
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            local = etree.QName(element).localname
            if holds_html(element, local) and element.text:  # HTML as text (Moodle, Canvas)
                parts.append(element.text)
            elif local in ("itemBody", "modalFeedback", "feedbackInline"):  # XHTML (QTI 2.1)
                parts.append(etree.tostring(element, method="html", encoding="unicode"))
    return "<!DOCTYPE html><html><body>" + "\n".join(parts) + "</body></html>"


@requires_browser
@pytest.mark.parametrize("target", ["moodle", "canvas", "qti21"])
def test_no_payload_runs_in_what_an_lms_would_show(tmp_path, target):
    page = tmp_path / "lms.html"
    page.write_text(_lms_html(tmp_path, target), encoding="utf-8")
    html_text = page.read_text(encoding="utf-8")
    assert all(name not in html_text for name in NAMES if "<" in name), html_text
    with chromium() as browser:
        browser.get(page.as_uri())
        assert browser.execute_script("return document.body.id") == ""
        assert browser.execute_script("return document.querySelectorAll('svg[onload], iframe, b[onclick]').length") == 0

"""Checks of a Canvas QTI 1.2 zip (see checks.py): the assessment against the QTI 1.2 ASI
schema; the manifest and assessment_meta.xml against the shape Canvas imports (Canvas's
manifests pass no published schema); per-type response processing; images; keys."""

from __future__ import annotations

import html
import re
import zipfile
from decimal import Decimal
from fractions import Fraction

from variantex.exams.bank import stated_part
from variantex.exams.lms import canvas
from variantex.exams.lms.checks import (
    Problem,
    math_problems,
    open_package,
    parse_xml,
    read_points,
    stated_key,
    stated_points,
    validate,
)

QTI12_SCHEMA = "ims/qti12/domainProfile_4/ims_qtiasiv1p2.xsd"
TYPES = (
    "multiple_choice_question",
    "numerical_question",
    "short_answer_question",
    "fill_in_multiple_blanks_question",
    "multiple_dropdowns_question",
    "essay_question",
)
META_TYPE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"


def expected_key(view) -> dict:
    return {**_expected_answers(view), "points": stated_points(view.points)}


def _expected_answers(view) -> dict:
    if view.format != "numeric":
        return stated_key(view, canvas.inline_html)
    parts = view.asked
    if len(parts) == 1:
        return {"parts": [stated_part(view, parts[0])]}
    return {"parts": [{"accepted": canvas.blank_answers(view, part)} for part in parts]}


def c(tag: str) -> str:
    return f"{{{canvas.CANVAS_CP}}}{tag}"


def t(tag: str) -> str:
    return f"{{{canvas.QTI12}}}{tag}"


def check(name: str, archive: zipfile.ZipFile) -> tuple[dict, list[Problem]]:
    names, label, manifest, problems = open_package(name, archive)
    if manifest is None:
        return {}, problems

    def report(message: str, at=None) -> None:
        problems.append(Problem(label, at.sourceline if at is not None else None, "", message))

    if manifest.tag != c("manifest"):
        report(f"the root is {manifest.tag}, not Canvas's imscp manifest")
        return {}, problems
    resources = {r.get("identifier"): r for r in manifest.iter(c("resource"))}
    if len(resources) != len(list(manifest.iter(c("resource")))):
        report("a resource identifier is used twice")
    named: set[str] = {"imsmanifest.xml"}
    for resource in resources.values():
        for href in [resource.get("href")] + [f.get("href") for f in resource.iter(c("file"))]:
            if href is None:
                continue
            named.add(href)
            if href not in names:
                report(f"resource {resource.get('identifier')} names {href}, which is not in the zip", resource)
    for stray in sorted(names - named):
        report(f"{stray} is in the zip but no resource names it")
    quizzes = [r for r in resources.values() if r.get("type") == "imsqti_xmlv1p2"]
    if len(quizzes) != 1:
        report(f"expected one imsqti_xmlv1p2 resource, found {len(quizzes)}")
        return {}, problems
    quiz = quizzes[0]
    files = [f.get("href") for f in quiz.iter(c("file"))]
    dependencies = [d.get("identifierref") for d in quiz.iter(c("dependency"))]
    meta = resources.get(dependencies[0]) if dependencies else None
    if meta is None or meta.get("type") != META_TYPE:
        report("the quiz resource must depend on its assessment_meta.xml resource", quiz)
    elif meta.get("href") != f"{quiz.get('identifier')}/assessment_meta.xml":
        report(f"assessment_meta.xml should be at {quiz.get('identifier')}/assessment_meta.xml", meta)
    elif meta.get("href") in names:
        problems += _check_meta(f"{name}!{meta.get('href')}", archive.read(meta.get("href")), quiz.get("identifier"))
    if files != [f"{quiz.get('identifier')}/{quiz.get('identifier')}.xml"]:
        report(f"the quiz resource should hold exactly {quiz.get('identifier')}/{quiz.get('identifier')}.xml", quiz)
    if not files or files[0] not in names:
        return {}, problems
    found, more = _check_assessment(f"{name}!{files[0]}", archive.read(files[0]), names)
    return found, problems + more


def _check_meta(label: str, data: bytes, quiz: str) -> list[Problem]:
    meta, problems = parse_xml(label, data)
    if meta is None:
        return problems
    if meta.tag != f"{{{canvas.CANVAS_META}}}quiz" or meta.get("identifier") != quiz:
        problems.append(
            Problem(label, meta.sourceline, "", f'expected <quiz identifier="{quiz}"> in Canvas\'s namespace')
        )
    for field in ("title", "points_possible", "quiz_type"):
        if not (meta.findtext(f"{{{canvas.CANVAS_META}}}{field}") or "").strip():
            problems.append(Problem(label, meta.sourceline, "", f"assessment_meta.xml needs <{field}>"))
    return problems


def _check_assessment(label: str, data: bytes, names: set[str]):
    root, problems = parse_xml(label, data)
    if root is None:
        return {}, problems
    schema_problems = validate(label, root, QTI12_SCHEMA)
    if schema_problems:
        return {}, problems + schema_problems
    found = {}
    for group in root.iter(t("section")):
        if group.get("ident") == "root_section":
            continue
        if group.findtext(f".//{t('selection_number')}") != "1":
            problems.append(Problem(label, group.sourceline, group.get("title", ""), "a question group must pick 1"))
    for item in root.iter(t("item")):
        ident = item.get("ident")

        def report(message: str, at=None, ident=ident, item=item) -> None:
            problems.append(Problem(label, (at if at is not None else item).sourceline, ident, message))

        fields = {f.findtext(t("fieldlabel")): f.findtext(t("fieldentry")) for f in item.iter(t("qtimetadatafield"))}
        kind = fields.get("question_type")
        if kind not in TYPES:
            report(f"question_type {kind!r} is not one variantex writes")
            continue
        for text in item.iter(t("mattext")):
            content = text.text or ""
            contents = [html.unescape(m) for m in re.findall(r'data-equation-content="([^"]*)"', content)]
            math_problems(contents, report, text)
            for source in re.findall(r'src="\$IMS-CC-FILEBASE\$/([^"]+)"', content):
                if f"web_resources/{source}" not in names:
                    report(f"image {source} is not in the zip", text)
        feedback = {f.get("ident") for f in item.iter(t("itemfeedback"))}
        for shown in item.iter(t("displayfeedback")):
            if shown.get("linkrefid") not in feedback:
                report(f"feedback {shown.get('linkrefid')} is shown but not defined", shown)
        found[ident] = (
            item.sourceline,
            {**_KEYS[kind](item, report), "points": read_points(fields.get("points_possible"))},
            label,  # the assessment file inside the zip: its line numbers are this file's
        )
    return found, problems


def _scoring(item):
    for condition in item.iter(t("respcondition")):
        score = condition.find(t("setvar"))
        yield (
            condition,
            (score.text if score is not None else None),
            (score.get("action") if score is not None else None),
        )


def _multiple_choice(item, report) -> dict:
    labels = list(item.iter(t("response_label")))
    texts = [label.findtext(f"{t('material')}/{t('mattext')}") or "" for label in labels]
    full = [c.findtext(f".//{t('varequal')}") for c, score, _ in _scoring(item) if score == "100"]
    letters = [label.get("ident") for label in labels]
    if len(full) != 1 or full[0] not in letters:
        report(f"exactly one answer must score 100, found {full}")
    return {
        "correct": full[0] if len(full) == 1 else "?",
        "options": len(labels),
        "texts": texts,
        "credits": [_credit(item, letter, report) for letter in letters],
    }


def _credit(item, letter: str | None, report) -> str:
    """The SCORE (out of 100) Canvas's processing gives when `letter` is chosen: each
    respcondition in order, its setvar applied when its test holds, stopping at continue="No"."""
    score = Decimal(0)
    for condition, value, action in _scoring(item):
        test = condition.find(t("conditionvar"))
        holds = test is not None and (
            test.find(t("other")) is not None or any(v.text == letter for v in test.iter(t("varequal")))
        )
        if not holds:
            continue
        if value is not None:
            try:
                amount = Decimal(value)
            except Exception:  # noqa: BLE001 - an unreadable score is the problem to report
                report(f"score {value!r} is not a number", condition)
                return "?"
            score = amount if action == "Set" else score + amount
        if condition.get("continue") == "No":
            break
    return str(Fraction(score))


def _numerical(item, report) -> dict:
    for condition, score, _ in _scoring(item):
        if score != "100":
            continue
        exact = condition.findtext(f".//{t('varequal')}")
        low, high = condition.findtext(f".//{t('vargte')}"), condition.findtext(f".//{t('varlte')}")
        try:
            below, above = Decimal(exact) - Decimal(low), Decimal(high) - Decimal(exact)
        except Exception:  # noqa: BLE001 - any unreadable number is the one problem to report
            report(f"the answer {exact!r} and its range [{low!r}, {high!r}] must be decimals", condition)
            return {"parts": []}
        if below != above:
            report(f"the range [{low}, {high}] is not centred on the answer {exact}", condition)
        return {"parts": [{"answer": exact, "tolerance": _plain(below)}]}
    report("no condition scores the answer 100")
    return {"parts": []}


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) or "0"


def _short_answer(item, report) -> dict:
    accepted = [c.findtext(f".//{t('varequal')}") for c, score, _ in _scoring(item) if score == "100"]
    if not accepted:
        report("no answer scores 100")
    return {"parts": [{"accepted": accepted}]}


def _blanks(item, report) -> dict:
    parts: list[dict] = []
    shares: list[str | None] = []
    for response in item.iter(t("response_lid")):
        labels = {
            label.get("ident"): label.findtext(f".//{t('mattext')}") or ""
            for label in response.iter(t("response_label"))
        }
        accepted = []
        for condition, score, action in _scoring(item):
            chosen = [v.text for v in condition.iter(t("varequal")) if v.get("respident") == response.get("ident")]
            if chosen and action == "Add":
                accepted = [labels.get(i, "?") for i in chosen]
                shares.append(score)
        if not accepted:
            report(f"blank {response.get('ident')} is never scored", response)
        parts.append({"accepted": accepted})
    _check_shares(shares, len(parts), item, report)
    return {"parts": parts}


def _check_shares(shares: list[str | None], count: int, item, report) -> None:
    """Each blank or drop-down adds an equal share of 100 (to 0.01, as Canvas keeps them), and a
    full answer adds up to exactly 100."""
    try:
        values = [Decimal(share or "") for share in shares]
    except Exception:  # noqa: BLE001 - an unreadable share is the problem to report
        report(f"the parts' shares {shares} are not all numbers")
        return
    if not count:
        return
    if sum(values) != 100:
        report(f"a full answer scores {sum(values)} (the parts' shares {shares}), not 100")
    equal = Decimal(100) / count
    uneven = [str(v) for v in values if abs(v - equal) > Decimal("0.01")]
    if uneven:
        report(f"parts weigh {', '.join(uneven)} % where equal shares are {equal:.2f} %")


def _essay(item, report) -> dict:
    return {}


_KEYS = {
    "multiple_choice_question": _multiple_choice,
    "numerical_question": _numerical,
    "short_answer_question": _short_answer,
    "fill_in_multiple_blanks_question": _blanks,
    "multiple_dropdowns_question": _blanks,
    "essay_question": _essay,
}

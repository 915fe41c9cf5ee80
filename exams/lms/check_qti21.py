"""Checks of a QTI 2.1 package (see checks.py): the official QTI 2.1 and IMS CP schemas, the
files the manifest names, the response processing, and the keys."""

from __future__ import annotations

import posixpath
import zipfile
from fractions import Fraction
from typing import Any

from variantex.exams.lms import html as lms_html
from variantex.exams.lms import xmlcontent
from variantex.exams.lms.checks import (
    Problem,
    math_problems,
    open_package,
    parse_xml,
    stated_key,
    stated_points,
    unlisted_files,
    validate,
)
from variantex.exams.lms.qti21 import CP, ITEM_PREFIX, QTI
from variantex.exams.lms.qti21_scoring import Scorer, Unsupported
from variantex.exams.spec import ALL_OR_NOTHING

QTI_SCHEMA = "ims/qti21/www.imsglobal.org/xsd/imsqti_v2p1.xsd"
CP_SCHEMA = "ims/imscp/imscp_v1p1.xsd"


def expected_key(view) -> dict:
    """The key, and the marks the item must give: out of the slot's points, each option's
    credit (mcq), and the score with 0, 1, …, k parts right (numeric, true/false)."""
    key = stated_key(view, xmlcontent.inline_text)
    points = Fraction(str(view.points))
    key["points"] = stated_points(view.points)
    if view.format in ("numeric", "tf"):
        count = len(view.asked) if view.format == "numeric" else len(view.statements)
        if view.format == "tf" and view.scoring == ALL_OR_NOTHING:
            key["marks"] = ["0"] * count + [str(points)]
        else:
            key["marks"] = [str(points * right / count) for right in range(count + 1)]
    return key


def _marks(item, key: dict, responses: list[str], report) -> dict:
    """What the item's own response processing scores (qti21_scoring): each choice's credit
    for one choice interaction, else the score with the first 0, 1, …, k responses right."""
    scorer = Scorer(item)
    maximum = scorer.defaults.get("MAXSCORE")
    key["points"] = str(maximum) if isinstance(maximum, Fraction) else "?"
    try:
        if "credits" in key:
            key["credits"] = [
                str(100 * scorer.score({"RESPONSE": letter}) / maximum) if maximum else "?" for letter in key["letters"]
            ]
        else:
            key["marks"] = [
                str(
                    scorer.score(
                        {r: scorer.correct.get(r) if n < right else scorer.wrong(r) for n, r in enumerate(responses)}
                    )
                )
                for right in range(len(responses) + 1)
            ]
    except Unsupported as error:
        report(f"response processing: {error} (not something variantex writes)")
    key.pop("letters", None)
    return key


def q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


def check(name: str, archive: zipfile.ZipFile) -> tuple[dict, list[Problem]]:
    names, label, manifest, problems = open_package(name, archive)
    if manifest is None:
        return {}, problems
    problems += validate(label, manifest, CP_SCHEMA)
    found: dict[str, tuple] = {}
    identifiers: set[str] = set()
    listed = {
        f
        for r in manifest.iter(f"{{{CP}}}resource")
        for f in [r.get("href"), *(x.get("href") for x in r.iter(f"{{{CP}}}file"))]
        if f
    }
    problems += unlisted_files(label, names, listed)
    for resource in manifest.iter(f"{{{CP}}}resource"):
        ident, href = resource.get("identifier"), resource.get("href")
        if ident in identifiers:
            problems.append(Problem(label, resource.sourceline, ident, "resource identifier used twice"))
        identifiers.add(ident)
        if resource.get("type") != "imsqti_item_xmlv2p1":
            problems.append(
                Problem(label, resource.sourceline, ident, f"unexpected resource type {resource.get('type')}")
            )
        for file in [href] + [f.get("href") for f in resource.iter(f"{{{CP}}}file")]:
            if file not in names:
                problems.append(
                    Problem(label, resource.sourceline, ident, f"names {file}, which is not in the package")
                )
        if href in names:
            item_problems, key = _check_item(f"{name}!{href}", archive.read(href), href, names)
            problems += item_problems
            if key is not None:
                found[key[0]] = (key[2], key[1], f"{name}!{href}")
    return found, problems


def _check_item(label: str, data: bytes, href: str, names: set[str]):
    item, problems = parse_xml(label, data)
    if item is None:
        return problems, None
    schema_problems = validate(label, item, QTI_SCHEMA)
    if schema_problems:
        return problems + schema_problems, None
    ident = (item.get("identifier") or "")[len(ITEM_PREFIX) :]

    def report(message: str, at=None) -> None:
        problems.append(Problem(label, at.sourceline if at is not None else item.sourceline, ident, message))

    for image in item.iter(q("img")):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(href), image.get("src", "")))
        if target not in names:
            report(f"image {image.get('src')} is not in the package", image)
    for node in item.iter(q("p"), q("li"), q("td"), q("th"), q("simpleChoice")):
        math_problems(lms_html.math_fragments("".join(node.itertext())), report, node)
    declarations = {d.get("identifier"): d for d in item.iter(q("responseDeclaration"))}
    statements = [c for c in item.iter(q("choiceInteraction")) if c.get("responseIdentifier") != "RESPONSE"]
    key: dict[str, Any]
    if statements:  # true/false: one T/F choice per statement
        key = {"parts": [_statement_key(item, declarations, c, report) for c in statements]}
        responses = [c.get("responseIdentifier") for c in statements]
        return problems, (ident, _marks(item, key, responses, report), item.sourceline)
    choices = item.find(f".//{q('choiceInteraction')}")
    if choices is not None:
        letters = [c.get("identifier") for c in choices.iter(q("simpleChoice"))]
        correct = [v.text for v in declarations["RESPONSE"].iter(q("value"))] if "RESPONSE" in declarations else []
        if len(correct) != 1 or correct[0] not in letters:
            report(f"the correct response {correct} is not exactly one of the choices {letters}")
        feedback = {m.get("identifier") for m in item.iter(q("modalFeedback"))}
        if set(letters) - feedback:
            report(f"choices without feedback: {sorted(set(letters) - feedback)}")
        texts = ["".join(c.itertext()) for c in choices.iter(q("simpleChoice"))]
        key = {
            "correct": correct[0] if len(correct) == 1 else "?",
            "options": len(letters),
            "texts": texts,
            "credits": [],
            "letters": letters,
        }
        return problems, (ident, _marks(item, key, [], report), item.sourceline)
    entries = [e.get("responseIdentifier") for e in item.iter(q("textEntryInteraction"))]
    if entries:
        key = {"parts": [_entry_key(item, declarations, r, report) for r in entries]}
        return problems, (ident, _marks(item, key, entries, report), item.sourceline)
    if item.find(f".//{q('rubricBlock')}") is None:
        report("an open question should carry the worked solution in a rubricBlock for scorers")
    maximum = Scorer(item).defaults.get("MAXSCORE")
    return problems, (ident, {"points": str(maximum) if isinstance(maximum, Fraction) else "?"}, item.sourceline)


def _statement_key(item, declarations, choices, report) -> dict:
    response = choices.get("responseIdentifier")
    texts = {c.get("identifier"): "".join(c.itertext()) for c in choices.iter(q("simpleChoice"))}
    correct = [v.text for v in declarations[response].iter(q("value"))] if response in declarations else []
    if len(correct) != 1 or correct[0] not in texts:
        report(f"{response}: the correct response {correct} is not exactly one of {sorted(texts)}")
        return {}
    scored = any(response in [v.get("identifier") for v in test.iter(q("variable"))] for test in item.iter(q("match")))
    if not scored:
        report(f"{response} is never scored")
    return {"accepted": [texts[correct[0]]]}


def _entry_key(item, declarations, response: str, report) -> dict:
    declaration = declarations.get(response)
    if declaration is None:
        report(f"no responseDeclaration for {response}")
        return {}
    stated = [v.text for v in declaration.iter(q("value"))]
    for condition in item.iter(q("responseIf")):
        test = condition[0]
        variables = [v.get("identifier") for v in test.iter(q("variable"))]
        if response not in variables:
            continue
        if test.tag == q("equal"):
            value = test.find(q("baseValue")).text
            tolerance = (test.get("tolerance") or "0").split()
            if test.get("toleranceMode") != "absolute" or len(set(tolerance)) != 1:
                report(f"{response}: expected one absolute tolerance, found {test.get('toleranceMode')} {tolerance}")
            if stated != [value]:
                report(f"{response}: correctResponse {stated} differs from the scored value {value}")
            return {"answer": value, "tolerance": tolerance[0]}
        accepted = [b.text or "" for b in test.iter(q("baseValue"))]
        return {"accepted": accepted}
    report(f"{response} is never scored")
    return {}

"""QTI 2.1: one assessmentItem per variant in an IMS content package (imsmanifest.xml).

- mcq -> choiceInteraction (one choice; shuffled by the delivery system), response
  processing that scores the correct choice, and modal feedback per choice naming the mistake;
- numeric -> a textEntryInteraction per part (float, or string for a word or infinity),
  scored part by part with `equal toleranceMode="absolute"` (the family's tolerance) or a
  case-insensitive string match; modal feedback gives the exact values;
- open -> extendedTextInteraction, scored by hand; the worked solution and rubric go in a
  rubricBlock for scorers.

Math stays TeX between `\\( \\)` for the delivery system's MathJax; figures are SVG files in
the package (PNG for a figure drawn only in TikZ).
"""

from __future__ import annotations

import sympy as sp
from lxml import etree

from variantex.exams.bank import (
    Bank,
    BankSlot,
    BankVariant,
    accepted_texts,
    bank_figures,
    decimal_text,
    in_words,
    question_id,
    tolerance_text,
)
from variantex.exams.lms import xmlcontent as x
from variantex.exams.lms.figures import FigureFiles
from variantex.exams.lms.html import notation
from variantex.exams.lms.package import zip_bytes
from variantex.exams.spec import ALL_OR_NOTHING
from variantex.exams.view import QuestionView
from variantex.generators.markup import Figure

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ITEM_PREFIX = "item-"
MARKER = "variantex QTI 2.1 package"


def item_identifier(ident: str) -> str:
    return ITEM_PREFIX + ident  # an NCName even when a slot id starts with a digit


def export_qti21(bank: Bank) -> bytes:
    images = FigureFiles(bank_figures(bank))
    files: dict[str, bytes] = {}
    resources = []
    for slot in bank.slots:
        for variant in slot.variants:
            ident = question_id(slot, variant)
            pictures: dict[str, bytes] = {}

            def figure(block: Figure, ident=ident, pictures=pictures) -> dict:
                suffix, content = images.file(block)
                name = f"images/{ident}-figure{len(pictures) + 1}{suffix}"
                pictures[name] = content
                return {"src": name, "alt": block.description}

            item = assessment_item(slot, variant, figure)
            path = f"items/{ident}.xml"
            files[path] = etree.tostring(item, xml_declaration=True, encoding="UTF-8", pretty_print=True)
            files.update({f"items/{name}": data for name, data in pictures.items()})
            resources.append((ident, path, [f"items/{name}" for name in pictures]))
    files["imsmanifest.xml"] = etree.tostring(
        content_manifest(bank, resources), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return zip_bytes(files)


def content_manifest(bank: Bank, resources) -> etree._Element:
    manifest, listing = x.package_manifest(
        CP,
        "variantex-bank",
        f"{MARKER}: {bank.spec.title}",
        "QTIv2.1 Package",
        "1.0.0",
        "http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
    )
    for ident, path, pictures in resources:
        resource = x.add(listing, CP, "resource", identifier=f"res-{ident}", type="imsqti_item_xmlv2p1", href=path)
        for href in (path, *pictures):
            x.add(resource, CP, "file", href=href)
    return manifest


def _declare(item, identifier: str, base_type: str, correct: list[str], cardinality: str = "single") -> None:
    declaration = x.add(
        item, QTI, "responseDeclaration", identifier=identifier, cardinality=cardinality, baseType=base_type
    )
    if correct:
        values = x.add(declaration, QTI, "correctResponse")
        for value in correct:
            x.add(values, QTI, "value", value)


def _outcome(item, identifier: str, base_type: str, default: str | None = None) -> None:
    outcome = x.add(item, QTI, "outcomeDeclaration", identifier=identifier, cardinality="single", baseType=base_type)
    if default is not None:
        x.add(x.add(outcome, QTI, "defaultValue"), QTI, "value", default)


def _set_score(parent, amount: str) -> None:
    setter = x.add(parent, QTI, "setOutcomeValue", identifier="SCORE")
    total = x.add(setter, QTI, "sum")
    x.add(total, QTI, "variable", identifier="SCORE")
    x.add(total, QTI, "baseValue", amount, baseType="float")


def _count_and_scale(processing, points, parts: int) -> None:
    """SCORE has counted the right parts; make it points × right / parts, computed from whole
    numbers (points as a fraction p/q: right × p / (q × parts)), so a full answer scores the
    points exactly, never 3.999999 for 4 points over 3 parts."""
    fraction = sp.Rational(points)
    setter = x.add(processing, QTI, "setOutcomeValue", identifier="SCORE")
    ratio = x.add(setter, QTI, "divide")
    product = x.add(ratio, QTI, "product")
    x.add(product, QTI, "variable", identifier="SCORE")
    x.add(product, QTI, "baseValue", str(fraction.p), baseType="float")
    x.add(ratio, QTI, "baseValue", str(fraction.q * parts), baseType="float")


def _score_statements(processing, view: QuestionView, points) -> None:
    """Per statement: an equal share for each right mark; all-or-nothing: every mark right."""

    def matches(parent, statement) -> None:
        match = x.add(parent, QTI, "match")
        x.add(match, QTI, "variable", identifier=f"RESPONSE{statement.number}")
        x.add(match, QTI, "correct", identifier=f"RESPONSE{statement.number}")

    if view.scoring == ALL_OR_NOTHING:
        condition = x.add(x.add(processing, QTI, "responseCondition"), QTI, "responseIf")
        every = x.add(condition, QTI, "and")
        for statement in view.statements:
            matches(every, statement)
        _set_score(condition, decimal_text(points, 7))
        return
    for statement in view.statements:
        condition = x.add(x.add(processing, QTI, "responseCondition"), QTI, "responseIf")
        matches(condition, statement)
        _set_score(condition, "1")
    _count_and_scale(processing, points, len(view.statements))


def assessment_item(slot: BankSlot, variant: BankVariant, figure) -> etree._Element:
    view: QuestionView = variant.view
    ident = question_id(slot, variant)
    points = decimal_text(slot.spec.points, 7)
    item = etree.Element(
        f"{{{QTI}}}assessmentItem",
        nsmap={None: QTI, "xsi": XSI},
        identifier=item_identifier(ident),
        title=f"{ident} {view.title}",
        adaptive="false",
        timeDependent="false",
    )
    item.set(f"{{{XSI}}}schemaLocation", f"{QTI} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd")
    parts = view.asked if view.format == "numeric" else ()
    if view.format == "mcq":
        _declare(item, "RESPONSE", "identifier", [view.correct_letter])
    elif view.format == "numeric":
        for n, part in enumerate(parts, start=1):
            textual = in_words(part)
            _declare(
                item,
                f"RESPONSE{n}",
                "string" if textual else "float",
                [accepted_texts(part)[0]] if textual else [decimal_text(part.value)],
            )
    elif view.format == "tf":
        for statement in view.statements:
            _declare(item, f"RESPONSE{statement.number}", "identifier", [statement.letter])
    else:
        _declare(item, "RESPONSE", "string", [])
    _outcome(item, "SCORE", "float", "0")
    _outcome(item, "MAXSCORE", "float", points)
    _outcome(item, "FEEDBACK", "identifier")
    body = x.add(item, QTI, "itemBody")
    for node in x.blocks((*view.stem, *view.ask), QTI, figure):
        body.append(node)
    if view.format == "mcq":
        interaction = x.add(
            body, QTI, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="true", maxChoices="1"
        )
        for option in view.options:
            x.add(interaction, QTI, "simpleChoice", x.inline_text(option.content), identifier=option.letter)
    elif view.format == "numeric":
        listing = x.add(body, QTI, "ul")
        for n, part in enumerate(parts, start=1):
            entry = x.add(listing, QTI, "li", f"\\({x.lms_tex(part.label)}\\) = ")
            x.add(entry, QTI, "textEntryInteraction", responseIdentifier=f"RESPONSE{n}", expectedLength="12")
    elif view.format == "tf":
        for statement in view.statements:
            interaction = x.add(
                body,
                QTI,
                "choiceInteraction",
                responseIdentifier=f"RESPONSE{statement.number}",
                shuffle="false",
                maxChoices="1",
            )
            x.add(interaction, QTI, "prompt", f"{statement.number}. {x.inline_text(statement.content)}")
            x.add(interaction, QTI, "simpleChoice", "True", identifier="T")
            x.add(interaction, QTI, "simpleChoice", "False", identifier="F")
    else:
        for node in x.blocks(view.discuss, QTI, figure):
            body.append(node)
        x.add(body, QTI, "extendedTextInteraction", responseIdentifier="RESPONSE", expectedLines="15")
        scorer = x.add(body, QTI, "rubricBlock", view="scorer")
        x.add(scorer, QTI, "p", "Worked solution:")
        for step in view.steps:
            x.add(scorer, QTI, "p", x.inline_text(step))
        for criterion, share in view.rubric:
            x.add(scorer, QTI, "p", f"{x.inline_text(criterion)} ({decimal_text(share, 7)} points)")
    processing = x.add(item, QTI, "responseProcessing")
    if view.format == "mcq":
        condition = x.add(x.add(processing, QTI, "responseCondition"), QTI, "responseIf")
        match = x.add(condition, QTI, "match")
        x.add(match, QTI, "variable", identifier="RESPONSE")
        x.add(match, QTI, "correct", identifier="RESPONSE")
        _set_score(condition, points)
        feedback = x.add(processing, QTI, "setOutcomeValue", identifier="FEEDBACK")
        x.add(feedback, QTI, "variable", identifier="RESPONSE")
    elif view.format == "numeric":
        for n, part in enumerate(parts, start=1):
            condition = x.add(x.add(processing, QTI, "responseCondition"), QTI, "responseIf")
            if in_words(part):
                either = x.add(condition, QTI, "or")
                for text in accepted_texts(part):
                    matching = x.add(either, QTI, "stringMatch", caseSensitive="false")
                    x.add(matching, QTI, "variable", identifier=f"RESPONSE{n}")
                    x.add(matching, QTI, "baseValue", text, baseType="string")
            else:
                tolerance = tolerance_text(view, part)
                close = x.add(condition, QTI, "equal", toleranceMode="absolute", tolerance=f"{tolerance} {tolerance}")
                x.add(close, QTI, "variable", identifier=f"RESPONSE{n}")
                x.add(close, QTI, "baseValue", decimal_text(part.value), baseType="float")
            _set_score(condition, "1")
        _count_and_scale(processing, slot.spec.points, len(parts))
        setter = x.add(processing, QTI, "setOutcomeValue", identifier="FEEDBACK")
        x.add(setter, QTI, "baseValue", "SOLUTION", baseType="identifier")
    elif view.format == "tf":
        _score_statements(processing, view, slot.spec.points)
        setter = x.add(processing, QTI, "setOutcomeValue", identifier="FEEDBACK")
        x.add(setter, QTI, "baseValue", "SOLUTION", baseType="identifier")
    else:
        setter = x.add(processing, QTI, "setOutcomeValue", identifier="FEEDBACK")
        x.add(setter, QTI, "baseValue", "SOLUTION", baseType="identifier")
    if view.format == "mcq":
        for option in view.options:
            modal = x.add(
                item, QTI, "modalFeedback", outcomeIdentifier="FEEDBACK", showHide="show", identifier=option.letter
            )
            paragraph = x.add(
                modal, QTI, "p", "Correct." if option.correct else "Not quite: this is what you get if you "
            )
            if not option.correct:
                x.add_notation(paragraph, QTI, notation(option.mistake.description) + ["."])
    modal = x.add(item, QTI, "modalFeedback", outcomeIdentifier="FEEDBACK", showHide="show", identifier="SOLUTION")
    if view.format == "tf":
        x.add(modal, QTI, "p", f"Key: {view.tf_key}")
    if view.format == "numeric":
        x.add(
            modal,
            QTI,
            "p",
            "Exact values: " + "; ".join(f"\\({x.lms_tex(p.label)}\\) = {x.inline_text(p.shown)}" for p in parts),
        )
    for step in view.steps:
        x.add(modal, QTI, "p", x.inline_text(step))
    return item

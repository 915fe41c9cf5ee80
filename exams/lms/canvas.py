"""Canvas classic quizzes: a QTI 1.2 zip as Canvas's importer expects it.

The zip holds imsmanifest.xml, the assessment (`<quiz>/<quiz>.xml`, QTI 1.2 ASI) and
Canvas's `assessment_meta.xml`; each slot is a question group from which Canvas picks one
variant per student. mcq -> multiple_choice_question with feedback per answer naming the
mistake; one number -> numerical_question (exact answer ± the family's tolerance); a word or
infinity -> short_answer_question; several numbers -> fill_in_multiple_blanks_question
(Canvas cannot grade several numbers with a tolerance in one question: each blank accepts the
exact fraction and every decimal of 1 to 6 places within the family's tolerance);
open -> essay_question. Math becomes Canvas equation images (Canvas renders the TeX);
figures are SVG files in the package (PNG for a figure drawn only
in TikZ).
"""

from __future__ import annotations

import hashlib
import html
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from urllib.parse import quote

import sympy as sp
from lxml import etree

from variantex.exams.bank import (
    Bank,
    BankSlot,
    BankVariant,
    absolute_tolerance,
    accepted_texts,
    bank_figures,
    decimal_text,
    in_words,
    question_id,
    tolerance_text,
)
from variantex.exams.lms import xmlcontent as x
from variantex.exams.lms.figures import FigureFiles
from variantex.exams.lms.html import MathStyle, mistake_feedback
from variantex.exams.lms.package import zip_bytes
from variantex.exams.view import PartView, QuestionView
from variantex.generators.markup import Content, Figure

QTI12 = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CANVAS_CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_META = "http://canvas.instructure.com/xsd/cccv1p0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MARKER = "variantex Canvas QTI 1.2 package"
FILEBASE = "$IMS-CC-FILEBASE$"


def identifier(*parts: str) -> str:
    """Canvas-style ids: 'g' and 32 hex digits, stable for the same inputs."""
    return "g" + hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]


def equation_image(tex: str) -> str:
    """Canvas's equation image for TeX (its editor writes the same element)."""
    source = quote(quote(tex, safe=""), safe="")
    escaped = html.escape(tex, quote=True)
    return (
        f'<img class="equation_image" title="{escaped}" src="/equation_images/{source}?scale=1" '
        f'alt="LaTeX: {escaped}" data-equation-content="{escaped}" />'
    )


CANVAS_MATH = MathStyle(
    inline=lambda tex: equation_image(x.lms_tex(tex)),
    display=lambda tex: f'<p style="text-align:center">{equation_image(x.lms_tex(tex))}</p>',
)


def inline_html(content: Content) -> str:
    return CANVAS_MATH.content(content)


def blocks_html(items, figure) -> str:
    return CANVAS_MATH.blocks(items, lambda block: f"<p>{figure(block)}</p>")


def export_canvas(bank: Bank) -> bytes:
    images = FigureFiles(bank_figures(bank))
    quiz = identifier("quiz", bank.spec.title, str(bank.seed))
    files: dict[str, bytes] = {}

    def figure_for(ident: str):
        count = [0]

        def figure(block: Figure) -> str:
            count[0] += 1
            suffix, content = images.file(block)
            name = f"web_resources/variantex/{ident}-figure{count[0]}{suffix}"
            files[name] = content
            return f'<img src="{FILEBASE}/{name[len("web_resources/") :]}" alt="{html.escape(block.description)}" />'

        return figure

    root = etree.Element(f"{{{QTI12}}}questestinterop", nsmap={None: QTI12, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{QTI12} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd")
    assessment = x.add(root, QTI12, "assessment", ident=quiz, title=bank.spec.title)
    metadata = x.add(assessment, QTI12, "qtimetadata")
    _field(metadata, "cc_maxattempts", "1")
    top = x.add(assessment, QTI12, "section", ident="root_section")
    for slot in bank.slots:
        group = x.add(top, QTI12, "section", ident=identifier(quiz, "group", slot.spec.slot), title=slot.spec.slot)
        selection = x.add(x.add(group, QTI12, "selection_ordering"), QTI12, "selection")
        x.add(selection, QTI12, "selection_number", "1")
        extension = x.add(selection, QTI12, "selection_extension")
        x.add(extension, QTI12, "points_per_item", decimal_text(slot.spec.points, 7))
        for variant in slot.variants:
            group.append(_item(slot, variant, figure_for(question_id(slot, variant))))
    files[f"{quiz}/{quiz}.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    files[f"{quiz}/assessment_meta.xml"] = etree.tostring(
        _meta(bank, quiz), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    files["imsmanifest.xml"] = etree.tostring(
        _manifest(bank, quiz, sorted(n for n in files if n.startswith("web_"))),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
    )
    return zip_bytes(files)


def _field(parent, label: str, entry: str) -> None:
    field = x.add(parent, QTI12, "qtimetadatafield")
    x.add(field, QTI12, "fieldlabel", label)
    x.add(field, QTI12, "fieldentry", entry)


def _material(parent, text: str, texttype: str = "text/html") -> None:
    x.add(x.add(parent, QTI12, "material"), QTI12, "mattext", text, texttype=texttype)


def _feedback(item, ident: str, text: str) -> None:
    feedback = x.add(item, QTI12, "itemfeedback", ident=ident)
    _material(x.add(feedback, QTI12, "flow_mat"), text)


def shares_of_100(count: int) -> list[str]:
    """`count` equal shares of a score of 100, to 7 decimals, the last taking the rounding so
    that a full answer scores exactly 100 (100/3 three times is 99.99999)."""
    step = Decimal("0.0000001")
    share = (Decimal(100) / count).quantize(step, rounding=ROUND_DOWN)
    last = Decimal(100) - share * (count - 1)

    def written(value: Decimal) -> str:
        return format(value.quantize(step), "f").rstrip("0").rstrip(".")

    return [written(share)] * (count - 1) + [written(last)]


def _condition(
    processing,
    respident: str,
    value: str,
    score: str | None,
    feedback: str | None = None,
    proceed: str = "No",
    action: str = "Set",
) -> None:
    condition = x.add(processing, QTI12, "respcondition", **{"continue": proceed})
    x.add(x.add(condition, QTI12, "conditionvar"), QTI12, "varequal", value, respident=respident)
    if score is not None:
        x.add(condition, QTI12, "setvar", score, action=action, varname="SCORE")
    if feedback:
        x.add(condition, QTI12, "displayfeedback", feedbacktype="Response", linkrefid=feedback)


MAX_BLANK_ANSWERS = 60  # accepted texts listed per blank


def blank_answers(view: QuestionView, part: PartView) -> list[str]:
    """What a fill-in blank accepts for a number (Canvas blanks match text exactly): its exact
    fraction; every decimal within the family's tolerance with as many places as keep the list
    short (1.24 and 1.26 for 5/4 ± 1 %, as `check` accepts them); and the roundings of the
    exact value to up to 6 places, to 1-8 significant figures and to 15 digits. A longer in-tolerance decimal that is not a
    rounding (1.2437) is the one difference left (docs/lms.md)."""
    if in_words(part):
        return list(accepted_texts(part))
    value = part.value
    bound = absolute_tolerance(view, part)
    accepted = [str(value)] if isinstance(value, sp.Rational) else []
    low, high = sp.Rational(str(sp.N(value - bound, 40))), sp.Rational(str(sp.N(value + bound, 40)))
    for places in range(0, 7):
        step = sp.Rational(1, 10**places)
        first, last = sp.ceiling(low / step), sp.floor(high / step)
        if last - first + 1 + len(accepted) > MAX_BLANK_ANSWERS:
            break
        for k in range(int(first), int(last) + 1):
            decimal = k * step
            if abs(decimal - value) <= bound:
                accepted.append(format(Decimal(k).scaleb(-places), "f"))
    exact = Decimal(str(sp.N(value, 30)))
    for places in range(0, 7):
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        if abs(sp.Rational(str(rounded)) - value) <= bound:
            accepted.append(format(rounded, "f"))
    for digits in range(1, 9):  # and to 1-8 significant figures (0.0805043 has 7 places)
        rounded_text = decimal_text(value, digits)
        if abs(sp.Rational(rounded_text) - value) <= bound:
            accepted.append(rounded_text)
    accepted.append(decimal_text(value))
    return list(dict.fromkeys(a for a in accepted if a != "-0"))


def _item(slot: BankSlot, variant: BankVariant, figure) -> etree._Element:
    view = variant.view
    ident = question_id(slot, variant)
    item = etree.Element(f"{{{QTI12}}}item", ident=ident, title=f"{ident} {view.title}")
    metadata = x.add(x.add(item, QTI12, "itemmetadata"), QTI12, "qtimetadata")
    parts = view.asked if view.format == "numeric" else ()
    if view.format == "mcq":
        kind = "multiple_choice_question"
    elif view.format == "open":
        kind = "essay_question"
    elif view.format == "tf":
        kind = "multiple_dropdowns_question"
    elif len(parts) == 1:
        kind = "numerical_question" if not in_words(parts[0]) else "short_answer_question"
    else:
        kind = "fill_in_multiple_blanks_question"
    _field(metadata, "question_type", kind)
    _field(metadata, "points_possible", decimal_text(slot.spec.points, 7))
    _field(metadata, "original_answer_ids", ",".join(o.letter for o in view.options))
    _field(metadata, "assessment_question_identifierref", identifier("question", ident))
    text = blocks_html((*view.stem, *view.ask), figure)
    if kind == "fill_in_multiple_blanks_question":
        text += (
            "<ul>"
            + "".join(
                f"<li>{equation_image(x.lms_tex(p.label))} = [blank{n}]</li>" for n, p in enumerate(parts, start=1)
            )
            + "</ul>"
        )
    if kind == "essay_question":
        text += "\n" + blocks_html(view.discuss, figure)
    if kind == "multiple_dropdowns_question":
        text += "<ol>" + "".join(f"<li>{inline_html(s.content)} [s{s.number}]</li>" for s in view.statements) + "</ol>"
    presentation = x.add(item, QTI12, "presentation")
    _material(presentation, text)
    processing = x.add(item, QTI12, "resprocessing")
    outcomes = x.add(processing, QTI12, "outcomes")
    x.add(outcomes, QTI12, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    solution = "".join(f"<p>{inline_html(step)}</p>" for step in view.steps)
    if kind == "multiple_choice_question":
        response = x.add(presentation, QTI12, "response_lid", ident="response1", rcardinality="Single")
        choices = x.add(response, QTI12, "render_choice")
        for option in view.options:
            label = x.add(choices, QTI12, "response_label", ident=option.letter)
            _material(label, inline_html(option.content))
        for option in view.options:
            _condition(processing, "response1", option.letter, None, f"{option.letter}_fb", proceed="Yes")
        _condition(processing, "response1", view.correct_letter, "100")
    elif kind == "numerical_question":
        response = x.add(presentation, QTI12, "response_str", ident="response1", rcardinality="Single")
        x.add(x.add(response, QTI12, "render_fib", fibtype="Decimal"), QTI12, "response_label", ident="answer1")
        part = parts[0]
        value, tolerance = Decimal(decimal_text(part.value)), Decimal(tolerance_text(view, part))
        condition = x.add(processing, QTI12, "respcondition", **{"continue": "No"})
        either = x.add(x.add(condition, QTI12, "conditionvar"), QTI12, "or")
        x.add(either, QTI12, "varequal", decimal_text(part.value), respident="response1")
        within = x.add(either, QTI12, "and")
        x.add(within, QTI12, "vargte", format(value - tolerance, "f"), respident="response1")
        x.add(within, QTI12, "varlte", format(value + tolerance, "f"), respident="response1")
        x.add(condition, QTI12, "setvar", "100", action="Set", varname="SCORE")
    elif kind == "short_answer_question":
        response = x.add(presentation, QTI12, "response_str", ident="response1", rcardinality="Single")
        x.add(x.add(response, QTI12, "render_fib"), QTI12, "response_label", ident="answer1", rshuffle="No")
        for accepted in accepted_texts(parts[0]):
            _condition(processing, "response1", accepted, "100")
    elif kind == "fill_in_multiple_blanks_question":
        shares = shares_of_100(len(parts))
        for n, part in enumerate(parts, start=1):
            response = x.add(presentation, QTI12, "response_lid", ident=f"response_blank{n}")
            _material(response, f"blank{n}", "text/plain")
            choices = x.add(response, QTI12, "render_choice")
            answers = blank_answers(view, part)
            for k, accepted in enumerate(answers, start=1):
                label = x.add(choices, QTI12, "response_label", ident=f"b{n}a{k}")
                _material(label, accepted, "text/plain")
            condition = x.add(processing, QTI12, "respcondition")
            either = x.add(x.add(condition, QTI12, "conditionvar"), QTI12, "or")
            for k in range(1, len(answers) + 1):
                x.add(either, QTI12, "varequal", f"b{n}a{k}", respident=f"response_blank{n}")
            x.add(condition, QTI12, "setvar", shares[n - 1], action="Add", varname="SCORE")
    elif kind == "multiple_dropdowns_question":
        shares = shares_of_100(len(view.statements))
        for statement, share in zip(view.statements, shares):
            n = statement.number
            response = x.add(presentation, QTI12, "response_lid", ident=f"response_s{n}")
            _material(response, f"s{n}", "text/plain")
            choices = x.add(response, QTI12, "render_choice")
            for letter, word in (("t", "True"), ("f", "False")):
                _material(x.add(choices, QTI12, "response_label", ident=f"s{n}{letter}"), word, "text/plain")
            condition = x.add(processing, QTI12, "respcondition")
            x.add(
                x.add(condition, QTI12, "conditionvar"),
                QTI12,
                "varequal",
                f"s{n}{statement.letter.lower()}",
                respident=f"response_s{n}",
            )
            x.add(condition, QTI12, "setvar", share, action="Add", varname="SCORE")
    else:  # essay
        response = x.add(presentation, QTI12, "response_str", ident="response1", rcardinality="Single")
        x.add(x.add(response, QTI12, "render_fib"), QTI12, "response_label", ident="answer1", rshuffle="No")
        rubric = "".join(f"<li>{inline_html(c)} ({decimal_text(p, 7)} points)</li>" for c, p in view.rubric)
        solution += f"<p>Rubric:</p><ul>{rubric}</ul>" if rubric else ""
    condition = x.add(processing, QTI12, "respcondition", **{"continue": "Yes"})
    x.add(x.add(condition, QTI12, "conditionvar"), QTI12, "other")
    x.add(condition, QTI12, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    _feedback(item, "general_fb", solution)
    for option in view.options:
        text = "Correct." if option.correct else mistake_feedback(option.mistake.description, CANVAS_MATH.inline)
        _feedback(item, f"{option.letter}_fb", text)
    return item


def _meta(bank: Bank, quiz: str) -> etree._Element:
    meta = etree.Element(f"{{{CANVAS_META}}}quiz", nsmap={None: CANVAS_META, "xsi": XSI}, identifier=quiz)
    meta.set(f"{{{XSI}}}schemaLocation", f"{CANVAS_META} https://canvas.instructure.com/xsd/cccv1p0.xsd")
    for tag, value in (
        ("title", bank.spec.title),
        ("description", ""),
        ("shuffle_answers", "true"),
        ("scoring_policy", "keep_highest"),
        ("quiz_type", "assignment"),
        ("points_possible", decimal_text(bank.spec.total_points, 7)),
        ("allowed_attempts", "1"),
        ("show_correct_answers", "false"),
        ("one_question_at_a_time", "false"),
        ("cant_go_back", "false"),
        ("available", "false"),
    ):
        x.add(meta, CANVAS_META, tag, value)
    return meta


def _manifest(bank: Bank, quiz: str, web_files: list[str]) -> etree._Element:
    manifest, resources = x.package_manifest(
        CANVAS_CP, identifier("manifest", quiz), f"{MARKER}: {bank.spec.title}", "IMS Content", "1.1.3"
    )
    meta = identifier("meta", quiz)
    assessment = x.add(resources, CANVAS_CP, "resource", identifier=quiz, type="imsqti_xmlv1p2")
    x.add(assessment, CANVAS_CP, "file", href=f"{quiz}/{quiz}.xml")
    x.add(assessment, CANVAS_CP, "dependency", identifierref=meta)
    described = x.add(
        resources,
        CANVAS_CP,
        "resource",
        identifier=meta,
        type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
        href=f"{quiz}/assessment_meta.xml",
    )
    x.add(described, CANVAS_CP, "file", href=f"{quiz}/assessment_meta.xml")
    for name in web_files:
        resource = x.add(
            resources, CANVAS_CP, "resource", identifier=identifier("file", name), type="webcontent", href=name
        )
        x.add(resource, CANVAS_CP, "file", href=name)
    return manifest

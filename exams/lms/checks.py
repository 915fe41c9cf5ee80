"""Checking an LMS export before anyone uploads it: `variantex export --check FILE`.

Moodle XML has no published schema and Moodle's importer skips what it does not understand
without a word, so a Moodle file is checked here against:

1. well-formedness (a `]]>` ending a CDATA section early shows up here);
2. our strict schema of the subset we write (schemas/moodle-subset.xsd);
3. semantic rules: grade fractions from Moodle's set, exactly one 100 % answer in a
   single-answer multichoice, decimal answers and tolerances, Cloze sub-answers that parse,
   every @@PLUGINFILE@@ image with its <file>, ids unique, every math fragment parsable by
   MathJax (texcheck.py);
4. the keys: with the bank manifest written beside the export, each variant's key is
   recomputed from its params (no RNG) and compared with what the file marks correct and
   with what the manifest says.

Each problem is one line naming the file, the line and the question.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from lxml import etree

from answer_engine.errors import InputError, VariantexError
from exams.inputs import read_text
from exams.lms import html as lms_html
from exams.lms.bank import BANK_SCHEMA, BANK_VERSION, variant_key
from exams.lms.texcheck import tex_problems
from generators import base

# Moodle's grade set (question/format/xml: the fractions its importer maps without loss), in percent.
MOODLE_FRACTIONS = frozenset(Decimal(f) for f in (
    "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30", "25", "20",
    "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0"))


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: {self.where + ': ' if self.where else ''}{self.message}"


def manifest_beside(export: Path) -> Path:
    return export.with_suffix(".manifest.json")


def check_export(path: str | Path, manifest: str | Path | None = None) -> list[str]:
    """Every problem found in an export (one line each); [] when it is fit to upload."""
    export = Path(path)
    text = read_text(export)
    recorded = _load_manifest(Path(manifest)) if manifest else (
        _load_manifest(manifest_beside(export)) if manifest_beside(export).is_file() else None)
    if "<quiz" in text[:2000]:
        return [str(p) for p in check_moodle(str(export), text, recorded)]
    raise InputError("not a variantex LMS export (expected Moodle XML with a <quiz> root)", str(export))


# --- Moodle --------------------------------------------------------------------------------

_schema_cache: dict[str, etree.XMLSchema] = {}


def schema(name: str) -> etree.XMLSchema:
    if name not in _schema_cache:
        with resources.as_file(resources.files("exams.lms") / "schemas" / name) as path:
            _schema_cache[name] = etree.XMLSchema(etree.parse(str(path)))
    return _schema_cache[name]


def check_moodle(name: str, text: str, manifest: dict | None) -> list[Problem]:
    try:
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True,
                                                                      huge_tree=False))
    except etree.XMLSyntaxError as error:
        return [Problem(name, error.lineno, "", f"not well-formed XML: {error.msg}")]
    validator = schema("moodle-subset.xsd")
    if not validator.validate(root):
        return [Problem(name, e.line, "", f"schema: {e.message}") for e in list(validator.error_log)[:20]]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    found: dict[str, tuple[int, dict]] = {}
    for question in root.iter("question"):
        kind = question.get("type")
        if kind == "category":
            continue
        ident = question.findtext("idnumber") or question.findtext("name/text") or "?"
        line = question.sourceline

        def report(message: str, at=None) -> None:
            problems.append(Problem(name, at.sourceline if at is not None else line, ident, message))

        if ident in seen:
            report(f"idnumber {ident} repeats the question on line {seen[ident]}")
        seen[ident] = line
        for required in ("name", "questiontext", "generalfeedback", "defaultgrade", "idnumber"):
            if question.find(required) is None:
                report(f"a {kind} question needs <{required}>")
        _check_texts(question, report)
        key = _MOODLE_KEYS[kind](question, report)
        found[ident] = (line, key)
    if manifest is not None:
        problems += _compare_keys(name, found, manifest)
    return problems


def _check_texts(question, report) -> None:
    for holder in question.iter("questiontext", "generalfeedback", "feedback", "graderinfo", "answer"):
        content = holder.findtext("text") or ""
        if holder.tag != "answer" or holder.get("format") == "html":
            opened, closed = content.count("\\("), content.count("\\)")
            if opened != closed:
                report(f"<{holder.tag}> opens {opened} inline math fragments and closes {closed}", holder)
            for fragment in lms_html.math_fragments(content):
                for problem in tex_problems(fragment):
                    report(f"math {fragment[:50]!r}: {problem}", holder)
        files = {f.get("name") for f in holder.findall("file")}
        for reference in re.findall(r"@@PLUGINFILE@@/([^\"'\s>]+)", content):
            if reference not in files:
                report(f"image {reference} has no <file> in <{holder.tag}>", holder)


def moodle_keys(text: str) -> dict[str, dict]:
    """What a Moodle file marks correct, per question id (the round trip's reading side)."""
    root = etree.fromstring(text.encode("utf-8"))
    ignore = lambda message, at=None: None  # noqa: E731 - reading only; check_moodle reports
    return {q.findtext("idnumber"): _MOODLE_KEYS[q.get("type")](q, ignore)
            for q in root.iter("question") if q.get("type") != "category"}


def carried(key: dict) -> dict:
    return _carried(key)


def _fraction(answer, report) -> Decimal:
    value = Decimal(answer.get("fraction"))
    if value not in MOODLE_FRACTIONS:
        report(f"fraction {answer.get('fraction')} is not in Moodle's grade set", answer)
    return value


def _multichoice_key(question, report) -> dict:
    answers = question.findall("answer")
    if question.findtext("single") != "true":
        report("only single-answer multichoice is expected (<single>true</single>)")
    if len(answers) < 2:
        report(f"a multichoice question needs at least 2 answers, has {len(answers)}")
    full = [i for i, a in enumerate(answers) if _fraction(a, report) == 100]
    if len(full) != 1:
        report(f"a single-answer multichoice needs exactly one 100% answer, has {len(full)}")
    texts = [a.findtext("text") or "" for a in answers]
    if len(set(texts)) != len(texts):
        report("two answers print the same")
    return {"correct": "ABCDEFGHIJ"[full[0]] if len(full) == 1 else "?", "options": len(answers), "texts": texts}


def _decimal(text: str | None, what: str, report, at, non_negative: bool = False) -> str:
    try:
        value = Decimal(text or "")
        if not value.is_finite() or (non_negative and value < 0):
            raise InvalidOperation
    except InvalidOperation:
        report(f"{what} {text!r} is not a{' non-negative' if non_negative else ''} decimal number", at)
    return text or ""


def _numerical_key(question, report) -> dict:
    answers = question.findall("answer")
    full = [a for a in answers if _fraction(a, report) == 100]
    if len(full) != 1:
        report(f"a numerical question needs exactly one 100% answer, has {len(full)}")
        return {"parts": []}
    answer = full[0]
    return {"parts": [{"answer": _decimal(answer.findtext("text"), "answer", report, answer),
                       "tolerance": _decimal(answer.findtext("tolerance") or "0", "tolerance", report, answer, True)}]}


def _shortanswer_key(question, report) -> dict:
    accepted = [a.findtext("text") or "" for a in question.findall("answer") if _fraction(a, report) == 100]
    if not accepted:
        report("a shortanswer question needs an answer worth 100%")
    return {"parts": [{"accepted": accepted}]}


# {1:NUMERICAL:=0.5:0.005#feedback} and {1:SHORTANSWER:=a~=b}; "\}" etc. are escapes.
_CLOZE = re.compile(r"\{(\d+):([A-Z_]+):((?:\\.|[^\\}])*)\}")
_UNESCAPE = re.compile(r"\\(.)")


def _split_unescaped(text: str, separator: str) -> list[str]:
    return re.split(r"(?<!\\)" + re.escape(separator), text)


def _multianswer_key(question, report) -> dict:
    text = question.findtext("questiontext/text") or ""
    parts = []
    for weight, kind, body in _CLOZE.findall(text):
        alternatives = _split_unescaped(body, "~")
        right = [a[1:] for a in alternatives if a.startswith("=") or a.startswith("%100%")]
        if not right:
            report(f"Cloze {kind} sub-answer {body[:40]!r} has no correct answer (=…)")
            continue
        answer = _split_unescaped(right[0], "#")[0]
        if kind in ("NUMERICAL", "NM"):
            value, _, tolerance = answer.partition(":")
            parts.append({"answer": _decimal(value, "Cloze answer", report, None),
                          "tolerance": _decimal(tolerance or "0", "Cloze tolerance", report, None, True)})
        elif kind in ("SHORTANSWER", "SA"):
            parts.append({"accepted": [_UNESCAPE.sub(r"\1", _split_unescaped(a, "#")[0]) for a in right]})
        else:
            report(f"Cloze sub-answer type {kind} is not one variantex writes")
    if not parts:
        report("a Cloze (multianswer) question needs at least one sub-answer")
    return {"parts": parts}


def _essay_key(question, report) -> dict:
    if not (question.findtext("graderinfo/text") or "").strip():
        report("an essay question should carry the worked solution as grader information")
    return {}


_MOODLE_KEYS = {"multichoice": _multichoice_key, "numerical": _numerical_key, "shortanswer": _shortanswer_key,
                "multianswer": _multianswer_key, "essay": _essay_key}


# --- keys against the manifest and against a recomputation -----------------------------------

def _load_manifest(path: Path) -> dict:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise InputError(f"not JSON ({error.msg}, line {error.lineno})", str(path)) from None
    if not isinstance(data, dict) or data.get("schema") != BANK_SCHEMA:
        raise InputError(f"not a variantex bank manifest (schema {BANK_SCHEMA!r})", str(path))
    if data.get("version") != BANK_VERSION:
        raise InputError(f"bank manifest version {data.get('version')!r} is not {BANK_VERSION}", str(path))
    if not isinstance(data.get("slots"), list):
        raise InputError("field 'slots' must be a list", str(path))
    return data


def recomputed_key(slot: dict, variant: dict) -> dict:
    """A variant's key from its params alone, as the bank states it (plus the option texts)."""
    from answer_engine.exact import load_value
    from exams.lms.bank import bank_view
    from exams.spec import QuestionSpec
    from generators.variant import variant_from_data

    family = base.family(slot["family"])
    variant_obj = variant_from_data(family, variant["params"], slot["format"])
    points = load_value(slot["points"])
    view = bank_view(variant_obj, QuestionSpec(slot["slot"], family, slot["format"], points))
    key = variant_key(view)
    if view.format == "mcq":
        key["texts"] = [lms_html.inline(option.content) for option in view.options]
    return key


def _carried(key: dict) -> dict:
    """What an LMS file can carry of a key: letters and option texts, decimals and tolerances,
    accepted words (not exact fractions or part names)."""
    if "correct" in key:
        return {k: key[k] for k in ("correct", "options", "texts") if k in key}
    if not key:
        return {}
    return {"parts": [{k: part[k] for k in ("answer", "tolerance", "accepted") if k in part}
                      for part in key.get("parts", [])]}


def _compare_keys(name: str, found: dict[str, tuple[int, dict]], manifest: dict) -> list[Problem]:
    problems = []
    listed = set()
    for slot in manifest["slots"]:
        for variant in slot.get("variants", []):
            ident = variant.get("question", "?")
            listed.add(ident)
            try:
                expected = recomputed_key(slot, variant)
            except (VariantexError, KeyError, TypeError, ValueError) as error:
                problems.append(Problem(name, None, ident, f"cannot recompute the key from the manifest: {error}"))
                continue
            recorded = {k: v for k, v in expected.items() if k != "texts"}
            if variant.get("key") != recorded:
                problems.append(Problem(name, None, ident, "the manifest's key differs from the key recomputed "
                                                           f"from its params: {variant.get('key')} vs {recorded}"))
            if ident not in found:
                problems.append(Problem(name, None, ident, "in the manifest but not in the file"))
                continue
            line, key = found[ident]
            if slot["format"] == "open":
                continue
            if _carried(key) != _carried(expected):
                problems.append(Problem(name, line, ident, _difference(_carried(key), _carried(expected))))
    for ident, (line, _) in found.items():
        if ident not in listed:
            problems.append(Problem(name, line, ident, "in the file but not in the manifest"))
    return problems


def _difference(found: dict, expected: dict) -> str:
    if "correct" in expected:
        if found.get("correct") != expected["correct"]:
            return f"marks answer {found.get('correct')} correct but the key is {expected['correct']} (recomputed from params)"
        return f"the answers differ from the options recomputed from params: {found.get('texts')} vs {expected['texts']}"
    found_parts, expected_parts = found.get("parts", []), expected.get("parts", [])
    if len(found_parts) != len(expected_parts):
        return f"asks {len(found_parts)} part(s) but the key has {len(expected_parts)}"
    differences = [f"part {i} states {_stated(f)} but the key recomputed from params is {_stated(e)}"
                   for i, (f, e) in enumerate(zip(found_parts, expected_parts), start=1) if f != e]
    return "; ".join(differences)


def _stated(part: dict) -> str:
    if "accepted" in part:
        return "/".join(part["accepted"])
    return f"{part.get('answer')} ± {part.get('tolerance')}"

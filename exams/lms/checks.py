"""Checking an LMS export before anyone uploads it: `variantex export --check FILE`.

No LMS runs here, so the checks are strict (one problem per line, naming file, line and
question):

- Moodle XML (check_moodle.py): our strict schema of the subset we write (Moodle publishes
  none and its importer skips what it does not understand), Moodle's grade set, one 100 %
  answer, decimals, Cloze sub-answers, embedded files;
- QTI 2.1 packages (check_qti21.py): the official QTI 2.1 and IMS CP 1.1.4 schemas, files
  the manifest names, one correct choice, tolerances;
- Canvas QTI 1.2 zips (check_canvas.py): the QTI 1.2 ASI schema for the assessment and a
  golden shape for the manifest and assessment_meta.xml (Canvas's own exports pass no
  published manifest schema);
- every target: every math fragment parsed the way MathJax reads it (texcheck.py) and, with
  the bank manifest beside the export, every variant's key recomputed from its params (no
  RNG) and compared with what the file marks correct and with what the manifest says.
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from variantex.answer_engine.errors import InputError, VariantexError
from variantex.exams.bank import BANK_SCHEMA, BANK_VERSION, variant_key
from variantex.exams.inputs import decode_text, read_bytes, read_json
from variantex.exams.lms.texcheck import tex_problems

MAX_EXPORT_BYTES = 512 * 2**20


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: {self.where + ': ' if self.where else ''}{self.message}"


Report = Callable[..., None]  # report(message, element=None)


def manifest_beside(export: Path) -> Path:
    return export.with_suffix(".manifest.json")


@dataclass(frozen=True)
class CheckResult:
    problems: list[str]  # one line each; empty when the file is fit to upload
    keys_recomputed: bool  # a bank manifest was found and every key recomputed against it


def check_export(path: str | Path, manifest: str | Path | None = None) -> CheckResult:
    """Every problem found in an export, and whether its keys could be recomputed."""
    from variantex.exams.lms import check_canvas, check_moodle, check_qti21

    export = Path(path)
    raw = read_bytes(export, MAX_EXPORT_BYTES)
    recorded = (
        load_bank_manifest(Path(manifest))
        if manifest
        else (load_bank_manifest(manifest_beside(export)) if manifest_beside(export).is_file() else None)
    )
    if raw.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(raw))
            names = set(archive.namelist())
        except zipfile.BadZipFile as error:
            return CheckResult([str(Problem(str(export), None, "", f"not a readable zip: {error}"))], False)
        unsafe = archive_problems(str(export), archive)
        if unsafe:  # nothing in it is read: a bomb or a path out of the folder stops here
            return CheckResult([str(p) for p in unsafe], False)
        checker = check_qti21 if any(n.startswith("items/") for n in names) else check_canvas
        found, problems = checker.check(str(export), archive)
    else:
        text = decode_text(raw, str(export))
        if "<quiz" not in text[:2000]:
            raise InputError("not a variantex LMS export (Moodle XML, a QTI 2.1 package or a Canvas zip)", str(export))
        checker = check_moodle
        found, problems = check_moodle.check(str(export), text)
    readable = not any(p.message.startswith(("schema:", "not well-formed")) for p in problems)
    if recorded is not None and readable:
        problems += compare_keys(str(export), found, recorded, checker.expected_key)
    return CheckResult([str(p) for p in problems], recorded is not None and readable)


# --- shared pieces -----------------------------------------------------------------------------

_schema_cache: dict[str, etree.XMLSchema] = {}
_MIRRORS = (
    ("http://www.imsglobal.org/", "ims/qti21/www.imsglobal.org/"),
    ("http://www.w3.org/Math/", "ims/qti21/www.w3.org/Math/"),
)


class _OfflineSchemas(etree.Resolver):
    """Schema imports by URL (QTI 2.1 imports MathML, XInclude, APIP) read from the copies
    shipped in exams/lms/schemas/ims: no network, same answer everywhere."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def resolve(self, url, public_id, context):
        for prefix, folder in _MIRRORS:
            if url and url.startswith(prefix):
                return self.resolve_filename(str(self.root / folder / url[len(prefix) :]), context)
        return None


def schema(relative: str) -> etree.XMLSchema:
    if relative not in _schema_cache:
        root = Path(str(resources.files("variantex.exams.lms") / "schemas"))
        parser = etree.XMLParser(no_network=True)
        parser.resolvers.add(_OfflineSchemas(root))
        _schema_cache[relative] = etree.XMLSchema(etree.parse(str(root / relative), parser))
    return _schema_cache[relative]


# What a package may hold before anything in it is read. A 200-variant bank of 10 questions
# with figures has a few thousand files of a few kilobytes each.
MAX_ENTRIES = 20_000
MAX_ENTRY_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 512 * 2**20
MAX_RATIO = 100  # inflated / compressed, for entries over a megabyte: XML compresses ~10x


def archive_problems(name: str, archive: zipfile.ZipFile) -> list[Problem]:
    """A zip's entries checked by their headers alone: count, sizes, compression ratio, paths
    that would leave the package's folder, and symbolic links."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        return [Problem(name, None, "", f"{len(entries):,} files in the package (at most {MAX_ENTRIES:,})")]
    problems = []
    total = 0
    for entry in entries:
        total += entry.file_size
        path = entry.filename
        if path.startswith(("/", "\\")) or ".." in path.replace("\\", "/").split("/") or ":" in path:
            problems.append(Problem(name, None, "", f"{path!r}: a path outside the package's folder"))
        if stat.S_ISLNK(entry.external_attr >> 16):
            problems.append(Problem(name, None, "", f"{path!r}: a symbolic link"))
        if entry.file_size > MAX_ENTRY_BYTES:
            problems.append(
                Problem(name, None, "", f"{path!r} inflates to {entry.file_size:,} bytes (at most {MAX_ENTRY_BYTES:,})")
            )
        elif entry.file_size > 2**20 and entry.file_size > MAX_RATIO * max(1, entry.compress_size):
            problems.append(
                Problem(
                    name,
                    None,
                    "",
                    f"{path!r} inflates {entry.file_size // max(1, entry.compress_size):,}-fold: a zip bomb?",
                )
            )
    if total > MAX_TOTAL_BYTES:
        problems.append(
            Problem(name, None, "", f"the package inflates to {total:,} bytes (at most {MAX_TOTAL_BYTES:,})")
        )
    return problems


def unlisted_files(label: str, names: set[str], listed: set[str]) -> list[Problem]:
    """Files in a package that its manifest does not name: nothing an LMS imports, so
    nothing variantex writes."""
    extra = sorted(n for n in names - listed - {"imsmanifest.xml"} if not n.endswith("/"))
    if not extra:
        return []
    more = f" and {len(extra) - 3:,} more" if len(extra) > 3 else ""
    return [Problem(label, None, "", f"{len(extra):,} files the manifest does not list: {', '.join(extra[:3])}{more}")]


def parse_xml(name: str, data: bytes) -> tuple[etree._Element | None, list[Problem]]:
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return None, [Problem(name, error.lineno, "", f"not well-formed XML: {error.msg}")]
    doctype = root.getroottree().docinfo
    if doctype.doctype or doctype.internalDTD is not None:
        # variantex writes no DOCTYPE; one with entities could pull in local files or expand
        # without bound, so the file is refused unread, like any other input that is not ours.
        raise InputError(
            "declares a DOCTYPE (entities could read local files): not an export variantex wrote", f"{name}:1"
        )
    problems = [Problem(name, line, "", message) for line, message in active_content(root)]
    declared = root.getroottree().docinfo.encoding
    if declared and declared.upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        problems.append(Problem(name, 1, "", f"declares the encoding {declared}: an LMS reads these files as UTF-8"))
    return root, problems


# Script an LMS page would run: an element, an event-handler attribute or a javascript: URL,
# as XHTML (QTI 2.1) or inside the HTML a text holds (Moodle, Canvas), which is parsed as
# HTML for the same look.
_ACTIVE_ELEMENTS = ("script", "iframe", "object", "embed")
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "background", "poster")


def active_content(root: etree._Element) -> list[tuple[int | None, str]]:
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname.lower()
        found += [(element.sourceline, message) for message in _active(element, local)]
        if holds_html(element, local) and element.text and "<" in element.text:
            try:
                fragment = lxml_html.fragment_fromstring(element.text, create_parent="div")
            except etree.ParserError:
                continue
            for inner in fragment.iter():
                if isinstance(inner.tag, str):
                    found += [
                        (element.sourceline, f"in its HTML: {message}") for message in _active(inner, inner.tag.lower())
                    ]
    return found


def _active(element: etree._Element, local: str) -> list[str]:
    found = []
    if local in _ACTIVE_ELEMENTS:
        found.append(f"a <{local}> element: an LMS would run or load it")
    for attribute, value in element.attrib.items():
        name = etree.QName(attribute).localname.lower()
        if name.startswith("on"):
            found.append(f"an event handler ({name}=): script an LMS would run")
        elif name in _URL_ATTRIBUTES and value.replace(" ", "").lower().startswith("javascript:"):
            found.append(f"a javascript: URL in {name}=")
    return found


def holds_html(element: etree._Element, local: str) -> bool:
    """A text the LMS shows as HTML: Moodle's <text> in a format="html" field, Canvas's
    <mattext texttype="text/html">. (Elsewhere a "<" in text is a character, shown as one.)"""
    if local == "text":
        parent = element.getparent()
        return parent is not None and parent.get("format") == "html"
    return local == "mattext" and element.get("texttype") == "text/html"


def validate(name: str, root: etree._Element, relative: str) -> list[Problem]:
    validator = schema(relative)
    if validator.validate(root):
        return []
    return [Problem(name, e.line, "", f"schema: {e.message}") for e in list(validator.error_log)[:20]]


def math_problems(fragments: list[str], report: Report, at=None) -> None:
    for fragment in fragments:
        for problem in tex_problems(fragment):
            report(f"math {fragment[:50]!r}: {problem}", at)


# --- keys against the manifest and against a recomputation -----------------------------------


def load_bank_manifest(path: Path) -> dict:
    data = read_json(path, "a variantex bank manifest")
    if not isinstance(data, dict) or data.get("schema") != BANK_SCHEMA:
        raise InputError(f"not a variantex bank manifest (schema {BANK_SCHEMA!r})", str(path))
    if data.get("version") != BANK_VERSION:
        raise InputError(f"bank manifest version {data.get('version')!r} is not {BANK_VERSION}", str(path))
    if not isinstance(data.get("slots"), list):
        raise InputError("field 'slots' must be a list", str(path))
    return data


def recomputed_view(slot: dict, variant: dict):
    """A variant's view from its params alone, as the bank states it."""
    from variantex.answer_engine.exact import load_value
    from variantex.exams.bank import bank_view
    from variantex.exams.spec import PER_STATEMENT, SCORINGS, QuestionSpec
    from variantex.generators import base
    from variantex.generators.variant import variant_from_data

    family = base.family(slot["family"])
    points = load_value(slot["points"])
    scoring = slot.get("scoring", PER_STATEMENT)
    if scoring not in SCORINGS:
        raise ValueError(f"unknown scoring {scoring!r}")
    return bank_view(
        variant_from_data(family, variant["params"], slot["format"]),
        QuestionSpec(slot["slot"], family, slot["format"], points, scoring=scoring),
    )


def compare_keys(name: str, found: dict[str, tuple], manifest: dict, expected_key: Callable) -> list[Problem]:
    """The keys a file states against the keys recomputed from the manifest's params (and
    the manifest's own record of them). `found` maps a question to (line, key) or (line, key,
    the file inside a package that holds it), so each problem names the file and line."""
    problems = []
    listed = set()
    for slot in manifest["slots"]:
        for variant in slot.get("variants", []):
            ident = variant.get("question", "?")
            listed.add(ident)
            try:
                view = recomputed_view(slot, variant)
            except (VariantexError, KeyError, TypeError, ValueError) as error:
                problems.append(Problem(name, None, ident, f"cannot recompute the key from the manifest: {error}"))
                continue
            recorded = variant_key(view)
            if variant.get("key") != recorded:
                problems.append(
                    Problem(
                        name,
                        None,
                        ident,
                        "the manifest's key differs from the key recomputed "
                        f"from its params: {variant.get('key')} vs {recorded}",
                    )
                )
            if ident not in found:
                problems.append(Problem(name, None, ident, "in the manifest but not in the file"))
                continue
            line, key, *inside = found[ident]
            expected = expected_key(view)
            if key != expected:
                problems.append(Problem(inside[0] if inside else name, line, ident, difference(key, expected)))
    for ident, (line, _, *inside) in found.items():
        if ident not in listed:
            problems.append(Problem(inside[0] if inside else name, line, ident, "in the file but not in the manifest"))
    return problems


def difference(found: dict, expected: dict) -> str:
    if "correct" in expected:
        if found.get("correct") != expected["correct"]:
            return f"marks answer {found.get('correct')} correct but the key is {expected['correct']} (recomputed from params)"
        if found.get("texts") != expected.get("texts") or found.get("options") != expected.get("options"):
            return f"the answers differ from the options recomputed from params: {found.get('texts')} vs {expected['texts']}"
        return "; ".join(_mark_differences(found, expected))
    found_parts, expected_parts = found.get("parts", []), expected.get("parts", [])
    if len(found_parts) != len(expected_parts):
        return f"asks {len(found_parts)} part(s) but the key has {len(expected_parts)}"
    differences = [
        f"part {i} states {_stated(f)} but the key recomputed from params is {_stated(e)}"
        for i, (f, e) in enumerate(zip(found_parts, expected_parts), start=1)
        if f != e
    ]
    if found.get("weights") != expected.get("weights"):
        differences.append(
            f"the parts weigh {found.get('weights')} but the slot's points in equal whole shares are "
            f"{expected.get('weights')}"
        )
    differences += _mark_differences(found, expected)
    return "; ".join(differences)


def stated_points(points) -> str:
    """Points as a file states them (a 7-digit decimal), as an exact fraction's text."""
    from variantex.exams.bank import decimal_text

    return str(Fraction(Decimal(decimal_text(points, 7))))


def read_points(text: str | None) -> str:
    try:
        return str(Fraction(Decimal((text or "").strip())))
    except (InvalidOperation, ValueError):
        return "?"


def _mark_differences(found: dict, expected: dict) -> list[str]:
    """Marks the file gives against the marks the spec's points and scoring give."""
    differences = []
    if found.get("points") != expected.get("points"):
        differences.append(
            f"the question is out of {found.get('points')} but the slot is worth {expected.get('points')}"
        )
    if found.get("credits") != expected.get("credits"):
        differences.append(
            f"the options give {found.get('credits')} % credit but only the key may, in full: {expected.get('credits')}"
        )
    if found.get("marks") != expected.get("marks"):
        differences.append(
            f"0, 1, … right parts score {found.get('marks')} but the slot's points and scoring give {expected.get('marks')}"
        )
    return differences


def _stated(part: dict) -> str:
    if "accepted" in part:
        return "/".join(part["accepted"])
    return f"{part.get('answer')} ± {part.get('tolerance')}"


def stated_key(view, option_text: Callable) -> dict:
    """What a file should state of a variant's key: the correct letter and every option as
    the target prints it (mcq), each part's decimal and tolerance or accepted words (numeric)."""
    if view.format == "mcq":
        return {
            "correct": view.correct_letter,
            "options": len(view.options),
            "texts": [option_text(o.content) for o in view.options],
            # Each option's credit in percent: full for the key, nothing for a mistake.
            "credits": ["100" if o.correct else "0" for o in view.options],
        }
    if view.format == "numeric":
        return {"parts": numeric_parts(view)}
    if view.format == "tf":
        return {"parts": [{"accepted": ["True" if s.truth else "False"]} for s in view.statements]}
    return {}


def open_package(name: str, archive: zipfile.ZipFile) -> tuple[set[str], str, etree._Element | None, list[Problem]]:
    """A package's file names and its parsed imsmanifest.xml (None, with the problem, if absent or broken)."""
    names = set(archive.namelist())
    label = f"{name}!imsmanifest.xml"
    if "imsmanifest.xml" not in names:
        return names, label, None, [Problem(name, None, "", "no imsmanifest.xml at the top of the package")]
    manifest, problems = parse_xml(label, archive.read("imsmanifest.xml"))
    return names, label, manifest, problems


def numeric_parts(view) -> list[dict]:
    """What a file states for each asked part: a decimal and tolerance, or accepted words."""
    from variantex.exams.bank import stated_part

    return [stated_part(view, part) for part in view.asked]

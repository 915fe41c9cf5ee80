"""Canvas (QTI 1.2 zip) and QTI 2.1 package exports: every assessment and item valid against
the official schemas shipped in exams/lms/schemas/ims, manifests in the shape their
importers expect, keys that round-trip, and `export --check` catching injected faults."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from tests.conftest import requires_tex
from variantex.cli import cli
from variantex.exams.lms import check_canvas, check_qti21
from variantex.exams.lms.checks import check_export, recomputed_view, schema

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "four-families.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module", params=["canvas", "qti21"])
def package(request, tmp_path_factory) -> tuple[str, Path]:
    if requires_tex.args[0]:
        pytest.skip("TeX Live missing (figures are typeset)")
    out = tmp_path_factory.mktemp(request.param) / "bank.zip"
    result = run("export", str(SAMPLE), "--to", request.param, "--variants", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    return request.param, out


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def repack(source: Path, target: Path, edit) -> Path:
    files = members(source)
    edit(files)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    target.with_suffix(".manifest.json").write_text(source.with_suffix(".manifest.json").read_text())
    return target


def test_every_assessment_and_item_validates_against_the_official_schemas(package):
    target, path = package
    files = members(path)
    if target == "qti21":
        items = [n for n in files if n.startswith("items/") and n.endswith(".xml")]
        assert len(items) == 3 * 8
        qti = schema(check_qti21.QTI_SCHEMA)
        for name in items:
            assert qti.validate(etree.fromstring(files[name])), (name, qti.error_log.last_error)
        assert schema(check_qti21.CP_SCHEMA).validate(etree.fromstring(files["imsmanifest.xml"]))
    else:
        assessments = [n for n in files if re.fullmatch(r"(g[0-9a-f]{32})/\1\.xml", n)]
        assert len(assessments) == 1
        root = etree.fromstring(files[assessments[0]])
        assert schema(check_canvas.QTI12_SCHEMA).validate(root)
        groups = [s for s in root.iter("{*}section") if s.get("ident") != "root_section"]
        assert len(groups) == 8 and all(len(g.findall("{*}item")) == 3 for g in groups)
        assert {f"{assessments[0].split('/')[0]}/assessment_meta.xml", "imsmanifest.xml"} <= set(files)


def test_the_schemas_really_reject_what_they_should(package):
    target, path = package
    files = members(path)
    if target == "qti21":
        name = next(n for n in files if n.startswith("items/") and n.endswith(".xml"))
        broken = files[name].replace(b"<itemBody>", b"<itemBody><bogus/>", 1)
        assert not schema(check_qti21.QTI_SCHEMA).validate(etree.fromstring(broken))
    else:
        name = next(n for n in files if n.endswith(".xml") and "assessment_meta" not in n and n != "imsmanifest.xml")
        broken = files[name].replace(b"<presentation>", b"<presentation><bogus/>", 1)
        assert not schema(check_canvas.QTI12_SCHEMA).validate(etree.fromstring(broken))


def test_the_package_passes_every_check_and_its_keys_round_trip(package):
    target, path = package
    assert check_export(path).problems == [] and check_export(path).keys_recomputed
    checker = check_qti21 if target == "qti21" else check_canvas
    with zipfile.ZipFile(path) as archive:
        found, problems = checker.check(str(path), archive)
    assert problems == []
    manifest = json.loads(path.with_suffix(".manifest.json").read_text())
    for slot in manifest["slots"]:
        for variant in slot["variants"]:
            key = found[variant["question"]][1]
            assert key == checker.expected_key(recomputed_view(slot, variant)), variant["question"]
            if slot["format"] == "mcq":
                assert key["correct"] == variant["key"]["correct"]


def test_the_same_seed_gives_the_same_bytes(package, tmp_path):
    target, path = package
    again = tmp_path / "again.zip"
    assert run("export", str(SAMPLE), "--to", target, "--variants", "3", "--out", str(again)).exit_code == 0
    assert again.read_bytes() == path.read_bytes()


def _move_correct_answer(target: str):
    def edit(files: dict[str, bytes]) -> None:
        if target == "qti21":
            name = "items/losses-v001.xml"
            text = files[name].decode()
            correct = re.search(r"<correctResponse>\s*<value>([A-E])</value>", text).group(1)
            other = "A" if correct != "A" else "B"
            files[name] = text.replace(f"<value>{correct}</value>", f"<value>{other}</value>", 1).encode()
        else:
            name = next(n for n in files if re.fullmatch(r"(g[0-9a-f]{32})/\1\.xml", n))
            text = files[name].decode()
            start = text.index('ident="losses-v001"')
            block = text[start : text.index("</item>", start)]
            scoring = re.compile(
                r'(<respcondition continue="No">\s*<conditionvar>\s*<varequal respident="response1">)'
                r"([A-E])(</varequal>)"
            )
            correct = scoring.search(block).group(2)
            moved = scoring.sub(lambda m: m.group(1) + ("A" if correct != "A" else "B") + m.group(3), block, count=1)
            files[name] = (text[:start] + moved + text[start + len(block) :]).encode()

    return edit


def test_check_catches_a_moved_key(package, tmp_path):
    target, path = package
    edited = repack(path, tmp_path / "edited.zip", _move_correct_answer(target))
    result = run("export", "--check", str(edited))
    assert result.exit_code == 1
    assert re.search(r"losses-v001: marks answer [A-E] correct but the key is [A-E]", result.output), result.output


def test_check_catches_a_widened_tolerance_and_a_missing_file(package, tmp_path):
    target, path = package

    def edit(files: dict[str, bytes]) -> None:
        image = next(n for n in files if n.endswith(".svg"))
        del files[image]
        for name in files:
            if not name.endswith(".xml"):
                continue
            text = files[name].decode()
            if target == "qti21":
                text = re.sub(r'tolerance="([0-9.]+) \1"', 'tolerance="5 5"', text, count=1)
            else:  # a blank that also accepts 12345
                text = re.sub(
                    r'(<response_label ident="b1a1">\s*<material>\s*<mattext texttype="text/plain">)[^<]*',
                    r"\g<1>12345",
                    text,
                    count=1,
                )
            files[name] = text.encode()

    result = run("export", "--check", str(repack(path, tmp_path / "edited.zip", edit)))
    assert result.exit_code == 1
    assert "not in the package" in result.output or "not in the zip" in result.output
    assert ("± 5 but" if target == "qti21" else "12345") in result.output
    assert "but the key recomputed from params is" in result.output


def test_broken_math_and_a_broken_zip_are_reported(package, tmp_path):
    target, path = package

    def edit(files: dict[str, bytes]) -> None:
        for name in files:
            if name.endswith(".xml") and b"\\frac{" in files[name]:
                text = files[name].decode()
                # Canvas reads the TeX of an equation image from data-equation-content.
                anchor = text.index('data-equation-content="') if target == "canvas" else 0
                at = text.index("\\frac{", anchor)
                files[name] = (text[:at] + "\\frac{{" + text[at + 6 :]).encode()
                return

    result = run("export", "--check", str(repack(path, tmp_path / "edited.zip", edit)))
    assert result.exit_code == 1 and "1 unclosed brace(s)" in result.output
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(path.read_bytes()[:200])
    result = run("export", "--check", str(truncated))
    assert result.exit_code == 1 and "not a readable zip" in result.output


def test_the_manifest_shape_is_checked_for_canvas(tmp_path):
    if requires_tex.args[0]:
        pytest.skip("TeX Live missing")
    out = tmp_path / "c.zip"
    assert run("export", str(SAMPLE), "--to", "canvas", "--variants", "1", "--out", str(out)).exit_code == 0

    def stray(files: dict[str, bytes]) -> None:
        files["notes.txt"] = b"hello"
        files["imsmanifest.xml"] = (
            files["imsmanifest.xml"]
            .replace(b"<dependency", b"<dependencyX", 1)
            .replace(b"</dependency", b"</dependencyX", 1)
        )

    result = run("export", "--check", str(repack(out, tmp_path / "edited.zip", stray)))
    assert result.exit_code == 1
    assert "notes.txt is in the zip but no resource names it" in result.output
    assert "must depend on its assessment_meta.xml resource" in result.output


def test_a_zip_export_is_not_written_over_a_foreign_zip(tmp_path):
    foreign = tmp_path / "mine.zip"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("imsmanifest.xml", "<manifest/>")
    result = run("export", str(SAMPLE), "--to", "qti21", "--out", str(foreign))
    assert result.exit_code == 2 and "was not written by variantex export" in result.output
    with zipfile.ZipFile(foreign) as archive:
        assert archive.read("imsmanifest.xml") == b"<manifest/>"


def test_wrong_choices_carry_feedback_naming_the_mistake(package):
    target, path = package
    files = members(path)
    if target == "qti21":
        item = etree.fromstring(files["items/losses-v001.xml"])
        feedback = {m.get("identifier"): "".join(m.itertext()) for m in item.iter("{*}modalFeedback")}
    else:
        name = next(n for n in files if re.fullmatch(r"(g[0-9a-f]{32})/\1\.xml", n))
        item = next(i for i in etree.fromstring(files[name]).iter("{*}item") if i.get("ident") == "losses-v001")
        feedback = {
            f.get("ident")[0]: "".join(f.itertext())
            for f in item.iter("{*}itemfeedback")
            if f.get("ident") != "general_fb"
        }
    assert sorted(feedback)[:5] == ["A", "B", "C", "D", "E"]
    assert sum("Correct." in text for text in feedback.values()) == 1
    assert sum("this is what you get if you" in text for text in feedback.values()) == 4


def test_check_without_a_manifest_says_keys_were_not_recomputed(package, tmp_path):
    _, path = package
    alone = tmp_path / "alone.zip"
    alone.write_bytes(path.read_bytes())
    result = run("export", "--check", str(alone))
    assert result.exit_code == 0 and "keys NOT recomputed" in result.output


@pytest.mark.parametrize("count", range(2, 9))
def test_canvas_shares_of_a_full_score_add_up_to_exactly_100(count):
    from decimal import Decimal

    from variantex.exams.lms.canvas import shares_of_100

    shares = [Decimal(s) for s in shares_of_100(count)]
    assert sum(shares) == 100 and len(shares) == count
    assert max(shares) - min(shares) <= Decimal("0.000001")  # equal shares, up to the rounding

"""`export --check` on hostile files: nothing is inflated without bound, no path leaves the
package, nothing unlisted rides along, the encoding is what the LMS reads, and no script
hides in a question. Each is reported (exit 1); nothing in a refused zip is read."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from variantex.cli import cli

SPEC = "title: T\nseed: 2\nquestions:\n  - family: gd-step\n    format: numeric\n    points: 2\n"


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def exported(tmp_path):
    """target -> a fresh export (with its manifest beside it) of a small spec."""
    (tmp_path / "s.yaml").write_text(SPEC)

    def make(target: str) -> Path:
        out = tmp_path / f"bank-{target}{'.xml' if target == 'moodle' else '.zip'}"
        result = run("export", tmp_path / "s.yaml", "--to", target, "--variants", "2", "--out", out)
        assert result.exit_code == 0, result.output
        return out

    return make


def rewritten(source: Path, add) -> Path:
    """A copy of a package with entries added by `add(archive)`."""
    target = source.with_name("hostile-" + source.name)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for entry in original.infolist():
            copy.writestr(entry, original.read(entry))
        add(copy)
    target.with_name(target.name.replace(".zip", ".manifest.json")).write_text(
        source.with_name(source.name.replace(".zip", ".manifest.json")).read_text()
    )
    return target


def checked(path: Path, *expected: str) -> str:
    result = run("export", "--check", path)
    assert result.exit_code == 1, result.output
    for text in expected:
        assert text in result.output, result.output
    return result.output


def _bomb(archive: zipfile.ZipFile) -> None:
    with archive.open("items/bomb.xml", "w", force_zip64=True) as handle:  # streamed: no 65 MB in memory
        chunk = b"\0" * 2**20
        for _ in range(65):
            handle.write(chunk)


def _escape(archive: zipfile.ZipFile) -> None:
    archive.writestr("../../escaped.xml", "<x/>")


def _link(archive: zipfile.ZipFile) -> None:
    info = zipfile.ZipInfo("items/link.xml")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive.writestr(info, "/etc/passwd")


def _unlisted(archive: zipfile.ZipFile) -> None:
    for i in range(4):
        archive.writestr(f"extra/file{i}.txt", "x")


@pytest.mark.parametrize("target", ["canvas", "qti21"])
@pytest.mark.parametrize(
    "add, expected",
    [
        (_bomb, "inflates"),
        (_escape, "'../../escaped.xml': a path outside the package's folder"),
        (_link, "'items/link.xml': a symbolic link"),
    ],
    ids=["bomb", "dot-dot", "symlink"],
)
def test_a_hostile_zip_is_refused_unread(exported, target, add, expected):
    checked(rewritten(exported(target), add), expected)


def test_files_the_qti_manifest_does_not_list_are_reported(exported):
    checked(rewritten(exported("qti21"), _unlisted), "4 files the manifest does not list: extra/file0.txt")


def test_too_many_entries_stop_the_check_before_reading(exported, monkeypatch):
    from variantex.exams.lms import checks

    monkeypatch.setattr(checks, "MAX_ENTRIES", 5)  # 50,000 real entries would only slow the suite
    output = checked(rewritten(exported("qti21"), _unlisted), "files in the package (at most 5)")
    assert "does not list" not in output  # refused before the manifest was read


def test_a_moodle_file_declaring_another_encoding_is_reported(exported):
    path = exported("moodle")
    path.write_text(path.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1))
    checked(path, "declares the encoding ISO-8859-1")


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<script>alert(1)</script>", "in its HTML: a <script> element"),
        ('<img src="x" onerror="alert(1)">', "in its HTML: an event handler (onerror=)"),
        ('<a href="javascript:alert(1)">x</a>', "in its HTML: a javascript: URL in href="),
    ],
    ids=["script", "onerror", "javascript-url"],
)
def test_script_in_moodle_question_text_is_reported(exported, html, expected):
    path = exported("moodle")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("<![CDATA[", "<![CDATA[" + html, 1), encoding="utf-8")
    checked(path, expected)


def test_script_in_qti21_xhtml_is_reported(exported):
    source = exported("qti21")
    target = source.with_name("script-" + source.name)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for entry in original.infolist():
            data = original.read(entry)
            if entry.filename.startswith("items/") and entry.filename.endswith(".xml") and b"<p>" in data:
                data = data.replace(b"<p>", b'<p onclick="alert(1)">', 1)
            copy.writestr(entry, data)
    target.with_name(target.name.replace(".zip", ".manifest.json")).write_text(
        source.with_name(source.name.replace(".zip", ".manifest.json")).read_text()
    )
    checked(target, "an event handler (onclick=)")

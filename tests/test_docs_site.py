"""The user guide builds with `mkdocs build --strict` (as `make docs` and `make test` run it),
and the strict build fails on a broken link."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not --quiet: it hides the warnings that --strict turns into a failure.
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]


def build_site(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*MKDOCS, "--site-dir", str(root / "site")], cwd=root, capture_output=True, text=True)


def copy_of_the_guide(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    return tmp_path


def test_the_guide_builds_strictly_with_every_page_in_its_navigation(tmp_path):
    root = copy_of_the_guide(tmp_path)
    result = build_site(root)
    assert result.returncode == 0, result.stderr
    for page in ("index.html", "question-files/index.html", "performance/index.html", "families/index.html"):
        assert (root / "site" / page).is_file(), page
    assert "each family worked" in (root / "site" / "index.html").read_text(encoding="utf-8")


def test_a_broken_link_or_a_page_left_out_fails_the_build(tmp_path):
    root = copy_of_the_guide(tmp_path)
    lms = root / "docs" / "lms.md"
    lms.write_text(lms.read_text(encoding="utf-8") + "\nSee [the scoring rules](scoring-rules.md).\n", encoding="utf-8")
    result = build_site(root)
    assert result.returncode != 0
    assert "lms.md" in result.stderr and "scoring-rules.md" in result.stderr
    lms.write_text(
        lms.read_text(encoding="utf-8").replace("See [the scoring rules](scoring-rules.md).", ""), encoding="utf-8"
    )
    (root / "docs" / "orphan.md").write_text("# Nobody links here\n", encoding="utf-8")
    result = build_site(root)
    assert result.returncode != 0 and "orphan.md" in result.stderr

"""`build`: spec -> exam.tex/.pdf, key.tex/.pdf and manifest.json, all or nothing.

Everything is written into a temporary sibling folder and moved into place only when
complete, so a failure never leaves a half-written output folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from exams import latex
from exams.assemble import Paper, assemble
from exams.manifest import build_manifest, write_manifest
from exams.render import render_papers
from exams.spec import ExamSpec, load_spec

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    out: Path
    files: list[Path] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)


@contextlib.contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """A temporary folder beside `out` that replaces `out` only if the block succeeds."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = None
    if out.exists():
        previous = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(previous)
    staging.rename(out)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def build(
    spec_path: str | Path,
    out: str | Path,
    seed: int | None = None,
    make_pdf: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    report = progress or (lambda message: None)
    spec: ExamSpec = load_spec(spec_path)
    exam_seed = spec.seed if seed is None else seed
    report("drawing and verifying variants")
    papers = assemble(spec, exam_seed)
    out = Path(out)
    with staged_folder(out) as staging:
        documents = {
            "exam.tex": render_papers(spec, papers, key=False),
            "key.tex": render_papers(spec, papers, key=True),
        }
        for name, text in documents.items():
            (staging / name).write_text(text, encoding="utf-8")
        if make_pdf:
            report("typesetting exam and key")
            # Two independent TeX runs: one per core.
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(pool.map(latex.compile_pdf, [staging / name for name in documents]))
        write_manifest(staging / "manifest.json", build_manifest(spec, exam_seed, papers))
    result = BuildResult(out.resolve(), papers=papers)
    result.files = sorted(p for p in result.out.iterdir() if p.is_file())
    return result

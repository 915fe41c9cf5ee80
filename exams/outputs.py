"""Output folders: written whole or not at all, and never at the expense of anyone's files.

Everything is written into a staging folder beside the target (`.NAME.tmp-PID-…`) and
published only when complete:

- a new folder: the staging folder is renamed into place (atomic);
- a previous variantex output (it holds `.variantex-output`, the list of files that
  build wrote): each new file replaces its old one, the old build's files that this build
  did not write again are removed, and nothing else is touched (a `grades/` folder, notes);
- any other non-empty folder is refused, unless `force`: then the files are written into
  it and nothing is deleted.

A build that is killed leaves its staging folder behind; the next build into the same
place removes staging folders whose process is gone. SIGTERM removes it at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from variantex.answer_engine.errors import InputError

# What `build --to` writes: LaTeX and PDFs, LaTeX only, or the exam view as JSON.
OUTPUTS = ("pdf", "tex", "json")
MARKER = ".variantex-output"
_ACTIVE: set[Path] = set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


STAGING = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<pid>\d+)-")


def remove_stale_staging(out: Path) -> list[Path]:
    """Staging folders of earlier builds into `out` (beside it, or inside it when it was a
    folder already) whose process no longer runs."""
    removed = []
    for folder, name in ((out.parent, out.name), (out, None)):
        if not folder.is_dir():
            continue
        for candidate in folder.iterdir():
            match = STAGING.match(candidate.name)
            if (
                match
                and (name is None or match.group("name") == name)
                and candidate.is_dir()
                and not _alive(int(match.group("pid")))
            ):
                shutil.rmtree(candidate, ignore_errors=True)
                removed.append(candidate)
    return removed


def written_by_last_build(out: Path) -> list[str] | None:
    """The files the last variantex build wrote into `out`, from its marker; None when there
    is no marker or it is not one variantex writes (then the folder is not ours)."""
    try:
        files = json.loads((out / MARKER).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return [f for f in files if not Path(f).is_absolute() and ".." not in Path(f).parts]


def _foreign_entries(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if not STAGING.match(p.name)]


def check_target(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise InputError("a file is in the way (it is not a folder)", f"--out {out}")
    if out.is_dir() and written_by_last_build(out) is None and _foreign_entries(out) and not force:
        raise InputError(
            "is not empty and was not written by variantex; choose a new or empty folder, or add --force "
            "(variantex then writes its files there and deletes nothing)",
            f"--out {out}",
        )


@contextlib.contextmanager
def staged_folder(out: str | Path, force: bool = False, overwrite: bool = False) -> Iterator[Path]:
    """A staging folder on the target's own file system, published into `out` only if the
    block succeeds: beside a new folder (then renamed into place), inside an existing one (a
    mount point, an empty USB stick: a rename across file systems would fail)."""
    if str(out).strip() == "":
        raise InputError("an empty folder name", "--out")
    out = Path(out).resolve()
    check_target(out, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out)
        place = out if out.is_dir() else out.parent
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=place))
    except OSError as error:
        raise InputError(f"cannot write there ({error.strerror or error})", f"--out {out}") from None
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
    _ACTIVE.add(staging)
    try:
        yield staging
        publish(staging, out, overwrite)
    finally:
        _ACTIVE.discard(staging)
        shutil.rmtree(staging, ignore_errors=True)


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def publish(staging: Path, out: Path, overwrite: bool = False) -> None:
    files = files_in(staging)
    (staging / MARKER).write_text(json.dumps({"files": files}, indent=0) + "\n", encoding="utf-8")
    if not out.exists():
        staging.rename(out)
        return
    previous = set(written_by_last_build(out) or [])
    theirs = [name for name in files if (out / name).exists() and name not in previous]
    if theirs and not overwrite:  # --force writes beside a user's files, never over them
        shown = ", ".join(theirs[:5]) + (f" and {len(theirs) - 5} more" if len(theirs) > 5 else "")
        raise InputError(
            f"holds files variantex did not write that this build would replace ({shown}); "
            "move them, or add --overwrite",
            f"--out {out}",
        )
    for name in files:
        target = out / name
        if target.is_dir():
            raise InputError("a folder is in the way of a file the build writes", f"--out {target}")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target)
    for name in sorted(previous - set(files)):
        (out / name).unlink(missing_ok=True)
    for folder in sorted({(out / name).parent for name in previous}, key=lambda p: len(p.parts), reverse=True):
        if folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    os.replace(staging / MARKER, out / MARKER)


def remove_on_terminate() -> None:
    """On SIGTERM or SIGHUP (a closed terminal), remove the staging folders in progress and
    exit (status 128 + the signal): child processes die with us (see exams.latex.die_with_parent)."""

    def handler(signum, frame):  # noqa: ARG001 - the signal interface
        for staging in list(_ACTIVE):
            shutil.rmtree(staging, ignore_errors=True)
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)

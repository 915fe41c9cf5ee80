"""Reading a user's file as text, with one-line errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

from answer_engine.errors import InputError


def read_text(path: str | Path) -> str:
    """UTF-8 text (a byte-order mark is allowed); a missing, unreadable or mis-encoded
    file is an InputError naming the file and, for encoding, the first bad line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read ({error.strerror})", str(path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError("not UTF-8 text (save or export it as UTF-8)", f"{path}:{line}") from None

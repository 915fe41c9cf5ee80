"""Reading a user's file as text, with one-line errors that name the file and line."""

from __future__ import annotations

import stat
from pathlib import Path

from variantex.answer_engine.errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # far beyond any spec, roster, keys file or manifest


def read_bytes(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; otherwise an InputError naming it."""
    path = Path(path)
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(status.st_mode):  # a FIFO or device would block or never end
            raise InputError("not a regular file", str(path))
        if status.st_size > limit:
            raise InputError(f"larger than {limit // 2**20} MiB: not a file variantex reads", str(path))
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read ({error.strerror})", str(path)) from None


def read_text(path: str | Path, limit: int = MAX_BYTES) -> str:
    """UTF-8 text (a byte-order mark is allowed); a missing, unreadable, special, huge or
    mis-encoded file, or one with NUL bytes, is an InputError naming the file (and line)."""
    return decode_text(read_bytes(path, limit), str(path))


def decode_text(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError("not UTF-8 text (save or export it as UTF-8)", f"{name}:{line}") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError("contains a NUL byte: not a text file", f"{name}:{line}")
    return text

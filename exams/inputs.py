"""Reading a user's file as text, with one-line errors that name the file and line."""

from __future__ import annotations

import csv
import io
import json
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


def read_json(path: str | Path, what: str) -> object:
    """JSON from a file, every way it can be hostile answered in one line naming the file:
    bad syntax (with its line), a key written twice (which of the two would count?), nesting
    deeper than Python recurses, or an integer too long to read."""
    text = read_text(path)

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        mapping: dict[str, object] = {}
        for key, value in items:
            if key in mapping:
                raise _DuplicateKey(key)
            mapping[key] = value
        return mapping

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise InputError(f"not {what} (JSON error: {error.msg})", f"{path}:{error.lineno}") from None
    except _DuplicateKey as error:
        raise InputError(f"not {what}: the key {error.args[0]!r} appears twice in one object", str(path)) from None
    except RecursionError:
        raise InputError(f"not {what}: nested too deeply", str(path)) from None
    except ValueError as error:  # an integer past Python's digit limit
        raise InputError(f"not {what}: {error}", str(path)) from None


class _DuplicateKey(Exception):
    pass


MAX_CELL = 10_000  # characters in one CSV cell; a name or a response is a line


def read_csv_rows(path: str | Path) -> list[list[str]]:
    """The rows of a CSV file (UTF-8), a malformed or oversized cell named by file and line."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    rows = []
    try:
        for row in reader:
            longest = max((len(cell) for cell in row), default=0)
            if longest > MAX_CELL:
                raise InputError(
                    f"a cell of {longest:,} characters (at most {MAX_CELL:,})", f"{path}:{reader.line_num}"
                )
            rows.append(row)
    except csv.Error as error:
        raise InputError(f"not readable as CSV ({error})", f"{path}:{reader.line_num}") from None
    return rows

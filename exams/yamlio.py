"""YAML reading that keeps numbers exact and remembers line numbers.

Floats are kept as `Decimal` built from the source text (so `0.1` is exactly 1/10),
duplicate keys are refused, and every mapping remembers the line of each key so errors
can say `exam.yaml:12: questions[2].points: …`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from variantex.answer_engine.errors import InputError
from variantex.exams.inputs import read_text


class LocatedDict(dict):
    """A mapping that knows the source line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name or number, not a list or mapping", key_node.start_mark
            )
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


MAX_NUMBER_TEXT = 60  # characters; an exam's numbers are far shorter (the exact reader bounds them again)


def _too_long(text: str, node: yaml.ScalarNode) -> None:
    if len(text) > MAX_NUMBER_TEXT:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of {len(text)} characters is not an exam's number", node.start_mark
        )


def _integer(loader: _Loader, node: yaml.ScalarNode) -> int:
    _too_long(loader.construct_scalar(node), node)
    return loader.construct_yaml_int(node)


def _decimal(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    _too_long(text, node)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot read {text!r} as a number", node.start_mark
        ) from None
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(None, None, f"{text!r} is not a finite number", node.start_mark)
    return value


MAX_TEXT = 20_000  # characters in one text field; a title or an instruction is a line or two
_SURROGATE = re.compile("[\ud800-\udfff]")


def _string(loader: _Loader, node: yaml.ScalarNode) -> str:
    """A text field: bounded (a 10 MB title would take seconds in every step after), and no
    lone surrogate ("\\ud800" is valid YAML but no character: nothing could print or save it)."""
    text = loader.construct_scalar(node)
    if len(text) > MAX_TEXT:
        raise yaml.constructor.ConstructorError(
            None, None, f"a text of {len(text):,} characters (at most {MAX_TEXT:,})", node.start_mark
        )
    if _SURROGATE.search(text):
        raise yaml.constructor.ConstructorError(
            None, None, "a lone surrogate escape (like \\ud800) is not a character", node.start_mark
        )
    return text


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor("tag:yaml.org,2002:str", _string)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:int", _integer)


# The YAML parser's words for the usual slips, and what they mean to a person.
_PLAIN_WORDS = (
    (
        "expected <block end>",
        "the indentation is off here: this line is indented differently from the lines of the same list or mapping",
    ),
    (
        "mapping values are not allowed here",
        "a ':' where none belongs: is this line indented more than the "
        "one above, or does a value with ': ' need quotes?",
    ),
    ("found character '\\t' that cannot start any token", "a tab character: indent with spaces"),
    ("could not find expected ':'", "a line without 'key: value' inside a mapping (missing colon or indentation?)"),
    ("found duplicate key", "a key appears twice"),
)


MAX_DEPTH = 64  # levels of [ ] / { } nesting; exam files use a handful


def _flow_depth(text: str) -> int:
    """The deepest [ ] / { } nesting outside quotes: a cheap look before PyYAML recurses."""
    depth = deepest = 0
    quote = ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads(text: str, source: str = "<text>") -> Any:
    if _flow_depth(text) > MAX_DEPTH:
        raise InputError(f"nested more than {MAX_DEPTH} levels deep: not an exam file", source)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = str(error.problem or error)
        plain = next((text for clue, text in _PLAIN_WORDS if clue in problem), None)
        if plain:
            raise InputError(plain, f"{source}{line}") from None
        message = f"not valid YAML: {problem}"
        start = error.context_mark
        if error.context and start and mark and start.line != mark.line:
            message += f" ({error.context} that starts on line {start.line + 1})"
        raise InputError(message, f"{source}{line}") from None
    except yaml.YAMLError as error:
        raise InputError(f"not valid YAML: {error}", source) from None
    except RecursionError:
        raise InputError("nested too deeply to be an exam file", source) from None


def load(path: str | Path) -> Any:
    return loads(read_text(path), str(path))


def where(path: str | Path, container: Any, key: Any = None, field: str = "") -> str:
    """ "file:line: field" for an error about `key` of `container`."""
    line = 0
    if isinstance(container, LocatedDict):
        line = container.line_of(key) if key is not None else container.line
    elif isinstance(container, LocatedList):
        line = container.item_lines[key] if isinstance(key, int) and key < len(container.item_lines) else container.line
    location = f"{path}:{line}" if line else str(path)
    return f"{location}: {field}" if field else location


def refuse_unknown(path: str | Path, data: Any, allowed: Sequence[str], prefix: str = "") -> None:
    """One line naming the first key of `data` that is not `allowed` (its file, line and field)."""
    for key in data:
        if key not in allowed:
            raise InputError(
                f"unknown field (expected one of: {', '.join(allowed)})", where(path, data, key, f"{prefix}{key}")
            )


def load_mapping(path: str | Path, what: str, allowed: Sequence[str], required: Sequence[str]) -> Any:
    """A YAML file that is one mapping (an exam spec, a question file): its fields checked
    against `allowed`, the `required` ones present, each problem one line."""
    return check_mapping(path, load(path), what, allowed, required)


def check_mapping(
    path: str | Path, data: Any, what: str, allowed: Sequence[str], required: Sequence[str], prefix: str = ""
) -> Any:
    """`data` (read from `path`, or a mapping inside it at `prefix`) checked as `load_mapping` does."""
    if not isinstance(data, dict):
        raise InputError(f"{what} is a mapping with at least {', '.join(required)}", str(path))
    refuse_unknown(path, data, allowed, prefix)
    for name in required:
        if name not in data:
            raise InputError("missing", where(path, data, None, f"{prefix}{name}"))
    return data

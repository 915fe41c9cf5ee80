"""Expressions an instructor writes in a question file: parsed here, never evaluated as Python.

A small recursive-descent parser turns text such as `1/2 * erfc(d / sqrt(2))`,
`-y*log(p) - (1 - y)*log(1 - p)` or `mu > 0 and sigma != 1` into a tree of tuples. Nothing
else reads the text: no `eval`, no sympy parser, so `__import__('os')`, attribute access or a
lambda are simply not in the grammar. The tree is then evaluated two ways that share no
arithmetic: `exact` builds a sympy value (the key), `approximate` computes in mpmath at 50
digits from the raw tree with no simplification (the independent check). Sizes are bounded
before any exact work: a literal's digits, the text's length, the nesting depth, and every
intermediate value's magnitude and exponent (measured in mpmath first), so `9^9^9^9` or
`exp(exp(100))` is refused at once rather than computed.

Grammar (as `check` reads closed forms, plus names, calls and conditions):

    condition := conjunct ("or" conjunct)*        conjunct := negation ("and" negation)*
    negation  := "not" negation | comparison      comparison := sum [("<"|"<="|">"|">="|"=="|"!=") sum]
    sum       := term (("+"|"-") term)*           term := unary (("*"|"/") unary | unary)*   (juxtaposition multiplies)
    unary     := "-" unary | "+" unary | power    power := primary [("^"|"**") unary]
    primary   := number | name | name "(" condition ("," condition)* ")" | "(" condition ")"
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp

from variantex.answer_engine.errors import InvalidParams

MAX_LENGTH = 500
MAX_DEPTH = 24
MAX_DIGITS = 30
MAX_EXPONENT = 1000
LIMIT = mpmath.mpf(10) ** 300
PRECISION = 50  # decimal digits of the independent check

Node = tuple[Any, ...]  # ("num", text) | ("name", n) | ("call", f, args) | ("neg", a) | (op, a, b)

_TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\.\d+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|<=|>=|==|!=|[-+*/^(),<>\[\]]))")
_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
_WORDS = ("and", "or", "not")


def _phi_exact(x: sp.Expr) -> sp.Expr:
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def _phi_approximate(x: Any) -> Any:
    return (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2


# name: (arguments, exact, approximate). Each side is written from the definition on its
# own library; neither calls the other.
FUNCTIONS: dict[str, tuple[int, Callable[..., Any], Callable[..., Any]]] = {
    "sqrt": (1, sp.sqrt, mpmath.sqrt),
    "ln": (1, sp.log, mpmath.log),
    "log": (1, sp.log, mpmath.log),
    "exp": (1, sp.exp, mpmath.exp),
    "abs": (1, sp.Abs, abs),
    "floor": (1, sp.floor, mpmath.floor),
    "ceil": (1, sp.ceiling, mpmath.ceil),
    "erf": (1, sp.erf, mpmath.erf),
    "erfc": (1, sp.erfc, mpmath.erfc),
    "Phi": (1, _phi_exact, _phi_approximate),  # the standard normal distribution function
    "sigmoid": (1, lambda x: 1 / (1 + sp.exp(-x)), lambda x: 1 / (1 + mpmath.exp(-x))),
    "min": (2, sp.Min, min),
    "max": (2, sp.Max, max),
    "binomial": (2, sp.binomial, mpmath.binomial),
    # vectors and matrices (params drawn with `vector:` or `matrix:`)
    "dot": (2, lambda u, v: (u.T * v)[0, 0], lambda u, v: sum(a * b for a, b in zip(u, v))),
    "norm": (1, lambda v: sp.sqrt(sum(x**2 for x in v)), lambda v: mpmath.sqrt(sum(x**2 for x in v))),
    "det": (1, lambda m: m.det(), mpmath.det),
    "trace": (1, lambda m: m.trace(), lambda m: sum(m[i, i] for i in range(m.rows))),
    "total": (1, lambda v: sum(v), lambda v: sum(v)),
}
# SymPy's spellings, so an exact value written out (a manifest's key) reads back.
FUNCTIONS.update(
    {"Abs": FUNCTIONS["abs"], "Min": FUNCTIONS["min"], "Max": FUNCTIONS["max"], "ceiling": FUNCTIONS["ceil"]}
)
CONSTANTS: dict[str, tuple[sp.Expr, Any]] = {"pi": (sp.pi, mpmath.pi), "e": (sp.E, mpmath.e), "E": (sp.E, mpmath.e)}
RESERVED = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | frozenset(_WORDS) | {"True", "False", "None", "lambda"}


@dataclass(frozen=True)
class Expression:
    """A parsed expression and the names it uses."""

    text: str
    tree: Node
    names: frozenset[str]

    def exact(self, values: Mapping[str, Any]) -> Any:
        """The exact value (a sympy number, or a bool for a condition), bounded as it goes."""
        self.approximate(values)  # refuses anything too large before sympy sees it
        try:
            return _exact(self.tree, values)
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError) as error:
            raise InvalidParams(f"{self.text!r} cannot be computed exactly ({type(error).__name__})") from None

    def approximate(self, values: Mapping[str, Any]) -> Any:
        """The value in mpmath at PRECISION digits, from the raw tree (no simplification)."""
        with mpmath.workdps(PRECISION):
            return _approximate(self.tree, values)


def parse(text: object, known: frozenset[str] | set[str] = frozenset(), field: str = "") -> Expression:
    """`text` parsed; every name must be a function, a constant or one of `known`."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise InvalidParams(f"expected an expression (text), got {text!r}", field)
    source = str(text)
    if len(source) > MAX_LENGTH:
        raise InvalidParams(f"an expression of {len(source)} characters (at most {MAX_LENGTH})", field)
    tokens = _tokens(source, field)
    parser = _Parser(tokens, source, field)
    tree = parser.condition(0)
    if parser.at != len(tokens):
        raise InvalidParams(f"unexpected {tokens[parser.at]!r} in {source!r}", field)
    names = frozenset(_names(tree))
    unknown = sorted(names - set(known))
    if unknown:
        known_list = ", ".join(sorted(known)) or "none"
        raise InvalidParams(f"unknown name {unknown[0]!r} in {source!r} (params: {known_list})", field)
    return Expression(source, tree, names)


def _tokens(source: str, field: str) -> list[str]:
    tokens, index = [], 0
    while index < len(source):
        if source[index:].strip() == "":
            break
        match = _TOKEN.match(source, index)
        if match is None:
            bad = source[index:].lstrip()[:1]
            raise InvalidParams(f"unexpected {bad!r} in {source!r}", field)
        token = match.group(match.lastindex or 0)
        if match.group(1) and len(token.replace(".", "").lstrip("0")) > MAX_DIGITS:
            raise InvalidParams(f"a number of more than {MAX_DIGITS} digits in {source!r}", field)
        if match.group(2) and token.startswith("__"):
            raise InvalidParams(f"unexpected {token!r} in {source!r}", field)
        tokens.append(token)
        index = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], source: str, field: str):
        self.tokens, self.source, self.field, self.at = tokens, source, field, 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise InvalidParams(f"{self.source!r} ends too early", self.field)
        self.at += 1
        return token

    def expect(self, token: str) -> None:
        found = self.take()
        if found != token:
            raise InvalidParams(f"expected {token!r}, found {found!r} in {self.source!r}", self.field)

    def deeper(self, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise InvalidParams(f"{self.source!r} is nested too deeply", self.field)
        return depth + 1

    def condition(self, depth: int) -> Node:
        depth = self.deeper(depth)
        node = self.conjunct(depth)
        while self.peek() == "or":
            self.take()
            node = ("or", node, self.conjunct(depth))
        return node

    def conjunct(self, depth: int) -> Node:
        node = self.negation(depth)
        while self.peek() == "and":
            self.take()
            node = ("and", node, self.negation(depth))
        return node

    def negation(self, depth: int) -> Node:
        if self.peek() == "not":
            self.take()
            return ("not", self.negation(self.deeper(depth)))
        return self.comparison(depth)

    def comparison(self, depth: int) -> Node:
        node = self.sum(depth)
        if self.peek() in _COMPARISONS:
            operator = self.take()
            node = (operator, node, self.sum(depth))
        return node

    def sum(self, depth: int) -> Node:
        node = self.term(depth)
        while self.peek() in ("+", "-"):
            operator = self.take()
            node = (operator, node, self.term(depth))
        return node

    def term(self, depth: int) -> Node:
        node = self.unary(depth)
        while True:
            token = self.peek()
            if token in ("*", "/"):
                self.take()
                node = (token, node, self.unary(depth))
            elif token is not None and (token == "(" or token[0].isalnum() or token[0] in "._") and token not in _WORDS:
                node = ("*", node, self.power(depth))  # "3 ln 2", "2 pi", "2(1 + x)"
            else:
                return node

    def unary(self, depth: int) -> Node:
        if self.peek() == "-":
            self.take()
            return ("neg", self.unary(self.deeper(depth)))
        if self.peek() == "+":
            self.take()
            return self.unary(self.deeper(depth))
        return self.power(depth)

    def power(self, depth: int) -> Node:
        base = self.primary(depth)
        if self.peek() in ("^", "**"):
            self.take()
            return ("^", base, self.unary(self.deeper(depth)))
        return base

    def primary(self, depth: int) -> Node:
        token = self.take()
        if token == "(":
            node = self.condition(self.deeper(depth))
            self.expect(")")
            return self.indexed(node, depth)
        if token[0].isdigit() or token[0] == ".":
            return ("num", token)
        if token[0].isalpha() or token[0] == "_":
            if token in _WORDS or token in ("True", "False", "None", "lambda"):
                raise InvalidParams(f"unexpected {token!r} in {self.source!r}", self.field)
            if token in FUNCTIONS:
                arity = FUNCTIONS[token][0]
                if self.peek() != "(":
                    if arity != 1:
                        raise InvalidParams(f"{token} takes {arity} arguments in parentheses", self.field)
                    return ("call", token, (self.power(self.deeper(depth)),))  # "ln 2", "sqrt 2"
                self.take()
                arguments = [self.condition(self.deeper(depth))]
                while self.peek() == ",":
                    self.take()
                    arguments.append(self.condition(self.deeper(depth)))
                self.expect(")")
                if len(arguments) != arity:
                    raise InvalidParams(
                        f"{token} takes {arity} argument{'s' if arity > 1 else ''}, not {len(arguments)}", self.field
                    )
                return ("call", token, tuple(arguments))
            return self.indexed(("name", token), depth)
        raise InvalidParams(f"unexpected {token!r} in {self.source!r}", self.field)

    def indexed(self, node: Node, depth: int) -> Node:
        """An entry of a vector or a matrix, counted from 1: v[2], M[1, 2], (W*x)[1]."""
        if self.peek() != "[":
            return node
        self.take()
        indices = [self.condition(self.deeper(depth))]
        while self.peek() == ",":
            self.take()
            indices.append(self.condition(self.deeper(depth)))
        self.expect("]")
        if len(indices) > 2:
            raise InvalidParams("[…] takes one index (a vector) or two (a matrix)", self.field)
        return ("index", node, tuple(indices))


def _names(node: Node) -> set[str]:
    kind = node[0]
    if kind == "name":
        return set() if node[1] in CONSTANTS else {node[1]}
    if kind == "num":
        return set()
    if kind in ("call", "index"):
        found = set().union(*(_names(argument) for argument in node[2]))
        return found | (_names(node[1]) if kind == "index" else set())
    return set().union(*(_names(child) for child in node[1:]))


class TooLarge(InvalidParams):
    """A value too large (or not a real number) for an exam: refused before exact work."""


def _approximate(node: Node, values: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "num":
        return mpmath.mpf(node[1])
    if kind == "name":
        if node[1] in CONSTANTS:
            return CONSTANTS[node[1]][1]
        return _mp(values[node[1]])
    if kind == "call":
        arguments = [_approximate(argument, values) for argument in node[2]]
        return _bounded(FUNCTIONS[node[1]][2](*arguments))
    if kind == "index":
        return _entry(_approximate(node[1], values), [_approximate(i, values) for i in node[2]])
    if kind == "neg":
        return -_approximate(node[1], values)
    if kind == "not":
        return not _approximate(node[1], values)
    if kind in ("and", "or"):
        left = _approximate(node[1], values)
        if kind == "and":
            return bool(left) and bool(_approximate(node[2], values))
        return bool(left) or bool(_approximate(node[2], values))
    left, right = _approximate(node[1], values), _approximate(node[2], values)
    if kind in _COMPARISONS:
        return _compare(kind, left, right)
    if kind == "/" and right == 0:
        raise TooLarge("a division by zero")
    if kind == "^":
        if isinstance(left, mpmath.matrix) or isinstance(right, mpmath.matrix):
            raise InvalidParams("a power of a vector or a matrix (write it as a product)")
        if abs(right) > MAX_EXPONENT:
            raise TooLarge(f"an exponent of {mpmath.nstr(right, 6)} (at most {MAX_EXPONENT})")
        if left == 0 and right < 0:
            raise TooLarge("zero to a negative power")
        if left < 0 and right != mpmath.floor(right):
            raise TooLarge("a negative number to a fractional power")
        return _bounded(mpmath.power(left, right))
    return _bounded({"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
                     "/": lambda: left / right}[kind]())  # fmt: skip


def _compare(operator: str, left: Any, right: Any) -> bool:
    return bool(
        {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
            "==": left == right,
            "!=": left != right,
        }[operator]
    )


def _entry(matrix: Any, indices: list[Any]) -> Any:
    """Entry of a vector (one index) or a matrix (two), counted from 1 as in the stem."""
    if not isinstance(matrix, (sp.MatrixBase, mpmath.matrix)):
        raise InvalidParams("only a vector or a matrix has entries")
    rows, columns = matrix.rows, matrix.cols
    written = ", ".join(str(int(i)) if i == int(i) else str(i) for i in indices)
    if len(indices) == 1:
        indices = [indices[0], 1] if columns == 1 else [1, indices[0]]
    row, column = (int(i) for i in indices)
    if any(i != int(i) for i in indices) or not (1 <= row <= rows and 1 <= column <= columns):
        raise InvalidParams(f"no entry [{written}] in a {rows}×{columns} array")
    return matrix[row - 1, column - 1]


def _bounded(value: Any) -> Any:
    if isinstance(value, mpmath.matrix):
        for entry in value:
            _bounded(entry)
        return value
    if isinstance(value, mpmath.mpc) or not mpmath.isfinite(value) or abs(value) > LIMIT:
        raise TooLarge("a value too large for an exam (or not a real number)")
    return value


def _mp(value: Any) -> Any:
    if isinstance(value, sp.MatrixBase):
        return mpmath.matrix([[_mp(entry) for entry in value.row(i)] for i in range(value.rows)])
    if isinstance(value, sp.Rational):
        return mpmath.mpf(value.p) / value.q
    return mpmath.mpf(sp.N(value, PRECISION + 10))


def _number(value: Any) -> Any:
    """A condition in arithmetic counts as 1 or 0 (an indicator: `(r < 1) / (1 - r)`)."""
    return sp.Integer(int(value)) if isinstance(value, bool) else value


def _exact(node: Node, values: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "num":
        return sp.Rational(node[1])
    if kind == "name":
        return CONSTANTS[node[1]][0] if node[1] in CONSTANTS else values[node[1]]
    if kind == "call":
        return FUNCTIONS[node[1]][1](*(_exact(argument, values) for argument in node[2]))
    if kind == "index":
        return _entry(_exact(node[1], values), [_exact(i, values) for i in node[2]])
    if kind == "neg":
        return -_exact(node[1], values)
    if kind == "not":
        return not bool(_exact(node[1], values))
    if kind == "and":
        return bool(_exact(node[1], values)) and bool(_exact(node[2], values))
    if kind == "or":
        return bool(_exact(node[1], values)) or bool(_exact(node[2], values))
    left, right = _number(_exact(node[1], values)), _number(_exact(node[2], values))
    if kind in _COMPARISONS:
        if isinstance(left, sp.Rational) and isinstance(right, sp.Rational):
            return _compare(kind, left, right)
        # Closed forms compare by their values at 50 digits (sympy's == compares the form).
        with mpmath.workdps(PRECISION):
            return _compare(kind, _mp(left), _mp(right))
    return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
            "/": lambda: left / right, "^": lambda: left**right}[kind]()  # fmt: skip

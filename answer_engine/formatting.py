"""Turning exact values into printed text.

Three string types say what a string already is, so nothing is escaped twice or never:

- `Math`: a TeX math fragment (what goes between `$…$`), accepted by pdflatex, MathJax
  and TeX→MathML converters alike;
- `Markup`: question-view text, plain Unicode text with `$…$` math (see generators/markup.py);
- `Latex`: trusted LaTeX for the LaTeX exporter; its template escapes every other string.

The printing helpers for signs, brackets, vectors and matrices live here, in one place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import sympy as sp

from variantex.answer_engine.exact import Value, numeric


class Latex(str):
    """A string that is already LaTeX and must not be escaped again."""


class Math(str):
    """A TeX math-mode fragment (without the surrounding dollars)."""


class Markup(str):
    """Question-view text: literal text with `$…$` inline math; `\\$` and `\\\\` escape."""


# Characters pdflatex typesets with T1 + utf8 + lmodern (tested against TeX Live 2022):
# printable ASCII, Latin-1 and Latin Extended-A except nine, a few punctuation marks.
_NOT_IN_T1 = set("ĦħĸĿŀŉŦŧſ")
_EXTRA = set("–—‘’“”…€•ȘșȚț")


def typesettable(char: str) -> bool:
    code = ord(char)
    return 32 <= code < 127 or char in "\n\t" or (0xA0 <= code <= 0x17F and char not in _NOT_IN_T1) or char in _EXTRA


# Math symbols generated text uses in prose ("left out ln(1/δ)", "(1 − λ_min)^r"): `escape`
# sets each as math, so a key never prints "?" for them.
MATH_GLYPHS = {
    **{
        chr(code): "\\" + name
        for code, name in zip(
            range(0x3B1, 0x3CA),
            # α … ω in code-point order (ο, omicron, prints as the Latin o it looks like)
            "alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi o pi rho "  # noqa: SIM905
            "varsigma sigma tau upsilon phi chi psi omega".split(),
        )
        if name not in ("o",)
    },
    "Γ": r"\Gamma",
    "Δ": r"\Delta",
    "Θ": r"\Theta",
    "Λ": r"\Lambda",
    "Π": r"\Pi",
    "Σ": r"\Sigma",
    "Φ": r"\Phi",
    "Ψ": r"\Psi",
    "Ω": r"\Omega",
    "−": "-",
    "∂": r"\partial",
    "√": r"\surd ",
    "‖": r"\|",
    "∇": r"\nabla ",
    "∅": r"\emptyset ",
    "≡": r"\equiv ",
    "⊤": r"^{\top}",
    "ᵀ": r"^{\top}",
    "≤": r"\le ",
    "≥": r"\ge ",
    "≈": r"\approx ",
    "≠": r"\ne ",
    "∞": r"\infty ",
    "∑": r"\sum ",
    "∏": r"\prod ",
    "∈": r"\in ",
    "→": r"\to ",
    "ℓ": r"\ell ",
    "ℝ": r"\mathbb{R}",
    "⁻": "^{-}",
    **{c: f"^{{{d}}}" for c, d in zip("⁰¹⁴⁵⁶⁷⁸⁹", "01456789")},
    **{c: f"_{{{d}}}" for c, d in zip("₀₁₂₃₄₅₆₇₈₉", "0123456789")},
}
# TeX accents and their Unicode combining marks: `escape` sets a mark as the accent (L̂ ->
# \hat{L}), `latex_to_text` the accent as the mark (\hat{L} -> L̂).
ACCENT_MARKS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "dot": "\u0307", "vec": "\u20d7"}
_ACCENTS = {mark: "\\" + accent for accent, mark in ACCENT_MARKS.items()}


def untypesettable(text: str, math: bool = True) -> str:
    """The characters of `text` that pdflatex cannot print (empty when all are fine); with
    `math`, the symbols `escape` sets as math (MATH_GLYPHS) count as printable."""
    return "".join(
        dict.fromkeys(c for c in text if not typesettable(c) and not (math and (c in MATH_GLYPHS or c in _ACCENTS)))
    )


def printable(text: str) -> str:
    """Replace what pdflatex cannot print: by its base letter when it has one (ħ -> h), else '?'."""
    if not untypesettable(text):
        return text
    out = []
    for char in text:
        if typesettable(char):
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(typesettable(c) for c in base) else "?")
    return "".join(out)


def escape(text: object) -> Latex:
    """User text (names, titles, roster fields) made safe to place in a LaTeX document.

    Every TeX special character is escaped, so user text can neither break the document
    nor run TeX commands; characters pdflatex cannot print never reach it.
    """
    if isinstance(text, Latex):
        return text
    return _escaped(str(text))


@lru_cache(maxsize=65536)
def _escaped(text: str) -> Latex:
    if not any(c in MATH_GLYPHS or c in _ACCENTS for c in text):
        return Latex(_escape_text(text))
    # Runs of math symbols become one \ensuremath{…}; a combining accent takes the
    # character before it (L̂ -> \hat{L}).
    out: list[str] = []
    text_run: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        accent = _ACCENTS.get(text[i + 1]) if i + 1 < len(text) else None
        if accent:
            base = MATH_GLYPHS.get(char, _escape_text(char))
            pieces = [f"{accent}{{{base}}}"]
            i += 2
        elif char in MATH_GLYPHS:
            pieces = [MATH_GLYPHS[char]]
            i += 1
        else:
            text_run.append(char)
            i += 1
            continue
        while i < len(text) and text[i] in MATH_GLYPHS and not (i + 1 < len(text) and text[i + 1] in _ACCENTS):
            pieces.append(MATH_GLYPHS[text[i]])
            i += 1
        out.append(_escape_text("".join(text_run)))
        text_run = []
        # λ⁻¹ is ^{-} then ^{1}: one superscript, or TeX stops at a double superscript.
        math, merged = "".join(pieces), 1
        while merged:
            math, merged = _ADJACENT_SCRIPTS.subn(lambda m: f"{m[1]}{{{m[2]}{m[4]}}}", math)
        out.append("\\ensuremath{%s}" % math)
    out.append(_escape_text("".join(text_run)))
    return Latex("".join(out))


_ADJACENT_SCRIPTS = re.compile(r"([\^_])\{([^{}]*)\}(\1)\{([^{}]*)\}")


def _escape_text(text: str) -> str:
    # PyLaTeX writes ^ as \^{} (a circumflex accent); \textasciicircum{} is the real caret.
    return _escape_latex()(printable(text)).replace(r"\^{}", r"\textasciicircum{}")


@lru_cache(maxsize=1)
def _escape_latex() -> Callable[[str], str]:
    """PyLaTeX's escaping, imported on first use: pylatex costs a show or solve 11 ms."""
    from pylatex.utils import escape_latex

    return escape_latex


def tex(value: Value, digits: int | None = None) -> Math:
    """Math-mode TeX for a value; `digits` prints non-rational values as decimals."""
    if isinstance(value, str):
        return math_text(value)
    if isinstance(value, sp.Integer):
        return Math(str(int(value)))
    if isinstance(value, sp.Rational) and digits is not None and _terminates(value):
        return Math(finite_decimal(value))
    if isinstance(value, sp.Rational) and digits is None:
        sign = "-" if value < 0 else ""
        return Math(r"%s\frac{%d}{%d}" % (sign, abs(value.p), value.q))
    if value == sp.oo:
        return Math(r"\infty")
    if value == -sp.oo:
        return Math(r"-\infty")
    if digits is not None:
        return Math(r"\approx %s" % decimal(value, digits))
    return _closed_form_tex(value)


# Closed forms recur across variants (sin(π/12), log 3, e^{-1/2}: a family's draws share a few
# dozen), and sympy's printer orders every sum's terms through sort keys: print each once.
@lru_cache(maxsize=1 << 16)
def _closed_form_tex(value: sp.Expr) -> Math:
    return Math(sp.latex(value))


def log_tex(value: sp.Expr) -> Math:
    """a + Σ b_i·log r_i (rationals a, b_i, r_i), printed directly, logarithms in increasing
    order of argument. Families whose answers have this form (GELU at ln k, Gaussian KLs) print
    many of them while choosing options, and sympy's printer orders each sum's terms through
    its sort keys, most of that cost. Anything else goes to the general printer."""
    constant, terms = value.as_coeff_add()
    logs = []
    for term in terms:
        factor, log = term.as_coeff_Mul()
        if not isinstance(log, sp.log) or not isinstance(log.args[0], sp.Rational):
            return tex(value)
        logs.append((log.args[0], factor))
    pieces = [] if constant == 0 and logs else [tex(constant)]
    for argument, factor in sorted(logs):
        shown = (
            r"\log %d" % argument.p
            if argument.q == 1
            else r"\log{\left(\frac{%d}{%d} \right)}" % (argument.p, argument.q)
        )
        size = "" if abs(factor) == 1 else tex(abs(factor)) + " "
        sign = ("-" if factor < 0 else "") if not pieces else ("- " if factor < 0 else "+ ")
        pieces.append(Math(f"{sign}{size}{shown}"))
    return Math(" ".join(pieces))


def grouped(number: int) -> Math:
    r"""An integer with thin spaces between groups of three digits, as a number is typeset
    (four digits stay together: 1024, 12\,288)."""
    sign, digits = ("-" if number < 0 else ""), str(abs(number))
    if len(digits) <= 4:
        return Math(sign + digits)
    groups = [digits[max(i - 3, 0) : i] for i in range(len(digits), 0, -3)][::-1]
    return Math(sign + r"\,".join(groups))


def equals(value: Value, digits: int | None = None) -> Math:
    """ "= 3/4" for an exact value, "\\approx 0.1234" for one printed as a decimal (never "= ≈")."""
    text = tex(value, digits)
    return Math(text if text.startswith(r"\approx") else "= " + text)


def math_text(text: object) -> Math:
    """User text inside math: `\\text{…}` with every TeX special character escaped."""
    return Math(r"\text{%s}" % escape(text))


def markup_text(text: object) -> Markup:
    """Literal text made safe to place in markup (its only specials are `$` and `\\`)."""
    return Markup(str(text).replace("\\", "\\\\").replace("$", "\\$"))


# --- printing helpers shared by the families (math-mode TeX) ---------------------------


def paren(value: Value | str, digits: int | None = None) -> Math:
    """A value in brackets when it is negative (or starts with a minus), for products and sums."""
    text = value if isinstance(value, Math) else tex(value, digits)
    return Math(f"({text})" if text.startswith("-") else text)


def signed(value: sp.Rational) -> Math:
    """ "+ 3" / "- 3" / "" for a term that follows another (y = 2x - 3)."""
    if value == 0:
        return Math("")
    return Math(("+ " if value > 0 else "- ") + tex(abs(value)))


def coefficient(value: sp.Rational, variable: str) -> Math:
    """ "x", "-x", "\\frac{1}{2} x" or "0": a coefficient printed the way people write it."""
    if value == 0:
        return Math("0")
    lead = {1: "", -1: "-"}.get(value, tex(value))
    return Math(f"{lead} {variable}".strip() if lead not in ("", "-") else f"{lead}{variable}")


def times(values: Iterable[Value], digits: int | None = None) -> Math:
    return Math(r" \cdot ".join(paren(v, digits) for v in values))


def plus(values: Iterable[Value], digits: int | None = None) -> Math:
    return Math(" + ".join(paren(v, digits) for v in values))


def column(values: Iterable[Value], digits: int | None = None) -> Math:
    """A column vector."""
    return Math(r"\begin{pmatrix}%s\end{pmatrix}" % r"\\".join(tex(v, digits) for v in values))


def matrix(rows: Iterable[Iterable[Value]], digits: int | None = None) -> Math:
    """A matrix, columns aligned."""
    body = r"\\".join(" & ".join(tex(v, digits) for v in row) for row in rows)
    return Math(r"\begin{bmatrix}%s\end{bmatrix}" % body)


def row_tuple(values: Iterable[Value], digits: int | None = None) -> Math:
    """(a, b, c): a tuple of values on one line."""
    return Math("(%s)" % r", \allowbreak ".join(tex(v, digits) for v in values))


def plain(value: Value) -> str:
    """Terminal text for a value: "3/4", "log(2)", "A > B > C"."""
    if isinstance(value, str):
        return value
    if isinstance(value, sp.Rational):
        return str(value)
    return sp.sstr(value)


def decimal(value: sp.Expr, digits: int = 4) -> str:
    """A display decimal with `digits` significant figures (display only, never compared;
    from the 30-digit value the checks use, evaluated once per value)."""
    number = float(numeric(value))
    if number == 0:
        return "0"
    text = f"{number:.{digits}g}"
    return text if "e" not in text else f"{number:.{digits}e}"


def plain_with_decimal(value: Value, digits: int = 4) -> str:
    """Plain text plus a decimal when the exact form is not already a short decimal."""
    text = plain(value)
    if isinstance(value, str) or (isinstance(value, sp.Rational) and value.q == 1):
        return text
    return f"{text} (≈ {decimal(value, digits)})"


def _terminates(value: sp.Rational) -> bool:
    denominator = value.q
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def finite_decimal(value: sp.Rational) -> str:
    """Exact decimal text of a rational with a terminating expansion (TikZ coordinates)."""
    if not _terminates(value):
        raise ValueError(f"{value} has no finite decimal expansion")
    numerator, denominator = int(value.p), int(value.q)
    places = 0
    while 10**places % denominator:
        places += 1
    scaled = abs(numerator) * 10**places // denominator  # integer arithmetic: exact and fast
    sign = "-" if numerator < 0 else ""
    digits = str(scaled).rjust(places + 1, "0")
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


# --- worked steps in the terminal ------------------------------------------------------
# The steps are written once, as LaTeX; this reads the small subset they use as text.
_SYMBOLS = {
    r"\cdot": "·",
    r"\times": "×",
    r"\sigma": "σ",
    r"\lambda": "λ",
    r"\delta": "δ",
    r"\phi": "φ",
    r"\eta": "η",
    r"\alpha": "α",
    r"\partial": "∂",
    r"\approx": "≈",
    r"\leftarrow": "←",
    r"\emptyset": "∅",
    r"\ldots": "…",
    r"\le": "≤",
    r"\ge": "≥",
    r"\det": "det",
    r"\log": "log",
    r"\max": "max",
    r"\quad": "  ",
    r"\qquad": "    ",
    r"\,": " ",
    r"\;": " ",
    r"\!": "",
    r"\ ": " ",
    r"\_": "_",
    r"\&": "&",
    r"\%": "%",
    r"\#": "#",
    r"\$": "\x02",
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "\x03",
    r"\textasciicircum{}": "\x04",
    r"\left": "",
    r"\right": "",
    # Delimiter sizes say nothing in text ("1 \big/ L" is "1 / L").
    **{rf"\{size}{side}": "" for size in ("big", "Big", "bigg", "Bigg") for side in ("", "l", "r", "m")},
    r"\infty": "∞",
    r"\in": "∈",
    r"\allowbreak": "",
    r"\|": "‖",
}
_BINDING = {"∂"}
_UNWRAP = re.compile(
    r"\\(?:text|mathrm|textbf|textit|textsf|texttt|mathtt|operatorname|mathbf|mathbb|mathcal|emph)\{([^{}]*)\}"
)
_ROOT = re.compile(r"\\sqrt\{([^{}]*)\}")
# \hat y -> ŷ, \hat{\mu} -> μ̂, \tilde{L} -> L̃: an accent as its combining mark.
_HAT = re.compile(r"\\(%s)\s*\{?([A-Za-z]|\\[A-Za-z]+)\}?" % "|".join(ACCENT_MARKS))
# A fraction's parts may hold one level of braces (\frac{5}{1 + e^{-1}}).
_FRACTION = re.compile(r"\\[td]?frac\{((?:[^{}]|\{[^{}]*\})*)\}\{((?:[^{}]|\{[^{}]*\})*)\}")
_MATRIX = re.compile(r"\\begin\{([pb])matrix\}(.*?)\\end\{\1matrix\}")
_CALL = re.compile(r"\\(log|ln|exp|sin|cos|tan)\{([^{}]*)\}")  # sympy's \log{\left(4 \right)}


def _group(text: str) -> str:
    return text if re.fullmatch(r"-?[\w.]+", text) else f"({text})"


def _matrix_text(match: re.Match[str]) -> str:
    rows = [row.strip() for row in match.group(2).split(r"\\")]
    if match.group(1) == "p":  # our column vectors
        return "(" + ", ".join(rows) + ")ᵀ"
    return "[" + "; ".join(", ".join(cell.strip() for cell in row.split("&")) for row in rows) + "]"


def _unknown_macro(match: re.Match[str]) -> str:
    """A control word our table lacks: pylatexenc's Unicode for it (γ, ∫, ‖, ∇…), else its name."""
    from pylatexenc.latex2text import get_default_latex_context_db

    spec = get_default_latex_context_db().get_macro_spec(match.group(1))
    replacement = getattr(spec, "simplify_repl", None)
    return replacement if isinstance(replacement, str) and "%" not in replacement else match.group(1)


def latex_to_text(latex: str) -> str:
    """Plain text for a worked-solution line (the LaTeX subset our templates produce)."""
    # Literal braces survive; grouping braces are dropped at the end.
    text = latex.replace(r"\{", "\x00").replace(r"\}", "\x01")
    text = _MATRIX.sub(_matrix_text, text)
    text = _HAT.sub(
        lambda m: (_SYMBOLS.get(m[2], m[2]) if m[2].startswith("\\") else m[2]) + ACCENT_MARKS[m[1]],
        text,
    )
    previous = None
    while previous != text:
        previous = text
        text = _UNWRAP.sub(r"\1", text)
        text = _CALL.sub(r"\\\1\2", text)
        text = _ROOT.sub(lambda m: "√" + (m.group(1) if len(m.group(1)) == 1 else f"({m.group(1)})"), text)
        text = _FRACTION.sub(lambda m: f"{_group(m.group(1))}/{_group(m.group(2))}", text)
    text = re.sub(r"\\[td]?frac12", "1/2", text)
    for command in sorted(_SYMBOLS, key=len, reverse=True):
        symbol = _SYMBOLS[command]
        if command[1:].isalpha():
            # In TeX a space after a control word only ends it: ∂ binds to what follows
            # ("∂E"), a word such as "log" stays a word (" log "), the rest keep their space.
            if symbol.isascii() and symbol.isalpha():
                replace = lambda m, s=symbol: f" {s}{m.group(1)}"  # noqa: E731
            elif symbol in _BINDING:
                replace = lambda m, s=symbol: s  # noqa: E731
            else:
                replace = lambda m, s=symbol: s + m.group(1)  # noqa: E731
            text = re.sub(re.escape(command) + r"(?![A-Za-z])( ?)", replace, text)
        else:
            text = text.replace(command, symbol)
    text = re.sub(r"\\([A-Za-z]+) ?", _unknown_macro, text)
    text = re.sub(r"\s+\)", ")", text)
    text = re.sub(r"\(\s+", "(", text)
    # x_12, e^-x stay bare; e^(1/2), e^(x + 1) keep their grouping (not e^1/2).
    text = re.sub(
        r"([_^])\{([^{}]*)\}", lambda m: m[1] + (m[2] if re.fullmatch(r"-?\w+|.", m[2]) else f"({m[2]})"), text
    )
    text = text.replace("$", "").replace("{", "").replace("}", "").replace("~", " ")
    for placeholder, literal in zip("\x00\x01\x02\x03\x04", "{}$~^"):
        text = text.replace(placeholder, literal)
    return re.sub(r"[ \t]+", " ", text).strip()

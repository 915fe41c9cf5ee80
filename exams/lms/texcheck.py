"""Does a math fragment parse as TeX the way MathJax reads it?

MathJax fails on a fragment, showing raw TeX or a red error in the LMS, when braces or
`\\left`/`\\right` do not pair up, an environment is not closed, or a macro is not one it
knows. This checks exactly that, against the macros of MathJax's base and AMS packages that
exam math uses (a fragment with another macro is reported, so a new one is a decision, not
a surprise in front of students).
"""

from __future__ import annotations

import re

MACROS = frozenset(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "varepsilon",
        "zeta",
        "eta",
        "theta",
        "vartheta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "pi",
        "varpi",
        "rho",
        "varrho",
        "sigma",
        "varsigma",
        "tau",
        "upsilon",
        "phi",
        "varphi",
        "chi",
        "psi",
        "omega",
        "Gamma",
        "Delta",
        "Theta",
        "Lambda",
        "Xi",
        "Pi",
        "Sigma",
        "Upsilon",
        "Phi",
        "Psi",
        "Omega",
        "frac",
        "tfrac",
        "dfrac",
        "cfrac",
        "sqrt",
        "binom",
        "tbinom",
        "dbinom",
        "cdot",
        "cdotp",
        "times",
        "div",
        "pm",
        "mp",
        "ast",
        "star",
        "circ",
        "bullet",
        "le",
        "leq",
        "ge",
        "geq",
        "ne",
        "neq",
        "lt",
        "gt",
        "approx",
        "equiv",
        "sim",
        "simeq",
        "cong",
        "propto",
        "ll",
        "gg",
        "in",
        "notin",
        "ni",
        "subset",
        "subseteq",
        "supset",
        "supseteq",
        "cup",
        "cap",
        "setminus",
        "backslash",
        "emptyset",
        "varnothing",
        "infty",
        "partial",
        "nabla",
        "forall",
        "exists",
        "neg",
        "lnot",
        "land",
        "lor",
        "wedge",
        "vee",
        "oplus",
        "otimes",
        "odot",
        "oslash",
        "sum",
        "prod",
        "int",
        "iint",
        "oint",
        "lim",
        "limsup",
        "liminf",
        "log",
        "ln",
        "lg",
        "exp",
        "max",
        "min",
        "sup",
        "inf",
        "det",
        "arg",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sinh",
        "cosh",
        "Pr",
        "dim",
        "ker",
        "deg",
        "gcd",
        "hom",
        "mathrm",
        "mathbf",
        "mathit",
        "mathsf",
        "mathtt",
        "mathcal",
        "mathbb",
        "mathfrak",
        "boldsymbol",
        "text",
        "textrm",
        "textbf",
        "textit",
        "textsf",
        "texttt",
        "operatorname",
        "displaystyle",
        "textstyle",
        "scriptstyle",
        "left",
        "right",
        "middle",
        "big",
        "Big",
        "bigg",
        "Bigg",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "quad",
        "qquad",
        "ldots",
        "cdots",
        "dots",
        "vdots",
        "ddots",
        "dotsc",
        "dotsb",
        "to",
        "rightarrow",
        "leftarrow",
        "Rightarrow",
        "Leftarrow",
        "leftrightarrow",
        "Leftrightarrow",
        "longrightarrow",
        "mapsto",
        "implies",
        "iff",
        "uparrow",
        "downarrow",
        "top",
        "bot",
        "intercal",
        "ell",
        "hbar",
        "imath",
        "jmath",
        "prime",
        "hat",
        "widehat",
        "bar",
        "overline",
        "underline",
        "tilde",
        "widetilde",
        "vec",
        "dot",
        "ddot",
        "check",
        "breve",
        "acute",
        "grave",
        "overbrace",
        "underbrace",
        "overset",
        "underset",
        "stackrel",
        "mid",
        "vert",
        "Vert",
        "lVert",
        "rVert",
        "lvert",
        "rvert",
        "langle",
        "rangle",
        "lfloor",
        "rfloor",
        "lceil",
        "rceil",
        "begin",
        "end",
        "colon",
        "not",
    ]
)

# One-character control symbols MathJax reads: spacing, escaped specials, line break.
SYMBOLS = frozenset(",;:! {}|%&#_$\\")

ENVIRONMENTS = frozenset(
    {
        "matrix",
        "pmatrix",
        "bmatrix",
        "vmatrix",
        "Vmatrix",
        "cases",
        "aligned",
        "array",
        "smallmatrix",
        "gathered",
        "split",
    }
)

_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|([{}])", re.DOTALL)
_ENVIRONMENT = re.compile(r"\{([A-Za-z*]+)\}")


def tex_problems(tex: str) -> list[str]:
    """Why MathJax would not typeset `tex` (empty when it would)."""
    problems: list[str] = []
    depth = 0
    delimiters = 0
    environments: list[str] = []
    for match in _TOKEN.finditer(tex):
        word, symbol, brace = match.groups()
        if brace == "{":
            depth += 1
        elif brace == "}":
            depth -= 1
            if depth < 0:
                return problems + ["a closing brace } with no opening one"]
        elif symbol is not None and symbol not in SYMBOLS:
            problems.append(f"unknown control symbol \\{symbol}")
        elif word is not None:
            if word not in MACROS:
                problems.append(f"MathJax has no macro \\{word}")
            elif word in ("left", "right"):
                delimiters += 1 if word == "left" else -1
                if delimiters < 0:
                    return problems + ["\\right without \\left"]
            elif word in ("begin", "end"):
                name = _ENVIRONMENT.match(tex, match.end())
                if not name:
                    return problems + [f"\\{word} without an environment name"]
                if word == "begin":
                    if name.group(1) not in ENVIRONMENTS:
                        problems.append(f"MathJax has no environment {name.group(1)}")
                    environments.append(name.group(1))
                elif not environments or environments.pop() != name.group(1):
                    return problems + [f"\\end{{{name.group(1)}}} does not close the open environment"]
    if depth > 0:
        problems.append(f"{depth} unclosed brace(s) {{")
    if delimiters:
        problems.append("\\left without \\right")
    if environments:
        problems.append(f"environment {environments[-1]} not closed")
    return problems

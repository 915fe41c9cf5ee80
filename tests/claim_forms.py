"""One table of answers as people write them, and how they read: `check`, `grade` and the
practice page take the same grammar (answer_engine/checking.Claim.read and its copy in
templates/practice/practice.js); tests/test_claim_forms.py holds both sides to this table.

Each row: (written, expected) where expected is ("number", exact value as text, exact?),
("inf", ±1), ("text", folded text) or None (unreadable).
"""

FORMS: list[tuple[str, tuple | None]] = [
    # plain numbers
    ("3", ("number", "3", True)),
    ("-27/16", ("number", "-27/16", True)),
    (" 3 / 4 ", ("number", "3/4", True)),
    ("0.75", ("number", "3/4", False)),
    ("2.5e-1", ("number", "1/4", False)),
    ("3.", ("number", "3", False)),
    # the page's own minus sign, copied off the page, and its look-alikes
    ("−27/16", ("number", "-27/16", True)),
    ("−0.5", ("number", "-1/2", False)),
    ("–3", ("number", "-3", True)),
    # a decimal comma; a thousands separator is ambiguous
    ("0,75", ("number", "3/4", False)),
    ("−0,125", ("number", "-1/8", False)),
    ("12,5", ("number", "25/2", False)),
    ("1,000", None),
    ("12,500", None),
    # percentages
    ("75%", ("number", "3/4", True)),
    ("75 %", ("number", "3/4", True)),
    ("12,5%", ("number", "1/8", False)),
    ("33.3%", ("number", "333/1000", False)),
    ("-5%", ("number", "-1/20", True)),
    ("%", ("text", "%")),
    ("lots%", None),
    # a sentence's full stop
    ("cannot be determined.", ("text", "cannot be determined")),
    ("0.75.", ("number", "3/4", False)),
    ("3/4.", ("number", "3/4", True)),
    # closed forms, as `check` reads them
    ("sqrt(9)/4", ("number", "3/4", True)),
    ("3*log(2)", ("number", "3*log(2)", True)),
    ("3 ln 2", ("number", "3*log(2)", True)),
    ("3 ln(2)", ("number", "3*log(2)", True)),
    ("ln 2 + ln 3", ("number", "log(6)", True)),
    ("pi", ("number", "pi", True)),
    ("2pi", ("number", "2*pi", True)),
    ("pi/4", ("number", "pi/4", True)),
    ("sqrt 2/2", ("number", "sqrt(2)/2", True)),
    ("2 sqrt 2", ("number", "2*sqrt(2)", True)),
    ("1/2 ln 3", ("number", "log(3)/2", True)),
    ("e^-1", ("number", "exp(-1)", True)),
    ("e", ("number", "E", True)),
    ("exp(1/2)", ("number", "exp(1/2)", True)),
    ("1/(1+exp(-1))", ("number", "1/(1+exp(-1))", True)),
    ("2^3^2", ("number", "512", True)),
    ("-2^2", ("number", "-4", True)),
    ("2**10", ("number", "1024", True)),
    ("(1+2)(3)", ("number", "9", True)),
    ("1/3 + 1/6", ("number", "1/2", True)),
    ("sqrt(2)/2.", ("number", "sqrt(2)/2", True)),
    ("−log(2)", ("number", "-log(2)", True)),
    # unreadable numbers: never a text answer
    ("3ln2", None),
    ("3/0", None),
    ("sqrt(-1)", None),
    ("log(0)", None),
    ("9^9^9^9", None),
    ("exp(exp(exp(100)))", None),
    ("2^", None),
    ("(((((((((1)))))))))", None),
    ("1" + "0" * 400, None),
    # words
    ("infinity", ("inf", 1)),
    ("−∞", ("inf", -1)),
    ("-inf", ("inf", -1)),
    ("banana", ("text", "banana")),
    ("Cannot Be Determined", ("text", "cannot be determined")),
    ("ln", ("text", "ln")),
]

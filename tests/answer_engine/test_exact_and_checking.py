from decimal import Decimal

import pytest
import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.checking import DEFAULT_RULES, DEFAULT_TOLERANCE, Claim, Tolerance, claim_matches
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import escape, finite_decimal, latex_to_text, tex

R = sp.Rational


@pytest.mark.parametrize(
    "raw, expected",
    [
        (2, 2),
        (Decimal("0.1"), R(1, 10)),
        ("3/4", R(3, 4)),
        (" -6 / 8 ", R(-3, 4)),
        ("1.25e-1", R(1, 8)),
        (0.1, R(1, 10)),
    ],
)
def test_numbers_are_read_exactly(raw, expected):
    assert exact.rational(raw) == expected


@pytest.mark.parametrize("raw", [True, None, "abc", "1/0", [1], Decimal("NaN")])
def test_unreadable_numbers_are_refused(raw):
    with pytest.raises(InvalidParams):
        exact.rational(raw, "field")


def test_closed_forms_parse_but_nothing_else_is_evaluated():
    assert exact.expression("sqrt(2)/2") == sp.sqrt(2) / 2
    assert exact.expression("ln(2)") == sp.log(2)
    with pytest.raises(InvalidParams):
        exact.expression("__import__('os')")
    with pytest.raises(InvalidParams):
        exact.expression("x + 1")


def test_claims_written_exactly_compare_exactly():
    assert claim_matches(Claim.read("1/3"), R(1, 3), DEFAULT_RULES)
    assert not claim_matches(Claim.read("333/1000"), R(1, 3), DEFAULT_RULES)
    assert claim_matches(Claim.read("sqrt(4)"), sp.Integer(2), DEFAULT_RULES)


def test_decimal_claims_compare_within_tolerance():
    claim = Claim.read(Decimal("0.333"))
    assert not claim.exact
    assert claim_matches(claim, R(1, 3), DEFAULT_RULES)
    assert not claim_matches(Claim.read(Decimal("0.35")), R(1, 3), DEFAULT_RULES)
    assert not claim_matches(Claim.read("0.0005"), sp.Integer(0), DEFAULT_RULES)  # no absolute floor
    assert claim_matches(Claim.read("0.0"), sp.Integer(0), DEFAULT_RULES)


@pytest.mark.parametrize(
    "claimed, answer",
    [
        ("0", R(-74, 100000)),  # zero for a small gradient
        ("0.0", R(-74, 100000)),
        ("-0.000004251", R(4251, 10**9)),  # a sign slip on a tiny value
        ("0.00074", R(-74, 100000)),
    ],
)
def test_a_sign_or_zero_error_never_passes(claimed, answer):
    assert not claim_matches(Claim.read(claimed), answer, DEFAULT_RULES)


def test_tolerance_modes():
    assert Tolerance.significant_figures(3).accepts(R(6931, 10000), sp.log(2))
    assert not Tolerance.significant_figures(3).accepts(R(70, 100), sp.log(2))
    assert Tolerance.decimals(2).accepts(R(69, 100), sp.log(2))
    assert DEFAULT_TOLERANCE.describe() == "1% relative"
    assert Tolerance.significant_figures(4).describe() == "4 significant figures"


def test_text_answers_ignore_spacing_case_and_synonyms():
    assert DEFAULT_RULES.canonical_text("A>B >  C") == DEFAULT_RULES.canonical_text("a > b > c")
    assert DEFAULT_RULES.canonical_text("Cannot be determined") == "undetermined"
    assert claim_matches(Claim.read("B>A>C"), "B > A > C", DEFAULT_RULES)
    assert not claim_matches(Claim.read("A > B > C"), "B > A > C", DEFAULT_RULES)


def test_formatting():
    assert tex(R(-3, 4)) == r"-\frac{3}{4}"
    assert tex(R(3, 5), digits=4) == "0.6"
    assert tex(sp.log(2), digits=4) == r"\approx 0.6931"
    assert finite_decimal(R(-7, 4)) == "-1.75"
    with pytest.raises(ValueError):
        finite_decimal(R(1, 3))


def test_escaping_covers_every_special_character():
    text = escape("O'Brien & Søn 100% $5 #1 a_b {x} ~ ^ \\")
    for raw in ["&", "%", "$", "#", "_", "{", "}"]:
        assert "\\" + raw in text
    assert r"\textasciitilde{}" in text and r"\textasciicircum{}" in text and r"\textbackslash{}" in text
    assert latex_to_text(text) == "O'Brien & Søn 100% $5 #1 a_b {x} ~ ^ \\"


def test_latex_to_text_reads_fractions_and_symbols():
    assert latex_to_text(r"$\partial E/\partial w_1 = \frac{-1}{8} \cdot \sigma(z_2)$") == "∂E/∂w_1 = -1/8 · σ(z_2)"
    assert latex_to_text(r"$\tfrac12 (y - t)^{2}$") == "1/2 (y - t)^2"


@pytest.mark.parametrize(
    "value",
    [
        sp.Rational(7, 2),
        sp.Rational(-7, 2),
        sp.Integer(3),
        100 * sp.log(20),
        -sp.log(3),
        sp.log(64) / sp.log(2),  # exactly 6, though sympy keeps it as a quotient of logs
        6 - sp.log(3) / 10**20,  # just below a whole number: the 50 digits decide it
        sp.sqrt(2) * 10**19,
    ],
)
def test_floor_and_ceiling_agree_with_sympy(value):
    assert exact.floor(value) == sp.floor(value)
    assert exact.ceiling(value) == sp.ceiling(value)
    assert isinstance(exact.floor(value), sp.Integer)


def test_math_symbols_in_prose_print_as_math_and_names_keep_their_own_rule():
    from variantex.answer_engine.formatting import escape, untypesettable

    # Before: "ln(2K?) (? not inverted)" and "(b ? a)" in 14 key lines of 40 keys.
    assert escape("left out ln(1/δ)") == r"left out ln(1/\ensuremath{\delta})"
    assert escape("(b − a)") == r"(b \ensuremath{-} a)"
    assert escape("λ_min⁻¹ and σ₁⁻¹") == r"\ensuremath{\lambda}\_min\ensuremath{^{-1}} and \ensuremath{\sigma_{1}^{-1}}"
    assert escape("the empirical loss L̂") == r"the empirical loss \ensuremath{\hat{L}}"
    assert "?" not in escape("ε∇f without dividing by ‖∇f‖ & $5")
    assert untypesettable("σ and δ") == "" and untypesettable("σ and δ", math=False) == "σδ"
    assert untypesettable("Агата") == "Агат"  # a name in another script is not math (each letter once)

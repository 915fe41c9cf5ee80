import pytest
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.generators import family
from variantex.generators.variant import variant_from_data

FAMILY = family("eigen-determinant")
E1, E2, E3 = [1, 0, 0], [0, 1, 0], [0, 0, 1]


def det(**params):
    return variant_from_data(FAMILY, params).solution.values["det"]


def test_one_unknown_eigenvalue_comes_from_the_trace():
    # λ3 = 10 − (2 + 3) = 5, det = 2·3·5
    assert det(eigenvectors=[E1, E2], eigenvalues=[2, 3], trace=10) == 30


def test_shared_eigenvalue_counts_once_per_vector():
    # λ3 = 7 − 2·2 = 3, det = 2·2·3
    assert det(eigenvectors=[[1, 1, 0], [1, -1, 0]], eigenvalues=2, trace=7) == 12


def test_fractional_values_stay_exact():
    assert det(eigenvectors=[[1, 2]], eigenvalues=["1/2"], trace=0.75) == sp.Rational(1, 8)


def test_two_unknowns_cannot_be_determined():
    assert det(eigenvectors=[E1], eigenvalues=[2], trace=5) == "undetermined"


def test_a_known_zero_eigenvalue_fixes_det_even_with_unknowns():
    assert det(eigenvectors=[E1], eigenvalues=[0], trace=5) == 0


def test_named_mistakes_for_the_shared_case():
    variant = variant_from_data(FAMILY, {"eigenvectors": [[1, 1, 0], [1, -1, 0]], "eigenvalues": 2, "trace": 7})
    by_name = {m.name: m.values["det"] for m in FAMILY.mistakes(variant.params)}
    assert by_name["shared_eigenvalue_counted_once"] == 20  # 2·2·(7 − 2)
    assert by_name["trace_as_missing_eigenvalue"] == 28  # 2·2·7
    assert by_name["product_of_known_only"] == 4
    assert by_name["sign_slip"] == -12
    assert by_name["cannot_be_determined_when_it_can"] == "undetermined"


@pytest.mark.parametrize(
    "params, message",
    [
        ({"eigenvectors": [[1, 2], [2, 4]], "eigenvalues": [1, 2], "trace": 3}, "linearly dependent"),
        ({"eigenvectors": [[0, 0, 0]], "eigenvalues": [1], "trace": 3}, "zero vector"),
        ({"eigenvectors": [[1, 0], [0, 1, 0]], "eigenvalues": [1, 2], "trace": 3}, "same length"),
        ({"eigenvectors": [E1, E2], "eigenvalues": [1], "trace": 3}, "1 eigenvalues for 2 eigenvectors"),
        ({"eigenvectors": [[1, 0], [0, 1]], "eigenvalues": [1, 2], "trace": 4}, "not the trace 4"),
        ({"eigenvectors": [[1]], "eigenvalues": [1], "trace": 1}, "outside 2..5"),
        ({"eigenvectors": [E1], "eigenvalues": ["1/0"], "trace": 1}, "zero denominator"),
        ({"eigenvectors": [E1], "eigenvalues": [1]}, "trace: missing"),
    ],
)
def test_invalid_params_are_refused_clearly(params, message):
    with pytest.raises(InvalidParams, match=message):
        variant_from_data(FAMILY, params)

import pytest
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.generators import family
from variantex.generators.loss_ordering import LossOrdering
from variantex.generators.variant import variant_from_data

R = sp.Rational
FAMILY = family("loss-ordering")

# y = x. A: one outlier (residuals 0,0,0,3); B: residual 1 everywhere; C: small (0,½,0,½).
CONTRAST = {
    "line": {"slope": 1, "intercept": 0},
    "datasets": {
        "A": [[0, 0], [1, 1], [2, 2], [3, 6]],
        "B": [[0, 1], [1, 2], [2, 3], [3, 4]],
        "C": [[0, 0], [1, "3/2"], [2, 2], [3, 3.5]],
    },
}


def test_contrast_example_by_hand():
    variant = variant_from_data(FAMILY, CONTRAST)
    assert variant.solution.values == {"order": "A > B > C", "A": R(9, 4), "B": 1, "C": R(1, 8)}
    assert variant.branch == "contrast"
    mae = variant_from_data(FAMILY, {**CONTRAST, "metric": "mae"})
    assert mae.solution.values == {"order": "B > A > C", "A": R(3, 4), "B": 1, "C": R(1, 4)}


def test_both_metrics_name_their_parts():
    values = variant_from_data(FAMILY, {**CONTRAST, "metric": "both"}).solution.values
    assert values["mse_order"] == "A > B > C" and values["mae_order"] == "B > A > C"
    assert values["mse_A"] == R(9, 4) and values["mae_C"] == R(1, 4)


def test_mcq_offers_the_orderings_named_mistakes_reach_and_no_filler():
    """These hand-written datasets give four distinct orderings by named slips: four options
    (a draw with fewer than five is redrawn instead)."""
    variant = variant_from_data(FAMILY, CONTRAST, "mcq")
    names = {o.mistake.name for o in variant.options if o.mistake}
    assert "ordered_by_mae" in names and "increasing_order" in names
    assert len({o.printed for o in variant.options}) == len(variant.options) == 4
    assert all(o.correct or not o.mistake.guess for o in variant.options)


def test_decimal_params_are_read_exactly():
    from decimal import Decimal

    data = {**CONTRAST, "line": {"slope": Decimal("1.0"), "intercept": Decimal("0.0")}}
    assert variant_from_data(FAMILY, data).solution.values["C"] == R(1, 8)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"datasets": {"A": [], "B": [[0, 1]], "C": [[0, 2]]}}, "zero-width data"),
        ({"datasets": {"A": [[0, 1]], "B": [[0, 1]], "C": [[0, 2]]}}, "tie"),
        ({"datasets": {"A": [[0, 1]], "B": [[0, 2]]}}, "exactly 3 datasets"),
        ({"datasets": {"A": [[0, 1, 2]], "B": [[0, 2]], "C": [[0, 3]]}}, "each point is [x, y]"),
        ({"metric": "rmse"}, "expected one of mse, mae, both"),
        ({"line": {"slope": "x", "intercept": 0}}, "line.slope"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_invalid_params_are_refused_clearly(change, message):
    with pytest.raises(InvalidParams, match=message.replace("[", r"\[").replace("]", r"\]")):
        variant_from_data(FAMILY, {**CONTRAST, **change})


def test_a_tie_in_the_metric_not_asked_is_allowed():
    # MAE of A and B tie (1 each); MSE orders strictly: an MSE question is well posed.
    data = {
        "line": {"slope": 0, "intercept": 0},
        "datasets": {"A": [[0, 1], [1, -1]], "B": [[0, 2], [1, 0]], "C": [[0, 3], [1, 3]]},
        "metric": "mse",
    }
    variant = variant_from_data(LossOrdering(), data, "numeric")
    assert variant.solution.values["order"] == "C > B > A"
    assert any("tie in MAE" in step for step in variant.solution.steps)
    with pytest.raises(InvalidParams, match="MAE of A and B tie"):
        LossOrdering().parse({**data, "metric": "mae"})

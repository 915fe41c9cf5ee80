import pytest
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.generators import family
from variantex.generators.variant import variant_from_data

R = sp.Rational
FAMILY = family("shapley-and")
PLAYERS = ["a", "b", "c", "d"]


def values(**params):
    return variant_from_data(FAMILY, params).solution.values


def test_and_gate_splits_among_the_required_set():
    assert values(players=PLAYERS, required=["a", "b"]) == {"a": R(1, 2), "b": R(1, 2), "c": 0, "d": 0}


def test_or_gate_gives_the_same_values_as_and():
    assert values(players=PLAYERS, required=["a", "b"], gate="or") == values(players=PLAYERS, required=["a", "b"])


def test_threshold_gate_with_payoff():
    assert values(players=PLAYERS, required=["a", "b", "c"], gate="threshold", k=2, payoff=3) == {
        "a": 1,
        "b": 1,
        "c": 1,
        "d": 0,
    }


def test_weighted_sum_is_linear():
    result = values(
        players=PLAYERS,
        gates=[
            {"required": ["a", "b"], "gate": "and", "payoff": 2},
            {"required": ["b", "c"], "gate": "or", "payoff": 1},
        ],
    )
    assert result == {"a": 1, "b": R(3, 2), "c": R(1, 2), "d": 0}


def test_named_mistakes_for_an_and_gate():
    variant = variant_from_data(FAMILY, {"players": PLAYERS, "required": ["a", "b", "c"]})
    by_name = {m.name: m.values for m in FAMILY.mistakes(variant.params)}
    assert by_name["equal_split_over_all_players"]["d"] == R(1, 4)
    assert by_name["leave_one_out"] == {"a": 1, "b": 1, "c": 1, "d": 0}
    assert by_name["banzhaf_value"]["a"] == R(1, 4)  # pivotal in 2 of 8 coalitions


@pytest.mark.parametrize(
    "params, message",
    [
        ({"players": PLAYERS, "required": ["a", "z"]}, "unknown player 'z'"),
        ({"players": ["a", "a"], "required": ["a"]}, "must differ"),
        ({"players": PLAYERS, "required": []}, "at least one required"),
        ({"players": PLAYERS, "required": ["a", "b"], "gate": "threshold"}, "needs k in 1..2"),
        ({"players": PLAYERS, "required": ["a", "b"], "k": 1}, "threshold gates only"),
        ({"players": PLAYERS, "required": ["a"], "payoff": -1}, "positive"),
        ({"players": list("abcdefgh"), "required": ["a"]}, "between 2 and 7"),
        ({"players": PLAYERS, "required": ["a"], "gate": "xor"}, "and, or, threshold"),
    ],
)
def test_invalid_params_are_refused_clearly(params, message):
    with pytest.raises(InvalidParams, match=message):
        variant_from_data(FAMILY, params)

import pytest
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.generators import family
from variantex.generators.relu_backprop import ReluBackprop
from variantex.generators.variant import draw_variant, variant_from_data

R = sp.Rational
FAMILY = family("relu-backprop")
LIVE = {"x": 1, "t": 1, "w1": 2, "w2": 1, "b": -2}


def values(**params):
    return variant_from_data(FAMILY, params).solution.values


def test_live_relu_squared_loss_by_hand():
    # z1 = 2, a1 = 2, z2 = 0, y = 1/2, E = 1/8, δ = (1/2 − 1)·1/4 = −1/8
    assert values(**LIVE) == {
        "a1": 2,
        "y": R(1, 2),
        "loss": R(1, 8),
        "grad_w1": R(-1, 8),
        "grad_w2": R(-1, 4),
        "grad_b": R(-1, 8),
        "w1_new": R(161, 80),
    }


@pytest.mark.parametrize("target", [0, 1, "1/4"])
def test_dead_relu_gradient_is_exactly_zero_whatever_the_target(target):
    result = values(x=1, t=target, w1=-2, w2=1, b=0)
    assert result["a1"] == 0 and result["grad_w1"] == 0 and result["grad_w2"] == 0
    assert result["w1_new"] == -2


def test_leaky_relu_revives_the_gradient():
    # z1 = −2, a1 = −1/5, z2 = 0, δ = −1/8, ∂E/∂w1 = δ·w2·α·x = −1/80
    result = values(x=1, t=1, w1=-2, w2=1, b="1/5", leak="1/10")
    assert result["a1"] == R(-1, 5) and result["grad_w1"] == R(-1, 80)
    assert FAMILY.branch_of(variant_from_data(FAMILY, {**LIVE, "w1": -2, "leak": 0.1}).params) == "leaky"


def test_cross_entropy_cancels_the_sigmoid_derivative():
    result = values(**LIVE, loss="cross_entropy")
    assert result["loss"] == sp.log(2)
    assert result["grad_b"] == R(-1, 2) and result["grad_w1"] == R(-1, 2)


def test_two_outputs_add_their_paths():
    # y1 = y2 = 1/2; δ1 = −1/8 (t=1), δ2 = +1/8 (t2=0); ∂E/∂w1 = (δ1·1 + δ2·3)·1·1 = 1/4
    result = values(x=1, t=1, w1=2, w2=1, b=-2, w3=3, t2=0, b2=-6)
    assert result["y2"] == R(1, 2) and result["grad_w1"] == R(1, 4) and result["grad_w3"] == R(1, 4)


def test_general_sigmoid_stays_exact():
    result = values(x=1, t=0, w1=1, w2=1, b=0)
    assert result["y"] == 1 / (1 + sp.exp(-1))


def test_sign_slip_is_a_named_mistake():
    variant = variant_from_data(FAMILY, LIVE, "mcq")
    slip = next(m for m in FAMILY.mistakes(variant.params) if m.name == "sign_slip")
    assert slip.values["grad_w1"] == R(1, 8)
    assert sum(1 for o in variant.options if o.mistake) == 4  # every other option is a named mistake


@pytest.mark.parametrize(
    "change, message",
    [
        ({"w1": 0}, "kink"),
        ({"leak": 1}, r"\[0, 1\)"),
        ({"eta": 0}, "learning rate must be positive"),
        ({"loss": "hinge"}, "squared, cross_entropy"),
        ({"w3": 1}, "needs both w3 and t2"),
        ({"loss": "cross_entropy", "t": 2}, "probabilities"),
        ({"x": True}, "expected a number"),
    ],
)
def test_invalid_params_are_refused_clearly(change, message):
    with pytest.raises(InvalidParams, match=message):
        variant_from_data(FAMILY, {**LIVE, **change})


@pytest.mark.parametrize(
    "options,seed",
    [
        ({"calculator": True, "loss": "cross_entropy", "outputs": 2}, 493),  # float64 differences drifted 5e-6 here
    ],
)
def test_the_independent_check_has_no_false_alarm_on_calculator_draws(options, seed):
    from variantex.exams import seeds

    family = ReluBackprop()
    rng = seeds.show_rng(seed)
    variant = draw_variant(family, rng, "live", options, "mcq")
    assert variant.solution.values["grad_w1"] != 0


@pytest.mark.parametrize(
    "params",
    [
        {"x": 1, "t": 1, "w1": "0.0000001", "w2": 1, "b": 0},  # a hair from the kink
        {"x": 2, "t": 0, "w1": 2, "w2": 10, "b": 0, "loss": "cross_entropy"},  # z2 = 40: saturated
        {"x": 2, "t": 1, "w1": 2, "w2": -10, "b": 0, "loss": "cross_entropy", "w3": 10, "t2": 0},
    ],
)
def test_the_independent_check_holds_near_the_kink_and_when_saturated(params):
    variant = variant_from_data(ReluBackprop(), params)
    assert variant.solution.values["loss"] > 0


def test_a_disagreement_names_the_variant_and_both_values(monkeypatch):
    from click.testing import CliRunner

    from variantex.cli import cli

    def wrong(self, params):
        values = dict(original(self, params))
        values["grad_w1"] += 1
        return values

    original = ReluBackprop.verify
    monkeypatch.setattr(ReluBackprop, "verify", wrong)
    from variantex.generators.variant import _verified_solution

    _verified_solution.cache_clear()
    result = CliRunner().invoke(
        cli,
        ["solve", "relu-backprop", "--set", "x=1", "--set", "t=1", "--set", "w1=2", "--set", "w2=1", "--set", "b=-2"],
    )
    _verified_solution.cache_clear()
    assert result.exit_code == 1
    assert "relu-backprop" in result.stderr and "grad_w1: exact -1/8 vs independent 0.875" in result.stderr


def test_calculator_draws_are_not_saturated():
    import numpy as np

    family = ReluBackprop()
    for seed in range(60):
        p = draw_variant(family, np.random.default_rng(seed), "live", {"calculator": True}, "numeric").params
        a1 = p.w1 * p.x
        assert abs(p.w2 * a1 + p.b) <= sp.Rational(5, 2)

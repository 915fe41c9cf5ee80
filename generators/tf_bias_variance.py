"""`tf-bias-variance`: true/false statements on the bias–variance decomposition.

At a point x0 the expected squared error of a predictor is bias² + variance + noise; averaging
k independent predictors divides the variance by k and leaves the bias; ridge regression's
ŵ = Σxy/(Σx² + λ) trades a bias −wλ/(S + λ) that grows with λ against a variance σ²S/(S + λ)²
that falls; k-NN averages k noisy labels (variance σ²/k); a polynomial of degree n − 1
interpolates n points. The independent routes enumerate small discrete distributions with the
stated moments, fit polynomials with numpy and evaluate the formulas in floats.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from variantex.generators.kit import EdgeCase
from variantex.generators.statements import StatementBank, claimed, fact, num, one_of

R = sp.Rational
PIECES = "bias variance noise"


def _pieces(rng) -> dict:
    return {
        "bias": one_of(rng, R(1, 2), R(1), R(2), R(-1), R(3, 2)),
        "variance": R(one_of(rng, 1, 2, 3, 4)),
        "noise": R(one_of(rng, 1, 2, 5)),
    }


def _error(v, k=1):
    return v["bias"] ** 2 + v["variance"] / k + v["noise"]


def _enumerated_error(v, k: int = 1) -> float:
    """E[(y − ŷ)²] with y = f ± σ and each of k predictors f + b ± √V (fair coins), averaged."""
    b, sd, noise_sd = float(v["bias"]), float(v["variance"]) ** 0.5, float(v["noise"]) ** 0.5
    total, count = 0.0, 0
    for signs in itertools.product((-1.0, 1.0), repeat=k + 1):
        prediction = b + sd * float(np.mean(signs[1:]))
        total += (signs[0] * noise_sd - prediction) ** 2
        count += 1
    return total / count


def _pieces_text(v) -> str:
    return (
        rf"bias ${num(v['bias'])}$, variance ${num(v['variance'])}$ and noise variance $\sigma^2 = "
        rf"{num(v['noise'])}$"
    )


def _valid_pieces(v) -> str | None:
    return None if v["variance"] >= 0 and v["noise"] >= 0 else "variances are not negative"


RIDGE = "w s lam1 lam2"


def _ridge(rng) -> dict:
    l1, l2 = rng.choice([0, 1, 2, 5, 10], size=2, replace=False)
    return {"w": R(one_of(rng, 1, 2, -1, 3)), "s": R(one_of(rng, 4, 10, 20)), "lam1": R(int(l1)), "lam2": R(int(l2))}


def _ridge_bias(v, lam) -> float:
    return abs(float(v["w"]) * float(lam) / (float(v["s"]) + float(lam)))


def _ridge_variance(v, lam) -> float:
    return float(v["s"]) / (float(v["s"]) + float(lam)) ** 2


def _valid_ridge(v) -> str | None:
    return (
        None
        if v["s"] > 0 and v["lam1"] >= 0 and v["lam2"] >= 0 and v["lam1"] != v["lam2"] and v["w"] != 0
        else "S > 0, two different λ ≥ 0, w ≠ 0"
    )


def _ridge_text(v) -> str:
    return (
        rf"For 1-D ridge regression $\hat w = \sum_i x_i y_i / (\sum_i x_i^2 + \lambda)$ with $y = wx + "
        rf"\text{{noise}}$, true $w = {num(v['w'])}$ and $\sum_i x_i^2 = {num(v['s'])}$, changing $\lambda$ from "
        rf"${num(v['lam1'])}$ to ${num(v['lam2'])}$"
    )


def _label_variance(k: int) -> float:
    """Variance of the mean of k labels with independent ±1 noise, by enumeration."""
    means = [float(np.mean(signs)) for signs in itertools.product((-1.0, 1.0), repeat=k)]
    return float(np.var(means))


def _fits_exactly(v) -> bool:
    n, d = int(v["n"]), int(v["degree"])
    x = np.arange(1, n + 1, dtype=float)
    y = 2.0**x
    coefficients = np.polyfit(x, y, min(d, n - 1))
    return float(np.max(np.abs(np.polyval(coefficients, x) - y))) < 1e-6 * float(y.max())


VALUES = "y1 y2 y3 y4 c"


def _values(rng) -> dict:
    return {
        **{f"y{i + 1}": R(int(y)) for i, y in enumerate(rng.choice(np.arange(-2, 7), size=4, replace=False))},
        "c": R(one_of(rng, 0, 1, 2)),
    }


def _mean(v):
    return sum(v[f"y{i}"] for i in (1, 2, 3, 4)) / 4


def _variance(v):
    return sum((v[f"y{i}"] - _mean(v)) ** 2 for i in (1, 2, 3, 4)) / 4


FACTS = (
    fact(
        "decomposition",
        PIECES + " claimed",
        claimed(
            _pieces,
            lambda v: (
                _error(v),
                v["bias"] + v["variance"] + v["noise"],
                v["bias"] ** 2 + v["variance"],
                v["bias"] ** 2 + v["variance"] ** 2 + v["noise"],
            ),
        ),
        holds=lambda v: v["claimed"] == _error(v),
        check=lambda v: abs(_enumerated_error(v) - float(v["claimed"])) < 1e-9,
        text=lambda v: (
            rf"A predictor with {_pieces_text(v)} at $x_0$ [[has¦does not have]] expected squared error "
            rf"${num(v['claimed'])}$ there."
        ),
        why=lambda v: (
            rf"Expected error $= \text{{bias}}^2 + \text{{variance}} + \sigma^2 = {num(v['bias'] ** 2)} + "
            rf"{num(v['variance'])} + {num(v['noise'])} = {num(_error(v))}$"
        ),
        valid=_valid_pieces,
    ),
    fact(
        "ensemble-error",
        PIECES + " k claimed",
        claimed(
            lambda rng: {**_pieces(rng), "k": R(one_of(rng, 2, 3, 4))},
            lambda v: (
                _error(v, v["k"]),
                v["bias"] ** 2 / v["k"] + v["variance"] / v["k"] + v["noise"],
                _error(v),
                v["bias"] ** 2 + v["variance"] / v["k"],
            ),
        ),
        holds=lambda v: v["claimed"] == _error(v, v["k"]),
        check=lambda v: abs(_enumerated_error(v, int(v["k"])) - float(v["claimed"])) < 1e-9,
        text=lambda v: (
            rf"Averaging ${v['k']}$ independent predictors, each with {_pieces_text(v)} at $x_0$, "
            rf"[[gives¦does not give]] expected squared error ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"Averaging keeps the bias and divides the variance by $k$: ${num(v['bias'] ** 2)} + "
            rf"{num(v['variance'])}/{v['k']} + {num(v['noise'])} = {num(_error(v, v['k']))}$"
        ),
        valid=lambda v: _valid_pieces(v) or (None if 1 <= v["k"] <= 6 and v["k"].is_integer else "k from 1 to 6"),
    ),
    fact(
        "ridge-bias-grows",
        RIDGE,
        _ridge,
        holds=lambda v: v["lam2"] > v["lam1"],
        check=lambda v: _ridge_bias(v, v["lam2"]) > _ridge_bias(v, v["lam1"]),
        text=lambda v: _ridge_text(v) + r" [[increases¦does not increase]] the size of the bias of $\hat w$.",
        why=lambda v: (
            r"$E[\hat w] - w = -w\lambda/(S + \lambda)$ grows in size with $\lambda$: "
            rf"${num(abs(v['w'] * v['lam1'] / (v['s'] + v['lam1'])))}$ at $\lambda = {num(v['lam1'])}$, "
            rf"${num(abs(v['w'] * v['lam2'] / (v['s'] + v['lam2'])))}$ at $\lambda = {num(v['lam2'])}$"
        ),
        valid=_valid_ridge,
    ),
    fact(
        "ridge-variance-falls",
        RIDGE,
        _ridge,
        holds=lambda v: v["lam2"] > v["lam1"],
        check=lambda v: _ridge_variance(v, v["lam2"]) < _ridge_variance(v, v["lam1"]),
        text=lambda v: _ridge_text(v) + r" [[lowers¦does not lower]] the variance of $\hat w$.",
        why=lambda v: (
            r"$\mathrm{Var}(\hat w) = \sigma^2 S/(S + \lambda)^2$ falls as $\lambda$ grows: "
            rf"${num(v['s'] / (v['s'] + v['lam1']) ** 2)}\sigma^2$ against "
            rf"${num(v['s'] / (v['s'] + v['lam2']) ** 2)}\sigma^2$"
        ),
        valid=_valid_ridge,
    ),
    fact(
        "knn-variance",
        "k1 k2 claimed",
        claimed(
            lambda rng: dict(
                zip(
                    ("k1", "k2"), (R(k) for k in [(1, 2), (1, 4), (2, 4), (2, 6), (1, 3), (3, 6)][int(rng.integers(6))])
                )
            ),
            lambda v: (v["k2"] / v["k1"], v["k1"] / v["k2"], (v["k2"] / v["k1"]) ** 2, v["k2"] - v["k1"]),
        ),
        holds=lambda v: v["claimed"] == v["k2"] / v["k1"],
        check=lambda v: abs(_label_variance(int(v["k1"])) / _label_variance(int(v["k2"])) - float(v["claimed"])) < 1e-9,
        text=lambda v: (
            rf"In $k$-NN regression (labels with independent noise of variance $\sigma^2$), going from "
            rf"${v['k1']}$ to ${v['k2']}$ neighbours [[divides¦does not divide]] the variance of the "
            rf"prediction by ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"The prediction averages $k$ noisy labels: variance $\sigma^2/k$, so the factor is "
            rf"${v['k2']}/{v['k1']} = {num(v['k2'] / v['k1'])}$"
        ),
        valid=lambda v: None if 1 <= v["k1"] < v["k2"] <= 8 else "1 ≤ k1 < k2 ≤ 8",
    ),
    fact(
        "interpolation",
        "n degree",
        lambda rng: (lambda n: {"n": R(n), "degree": R(one_of(rng, n - 1, n, n - 2, n - 3))})(one_of(rng, 4, 5, 6)),
        holds=lambda v: v["degree"] >= v["n"] - 1,
        check=_fits_exactly,
        text=lambda v: (
            rf"Fitting a polynomial of degree ${v['degree']}$ by least squares to the ${v['n']}$ points "
            rf"$(i, 2^i)$, $i = 1, \dots, {v['n']}$, [[gives¦does not give]] zero training error."
        ),
        why=lambda v: (
            rf"A degree-$d$ polynomial through ${v['n']}$ points with distinct $x$ needs $d \ge n - 1 = "
            rf"{v['n'] - 1}$; $2^i$ lies on no polynomial of lower degree (its differences never vanish)"
        ),
        valid=lambda v: None if 2 <= v["n"] <= 7 and v["degree"] >= 0 else "2 to 7 points, degree ≥ 0",
    ),
    fact(
        "error-at-most",
        PIECES + " bound",
        lambda rng: (lambda v: {**v, "bound": _error(v) + one_of(rng, 0, 1, -1, R(1, 2), R(-1, 2))})(_pieces(rng)),
        holds=lambda v: _error(v) <= v["bound"],
        check=lambda v: _enumerated_error(v) <= float(v["bound"]) + 1e-9,
        text=lambda v: (
            rf"A predictor with {_pieces_text(v)} at $x_0$ has expected squared error [[at most¦above]] "
            rf"${num(v['bound'])}$ there."
        ),
        why=lambda v: rf"Its expected error is $\text{{bias}}^2 + \text{{variance}} + \sigma^2 = {num(_error(v))}$",
        valid=_valid_pieces,
    ),
    fact(
        "constant-predictor",
        VALUES + " claimed",
        claimed(
            _values,
            lambda v: (
                _variance(v) + (_mean(v) - v["c"]) ** 2,
                _variance(v),
                (_mean(v) - v["c"]) ** 2,
                _variance(v) + _mean(v) - v["c"],
            ),
        ),
        holds=lambda v: v["claimed"] == _variance(v) + (_mean(v) - v["c"]) ** 2,
        check=lambda v: (
            abs(
                float(np.mean((np.array([float(v[f"y{i}"]) for i in (1, 2, 3, 4)]) - float(v["c"])) ** 2))
                - float(v["claimed"])
            )
            < 1e-12
        ),
        text=lambda v: (
            rf"Predicting the constant ${v['c']}$ for the values $y = {v['y1']}, {v['y2']}, {v['y3']}, "
            rf"{v['y4']}$ [[gives¦does not give]] mean squared error ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"MSE $=$ variance $+$ (mean $-$ $c$)$^2 = {num(_variance(v))} + {num((_mean(v) - v['c']) ** 2)}"
            rf" = {num(_variance(v) + (_mean(v) - v['c']) ** 2)}$"
        ),
    ),
)


class BiasVarianceStatements(StatementBank):
    id = "tf-bias-variance"
    title = "True or false: bias, variance and noise"
    intro = (
        r"At a point $x_0$, the expected squared error of a learned predictor over training sets and noise is "
        r"its squared bias plus its variance plus the noise variance $\sigma^2$."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "no bias, variance 2, noise 1: error 3; degree n − 1 interpolates",
            {
                "statements": [
                    {"fact": "decomposition", "bias": 0, "variance": 2, "noise": 1, "claimed": 3},
                    {"fact": "interpolation", "n": 4, "degree": 3},
                ]
            },
            {"s1": "true", "s2": "true"},
        ),
        EdgeCase(
            "the bound equal to the error counts as 'at most'; λ lowered lowers the bias",
            {
                "statements": [
                    {"fact": "error-at-most", "bias": 1, "variance": 1, "noise": 1, "bound": 3},
                    {"fact": "ridge-bias-grows", "w": 2, "s": 10, "lam1": 5, "lam2": 1},
                ]
            },
            {"s1": "true", "s2": "false"},
        ),
    )

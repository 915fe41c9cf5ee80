"""`tf-final-exam`: true/false statements of the kind a machine-learning final exam mixes.

One statement each from across the course: KL divergence is asymmetric (for Bernoulli
distributions it is symmetric only when q = p or q = 1 − p), a ReLU unit can be dead on a whole
input range, Hoeffding's bound fixes how many samples a deviation needs, the determinant is the
product of the eigenvalues, the Laplace MLE is the median, softmax odds are exponentials of
logit differences, a dense layer's parameter count, and convexity of a max of lines minus a
quadratic. The independent routes evaluate in floats, scan grids, build the matrix and measure
it, and test convexity on pairs of points.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from variantex.answer_engine.exact import log_of_rational
from variantex.answer_engine.formatting import log_tex
from variantex.generators.kit import EdgeCase
from variantex.generators.statements import StatementBank, claimed, fact, num, one_of

R = sp.Rational


def _bernoulli_kl(p, q):
    """KL(Bern(p) ‖ Bern(q)) exactly, in logs of primes."""
    return p * (log_of_rational(p) - log_of_rational(q)) + (1 - p) * (log_of_rational(1 - p) - log_of_rational(1 - q))


def _float_kl(p: float, q: float) -> float:
    return p * math.log(p / q) + (1 - p) * math.log((1 - p) / (1 - q))


BERNOULLI = (R(1, 4), R(1, 3), R(1, 2), R(2, 3), R(3, 4))


def _kl_pair(rng) -> dict:
    p = one_of(rng, *BERNOULLI)
    q = one_of(rng, p, 1 - p, *[b for b in BERNOULLI if b not in (p, 1 - p)])
    return {"p": p, "q": q}


X = sp.Symbol("x")


def _lin(a, b) -> str:
    return sp.latex(a * X + b)


def _minus_square(c) -> str:
    """− c·x², written with its sign folded in ("", " - x^{2}", " + \\frac{x^{2}}{2}")."""
    if c == 0:
        return ""
    return (" - " if c > 0 else " + ") + sp.latex(abs(c) * X**2)


def _samples(values) -> list:
    return [values[f"x{i}"] for i in (1, 2, 3, 4, 5)]


def _median(v):
    return sorted(_samples(v))[2]


_LOCATIONS = np.linspace(-20.0, 20.0, 8001)


def _least_absolute(v) -> float:
    """The location with the smallest Σ|x_i − m| on a grid of step 1/200 (the data are whole)."""
    data = np.array([float(x) for x in _samples(v)])
    return float(_LOCATIONS[int(np.argmin(np.abs(_LOCATIONS[:, None] - data[None, :]).sum(axis=1)))])


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def _midpoint_convex(v) -> bool:
    f = lambda x: (
        np.maximum(float(v["a1"]) * x + float(v["b1"]), float(v["a2"]) * x + float(v["b2"])) - float(v["c"]) * x * x
    )
    xs = np.linspace(-5, 5, 41)
    left, right = np.meshgrid(xs, xs)
    return bool(np.all(f((left + right) / 2) <= (f(left) + f(right)) / 2 + 1e-9))


FACTS = (
    fact(
        "kl-symmetric",
        "p q",
        _kl_pair,
        holds=lambda v: sp.expand(_bernoulli_kl(v["p"], v["q"]) - _bernoulli_kl(v["q"], v["p"])) == 0,
        check=lambda v: abs(_float_kl(float(v["p"]), float(v["q"])) - _float_kl(float(v["q"]), float(v["p"]))) < 1e-12,
        text=lambda v: (
            rf"For $P = \mathrm{{Bernoulli}}({num(v['p'])})$ and $Q = \mathrm{{Bernoulli}}({num(v['q'])})$, "
            r"$\mathrm{KL}(P \,\|\, Q)$ [[equals¦differs from]] $\mathrm{KL}(Q \,\|\, P)$."
        ),
        why=lambda v: (
            rf"$\mathrm{{KL}}(P\|Q) = {log_tex(_bernoulli_kl(v['p'], v['q']))}$ and $\mathrm{{KL}}(Q\|P) = "
            rf"{log_tex(_bernoulli_kl(v['q'], v['p']))}$; for Bernoulli distributions they agree only when "
            r"$q = p$ or $q = 1 - p$"
        ),
        valid=lambda v: None if 0 < v["p"] < 1 and 0 < v["q"] < 1 else "probabilities strictly between 0 and 1",
    ),
    fact(
        "relu-dead",
        "w b low high",
        lambda rng: {
            "w": R(one_of(rng, -2, -1, 1, 2)),
            "b": R(one_of(rng, -3, -1, 0, 1, 2)),
            "low": R(one_of(rng, -2, -1, 0)),
            "high": R(one_of(rng, 1, 2, 3)),
        },
        holds=lambda v: max(v["w"] * v["low"] + v["b"], v["w"] * v["high"] + v["b"]) <= 0,
        check=lambda v: bool(
            np.all(
                np.maximum(0.0, float(v["w"]) * np.linspace(float(v["low"]), float(v["high"]), 1001) + float(v["b"]))
                == 0.0
            )
        ),
        text=lambda v: (
            rf"The ReLU unit $\max(0, {_lin(v['w'], v['b'])})$ [[outputs $0$ (and passes no gradient to "
            r"its weights) for every¦outputs something positive for at least one]] input $x$ in "
            rf"$[{num(v['low'])}, {num(v['high'])}]$."
        ),
        why=lambda v: (
            rf"$wx + b$ is linear, so its largest value on the interval is at an end: "
            rf"${num(v['w'] * v['low'] + v['b'])}$ and ${num(v['w'] * v['high'] + v['b'])}$"
        ),
        valid=lambda v: None if v["low"] < v["high"] else "low < high",
    ),
    fact(
        "hoeffding-enough",
        "n delta eps",
        lambda rng: {
            "n": R(one_of(rng, 50, 100, 150, 200, 300, 500, 1000)),
            "delta": one_of(rng, R(1, 10), R(1, 20), R(1, 100)),
            "eps": one_of(rng, R(1, 10), R(1, 20)),
        },
        holds=lambda v: bool(sp.log(2 / v["delta"]) <= 2 * v["n"] * v["eps"] ** 2),
        check=lambda v: math.sqrt(math.log(2 / float(v["delta"])) / (2 * float(v["n"]))) <= float(v["eps"]),
        text=lambda v: (
            rf"For a loss in $[0, 1]$, $n = {num(v['n'])}$ samples [[are¦are not]] enough for Hoeffding's "
            rf"bound to give $|\hat L - L| \le {num(v['eps'])}$ with probability at least "
            rf"$1 - {num(v['delta'])}$."
        ),
        why=lambda v: (
            rf"Hoeffding needs $\ln(2/\delta) \le 2n\varepsilon^2$: $\ln {num(2 / v['delta'])} \approx "
            rf"{float(sp.log(2 / v['delta'])):.2f}$ against $2n\varepsilon^2 = {num(2 * v['n'] * v['eps'] ** 2)}$"
        ),
        valid=lambda v: None if v["n"] >= 1 and 0 < v["delta"] < 1 and v["eps"] > 0 else "n ≥ 1, 0 < δ < 1, ε > 0",
    ),
    fact(
        "determinant",
        "l1 l2 claimed",
        claimed(
            lambda rng: {"l1": R(one_of(rng, -2, 1, 2, 3)), "l2": R(one_of(rng, -1, 2, 4, 5))},
            lambda v: (v["l1"] * v["l2"], v["l1"] + v["l2"], v["l1"] ** 2 + v["l2"] ** 2, -v["l1"] * v["l2"]),
        ),
        holds=lambda v: v["claimed"] == v["l1"] * v["l2"],
        check=lambda v: (
            abs(
                float(
                    np.linalg.det(
                        np.array([[1.0, 1.0], [0.0, 1.0]])
                        @ np.diag([float(v["l1"]), float(v["l2"])])
                        @ np.array([[1.0, -1.0], [0.0, 1.0]])
                    )
                )
                - float(v["claimed"])
            )
            < 1e-9
        ),
        text=lambda v: (
            rf"A $2 \times 2$ matrix with eigenvalues ${num(v['l1'])}$ and ${num(v['l2'])}$ [[has¦does not "
            rf"have]] determinant ${num(v['claimed'])}$."
        ),
        why=lambda v: rf"The determinant is the product of the eigenvalues: ${num(v['l1'] * v['l2'])}$",
    ),
    fact(
        "laplace-mle",
        "x1 x2 x3 x4 x5 claimed",
        claimed(
            lambda rng: {
                f"x{i + 1}": R(int(x))
                for i, x in enumerate(rng.choice([-3, -1, 0, 1, 2, 4, 6, 9, 15], size=5, replace=False))
            },
            lambda v: (_median(v), sum(_samples(v)) / 5, (max(_samples(v)) + min(_samples(v))) / 2),
        ),
        holds=lambda v: v["claimed"] == _median(v),
        check=lambda v: abs(_least_absolute(v) - float(v["claimed"])) < 1e-6,
        text=lambda v: (
            rf"For the data ${', '.join(num(x) for x in _samples(v))}$ with Laplace noise "
            r"$p(x) \propto e^{-|x - \mu|/b}$, the maximum-likelihood estimate of $\mu$ [[is¦is not]] "
            rf"${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"The log-likelihood is $-\sum_i |x_i - \mu|/b$ plus a constant: it is largest at the median, "
            rf"${num(_median(v))}$"
        ),
        valid=lambda v: None if len(set(_samples(v))) == 5 else "five different values",
    ),
    fact(
        "softmax-odds",
        "z1 z2 z3 claimed",
        claimed(
            lambda rng: {
                f"z{i + 1}": R(int(z)) for i, z in enumerate(rng.choice([-2, -1, 0, 1, 2, 3], size=3, replace=False))
            },
            lambda v: (v["z1"] - v["z2"], v["z2"] - v["z1"], v["z1"] - v["z3"], v["z1"] + v["z2"]),
        ),
        holds=lambda v: v["claimed"] == v["z1"] - v["z2"],
        check=lambda v: (
            abs(
                math.log(
                    _softmax(np.array([float(v[f"z{i}"]) for i in (1, 2, 3)]))[0]
                    / _softmax(np.array([float(v[f"z{i}"]) for i in (1, 2, 3)]))[1]
                )
                - float(v["claimed"])
            )
            < 1e-9
        ),
        text=lambda v: (
            rf"For $p = \mathrm{{softmax}}({v['z1']}, {v['z2']}, {v['z3']})$, the ratio $p_1/p_2$ "
            rf"[[is¦is not]] $e^{{{num(v['claimed'])}}}$."
        ),
        why=lambda v: (
            rf"$p_1/p_2 = e^{{z_1}}/e^{{z_2}} = e^{{z_1 - z_2}} = e^{{{num(v['z1'] - v['z2'])}}}$: the "
            r"normaliser cancels"
        ),
    ),
    fact(
        "dense-parameters",
        "d_in d_out claimed",
        claimed(
            lambda rng: {"d_in": R(one_of(rng, 3, 10, 64, 100)), "d_out": R(one_of(rng, 2, 5, 10, 32))},
            lambda v: (
                v["d_in"] * v["d_out"] + v["d_out"],
                v["d_in"] * v["d_out"],
                (v["d_in"] + 1) * (v["d_out"] + 1),
                v["d_in"] * v["d_out"] + v["d_in"],
            ),
        ),
        holds=lambda v: v["claimed"] == v["d_in"] * v["d_out"] + v["d_out"],
        check=lambda v: (
            np.zeros((int(v["d_out"]), int(v["d_in"]))).size + np.zeros(int(v["d_out"])).size == int(v["claimed"])
        ),
        text=lambda v: (
            rf"A dense layer from ${num(v['d_in'])}$ inputs to ${num(v['d_out'])}$ outputs, with biases, "
            rf"[[has¦does not have]] ${num(v['claimed'])}$ parameters."
        ),
        why=lambda v: (
            rf"A ${num(v['d_out'])} \times {num(v['d_in'])}$ weight matrix and ${num(v['d_out'])}$ biases: "
            rf"${num(v['d_in'] * v['d_out'] + v['d_out'])}$"
        ),
    ),
    fact(
        "convex-max-minus-quadratic",
        "a1 b1 a2 b2 c",
        lambda rng: {
            "a1": R(one_of(rng, -2, -1, 1)),
            "b1": R(one_of(rng, 0, 1)),
            "a2": R(one_of(rng, 2, 3)),
            "b2": R(one_of(rng, -1, 0)),
            "c": one_of(rng, R(-1), R(-1, 2), R(0), R(1, 2), R(1)),
        },
        holds=lambda v: v["c"] <= 0,
        check=_midpoint_convex,
        text=lambda v: (
            rf"$f(x) = \max({_lin(v['a1'], v['b1'])},\ {_lin(v['a2'], v['b2'])}){_minus_square(v['c'])}$ "
            r"[[is¦is not]] convex on $\mathbb{R}$."
        ),
        why=lambda v: (
            r"A max of lines is convex; subtracting $c x^2$ keeps it convex exactly when $c \le 0$ (for "
            rf"$c > 0$ the kink's neighbourhood curves down); here $c = {num(v['c'])}$"
        ),
        valid=lambda v: None if v["a1"] != v["a2"] else "two different slopes",
    ),
)


class FinalExamStatements(StatementBank):
    id = "tf-final-exam"
    title = "True or false: the final exam's mixed statements"
    intro = (
        "Statements from across the course: divergences, neural units, generalisation bounds, linear algebra, "
        "likelihood and convexity."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "q = 1 − p: the two KL divergences agree; a ReLU that reaches 0 at the end of the interval is dead",
            {
                "statements": [
                    {"fact": "kl-symmetric", "p": "1/4", "q": "3/4"},
                    {"fact": "relu-dead", "w": 1, "b": -2, "low": 0, "high": 2},
                ]
            },
            {"s1": "true", "s2": "true"},
        ),
        EdgeCase(
            "c = 0: a max of lines is convex; KL(1/4 ‖ 1/3) and KL(1/3 ‖ 1/4) differ",
            {
                "statements": [
                    {"fact": "convex-max-minus-quadratic", "a1": -1, "b1": 0, "a2": 2, "b2": 0, "c": 0},
                    {"fact": "kl-symmetric", "p": "1/4", "q": "1/3"},
                ]
            },
            {"s1": "true", "s2": "false"},
        ),
    )

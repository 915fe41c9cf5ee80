"""`tf-sgd-vs-gd`: true/false statements on stochastic versus full-batch gradient descent.

Counting updates and per-example gradients per epoch, unbiasedness of a uniformly drawn
minibatch gradient, the 1/B variance of a with-replacement minibatch, the step-size range
0 < η < 2/c on a quadratic, constant-step SGD that never settles when the examples'
minimisers differ, and one step of each on ½(w − a_i)². The independent routes count loop
iterations, enumerate every minibatch, simulate the iterations in floats and differentiate
numerically.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from variantex.generators.kit import EdgeCase
from variantex.generators.statements import StatementBank, fact, num, one_of

R = sp.Rational


def _epoch(rng):
    batch = one_of(rng, 2, 4, 5, 8, 10, 25)
    n = batch * one_of(rng, 4, 10, 20, 40)
    return {"n": n, "batch": batch}


def _updates_in_epoch(v) -> int:
    return sum(1 for _ in range(0, int(v["n"]), int(v["batch"])))


def _mean_of_all_minibatch_means(v) -> float:
    values = [float(v[f"g{i}"]) for i in (1, 2, 3, 4)]
    means = [np.mean(c) for c in itertools.combinations(values, int(v["batch"]))]
    return float(np.mean(means))


def _with_replacement_variance(batch: int) -> float:
    """Variance of the mean of `batch` draws with replacement from {−1, +1} (variance 1), by enumeration."""
    means = [np.mean(c) for c in itertools.product((-1.0, 1.0), repeat=batch)]
    return float(np.var(means))


def _iterate(c: float, eta: float, steps: int = 400) -> float:
    w = 1.0
    for _ in range(steps):
        w -= eta * c * w
        if abs(w) > 1e6:
            break
    return abs(w)


def _cyclic_sgd_moves(v) -> bool:
    """SGD visiting ½(w − a)² and ½(w − b)² in turn from w = 0 converges to no single point:
    after 500 rounds a step still moves it by more than 1e-9 (a converging sequence's steps
    shrink geometrically to nothing; a cycle's do not)."""
    w, eta = 0.0, float(v["eta"])
    for _ in range(500):
        for target in (float(v["a"]), float(v["b"])):
            last = w
            w -= eta * (w - target)
    return abs(w - last) > 1e-9


def _data_mean(v):
    return (v["a1"] + v["a2"] + v["a3"]) / 3


def _mean_loss_gradient(v, w: float) -> float:
    h = 1e-6
    loss = lambda u: np.mean([(u - float(v[f"a{i}"])) ** 2 / 2 for i in (1, 2, 3)])
    return (loss(w + h) - loss(w - h)) / (2 * h)


def _targets(rng):
    a = [int(x) for x in rng.choice([-4, -2, -1, 0, 1, 2, 3, 5, 6], size=3, replace=False)]
    return {"a1": a[0], "a2": a[1], "a3": a[2], "w0": one_of(rng, 0, 1, 2, -1), "eta": one_of(rng, R(1, 2), R(1, 4), 1)}


FACTS = (
    fact(
        "updates-per-epoch",
        "n batch updates",
        lambda rng: (
            lambda e: {**e, "updates": one_of(rng, e["n"] // e["batch"], e["n"] // e["batch"], e["n"], e["batch"])}
        )(_epoch(rng)),
        holds=lambda v: v["updates"] == v["n"] / v["batch"],
        check=lambda v: _updates_in_epoch(v) == int(v["updates"]),
        text=lambda v: (
            rf"One epoch of minibatch SGD with batch size ${num(v['batch'])}$ over ${num(v['n'])}$ examples "
            rf"makes [[exactly ${num(v['updates'])}$ parameter updates¦a number of parameter updates other than "
            rf"${num(v['updates'])}$]]."
        ),
        why=lambda v: (
            rf"Each update uses ${num(v['batch'])}$ examples: ${num(v['n'])}/{num(v['batch'])} = "
            rf"{num(v['n'] / v['batch'])}$ updates per epoch"
        ),
        valid=lambda v: None if v["batch"] > 0 and (v["n"] / v["batch"]).is_integer else "batch divides n",
    ),
    fact(
        "gradients-per-epoch",
        "n batch ratio",
        lambda rng: (lambda e: {**e, "ratio": one_of(rng, 1, 1, e["batch"], e["n"] // e["batch"])})(_epoch(rng)),
        holds=lambda v: v["ratio"] == 1,
        check=lambda v: _updates_in_epoch(v) * float(v["batch"]) / float(v["n"]) == float(v["ratio"]),
        text=lambda v: (
            rf"An epoch of SGD with batch size ${num(v['batch'])}$ on ${num(v['n'])}$ examples [[computes¦does "
            rf"not compute]] ${num(v['ratio'])}$ times as many per-example gradients as one full-batch "
            r"gradient step."
        ),
        why=lambda v: rf"Both touch every example once: ${num(v['n'])}$ per-example gradients each",
        valid=lambda v: None if v["batch"] > 0 and (v["n"] / v["batch"]).is_integer else "batch divides n",
    ),
    fact(
        "minibatch-unbiased",
        "g1 g2 g3 g4 batch claimed",
        lambda rng: (
            lambda g, b: {
                **{f"g{i + 1}": g[i] for i in range(4)},
                "batch": b,
                "claimed": one_of(rng, R(sum(g), 4), R(sum(g), 4), sum(g), R(sum(g) * b, 4)),
            }
        )([int(x) for x in rng.choice([-3, -1, 0, 1, 2, 4, 5, 7], size=4, replace=False)], one_of(rng, 2, 3)),
        holds=lambda v: v["claimed"] == (v["g1"] + v["g2"] + v["g3"] + v["g4"]) / 4,
        check=lambda v: abs(_mean_of_all_minibatch_means(v) - float(v["claimed"])) < 1e-12,
        text=lambda v: (
            rf"Four examples have gradients ${v['g1']}, {v['g2']}, {v['g3']}, {v['g4']}$. A minibatch of "
            rf"${v['batch']}$ of them drawn uniformly (without replacement) gives a mean gradient whose "
            rf"expectation [[is¦is not]] ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"A uniform minibatch mean is unbiased: its expectation is the full mean "
            rf"${num((v['g1'] + v['g2'] + v['g3'] + v['g4']) / 4)}$"
        ),
        valid=lambda v: None if v["batch"] in (1, 2, 3, 4) else "a batch of 1 to 4",
    ),
    fact(
        "variance-shrinks",
        "b1 b2 factor",
        lambda rng: (
            lambda b1, b2: {"b1": b1, "b2": b2, "factor": one_of(rng, R(b2, b1), R(b2, b1), b2**2 // b1**2, 2)}
        )(*[(1, 2), (1, 4), (2, 4), (2, 8), (1, 8)][int(rng.integers(5))]),
        holds=lambda v: v["factor"] == v["b2"] / v["b1"],
        check=lambda v: (
            abs(
                _with_replacement_variance(int(v["b1"])) / _with_replacement_variance(int(v["b2"])) - float(v["factor"])
            )
            < 1e-9
        ),
        text=lambda v: (
            rf"Going from batch size ${v['b1']}$ to ${v['b2']}$ (examples drawn independently, with "
            rf"replacement) [[divides¦does not divide]] the variance of the minibatch gradient by "
            rf"${num(v['factor'])}$."
        ),
        why=lambda v: (
            rf"The mean of $B$ independent draws has variance $\sigma^2/B$: the factor is "
            rf"${v['b2']}/{v['b1']} = {num(v['b2'] / v['b1'])}$"
        ),
        valid=lambda v: None if 1 <= v["b1"] < v["b2"] <= 8 else "1 ≤ b1 < b2 ≤ 8",
    ),
    fact(
        "quadratic-step-converges",
        "c eta",
        lambda rng: (
            lambda c: {"c": c, "eta": one_of(rng, R(1, 2 * c), R(1, c), R(3, 2 * c), R(2, c), R(5, 2 * c), R(3, c))}
        )(one_of(rng, 1, 2, 4, 5, 10)),
        holds=lambda v: 0 < v["eta"] < 2 / v["c"],
        check=lambda v: _iterate(float(v["c"]), float(v["eta"])) < 1e-6,
        text=lambda v: (
            rf"Gradient descent on $f(w) = \frac{{c}}{{2}} w^2$ with $c = {num(v['c'])}$ and step "
            rf"$\eta = {num(v['eta'])}$ from $w_0 = 1$ [[converges¦does not converge]] to $0$."
        ),
        why=lambda v: (
            rf"$w_{{t+1}} = (1 - \eta c) w_t$ with $1 - \eta c = {num(1 - v['eta'] * v['c'])}$: it converges "
            r"exactly when $|1 - \eta c| < 1$, i.e. $0 < \eta < 2/c$"
        ),
        valid=lambda v: None if v["c"] > 0 and v["eta"] > 0 else "c > 0 and η > 0",
    ),
    fact(
        "constant-step-keeps-moving",
        "a b eta",
        lambda rng: {
            "a": one_of(rng, 0, 1, 2),
            "b": one_of(rng, 0, 2, 4),
            "eta": one_of(rng, R(1, 2), R(1, 4), R(1, 10)),
        },
        holds=lambda v: v["a"] != v["b"],
        check=_cyclic_sgd_moves,
        text=lambda v: (
            rf"SGD with the constant step $\eta = {num(v['eta'])}$ visiting the losses "
            rf"$\frac{{1}}{{2}}(w - {v['a']})^2$ and $\frac{{1}}{{2}}(w - {v['b']})^2$ in turn, from $w = 0$, "
            r"[[has iterates that converge to no single point¦has iterates that converge to a single point]]."
        ),
        why=lambda v: (
            rf"The two minimisers ${v['a']}$ and ${v['b']}$ differ: each step pulls towards its own, so the "
            r"iterates cycle without settling"
            if v["a"] != v["b"]
            else rf"Both losses have their minimum at ${v['a']}$: the iterates converge to it"
        ),
        valid=lambda v: None if 0 < v["eta"] < 1 else "0 < η < 1",
    ),
    fact(
        "full-batch-step",
        "a1 a2 a3 w0 eta claimed",
        lambda rng: (
            lambda t: {
                **t,
                "claimed": one_of(
                    rng,
                    t["w0"] - t["eta"] * (t["w0"] - R(t["a1"] + t["a2"] + t["a3"], 3)),
                    t["w0"] - t["eta"] * (t["w0"] - R(t["a1"] + t["a2"] + t["a3"], 3)),
                    t["w0"] - t["eta"] * (3 * t["w0"] - t["a1"] - t["a2"] - t["a3"]),
                    t["w0"] + t["eta"] * (t["w0"] - R(t["a1"] + t["a2"] + t["a3"], 3)),
                ),
            }
        )(_targets(rng)),
        holds=lambda v: v["claimed"] == v["w0"] - v["eta"] * (v["w0"] - _data_mean(v)),
        check=lambda v: (
            abs(float(v["w0"]) - float(v["eta"]) * _mean_loss_gradient(v, float(v["w0"])) - float(v["claimed"])) < 1e-6
        ),
        text=lambda v: (
            rf"One full-batch gradient step with $\eta = {num(v['eta'])}$ from $w_0 = {v['w0']}$ on the mean "
            rf"loss $\frac{{1}}{{3}}\sum_i \frac{{1}}{{2}}(w - a_i)^2$ with $a = ({v['a1']}, {v['a2']}, {v['a3']})$ "
            rf"[[gives¦does not give]] $w_1 = {num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"The gradient is $w_0 - \bar a = {v['w0']} - {num(_data_mean(v))}$, so $w_1 = "
            rf"{num(v['w0'] - v['eta'] * (v['w0'] - _data_mean(v)))}$"
        ),
    ),
    fact(
        "sgd-step-matches-full",
        "a1 a2 a3 w0 eta",
        lambda rng: _targets_with_mean_sometimes(rng),
        holds=lambda v: v["a1"] == _data_mean(v) or v["eta"] == 0,
        check=lambda v: (
            abs(
                (float(v["w0"]) - float(v["eta"]) * (float(v["w0"]) - float(v["a1"])))
                - (float(v["w0"]) - float(v["eta"]) * _mean_loss_gradient(v, float(v["w0"])))
            )
            < 1e-6
        ),
        text=lambda v: (
            rf"From $w_0 = {v['w0']}$ with $\eta = {num(v['eta'])}$, the SGD step on the example "
            rf"$\frac{{1}}{{2}}(w - {num(v['a1'])})^2$ alone [[lands where¦does not land where]] the full-batch "
            rf"step on the mean loss over $a = ({num(v['a1'])}, {v['a2']}, {v['a3']})$ lands."
        ),
        why=lambda v: rf"The two steps agree exactly when $a_1$ equals the mean $\bar a = {num(_data_mean(v))}$",
    ),
)


def _targets_with_mean_sometimes(rng):
    """Targets where a1 is the mean of the three about half the time (a2, a3 symmetric around it)."""
    t = _targets(rng)
    if rng.integers(2):
        spread = one_of(rng, 1, 2, 3)
        t["a2"], t["a3"] = t["a1"] - spread, t["a1"] + spread
    return t


class SgdVersusGdStatements(StatementBank):
    id = "tf-sgd-vs-gd"
    title = "True or false: stochastic versus full-batch gradient descent"
    intro = (
        "Statements on minibatch SGD and full-batch gradient descent: their updates, their cost, their noise and "
        "their convergence."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "η = 2/c: the iterates flip sign forever, so 'converges' is false; batch = n gives one update",
            {
                "statements": [
                    {"fact": "quadratic-step-converges", "c": 2, "eta": 1},
                    {"fact": "updates-per-epoch", "n": 10, "batch": 10, "updates": 1},
                ]
            },
            {"s1": "false", "s2": "true"},
        ),
        EdgeCase(
            "equal minimisers: constant-step SGD does come to rest; a1 = mean: the steps agree",
            {
                "statements": [
                    {"fact": "constant-step-keeps-moving", "a": 2, "b": 2, "eta": "1/2"},
                    {"fact": "sgd-step-matches-full", "a1": 1, "a2": 0, "a3": 2, "w0": 3, "eta": "1/2"},
                ]
            },
            {"s1": "false", "s2": "true"},
        ),
    )

"""`tf-adversarial-tradeoff`: true/false statements on adversarial robustness and its price.

A linear classifier sign(wᵀx + b) in the plane: the worst perturbation with ‖δ‖∞ ≤ ε lowers
the margin m = y(wᵀx + b) by ε‖w‖₁ and one with ‖δ‖₂ ≤ ε by ε‖w‖₂ (dual norms), FGSM moves
by ε·sign(∇ₓ loss) = −ε·y·sign(w), and the adversarial logistic loss is log(1 + e^{−(m − ε‖w‖₁)}).
On a line, robustness at radius ε needs a margin above ε, and two differently labelled points
d apart admit a classifier robust at ε only when 2ε < d: the trade-off between accuracy and
robustness. The independent routes try every corner of the ε-box, sample the ε-circle, scan
perturbations and thresholds, and differentiate numerically.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from variantex.generators.kit import EdgeCase
from variantex.generators.statements import StatementBank, claimed, fact, num, one_of

R = sp.Rational
LINEAR = "w1 w2 b x1 x2 y eps"
PYTHAGOREAN = ((3, 4), (4, 3), (6, 8), (8, 6), (5, 12), (12, 5))
_ANGLES = np.linspace(0.0, 2 * np.pi, 7200, endpoint=False)
_CORNERS = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], dtype=float)


def _linear(rng, pythagorean: bool = False) -> dict:
    if pythagorean:
        w1, w2 = PYTHAGOREAN[int(rng.integers(len(PYTHAGOREAN)))]
        w1, w2 = w1 * one_of(rng, 1, -1), w2 * one_of(rng, 1, -1)
    else:
        w1, w2 = (int(x) * one_of(rng, 1, -1) for x in rng.choice([1, 2, 3], size=2))
    return {
        "w1": sp.Integer(w1),
        "w2": sp.Integer(w2),
        "b": sp.Integer(one_of(rng, -1, 0, 1, 2)),
        "x1": sp.Integer(one_of(rng, -2, -1, 1, 2, 3)),
        "x2": sp.Integer(one_of(rng, -1, 0, 1, 2)),
        "y": sp.Integer(one_of(rng, 1, -1)),
        "eps": one_of(rng, R(1, 10), R(1, 4), R(1, 2), 1),
    }


def _margin(v):
    return v["y"] * (v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b"])


def _l1(v):
    return abs(v["w1"]) + abs(v["w2"])


def _l2(v):
    return sp.sqrt(v["w1"] ** 2 + v["w2"] ** 2)


def _floats(v):
    w = np.array([float(v["w1"]), float(v["w2"])])
    x = np.array([float(v["x1"]), float(v["x2"])])
    return w, x, float(v["b"]), float(v["y"]), float(v["eps"])


def _corner_margins(v) -> np.ndarray:
    w, x, b, y, eps = _floats(v)
    return y * ((x + eps * _CORNERS) @ w + b)


def _circle_margins(v) -> np.ndarray:
    w, x, b, y, eps = _floats(v)
    deltas = eps * np.stack([np.cos(_ANGLES), np.sin(_ANGLES)], axis=1)
    return y * ((x + deltas) @ w + b)


def _logistic(z):
    return np.logaddexp(0.0, -z)


def _fgsm_signs(v) -> tuple[float, float]:
    w, x, b, y, _ = _floats(v)
    h, grad = 1e-6, []
    for i in range(2):
        step = np.zeros(2)
        step[i] = h
        grad.append((_logistic(y * ((x + step) @ w + b)) - _logistic(y * ((x - step) @ w + b))) / (2 * h))
    return float(np.sign(grad[0])), float(np.sign(grad[1]))


def _signed_eps(sign) -> str:
    return r"\varepsilon" if sign > 0 else r"-\varepsilon"


def _classifier(v) -> str:
    return (
        rf"$f(x) = \mathrm{{sign}}(w^\top x + b)$ with $w = ({v['w1']}, {v['w2']})$, $b = {v['b']}$, at the point "
        rf"$x = ({v['x1']}, {v['x2']})$ with label $y = {v['y']}$"
    )


def _valid_linear(v) -> str | None:
    if v["y"] not in (1, -1) or v["eps"] <= 0:
        return "y is ±1 and ε > 0"
    return None


def _why_l1(v) -> str:
    return (
        rf"$m = y(w^\top x + b) = {num(_margin(v))}$ and the worst $\delta = -\varepsilon y\,\mathrm{{sign}}(w)$ "
        rf"lowers it by $\varepsilon \|w\|_1 = {num(v['eps'] * _l1(v))}$, to ${num(_margin(v) - v['eps'] * _l1(v))}$"
    )


def _threshold_points(rng) -> dict:
    xs = sorted(int(x) for x in rng.choice(np.arange(-4, 6), size=3, replace=False))
    return {
        "t": sp.Integer(one_of(rng, 0, 1)),
        **{f"p{i + 1}": sp.Integer(x) for i, x in enumerate(xs)},
        **{f"y{i + 1}": sp.Integer(one_of(rng, 1, -1)) for i in range(3)},
        "eps": one_of(rng, R(1, 2), 1, R(3, 2), 2),
    }


def _robust_count(v) -> int:
    return sum(1 for i in (1, 2, 3) if v[f"y{i}"] * (v[f"p{i}"] - v["t"]) > v["eps"])


def _robust_count_by_scan(v) -> int:
    shifts = np.linspace(-float(v["eps"]), float(v["eps"]), 401)
    return sum(1 for i in (1, 2, 3) if np.all(float(v[f"y{i}"]) * (float(v[f"p{i}"]) + shifts - float(v["t"])) > 0))


FACTS = (
    fact(
        "linf-worst-margin",
        LINEAR + " claimed",
        claimed(
            _linear,
            lambda v: (
                _margin(v) - v["eps"] * _l1(v),
                _margin(v) + v["eps"] * _l1(v),
                _margin(v) - v["eps"] * max(abs(v["w1"]), abs(v["w2"])),
                _margin(v),
            ),
        ),
        holds=lambda v: v["claimed"] == _margin(v) - v["eps"] * _l1(v),
        check=lambda v: abs(_corner_margins(v).min() - float(v["claimed"])) < 1e-9,
        text=lambda v: (
            rf"For {_classifier(v)}, the smallest $y(w^\top(x + \delta) + b)$ over "
            rf"$\|\delta\|_\infty \le {num(v['eps'])}$ [[is¦is not]] ${num(v['claimed'])}$."
        ),
        why=_why_l1,
        valid=_valid_linear,
    ),
    fact(
        "l2-worst-margin",
        LINEAR + " claimed",
        claimed(
            lambda rng: _linear(rng, pythagorean=True),
            lambda v: (
                _margin(v) - v["eps"] * _l2(v),
                _margin(v) - v["eps"] * _l1(v),
                _margin(v) - v["eps"] * _l2(v) ** 2,
                _margin(v) + v["eps"] * _l2(v),
            ),
        ),
        holds=lambda v: v["claimed"] == _margin(v) - v["eps"] * _l2(v),
        check=lambda v: abs(_circle_margins(v).min() - float(v["claimed"])) < 1e-5,
        text=lambda v: (
            rf"For {_classifier(v)}, the smallest $y(w^\top(x + \delta) + b)$ over "
            rf"$\|\delta\|_2 \le {num(v['eps'])}$ [[is¦is not]] ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"$m = {num(_margin(v))}$; the worst $\delta$ points along $-y w$ and lowers it by "
            rf"$\varepsilon \|w\|_2 = {num(v['eps'] * _l2(v))}$ (the dual norm of $\ell_2$ is $\ell_2$)"
        ),
        valid=lambda v: _valid_linear(v) or (None if _l2(v).is_integer else "‖w‖₂ a whole number"),
    ),
    fact(
        "linf-robust",
        LINEAR,
        _linear,
        holds=lambda v: _margin(v) - v["eps"] * _l1(v) > 0,
        check=lambda v: bool(np.all(_corner_margins(v) > 0)),
        text=lambda v: (
            # The negation is a sentence of its own: "does not stay … under every" reads both ways.
            rf"For {_classifier(v)}, [[the point stays correctly classified under every¦some]] "
            rf"perturbation with $\|\delta\|_\infty \le {num(v['eps'])}$[[¦ makes the point misclassified]] "
            r"(a point on the boundary, where "
            r"$w^\top x + b = 0$, counts as misclassified)."
        ),
        why=_why_l1,
        valid=_valid_linear,
    ),
    fact(
        "fgsm-direction",
        LINEAR + " s1 s2",
        lambda rng: (
            lambda v: {
                **v,
                **dict(
                    zip(
                        ("s1", "s2"),
                        (
                            (-v["y"] * sp.sign(v["w1"]), -v["y"] * sp.sign(v["w2"]))
                            if rng.integers(2)
                            else (v["y"] * sp.sign(v["w1"]), -v["y"] * sp.sign(v["w2"]))
                            if rng.integers(2)
                            else (v["y"] * sp.sign(v["w1"]), v["y"] * sp.sign(v["w2"]))
                        ),
                    )
                ),
            }
        )(_linear(rng)),
        holds=lambda v: (v["s1"], v["s2"]) == (-v["y"] * sp.sign(v["w1"]), -v["y"] * sp.sign(v["w2"])),
        check=lambda v: _fgsm_signs(v) == (float(v["s1"]), float(v["s2"])),
        text=lambda v: (
            rf"For {_classifier(v)} and the logistic loss $\log(1 + e^{{-y(w^\top x + b)}})$, the FGSM step "
            rf"$\varepsilon\,\mathrm{{sign}}(\nabla_x \text{{loss}})$ [[is¦is not]] "
            rf"$\delta = ({_signed_eps(v['s1'])}, {_signed_eps(v['s2'])})$."
        ),
        why=lambda v: (
            r"$\nabla_x \text{loss} = -y\,\sigma(-y(w^\top x + b))\, w$, so its sign is $-y\,\mathrm{sign}(w) = "
            rf"({num(-v['y'] * sp.sign(v['w1']))}, {num(-v['y'] * sp.sign(v['w2']))})$"
        ),
        valid=lambda v: (
            _valid_linear(v)
            or (
                None
                if v["w1"] != 0 and v["w2"] != 0 and abs(v["s1"]) == 1 and abs(v["s2"]) == 1
                else "nonzero weights, signs ±1"
            )
        ),
    ),
    fact(
        "adversarial-loss",
        LINEAR + " claimed",
        claimed(
            _linear,
            lambda v: (
                _margin(v) - v["eps"] * _l1(v),
                _margin(v) + v["eps"] * _l1(v),
                _margin(v),
                _margin(v) - v["eps"],
            ),
        ),
        holds=lambda v: v["claimed"] == _margin(v) - v["eps"] * _l1(v),
        check=lambda v: abs(float(_logistic(_corner_margins(v)).max()) - float(_logistic(float(v["claimed"])))) < 1e-12,
        text=lambda v: (
            rf"For {_classifier(v)}, the largest logistic loss $\log(1 + e^{{-y(w^\top (x + \delta) + b)}})$ "
            rf"over $\|\delta\|_\infty \le {num(v['eps'])}$ [[is¦is not]] $\log(1 + e^{{{num(-v['claimed'])}}})$."
        ),
        why=lambda v: _why_l1(v) + r"; the loss falls as the margin grows, so the worst margin gives the worst loss",
        valid=_valid_linear,
    ),
    fact(
        "dual-norm",
        "w1 w2 eps claimed",
        claimed(
            lambda rng: (lambda v: {k: v[k] for k in ("w1", "w2", "eps")})(_linear(rng, pythagorean=True)),
            lambda v: (v["eps"] * _l2(v), v["eps"] * _l1(v), v["eps"] * max(abs(v["w1"]), abs(v["w2"]))),
        ),
        holds=lambda v: v["claimed"] == v["eps"] * _l2(v),
        check=lambda v: (
            abs(
                float(np.max(float(v["eps"]) * (np.cos(_ANGLES) * float(v["w1"]) + np.sin(_ANGLES) * float(v["w2"]))))
                - float(v["claimed"])
            )
            < 1e-5
        ),
        text=lambda v: (
            rf"For $w = ({v['w1']}, {v['w2']})$, the largest change of $w^\top x$ caused by a perturbation "
            rf"with $\|\delta\|_2 \le {num(v['eps'])}$ [[is¦is not]] ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"$\max_{{\|\delta\|_2 \le \varepsilon}} w^\top \delta = \varepsilon \|w\|_2 = "
            rf"{num(v['eps'] * _l2(v))}$ (Cauchy–Schwarz)"
        ),
        valid=lambda v: None if v["eps"] > 0 and _l2(v).is_integer else "ε > 0 and ‖w‖₂ a whole number",
    ),
    fact(
        "robust-count",
        "t p1 y1 p2 y2 p3 y3 eps claimed",
        claimed(_threshold_points, lambda v: (_robust_count(v), *[k for k in range(4) if k != _robust_count(v)])),
        holds=lambda v: v["claimed"] == _robust_count(v),
        check=lambda v: _robust_count_by_scan(v) == int(v["claimed"]),
        text=lambda v: (
            rf"The classifier $\mathrm{{sign}}(x - {v['t']})$ on the line, with points $x = {v['p1']}, "
            rf"{v['p2']}, {v['p3']}$ labelled ${v['y1']}, {v['y2']}, {v['y3']}$: [[exactly "
            rf"${v['claimed']}$¦a number other than ${v['claimed']}$]] of them stay correctly classified "
            rf"under every shift by at most ${num(v['eps'])}$ (a point shifted onto the threshold counts as "
            r"misclassified)."
        ),
        why=lambda v: (
            rf"A point is robust at $\varepsilon$ when $y(x - t) > \varepsilon$: ${_robust_count(v)}$ of them"
        ),
        valid=lambda v: None if v["eps"] > 0 and all(v[f"y{i}"] in (1, -1) for i in (1, 2, 3)) else "ε > 0, labels ±1",
    ),
    fact(
        "robust-separator-exists",
        "d eps",
        lambda rng: {"d": sp.Integer(one_of(rng, 1, 2, 3, 4)), "eps": one_of(rng, R(1, 4), R(1, 2), 1, R(3, 2), 2)},
        holds=lambda v: 2 * v["eps"] < v["d"],
        check=lambda v: bool(
            np.any(
                (np.linspace(-3, 7, 10001) - float(v["eps"]) > 1e-9)
                & (float(v["d"]) - float(v["eps"]) - np.linspace(-3, 7, 10001) > 1e-9)
            )
        ),
        text=lambda v: (
            rf"For the points $x = 0$ labelled $-1$ and $x = {v['d']}$ labelled $+1$, [[some¦no]] "
            rf"threshold classifier is correct on every point within ${num(v['eps'])}$ of both (a point "
            r"on the threshold counts as misclassified)."
        ),
        why=lambda v: (
            rf"The two intervals of radius $\varepsilon$ leave room for a threshold exactly when "
            rf"$2\varepsilon < d$: here $2\varepsilon = {num(2 * v['eps'])}$ and $d = {v['d']}$; a larger "
            r"radius costs accuracy on one of the points"
        ),
        valid=lambda v: None if v["d"] > 0 and v["eps"] > 0 else "d > 0 and ε > 0",
    ),
)


class AdversarialTradeoffStatements(StatementBank):
    id = "tf-adversarial-tradeoff"
    title = "True or false: adversarial perturbations and the robustness trade-off"
    intro = (
        r"A perturbation $\delta$ of size at most $\varepsilon$ is added to an input; a classifier is robust at "
        r"the input if no such perturbation changes its correct prediction."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "margin exactly ε‖w‖₁: the worst corner lands on the boundary, so 'stays correct' is false",
            {
                "statements": [
                    {"fact": "linf-robust", "w1": 1, "w2": 1, "b": 0, "x1": 1, "x2": 0, "y": 1, "eps": "1/2"},
                    {"fact": "robust-separator-exists", "d": 2, "eps": 1},
                ]
            },
            {"s1": "false", "s2": "false"},
        ),
        EdgeCase(
            "w = (3, 4), ε = 1/2: the ℓ2 ball moves wᵀx by 5/2, the ℓ∞ box by 7/2",
            {
                "statements": [
                    {"fact": "dual-norm", "w1": 3, "w2": 4, "eps": "1/2", "claimed": "5/2"},
                    {
                        "fact": "linf-worst-margin",
                        "w1": 3,
                        "w2": 4,
                        "b": 0,
                        "x1": 1,
                        "x2": 1,
                        "y": 1,
                        "eps": "1/2",
                        "claimed": "7/2",
                    },
                ]
            },
            {"s1": "true", "s2": "true"},
        ),
    )

"""`tf-teacher-forcing`: true/false statements on teacher forcing in sequence models.

A toy next-token model over the tokens a and b: P(b | a) = p and P(a | b) = q. Sequences start
with a. Teacher forcing feeds the ground-truth previous token at every step, so the loss of a
target y* is −Σ_t log P(y*_t | y*_{t−1}) (T − 1 terms for T tokens) and a causal transformer
gets all of them from one forward pass; free-running generation feeds the model's own tokens
(T passes for T tokens without a cache), which is where exposure bias comes from. Scheduled
sampling swaps each input after the first (the given first token, never swapped) for the
model's own token with probability ε, so T − 2 of a T-token target's T − 1 inputs can change. The independent
routes simulate the loops in floats, take argmaxes and enumerate every sampling pattern.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import sympy as sp

from variantex.generators.kit import EdgeCase
from variantex.generators.statements import StatementBank, claimed, fact, num, one_of

R = sp.Rational
MODEL = "p q length target"
PROBABILITIES = (R(1, 4), R(1, 3), R(2, 3), R(3, 4))


def _model(rng) -> dict:
    length = one_of(rng, 3, 4, 5)
    return {
        "p": one_of(rng, *PROBABILITIES),
        "q": one_of(rng, *PROBABILITIES),
        "length": sp.Integer(length),
        "target": sp.Integer(int(rng.integers(2 ** (length - 1)))),
    }


def _tokens(v, code=None) -> list[str]:
    """The sequence a, then one token per bit of the code (1 = b)."""
    code = int(v["target"] if code is None else code)
    return ["a"] + ["b" if code >> i & 1 else "a" for i in range(int(v["length"]) - 1)]


def _code(tokens: list[str]) -> int:
    return sum(1 << i for i, token in enumerate(tokens[1:]) if token == "b")


def _next(v, token: str, following: str):
    """P(following | token), exactly."""
    change = v["p"] if token == "a" else v["q"]
    return change if following != token else 1 - change


def _all_inputs_true(length: int, eps: float) -> float:
    """The chance that scheduled sampling leaves every input ground truth, by enumerating the
    teacher-forced steps: step t predicts token t (t = 2 … T, one loss term each) from token
    t − 1; the first input is the given token (never sampled), every other one is replaced
    with probability ε. Summed over all replacement patterns in floats."""
    inputs = [t - 1 for t in range(2, length + 1)]
    replaceable = [position for position in inputs if position != 1]
    total = 0.0
    for pattern in itertools.product((False, True), repeat=len(replaceable)):
        chance = float(np.prod([eps if replaced else 1 - eps for replaced in pattern]))
        if not any(pattern):
            total += chance
    return total


def _greedy(v) -> list[str]:
    tokens = ["a"]
    for _ in range(int(v["length"]) - 1):
        last = tokens[-1]
        tokens.append(("b" if last == "a" else "a") if (v["p"] if last == "a" else v["q"]) > R(1, 2) else last)
    return tokens


def _forced_probability(v, inputs=None):
    target = _tokens(v)
    inputs = target if inputs is None else inputs
    return sp.Mul(*[_next(v, inputs[t - 1], target[t]) for t in range(1, len(target))])


def _table(v) -> np.ndarray:
    """Row: current token (a, b); column: next token (a, b); as floats."""
    p, q = float(v["p"]), float(v["q"])
    return np.array([[1 - p, p], [q, 1 - q]])


def _simulated_greedy(v) -> list[str]:
    table, current, out = _table(v), 0, ["a"]
    for _ in range(int(v["length"]) - 1):
        current = int(np.argmax(table[current]))
        out.append("ab"[current])
    return out


def _log_likelihood(v, inputs: list[str]) -> float:
    table, target = _table(v), _tokens(v)
    return sum(math.log(table["ab".index(inputs[t - 1]), "ab".index(target[t])]) for t in range(1, len(target)))


def _tt(token: str) -> str:
    return rf"\mathtt{{{token}}}"


def _model_text(v) -> str:
    return rf"With $p = {num(v['p'])}$ and $q = {num(v['q'])}$, "


def _shown(tokens: list[str]) -> str:
    return r"$" + r"\,".join(rf"\mathtt{{{t}}}" for t in tokens) + r"$"


def _valid(v) -> str | None:
    if not (0 < v["p"] < 1 and 0 < v["q"] < 1) or R(1, 2) in (v["p"], v["q"]):
        return "p and q strictly between 0 and 1, not 1/2 (greedy must be decided)"
    if not 2 <= v["length"] <= 8 or not 0 <= v["target"] < 2 ** (v["length"] - 1):
        return "a length of 2 to 8 and a target code below 2^(length-1)"
    return None


def _greedy_or_target(rng) -> dict:
    v = _model(rng)
    if rng.integers(2):
        v["target"] = sp.Integer(_code(_greedy(v)))
    return v


FACTS = (
    fact(
        "forced-likelihood",
        MODEL + " claimed",
        claimed(
            _model,
            lambda v: (
                _forced_probability(v),
                _forced_probability(v, _greedy(v))
                if _forced_probability(v, _greedy(v)) != _forced_probability(v)
                else 1,
                1 - _forced_probability(v),
                _forced_probability(v) * v["p"],
            ),
        ),
        holds=lambda v: v["claimed"] == _forced_probability(v),
        check=lambda v: v["claimed"] > 0 and abs(_log_likelihood(v, _tokens(v)) - math.log(float(v["claimed"]))) < 1e-9,
        text=lambda v: (
            rf"{_model_text(v)}under teacher forcing on the target {_shown(_tokens(v))} the model's likelihood of "
            rf"the target (the product of its next-token probabilities) [[is¦is not]] ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"Teacher forcing conditions each step on the true previous token: the product of "
            rf"$P(y^*_t \mid y^*_{{t-1}})$ is ${num(_forced_probability(v))}$"
        ),
        valid=_valid,
    ),
    fact(
        "greedy-output",
        MODEL,
        _greedy_or_target,
        holds=lambda v: _greedy(v) == _tokens(v),
        check=lambda v: _simulated_greedy(v) == _tokens(v),
        text=lambda v: (
            rf"{_model_text(v)}generating greedily from $\mathtt{{a}}$ for {v['length']} tokens the model "
            rf"[[produces¦does not produce]] {_shown(_tokens(v))}."
        ),
        why=lambda v: rf"At each step greedy decoding takes the likelier next token: it produces {_shown(_greedy(v))}",
        valid=_valid,
    ),
    fact(
        "free-running-loss",
        MODEL,
        _greedy_or_target,
        holds=lambda v: _forced_probability(v, _greedy(v)) == _forced_probability(v),
        check=lambda v: abs(_log_likelihood(v, _simulated_greedy(v)) - _log_likelihood(v, _tokens(v))) < 1e-12,
        text=lambda v: (
            rf"{_model_text(v)}scoring the target {_shown(_tokens(v))} with the model's own greedy tokens as inputs "
            r"[[gives¦does not give]] the same loss as teacher forcing."
        ),
        why=lambda v: (
            rf"The greedy inputs are {_shown(_greedy(v))}: the losses agree when every input the target "
            rf"is scored after is the same (here ${num(_forced_probability(v, _greedy(v)))}$ against "
            rf"${num(_forced_probability(v))}$)"
        ),
        valid=_valid,
    ),
    fact(
        "forward-passes",
        "generating length claimed",
        lambda rng: (
            lambda g, n: {
                "generating": sp.Integer(g),
                "length": sp.Integer(n),
                "claimed": sp.Integer(one_of(rng, (n if g else 1), (n if g else 1), (1 if g else n), n - 1)),
            }
        )(int(rng.integers(2)), one_of(rng, 4, 8, 16)),
        holds=lambda v: v["claimed"] == (v["length"] if v["generating"] else 1),
        check=lambda v: _passes(v) == int(v["claimed"]),
        text=lambda v: (
            (
                rf"Generating ${v['length']}$ tokens with a causal transformer (no key–value cache) takes "
                if v["generating"]
                else rf"Computing the teacher-forced loss of a ${v['length']}$-token target "
                r"with a causal transformer takes "
            )
            + rf"[[exactly ${v['claimed']}$ forward passes¦a number of "
            rf"forward passes other than ${v['claimed']}$]]."
        ),
        why=lambda v: (
            r"Each generated token is the input of the next pass: one pass per token"
            if v["generating"]
            else r"All inputs are known, and the causal mask keeps each position from seeing later ones: "
            r"one pass gives every position's loss"
        ),
        valid=lambda v: None if v["generating"] in (0, 1) and v["length"] >= 1 else "generating is 0 or 1",
    ),
    fact(
        "scheduled-sampling",
        "eps length claimed",
        claimed(
            lambda rng: {"eps": one_of(rng, R(1, 4), R(1, 2), R(1, 3)), "length": sp.Integer(one_of(rng, 3, 4, 5))},
            lambda v: (
                (1 - v["eps"]) ** (v["length"] - 2),
                (1 - v["eps"]) ** (v["length"] - 1),  # counted the given first input as replaceable too
                1 - v["eps"] ** (v["length"] - 2),
                (1 - v["eps"]) ** v["length"],
            ),
        ),
        # A T-token target is predicted from T - 1 inputs (the loss-terms fact), the first of
        # them the given first token, which is never replaced: T - 2 inputs can be.
        holds=lambda v: v["claimed"] == (1 - v["eps"]) ** (v["length"] - 2),
        check=lambda v: abs(_all_inputs_true(int(v["length"]), float(v["eps"])) - float(v["claimed"])) < 1e-12,
        text=lambda v: (
            rf"With scheduled sampling (each input after the first is replaced by the model's own token with "
            rf"probability ${num(v['eps'])}$, independently), the chance that all inputs of a "
            rf"${v['length']}$-token target sequence are ground truth [[is¦is not]] ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"The ${v['length']}$-token target is predicted from ${v['length'] - 1}$ inputs; the first is the given "
            rf"first token, so ${v['length'] - 2}$ can be replaced, each staying true with probability "
            rf"$1 - \varepsilon$: $(1 - \varepsilon)^{{{v['length'] - 2}}} = {num((1 - v['eps']) ** (v['length'] - 2))}$"
        ),
        valid=lambda v: None if 0 < v["eps"] < 1 and 3 <= v["length"] <= 10 else "0 < ε < 1, length 3 to 10",
    ),
    fact(
        "loss-terms",
        "length claimed",
        claimed(
            lambda rng: {"length": sp.Integer(one_of(rng, 3, 5, 8, 10))},
            lambda v: (v["length"] - 1, v["length"], v["length"] + 1, sp.Integer(1)),
        ),
        holds=lambda v: v["claimed"] == v["length"] - 1,
        check=lambda v: sum(1 for t in range(1, int(v["length"]))) == int(v["claimed"]),
        text=lambda v: (
            rf"The teacher-forced loss of a target of ${v['length']}$ tokens whose first token is given is a sum "
            rf"of [[exactly ${v['claimed']}$ log-probability terms¦a number of log-probability terms other than "
            rf"${v['claimed']}$]]."
        ),
        why=lambda v: rf"Every token after the first is predicted once: ${v['length']} - 1 = {v['length'] - 1}$ terms",
        valid=lambda v: None if v["length"] >= 2 else "length at least 2",
    ),
    fact(
        "most-likely-next",
        "p q token",
        lambda rng: {
            "p": one_of(rng, *PROBABILITIES),
            "q": one_of(rng, *PROBABILITIES),
            "token": sp.Integer(int(rng.integers(2))),
        },
        holds=lambda v: (v["p"] if v["token"] == 0 else v["q"]) > R(1, 2),
        check=lambda v: int(np.argmax(_table(v)[int(v["token"])])) != int(v["token"]),
        text=lambda v: (
            rf"{_model_text(v)}after the token ${_tt('ab'[int(v['token'])])}$ the model's most likely next "
            rf"token [[is¦is not]] the other one, ${_tt('ba'[int(v['token'])])}$."
        ),
        why=lambda v: (
            (
                rf"$P(\mathtt{{b}} \mid \mathtt{{a}}) = {num(v['p'])}$"
                if v["token"] == 0
                else rf"$P(\mathtt{{a}} \mid \mathtt{{b}}) = {num(v['q'])}$"
            )
            + r", against $1/2$"
        ),
        valid=lambda v: None if v["token"] in (0, 1) and R(1, 2) not in (v["p"], v["q"]) else "token 0 or 1",
    ),
    fact(
        "forced-input",
        MODEL + " step",
        lambda rng: (lambda v: {**v, "step": sp.Integer(int(rng.integers(2, int(v["length"]) + 1)))})(_model(rng)),
        holds=lambda v: _tokens(v)[int(v["step"]) - 2] == _greedy(v)[int(v["step"]) - 2],
        check=lambda v: (
            _recorded_inputs(v, forced=True)[int(v["step"]) - 2]
            == _recorded_inputs(v, forced=False)[int(v["step"]) - 2]
        ),
        text=lambda v: (
            rf"{_model_text(v)}when predicting token {v['step']} of the target {_shown(_tokens(v))}, the input under teacher "
            r"forcing [[is¦is not]] the same token the model would feed itself when generating greedily."
        ),
        why=lambda v: (
            rf"Teacher forcing feeds the target's token {v['step'] - 1}, "
            rf"${_tt(_tokens(v)[int(v['step']) - 2])}$; greedy generation has "
            rf"${_tt(_greedy(v)[int(v['step']) - 2])}$ there"
        ),
        valid=lambda v: _valid(v) or (None if 2 <= v["step"] <= v["length"] else "a step from 2 to the length"),
    ),
)


def _passes(v) -> int:
    """Count the passes a loop makes: one over the known target, or one per generated token."""
    if not v["generating"]:
        return 1
    passes, produced = 0, 0
    while produced < int(v["length"]):
        passes += 1
        produced += 1
    return passes


def _recorded_inputs(v, forced: bool) -> list[str]:
    """The inputs a loop feeds, as it runs: the target's tokens, or its own argmax tokens."""
    table, target, inputs, current = _table(v), _tokens(v), [], "a"
    for t in range(1, len(target)):
        inputs.append(current)
        produced = "ab"[int(np.argmax(table["ab".index(current)]))]
        current = target[t] if forced else produced
    return inputs


class TeacherForcingStatements(StatementBank):
    id = "tf-teacher-forcing"
    title = "True or false: teacher forcing and generation"
    intro = (
        r"A toy next-token model over the tokens $\mathtt{a}$ and $\mathtt{b}$: after $\mathtt{a}$ it emits "
        r"$\mathtt{b}$ with probability $p$, after $\mathtt{b}$ it emits $\mathtt{a}$ with probability $q$ (the "
        r"statements give $p$ and $q$ where they need them). Sequences start with $\mathtt{a}$."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "p = 3/4, q = 1/4: greedy goes a b b b; target a b b b is what greedy makes",
            {
                "statements": [
                    {"fact": "greedy-output", "p": "3/4", "q": "1/4", "length": 4, "target": 7},
                    {"fact": "forced-likelihood", "p": "3/4", "q": "1/4", "length": 4, "target": 7, "claimed": "27/64"},
                ]
            },
            {"s1": "true", "s2": "true"},
        ),
        EdgeCase(
            "two tokens: one loss term; teacher forcing needs one pass",
            {
                "statements": [
                    {"fact": "loss-terms", "length": 2, "claimed": 1},
                    {"fact": "forward-passes", "generating": 0, "length": 2, "claimed": 2},
                ]
            },
            {"s1": "true", "s2": "false"},
        ),
    )

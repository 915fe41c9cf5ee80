"""`guess-and-check`: learning a two-layer sign network by guessing its weights.

A student f(x) = sign(w2ᵀ[W1 x]₊) with input dimension d0 and d1 hidden units has
k = d0·d1 + d1 weights, each guessed from q levels. If a teacher of width d1* ≤ d1 labels the
data, a random guess reproduces it with probability at least q^−(d0·d1* + d1) (the teacher's
first-layer weights on d1* units and every output weight, the others switched off), so after
guess-and-check on N samples, with probability 1 − δ over the data and 1 − η over the
guessing, the error is at most ((d0·d1* + d1)·ln q + ln(1/δ) + ln ln(1/η)) / N, against the
naive ((k)·ln q + ln(1/δ) + ln ln(1/η)) / N that counts every weight of the student.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.checking import Tolerance
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import numeric
from variantex.answer_engine.formatting import Markup, Math, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, integer, number

SIGNIFICANT = 4


@dataclass(frozen=True)
class GuessParams:
    d0: int = integer(low=1, high=1000)  # input dimension
    d1: int = integer(low=1, high=1000)  # student hidden units
    teacher: int = integer(low=1, high=1000)  # teacher hidden units d1*
    q: int = integer(low=2, high=1000)  # levels per weight
    delta: sp.Rational = number(positive=True)
    eta: sp.Rational = number(positive=True)
    samples: int = integer(low=1, high=10**9)  # N

    def __post_init__(self) -> None:
        if self.teacher > self.d1:
            raise InvalidParams("the teacher must fit in the student: d1* ≤ d1", "teacher")
        for name in ("delta", "eta"):
            if not 0 < getattr(self, name) < 1:
                raise InvalidParams(f"{name} is a probability strictly between 0 and 1", name)


def exponent(params: GuessParams) -> int:
    return params.d0 * params.teacher + params.d1


def student_count(params: GuessParams) -> int:
    return params.d0 * params.d1 + params.d1


@lru_cache(maxsize=256)
def _logs(params: GuessParams) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """log q, log(1/δ), log log(1/η): built once per variant (the solution and every
    mistake's bound use them, and sympy is slow to build them)."""
    return sp.log(params.q), sp.log(1 / params.delta), sp.log(sp.log(1 / params.eta))


def bound(
    params: GuessParams, count: int | sp.Expr, log_log: sp.Expr | None = None, confidence: sp.Expr | None = None
) -> sp.Expr:
    log_q, log_confidence, log_log_eta = _logs(params)
    log_log = log_log_eta if log_log is None else log_log
    confidence = log_confidence if confidence is None else confidence
    return (count * log_q + confidence + log_log) / params.samples


class GuessAndCheck(Family):
    id = "guess-and-check"
    title = "Guess-and-check for a two-layer sign network: parameter count and sample bound"
    branches = ("bound",)
    params_type = GuessParams
    tolerance = Tolerance.significant_figures(SIGNIFICANT)
    edge_cases = (
        EdgeCase(
            "d0 = 10, d1 = 8, d1* = 2, q = 4: k = 88, exponent 28",
            {"d0": 10, "d1": 8, "teacher": 2, "q": 4, "delta": "1/100", "eta": "1/100", "samples": 1000},
            {
                "k": 88,
                "exponent": 28,
                "bound": "(28*log(4) + log(100) + log(log(100)))/1000",
                "naive": "(88*log(4) + log(100) + log(log(100)))/1000",
            },
        ),
        EdgeCase(
            "a teacher as wide as the student: no gain over the naive count",
            {"d0": 3, "d1": 2, "teacher": 2, "q": 2, "delta": "1/10", "eta": "1/10", "samples": 100},
            {"k": 8, "exponent": 8},
        ),
    )

    def branch_of(self, params: GuessParams) -> str:
        return "bound"

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> GuessParams:
        d0 = draws.pick(rng, [5, 10, 20, 50, 100])
        d1 = draws.pick(rng, [10, 20, 50, 100])
        teacher = draws.pick(rng, [t for t in (1, 2, 3, 5, 10) if t < d1])
        return GuessParams(
            d0,
            d1,
            teacher,
            draws.pick(rng, [2, 3, 4, 8, 16]),
            draws.pick(rng, [sp.Rational(1, 10), sp.Rational(1, 100)]),
            draws.pick(rng, [sp.Rational(1, 10), sp.Rational(1, 100)]),
            draws.pick(rng, [10**4, 10**5, 10**6]),
        )

    # --- answers ----------------------------------------------------------------
    def parts(self, params: GuessParams) -> tuple[Part, ...]:
        return (
            Part("k", Math("k")),
            Part("exponent", Math(r"d_0 d_1^* + d_1")),
            Part("bound", Math(r"\text{bound}")),
            Part("naive", Math(r"\text{naive bound}")),
        )

    def mcq_parts(self, params: GuessParams) -> tuple[str, ...]:
        return ("bound",)

    def needs_calculator(self, params: GuessParams) -> bool:
        return True

    def digits(self, params: GuessParams) -> int | None:
        return SIGNIFICANT

    def solve(self, params: GuessParams) -> Solution:
        k, e = student_count(params), exponent(params)
        values = {"k": sp.Integer(k), "exponent": sp.Integer(e), "bound": bound(params, e), "naive": bound(params, k)}
        steps = (
            Markup(
                r"The student has $d_0 d_1 = %d$ first-layer and $d_1 = %d$ output weights: $k = %d$."
                % (params.d0 * params.d1, params.d1, k)
            ),
            Markup(
                r"A guess reproduces the teacher when its $d_0 d_1^* = %d$ first-layer weights and the $d_1 = %d$ "
                r"output weights come out right: probability at least $q^{-%d}$ with $q = %d$."
                % (params.d0 * params.teacher, params.d1, e, params.q)
            ),
            Markup(
                r"Bound: $(%d \ln %d + \ln %s + \ln\ln %s)/%d %s$; the naive count $k$ gives $%s$."
                % (
                    e,
                    params.q,
                    tex(1 / params.delta),
                    tex(1 / params.eta),
                    params.samples,
                    tex(values["bound"], SIGNIFICANT),
                    tex(values["naive"], SIGNIFICANT).replace(r"\approx ", ""),
                )
            ),
        )
        return Solution(values, steps)

    def verify(self, params: GuessParams) -> dict:
        """Count the weights of an actual network (numpy arrays) and evaluate the bounds with
        floats, the probability of a right guess taken as a product over the weights it fixes."""
        first, output = np.zeros((params.d1, params.d0)), np.zeros(params.d1)
        fixed = first[: params.teacher].size + output.size  # the teacher's units and every output weight
        log_probability = sum(math.log(1 / params.q) for _ in range(fixed))
        rest = math.log(1 / float(params.delta)) + math.log(math.log(1 / float(params.eta)))
        return {
            "k": first.size + output.size,
            "exponent": fixed,
            "bound": (-log_probability + rest) / params.samples,
            "naive": ((first.size + output.size) * math.log(params.q) + rest) / params.samples,
        }

    def mistakes(self, params: GuessParams) -> Mistakes:
        k, e = student_count(params), exponent(params)
        d0, d1, t = params.d0, params.d1, params.teacher
        found = Mistakes()
        alternatives = [
            ("naive_count", "used the student's k weights, not the d0·d1* + d1 a guess must fix", k),
            ("teacher_output_only", "counted only the teacher's output weights (d0·d1* + d1*)", d0 * t + t),
            ("first_layer_only", "left out the output weights (d0·d1* only)", d0 * t),
            ("biases_added", "added a bias per hidden unit ((d0 + 1)·d1* + d1)", (d0 + 1) * t + d1),
            ("student_first_layer", "used d0·d1 + d1* (student and teacher swapped)", d0 * d1 + t),
        ]
        for name, description, count in alternatives:
            if count != e:
                found.add(name, description, exponent=sp.Integer(count), bound=bound(params, count))
        found.add(
            "log_not_log_log",
            "wrote ln(1/η) instead of ln ln(1/η)",
            bound=bound(params, e, log_log=sp.log(1 / params.eta)),
        )
        found.add("no_eta_term", "left out the ln ln(1/η) term", bound=bound(params, e, log_log=sp.Integer(0)))
        found.add("no_delta_term", "left out ln(1/δ)", bound=bound(params, e, confidence=sp.Integer(0)))
        found.add("log_base_two", "took logarithms to base 2", bound=bound(params, e) / sp.log(2))
        found.add("times_n", "multiplied by N instead of dividing", bound=bound(params, e) * params.samples**2)
        found.add(
            "q_not_logged",
            "multiplied by q instead of ln q",
            bound=(e * params.q + sp.log(1 / params.delta) + sp.log(sp.log(1 / params.eta))) / params.samples,
        )
        found.add("k_for_student_count", "counted d0·d1 weights only for k", k=sp.Integer(d0 * d1))
        found.add("k_with_biases", "added a bias per hidden unit to k", k=sp.Integer(d0 * d1 + 2 * d1))
        return found

    def plausible(self, params: GuessParams, values: tuple) -> bool:
        """An error bound is positive."""
        return all(isinstance(v, str) or float(numeric(v)) > 0 for v in values)

    # --- presentation -----------------------------------------------------------
    def context(self, params: GuessParams) -> dict:
        return {
            "d0": params.d0,
            "d1": params.d1,
            "teacher": params.teacher,
            "q": params.q,
            "delta": params.delta,
            "eta": params.eta,
            "samples": params.samples,
            "digits": SIGNIFICANT,
        }

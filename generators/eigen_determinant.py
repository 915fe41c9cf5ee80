"""`eigen-determinant`: det(A) from some eigenvectors, their eigenvalues and the trace.

With exactly one eigenvalue unknown it is trace − (sum of the known ones, with
multiplicity) and det is the product of all n; with two or more unknown the answer is
"cannot be determined" (unless a known eigenvalue is 0, which fixes det = 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from operator import mul
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import linalg
from variantex.answer_engine.checking import UNDETERMINED
from variantex.answer_engine.errors import InvalidParams, VerificationError
from variantex.answer_engine.formatting import Markup, Math, plus, row_tuple, tex, times
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution, TextAnswer
from variantex.generators.kit import EdgeCase, Flag, Integer, Mistakes, matrix, number, vector

DIMENSION_UNKNOWN = "dimension unknown"
MIN_DIMENSION, MAX_DIMENSION = 2, 5


@dataclass(frozen=True)
class EigenDeterminantParams:
    eigenvectors: tuple[tuple[sp.Rational, ...], ...] = matrix()
    # One per eigenvector, or one number shared by all of them.
    eigenvalues: tuple[sp.Rational, ...] | sp.Rational = vector(scalar_ok=True)
    trace: sp.Rational = number()

    def __post_init__(self) -> None:
        vectors = self.eigenvectors
        if not vectors:
            raise InvalidParams("give at least one eigenvector", "eigenvectors")
        n = len(vectors[0])
        if not MIN_DIMENSION <= n <= MAX_DIMENSION:
            raise InvalidParams(f"vector length {n} is outside {MIN_DIMENSION}..{MAX_DIMENSION}", "eigenvectors")
        if len(vectors) > n:
            raise InvalidParams(f"{len(vectors)} vectors of length {n} cannot be independent", "eigenvectors")
        if not self.shared and len(self.eigenvalues) != len(vectors):
            raise InvalidParams(
                f"{len(self.eigenvalues)} eigenvalues for {len(vectors)} eigenvectors "
                "(give one per vector, or one number shared by all)",
                "eigenvalues",
            )
        for i, eigenvector in enumerate(vectors):
            if all(entry == 0 for entry in eigenvector):
                raise InvalidParams("the zero vector is never an eigenvector", f"eigenvectors[{i}]")
        if linalg.rank(linalg.matrix(vectors)) < len(vectors):
            raise InvalidParams(
                "the eigenvectors are linearly dependent, so they do not fix independent eigenvalues "
                "(the question would be ill-posed)",
                "eigenvectors",
            )
        if len(vectors) == n and sum(self.values) != self.trace:
            raise InvalidParams(
                f"all {n} eigenvalues are given and sum to {sum(self.values)}, not the trace {self.trace}",
                "trace",
            )

    @property
    def shared(self) -> bool:
        """The question states one eigenvalue shared by all the given vectors."""
        return not isinstance(self.eigenvalues, tuple)

    @property
    def values(self) -> tuple[sp.Rational, ...]:
        """The given eigenvalues, one per eigenvector."""
        return (self.eigenvalues,) * len(self.eigenvectors) if self.shared else self.eigenvalues

    @property
    def dimension(self) -> int:
        return len(self.eigenvectors[0])

    @property
    def unknown_count(self) -> int:
        return self.dimension - len(self.eigenvectors)


def product(values) -> sp.Rational:
    return reduce(mul, values, sp.Integer(1))


def determinant(params: EigenDeterminantParams) -> sp.Rational | str:
    known = params.values
    if params.unknown_count == 0:
        return product(known)
    if any(value == 0 for value in known):
        return sp.Integer(0)
    if params.unknown_count == 1:
        return product(known) * (params.trace - sum(known))
    return UNDETERMINED


class EigenDeterminant(Family):
    id = "eigen-determinant"
    title = "Determinant from eigenvectors, eigenvalues and the trace"
    branches = ("determined", "undetermined")
    draw_options = {
        "dimension": "2, 3 or 4: the length of the vectors (default: drawn from 2-4; undetermined needs 3+)",
        "shared": "true/false: one eigenvalue shared by all given vectors (default: drawn)",
    }
    option_kinds = {"dimension": Integer(2, 4), "shared": Flag()}
    option_sets = ({}, {"shared": True}, {"dimension": 4})
    params_type = EigenDeterminantParams
    text_answers = {
        DIMENSION_UNKNOWN: TextAnswer(
            "cannot be found: the size of $A$ is not given", ("the size of a is not given", "size unknown")
        ),
    }
    edge_cases = (
        EdgeCase(
            "the catalog's example: one eigenvalue missing",
            {"eigenvectors": [[1, 0, 0], [0, 1, 0]], "eigenvalues": [2, 3], "trace": 10},
            {"det": 30},
        ),
        EdgeCase(
            "one eigenvalue shared by two vectors counts twice",
            {"eigenvectors": [[1, 0, 0], [0, 1, 0]], "eigenvalues": 2, "trace": 7},
            {"det": 12},
        ),
        EdgeCase(
            "every eigenvalue given: the trace only checks them",
            {"eigenvectors": [[1, 1], [1, -1]], "eigenvalues": [2, 3], "trace": 5},
            {"det": 6},
        ),
        EdgeCase(
            "two unknown eigenvalues: only their sum is fixed",
            {"eigenvectors": [[1, 0, 0, 0], [0, 1, 0, 0]], "eigenvalues": [2, 3], "trace": 10},
            {"det": "cannot be determined"},
        ),
        EdgeCase(
            "a known zero eigenvalue fixes det = 0 although two are unknown",
            {"eigenvectors": [[1, 2, 0]], "eigenvalues": [0], "trace": 5},
            {"det": 0},
        ),
        EdgeCase(
            "a missing eigenvalue of 0 makes A singular",
            {
                "eigenvectors": [
                    [1, 0],
                ],
                "eigenvalues": ["1/2"],
                "trace": "1/2",
            },
            {"det": 0},
        ),
    )

    def branch_of(self, params: EigenDeterminantParams) -> str:
        return "undetermined" if determinant(params) == UNDETERMINED else "determined"

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> EigenDeterminantParams:
        unknown = 1 if branch == "determined" else 2
        wants_shared = self.option(options, "shared", None)
        # The smallest size that leaves `unknown` eigenvalues open (and, for a shared
        # eigenvalue, still gives two vectors to share it).
        low = unknown + (2 if wants_shared else 1)
        n = self.option(options, "dimension", None) or draws.small_int(rng, low, 4)
        if n < low:
            raise InvalidParams(
                f"dimension {n} cannot give the {branch} branch{' with a shared eigenvalue' if wants_shared else ''} "
                f"(use {low}..4)",
                "options.dimension",
            )
        k = n - unknown
        vectors = tuple(tuple(sp.Integer(draws.small_int(rng, -2, 2)) for _ in range(n)) for _ in range(k))
        shared = wants_shared if wants_shared is not None else (k >= 2 and bool(rng.random() < 0.5))
        if shared:
            given: tuple[sp.Rational, ...] | sp.Rational = sp.Integer(draws.small_int(rng, -3, 3, nonzero=True))
            values = (given,) * k
        else:
            given = values = tuple(sp.Integer(draws.small_int(rng, -3, 3, nonzero=True)) for _ in range(k))
        # The missing eigenvalue(s) are drawn nonzero so det is never trivially 0.
        missing = [draws.small_int(rng, -3, 4, nonzero=True) for _ in range(n - k)]
        trace = sum(values) + sum(missing)
        if branch == "undetermined" and trace == sum(values):
            raise InvalidParams("unknown eigenvalues summing to 0 make a weak question")
        return EigenDeterminantParams(vectors, given, sp.Integer(trace))

    # --- answers ----------------------------------------------------------------
    def parts(self, params: EigenDeterminantParams) -> tuple[Part, ...]:
        return (Part("det", Math(r"\det(A)"), text_answers=(UNDETERMINED,)),)

    def solve(self, params: EigenDeterminantParams) -> Solution:
        n, k, known = params.dimension, len(params.eigenvectors), params.values
        det = determinant(params)
        listing = ", ".join(tex(v) for v in known)
        if k == 1:
            given = r"The given eigenvector's eigenvalue $%s$ is one of them." % listing
        else:
            given = (
                r"The %d given eigenvectors are linearly independent, so their eigenvalues $%s$ are %d of them"
                r"%s."
                % (
                    k,
                    listing,
                    k,
                    " (a shared eigenvalue counts once per independent eigenvector)" if params.shared else "",
                )
            )
        steps = [
            Markup(
                r"The vectors have %d entries, so $A$ is $%d\times %d$ and has %d eigenvalues counted with "
                r"multiplicity. %s" % (n, n, n, n, given)
            )
        ]
        if params.unknown_count == 0:
            steps.append(Markup(r"All eigenvalues are known: $\det A = %s = %s$." % (times(known), tex(det))))
        elif params.unknown_count == 1:
            missing = params.trace - sum(known)
            steps.append(
                Markup(
                    r"The trace is the sum of the eigenvalues, so the missing one is "
                    r"$\lambda_%d = %s - (%s) = %s$." % (n, tex(params.trace), plus(known), tex(missing))
                )
            )
            steps.append(Markup(r"$\det A$ is their product: $%s = %s$." % (times([*known, missing]), tex(det))))
        elif det == 0:
            steps.append(Markup(r"A known eigenvalue is $0$, so $\det A = 0$ whatever the unknown ones are."))
        else:
            rest = params.trace - sum(known)
            m = params.unknown_count
            # Two fillings whose determinants differ (some pairs of _splits tie: with sum 3,
            # 2·1 = 1·2): showing two equal determinants would prove nothing.
            splits = _splits(rest, m)
            first = splits[0]
            second = next(s for s in splits[1:] if product([*known, *s]) != product([*known, *first]))
            steps.append(
                Markup(
                    r"%d eigenvalues are unknown; the trace fixes only their sum, $%s$. "
                    r"For example $(%s)$ and $(%s)$ both fit, giving $\det A = %s$ and $%s$: "
                    r"$\det A$ cannot be determined."
                    % (
                        m,
                        tex(rest),
                        ", ".join(tex(v) for v in first),
                        ", ".join(tex(v) for v in second),
                        tex(product([*known, *first])),
                        tex(product([*known, *second])),
                    )
                )
            )
        return Solution({"det": det}, tuple(steps))

    def verify(self, params: EigenDeterminantParams) -> dict:
        """Build matrices A = P·D·P⁻¹ with these eigenpairs and trace, and measure det(A)."""
        n = params.dimension
        basis = _complete_basis(params.eigenvectors, n)
        basis_inverse = linalg.inverse(basis)
        known = [Fraction(int(v.p), int(v.q)) for v in params.values]
        rest = Fraction(int(params.trace.p), int(params.trace.q)) - sum(known)
        determinants = set()
        for split in _splits(rest, params.unknown_count):
            spectrum = [*known, *(Fraction(v) for v in split)]
            # P·D scales P's columns by the eigenvalues; then one full product with P⁻¹.
            scaled = [[entry * spectrum[j] for j, entry in enumerate(row)] for row in basis]
            built = linalg.multiply(scaled, basis_inverse)
            for eigenvector, value in zip(params.eigenvectors, known):
                column = linalg.matrix([[entry] for entry in eigenvector])
                if linalg.multiply(built, column) != [[value * entry[0]] for entry in column]:
                    raise VerificationError(f"{self.id}: the constructed matrix lost the eigenpair {eigenvector}")
            if linalg.trace(built) != params.trace:
                raise VerificationError(f"{self.id}: the constructed matrix has trace {linalg.trace(built)}")
            determinants.add(linalg.determinant(built))
        if len(determinants) > 1:
            return {"det": UNDETERMINED}
        value = determinants.pop()
        return {"det": sp.Rational(value.numerator, value.denominator)}

    def mistakes(self, params: EigenDeterminantParams) -> Mistakes:
        known, trace = params.values, params.trace
        found = Mistakes()
        if params.unknown_count >= 2:
            found.add(
                "unknowns_lumped_into_one",
                "treated the rest of the trace as one missing eigenvalue",
                det=product(known) * (trace - sum(known)),
            )
            found.add("unknowns_taken_as_zero", "took the unknown eigenvalues to be 0", det=sp.Integer(0))
        if len(known) >= 2 and len(set(known)) < len(known):
            distinct = sorted(set(known))
            found.add(
                "shared_eigenvalue_counted_once",
                "counted a repeated eigenvalue once in the trace sum",
                det=product(known) * (trace - sum(distinct)) if params.unknown_count == 1 else product(distinct),
            )
        found.add(
            "trace_as_missing_eigenvalue", "used the trace itself as the missing eigenvalue", det=product(known) * trace
        )
        if determinant(params) != UNDETERMINED:  # the misconception the question is about: offered first
            found.add(
                "cannot_be_determined_when_it_can",
                "said det cannot be determined although the trace fixes it",
                det=UNDETERMINED,
            )
        if params.unknown_count == 1:
            missing = trace - sum(known)
            found.add(
                "missing_eigenvalue_as_answer", "stopped at the missing eigenvalue instead of the product", det=missing
            )
            found.add(
                "missing_eigenvalue_sign_slip",
                "added the known eigenvalues to the trace instead of subtracting them",
                det=product(known) * (trace + sum(known)),
            )
        found.add("sum_of_known_eigenvalues", "added the given eigenvalues instead of multiplying them", det=sum(known))
        found.add("product_of_known_only", "multiplied only the given eigenvalues", det=product(known))
        det = determinant(params)
        if det != UNDETERMINED:
            found.add("sign_slip", "dropped a minus sign", det=-det)
        found.add(
            "trace_as_determinant", "gave the sum of the eigenvalues (the trace) instead of their product", det=trace
        )
        found.add(
            "dimension_unknown",
            "claimed the size of A is unknown, though the vector length fixes it",
            det=DIMENSION_UNKNOWN,
        )
        return found

    # --- presentation -----------------------------------------------------------
    def context(self, params: EigenDeterminantParams) -> dict:
        return {
            "vectors": [Math(row_tuple(v) + r"^\top") for v in params.eigenvectors],
            "eigenvalues": list(params.values),
            "shared": params.shared,
            "trace": params.trace,
            "count": len(params.eigenvectors),
        }


def _splits(total: sp.Rational, count: int) -> list[tuple[sp.Rational, ...]]:
    """Ways to fill `count` unknown eigenvalues that sum to `total` (one way when count ≤ 1)."""
    if count == 0:
        return [()]
    if count == 1:
        return [(total,)]
    ones = (sp.Integer(1),) * (count - 2)
    return [(total - count + 1 - j, sp.Integer(1 + j), *ones) for j in range(3)]


def _complete_basis(vectors, n: int) -> linalg.Matrix:
    """The given vectors as columns, completed to a basis with standard unit vectors."""
    columns = [[Fraction(int(e.p), int(e.q)) for e in v] for v in vectors]
    for i in range(n):
        if len(columns) == n:
            break
        unit = [Fraction(int(j == i)) for j in range(n)]
        if linalg.rank([*columns, unit]) == len(columns) + 1:
            columns.append(unit)
    return linalg.transpose(columns)

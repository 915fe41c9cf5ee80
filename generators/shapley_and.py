"""`shapley-and`: Shapley values of AND-gate (unanimity) games and their relatives.

U(S) = Σ_g c_g·[gate_g(S)], each gate on a required set R_g: AND (S ⊇ R), OR (S meets R)
or k-of-R threshold. Each gate gives c_g/|R_g| to every player of R_g and 0 to the rest
(symmetry + null player + efficiency), and Shapley values add across gates (linearity).
The values cannot tell an AND from an OR on the same support: that is what they hide.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, escape, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Integer, Mistakes, Number, choice, require_fields, sequence

GATES = ("and", "or", "threshold")
MAX_PLAYERS = 7  # the independent check enumerates all N! orderings
MAX_NAME = 24


@dataclass(frozen=True)
class Gate:
    required: tuple[str, ...]
    kind: str = "and"
    k: int | None = None
    payoff: sp.Rational = sp.Integer(1)


@dataclass(frozen=True)
class ShapleyParams:
    players: tuple[str, ...]
    gates: tuple[Gate, ...]

    def __post_init__(self) -> None:
        if not 2 <= len(self.players) <= MAX_PLAYERS:
            raise InvalidParams(f"between 2 and {MAX_PLAYERS} players, got {len(self.players)}", "players")
        for name in self.players:
            if not name.strip() or len(name) > MAX_NAME:
                raise InvalidParams(f"player names are 1-{MAX_NAME} characters, got {name!r}", "players")
        if len(set(self.players)) != len(self.players):
            raise InvalidParams("player names must differ", "players")
        if not self.gates:
            raise InvalidParams("give at least one gate", "gates")
        for i, gate in enumerate(self.gates):
            where = "required" if len(self.gates) == 1 else f"gates[{i}].required"
            choice(gate.kind, GATES, where.replace("required", "gate"))
            if not gate.required:
                raise InvalidParams("a gate needs at least one required player", where)
            for player in gate.required:
                if player not in self.players:
                    raise InvalidParams(f"unknown player {player!r} (players: {', '.join(self.players)})", where)
            if len(set(gate.required)) != len(gate.required):
                raise InvalidParams("a player is listed twice", where)
            if gate.kind == "threshold":
                if gate.k is None or not 1 <= gate.k <= len(gate.required):
                    raise InvalidParams(
                        f"a threshold gate needs k in 1..{len(gate.required)}", where.replace("required", "k")
                    )
            elif gate.k is not None:
                raise InvalidParams("k applies to threshold gates only", where.replace("required", "k"))
            if gate.payoff <= 0:
                raise InvalidParams(
                    "payoffs must be positive (positive weighted sums of gates)", where.replace("required", "payoff")
                )


def closed_form(params: ShapleyParams) -> dict[str, sp.Rational]:
    values = {player: sp.Integer(0) for player in params.players}
    for gate in params.gates:
        for player in gate.required:
            values[player] += gate.payoff / len(gate.required)
    return values


class ShapleyAnd(Family):
    id = "shapley-and"
    title = "Shapley values of AND/OR/threshold gate games"
    branches = ("and", "or", "threshold", "weighted")
    draw_options = {
        "players": "number of players, 3-6 (default: drawn)",
        "payoff": "the payoff c of a gate (default: drawn from 1, 2, 3, 6, 12)",
    }
    option_kinds = {"players": Integer(3, 6), "payoff": Number(positive=True)}
    option_sets = ({}, {"players": 3}, {"payoff": 6})
    edge_cases = (
        EdgeCase(
            "AND gate: the required players share U(N), the third is a null player",
            {"players": ["x1", "x2", "x3"], "required": ["x1", "x2"]},
            {"x1": "1/2", "x2": "1/2", "x3": 0},
        ),
        EdgeCase(
            "an OR gate on the same support gives the same values",
            {"players": ["x1", "x2", "x3"], "required": ["x1", "x2"], "gate": "or"},
            {"x1": "1/2", "x2": "1/2", "x3": 0},
        ),
        EdgeCase(
            "2-of-3 threshold gate with payoff 3",
            {"players": ["a", "b", "c", "d"], "required": ["a", "b", "c"], "gate": "threshold", "k": 2, "payoff": 3},
            {"a": 1, "b": 1, "c": 1, "d": 0},
        ),
        EdgeCase(
            "a weighted sum of gates: values add (linearity)",
            {
                "players": ["a", "b", "c", "d"],
                "gates": [
                    {"required": ["a", "b"], "gate": "and", "payoff": 2},
                    {"required": ["b", "c"], "gate": "or", "payoff": 4},
                ],
            },
            {"a": 1, "b": 3, "c": 2, "d": 0},
        ),
        EdgeCase(
            "a gate on every player splits its payoff evenly",
            {"players": ["p", "q"], "required": ["p", "q"], "payoff": "1/2"},
            {"p": "1/4", "q": "1/4"},
        ),
    )

    # --- params -----------------------------------------------------------------
    def parse(self, data: Mapping[str, Any]) -> ShapleyParams:
        if "gates" in data:
            require_fields(data, ["players", "gates"])
            gates = tuple(self._gate(g, f"gates[{i}].") for i, g in enumerate(sequence(data["gates"], "gates")))
        else:
            require_fields(data, ["players", "required"], ["gate", "k", "payoff"])
            gates = (self._gate(data, ""),)
        players = tuple(str(p) for p in sequence(data["players"], "players"))
        return ShapleyParams(players, gates)

    @staticmethod
    def _gate(data: Mapping[str, Any], prefix: str) -> Gate:
        if prefix:
            require_fields(data, ["required"], ["gate", "k", "payoff"])
        k = data.get("k")
        return Gate(
            required=tuple(str(p) for p in sequence(data["required"], prefix + "required")),
            kind=data.get("gate", "and"),
            k=exact.integer(k, prefix + "k") if k is not None else None,
            payoff=exact.rational(data.get("payoff", 1), prefix + "payoff"),
        )

    def dump(self, params: ShapleyParams) -> dict:
        def gate(g: Gate) -> dict:
            data: dict[str, Any] = {"required": list(g.required), "gate": g.kind}
            if g.k is not None:
                data["k"] = g.k
            data["payoff"] = exact.dump_number(g.payoff)
            return data

        if len(params.gates) == 1:
            return {"players": list(params.players), **gate(params.gates[0])}
        return {"players": list(params.players), "gates": [gate(g) for g in params.gates]}

    def branch_of(self, params: ShapleyParams) -> str:
        return params.gates[0].kind if len(params.gates) == 1 else "weighted"

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> ShapleyParams:
        n = self.option(options, "players", None) or draws.small_int(rng, 4, 6)
        style = draws.pick(rng, ["pixels", "features"])
        names = [f"x{i + 1}" for i in range(n)] if style == "pixels" else draws.subset(rng, _FEATURES, n)

        def payoff() -> sp.Rational:
            chosen = self.option(options, "payoff", None)
            return chosen if chosen is not None else sp.Integer(draws.pick(rng, [1, 2, 3, 6, 12]))

        def gate(kind: str, low: int) -> Gate:
            # Leave at least one null player when there are enough players to spare.
            size = draws.small_int(rng, low, max(low, n - 1))
            required = tuple(draws.subset(rng, names, size))
            k = draws.small_int(rng, 2, size - 1) if kind == "threshold" else None
            return Gate(required, kind, k, payoff())

        if branch == "weighted":
            gates = (gate(draws.pick(rng, ["and", "or"]), 2), gate(draws.pick(rng, ["and", "or"]), 2))
        else:
            gates = (gate(branch, 3 if branch == "threshold" else 2),)
        return ShapleyParams(tuple(names), gates)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: ShapleyParams) -> tuple[Part, ...]:
        names = player_symbols(params)
        return tuple(Part(player, Math(r"\phi_{%s}" % names[player])) for player in params.players)

    def mcq_parts(self, params: ShapleyParams) -> tuple[str, ...]:
        return params.players

    def solve(self, params: ShapleyParams) -> Solution:
        values = closed_form(params)
        names = player_symbols(params)
        steps = []
        for i, gate in enumerate(params.gates):
            share = gate.payoff / len(gate.required)
            members = r", \allowbreak ".join(names[p] for p in gate.required)
            steps.append(
                Markup(
                    r"%s: $U(N) = %s$ and $U(\emptyset) = 0$. The players of $R = \{%s\}$ are symmetric, so by "
                    r"efficiency each gets $%s$; a player outside $R$ never changes $U$ (null player) and gets $0$."
                    % (
                        _gate_name(gate) if len(params.gates) == 1 else f"Gate {i + 1} ({_gate_name(gate)})",
                        tex(gate.payoff),
                        members,
                        _share(gate.payoff, len(gate.required), share),
                    )
                )
            )
        if len(params.gates) > 1:
            steps.append(Markup(r"By linearity the values of the weighted sum add gate by gate."))
        steps.append(
            Markup(
                r"Values: %s; they sum to $U(N) = %s$ (efficiency)."
                % (
                    ", ".join(r"$\phi_{%s} = %s$" % (names[p], tex(v)) for p, v in values.items()),
                    tex(sum(values.values())),
                )
            )
        )
        if len(params.gates) == 1:
            other = "an AND" if params.gates[0].kind == "or" else "an OR"
            steps.append(
                Markup(
                    r"What the values hide: %s gate on the same $R$ gives exactly the same values, so "
                    r"Shapley values cannot tell which gate the model computes (nor how the inputs "
                    r"interact)." % other
                )
            )
        else:
            steps.append(
                Markup(
                    r"What the values hide: replacing any gate by an AND or OR gate on the same players "
                    r"with the same payoff leaves every value unchanged, so the values cannot tell how "
                    r"the inputs interact."
                )
            )
        return Solution(values, tuple(steps))

    def verify(self, params: ShapleyParams) -> dict:
        """Average marginal contributions over all N! orderings, checked against the subset formula.

        U is tabulated once over all 2^N coalitions (bitmasks), as integers over a common
        denominator, by counting members directly: no closed form, no sympy.
        """
        players = params.players
        n = len(players)
        table, denominator = _utility_table(params)
        full = (1 << n) - 1
        by_permutation = [0] * n
        for ordering in itertools.permutations(range(n)):
            coalition = 0
            for player in ordering:
                bigger = coalition | (1 << player)
                by_permutation[player] += table[bigger] - table[coalition]
                coalition = bigger
        # Subset formula with weights |S|!(N-|S|-1)!/N!, kept as integers scaled by N!.
        weights = [math.factorial(size) * math.factorial(n - size - 1) for size in range(n)]
        by_subsets = [0] * n
        for player in range(n):
            bit = 1 << player
            for coalition in range(full + 1):
                if not coalition & bit:
                    by_subsets[player] += weights[bin(coalition).count("1")] * (
                        table[coalition | bit] - table[coalition]
                    )
        orderings = math.factorial(n)
        values = [Fraction(total, orderings * denominator) for total in by_permutation]
        if [Fraction(total, orderings * denominator) for total in by_subsets] != values:
            return {p: "orderings and subset formula disagree" for p in players}
        return {p: sp.Rational(v.numerator, v.denominator) for p, v in zip(players, values)}

    def mistakes(self, params: ShapleyParams) -> Mistakes:
        players = params.players
        n = len(players)
        table, denominator = _utility_table(params)
        full = (1 << n) - 1

        def u(mask: int) -> sp.Rational:
            return sp.Rational(table[mask], denominator)

        found = Mistakes()

        def vector(name: str, description: str, values: list) -> None:
            found.add(name, description, dict(zip(players, values)))

        def along(order: list[int]) -> list:
            """Marginal contributions along one ordering (efficient, but not averaged)."""
            contributions, coalition = [sp.Integer(0)] * n, 0
            for i in order:
                contributions[i] = u(coalition | 1 << i) - u(coalition)
                coalition |= 1 << i
            return contributions

        listed_order = along(list(range(n)))
        reversed_order = along(list(reversed(range(n))))
        banzhaf = [
            sp.Rational(
                sum(table[s | 1 << i] - table[s] for s in range(full + 1) if not s & 1 << i), denominator * 2 ** (n - 1)
            )
            for i in range(n)
        ]
        unit = ShapleyParams(players, tuple(Gate(g.required, g.kind, g.k, sp.Integer(1)) for g in params.gates))
        vector(
            "equal_split_over_all_players",
            "split U(N) equally among all players, null players included",
            [u(full) / n] * n,
        )
        vector(
            "leave_one_out",
            "used U(N) − U(N without i), the drop when a player is removed",
            [u(full) - u(full & ~(1 << i)) for i in range(n)],
        )
        vector(
            "singleton_marginal",
            "used U({i}) − U(∅), a player's effect on its own",
            [u(1 << i) - u(0) for i in range(n)],
        )
        vector("single_ordering", "took marginal contributions along the listed order only, not averaged", listed_order)
        vector("single_ordering_reversed", "took marginal contributions along the reversed order only", reversed_order)
        vector(
            "two_orderings_averaged",
            "averaged over two orderings (listed and reversed), not all of them",
            [(a + b) / 2 for a, b in zip(listed_order, reversed_order)],
        )
        vector("banzhaf_value", "averaged over subsets equally (the Banzhaf value), not over orderings", banzhaf)
        vector(
            "ignored_payoff", "gave each gate payoff 1 instead of its payoff c", [closed_form(unit)[p] for p in players]
        )
        return found

    def plausible(self, params: ShapleyParams, values: tuple) -> bool:
        """Efficiency (the values sum to U(N)) and, the games being monotone, no negative value:
        a distractor that breaks either is ruled out without computing anything."""
        total = sum(g.payoff for g in params.gates)
        return sum(values) == total and all(v >= 0 for v in values)

    # --- presentation -----------------------------------------------------------
    def context(self, params: ShapleyParams) -> dict:
        names = player_symbols(params)
        return {
            "players": [Math(names[p]) for p in params.players],
            "pixels": is_pixels(params),
            "gates": [
                {
                    "kind": g.kind,
                    "required": Math(r", \allowbreak ".join(names[p] for p in g.required)),
                    "k": g.k,
                    "payoff": g.payoff,
                }
                for g in params.gates
            ],
            "weighted": len(params.gates) > 1,
        }


def is_pixels(params: ShapleyParams) -> bool:
    return all(re.fullmatch(r"x[1-9]", p) for p in params.players)


@lru_cache(maxsize=8192)
def player_symbols(params: ShapleyParams) -> dict[str, str]:
    """How each player reads in math: pixels x1… as x_{1}, feature names in sans serif."""
    if is_pixels(params):
        return {p: "x_{%s}" % p[1:] for p in params.players}
    return {p: r"\textsf{%s}" % escape(p) for p in params.players}


def _utility_table(params: ShapleyParams) -> tuple[list[int], int]:
    """U(S) for every coalition bitmask S, scaled to integers by the payoffs' common denominator."""
    index = {player: i for i, player in enumerate(params.players)}
    payoffs = [Fraction(int(g.payoff.p), int(g.payoff.q)) for g in params.gates]
    denominator = math.lcm(*(f.denominator for f in payoffs))
    rules = []
    for gate, payoff in zip(params.gates, payoffs):
        mask = sum(1 << index[p] for p in gate.required)
        need = {"and": len(gate.required), "or": 1, "threshold": gate.k}[gate.kind]
        rules.append((mask, need, int(payoff * denominator)))
    table = [
        sum(value for mask, need, value in rules if bin(coalition & mask).count("1") >= need)
        for coalition in range(1 << len(params.players))
    ]
    return table, denominator


def _share(payoff: sp.Rational, size: int, share: sp.Rational) -> str:
    """ "12/4 = 3", but "\\frac{6}{5}" rather than "6/5 = 6/5" when there is nothing to reduce."""
    if share == sp.Rational(payoff, size) and share.q == size and payoff.q == 1 and share.p == payoff:
        return tex(share)
    return "%s/%d = %s" % (tex(payoff), size, tex(share))


def _gate_name(gate: Gate) -> str:
    return {"and": "AND gate", "or": "OR gate", "threshold": f"{gate.k}-of-{len(gate.required)} threshold gate"}[
        gate.kind
    ]


_FEATURES = ["age", "income", "height", "weight", "score", "colour", "size", "speed", "price", "rating"]

"""True/false statement banks: questions of k statements whose truth is computed.

A bank is a family in the `tf` format only. Its params are the statements themselves, each a
*parametrised fact* with drawn numbers and a polarity:

    statements:
      - {fact: scores-vs-projections, n: 512, d: 64}
      - {fact: kv-cache-scores, n: 100, m: 10, negated: true}

A `Fact` says a claim P(numbers) about those numbers (`says`) and its logical negation
(`denies`); `holds` evaluates P exactly (integers, fractions, sympy), `check` evaluates it
again by an independent route (floats, simulation, brute force, constructing the object), and
`why` is the one-line justification the key prints. A printed statement is true exactly when
P holds and it is not negated, or P fails and it is: truth follows from the fact and the
negation, never from a hand-written label.

Draws choose the number of true statements from a stated distribution (the `true_counts`
option; by default uniform over 1..k−1, so never all true or all false), then k different
facts, numbers for each, and each statement's polarity so that exactly that many are true.
The phrasing therefore carries no hint: a fact whose P depends on the numbers is asserted and
denied in both truth values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, grouped, latex_to_text
from variantex.generators.base import Family, Part, Solution, TextAnswer
from variantex.generators.kit import Integer, Kind, Mistakes, require_fields, sequence

TRUE, FALSE = "true", "false"
TF = "tf"
DEFAULT_STATEMENTS = 4
MAX_STATEMENTS = 8
Numbers = Mapping[str, Any]


@dataclass(frozen=True)
class Fact:
    """A parametrised fact: its numbers, its claim and negation, and two ways to decide it."""

    id: str
    numbers: tuple[str, ...]
    draw: Callable[[np.random.Generator], dict[str, Any]]
    holds: Callable[[Numbers], bool]  # exact: integers, fractions, sympy
    check: Callable[[Numbers], bool]  # independent: floats, simulation, brute force
    says: Callable[[Numbers], str]  # markup of the claim P
    denies: Callable[[Numbers], str]  # markup of not-P
    why: Callable[[Numbers], str]  # one line: why P holds or fails for these numbers
    # Numbers given by hand are checked here (a message naming the problem, or None).
    valid: Callable[[Numbers], str | None] = lambda numbers: None


@dataclass(frozen=True)
class Drawn:
    """One statement of a variant: a fact, its numbers (exact) and whether it is negated."""

    fact: str
    values: tuple[tuple[str, sp.Rational], ...]
    negated: bool = False

    @property
    def numbers(self) -> dict[str, sp.Rational]:
        return dict(self.values)


@dataclass(frozen=True)
class Statement:
    """A statement as printed: its markup, its truth and the justification the key prints."""

    text: Markup
    truth: bool
    why: Markup
    # The named mistake a wrong mark on this statement shows (a bank's fact; for a family's
    # answer statements, the mistake a false value comes from).
    mistake: str = ""


@dataclass(frozen=True)
class StatementParams:
    statements: tuple[Drawn, ...] = field(default=())


class TrueCounts(Kind):
    """The distribution of a question's number of true statements: a list of counts (uniform)
    or a mapping count -> weight. Stored as sorted (count, weight) pairs."""

    def read(self, value, name):
        if isinstance(value, Mapping):
            pairs = [
                (
                    Integer(0, MAX_STATEMENTS).read(k if not isinstance(k, str) else _int(k, name), f"{name}.{k}"),
                    Integer(0).read(w, f"{name}.{k}"),
                )
                for k, w in value.items()
            ]
        else:
            pairs = [
                (Integer(0, MAX_STATEMENTS).read(v, f"{name}[{i}]"), 1) for i, v in enumerate(sequence(value, name))
            ]
        merged: dict[int, int] = {}
        for count, weight in pairs:
            merged[count] = merged.get(count, 0) + weight
        if not merged or not any(merged.values()):
            raise InvalidParams("give at least one count with a positive weight", name)
        return tuple(sorted((c, w) for c, w in merged.items() if w))

    def write(self, value):
        return {c: w for c, w in value}


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidParams(f"expected a whole number of statements, got {text!r}", name) from None


class StatementBank(Family):
    """A family whose questions are k true/false statements drawn from `facts`."""

    formats = (TF,)
    branches = ("statements",)
    params_type = StatementParams
    facts: ClassVar[tuple[Fact, ...]]
    # What the statements are about, printed before them (markup).
    intro: ClassVar[str]
    draw_options = {
        "statements": f"how many statements a question has (default {DEFAULT_STATEMENTS}, at most {MAX_STATEMENTS})",
        "true_counts": "how many of them are true: a list of counts drawn uniformly, or a mapping count -> weight "
        "(default: uniform over 1 .. k-1)",
    }
    option_kinds = {"statements": Integer(2, MAX_STATEMENTS), "true_counts": TrueCounts()}
    option_sets = ({}, {"statements": 6, "true_counts": {2: 1, 3: 2, 4: 1}}, {"statements": 3, "true_counts": [0, 3]})
    text_answers = {
        TRUE: TextAnswer("true", ("t", "yes", "right", "correct")),
        FALSE: TextAnswer("false", ("f", "no", "wrong", "incorrect")),
    }

    @property
    def stem_template(self) -> str:  # type: ignore[override]
        return (
            "<% block stem %>\n<< q.intro >>\n<% endblock %>\n"
            "<% block ask %>\nWhich of these statements are true?\n<% endblock %>\n"
        )

    def shape(self, options: Mapping[str, Any]) -> tuple[int, tuple[tuple[int, int], ...]]:
        """How many statements a question has, and its true counts with their weights."""
        k = min(self.option(options, "statements", DEFAULT_STATEMENTS), len(self.facts))
        return k, self.option(options, "true_counts", tuple((c, 1) for c in range(1, k)) or ((k, 1),))

    def check_options(self, options: Mapping[str, Any]) -> None:
        """Also refuse, when the spec is read, a true count the question cannot have."""
        super().check_options(options)
        k, counts = self.shape(options)
        if any(c > k for c, _ in counts):
            raise InvalidParams(f"a true count above the {k} statements", "options.true_counts")

    # --- params -----------------------------------------------------------------
    def fact(self, fact_id: str) -> Fact:
        for fact in self.facts:
            if fact.id == fact_id:
                return fact
        raise InvalidParams(
            f"unknown fact {fact_id!r} for {self.id} (facts: {', '.join(f.id for f in self.facts)})", "fact"
        )

    def parse(self, data: Mapping[str, Any]) -> StatementParams:
        require_fields(data, ["statements"])
        drawn = []
        items = sequence(data["statements"], "statements")
        if not 1 <= len(items) <= MAX_STATEMENTS:
            raise InvalidParams(f"expected 1 to {MAX_STATEMENTS} statements, got {len(items)}", "statements")
        for i, item in enumerate(items):
            where = f"statements[{i}]"
            if not isinstance(item, Mapping) or "fact" not in item:
                raise InvalidParams("expected a mapping {fact, <its numbers>, negated}", where)
            try:
                fact = self.fact(item["fact"])
            except InvalidParams as error:
                raise InvalidParams(error.message, f"{where}.fact") from None
            try:
                require_fields({k: v for k, v in item.items() if k != "fact"}, fact.numbers, ("negated",))
            except InvalidParams as error:
                raise InvalidParams(error.message, f"{where}.{error.where}") from None
            negated = item.get("negated", False)
            if not isinstance(negated, bool):
                raise InvalidParams(f"expected true or false, got {negated!r}", f"{where}.negated")
            values = tuple((name, exact.rational(item[name], f"{where}.{name}")) for name in fact.numbers)
            problem = fact.valid(dict(values))
            if problem:
                raise InvalidParams(problem, where)
            drawn.append(Drawn(fact.id, values, negated))
        if len({d.fact for d in drawn}) != len(drawn):
            raise InvalidParams("each fact may appear once in a question", "statements")
        return StatementParams(tuple(drawn))

    def dump(self, params: StatementParams) -> dict:
        return {
            "statements": [
                {
                    "fact": d.fact,
                    **{name: exact.dump_number(v) for name, v in d.values},
                    **({"negated": True} if d.negated else {}),
                }
                for d in params.statements
            ]
        }

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> StatementParams:
        k, counts = self.shape(options)  # draw_variant has run check_options on them
        weights = np.array([w for _, w in counts], dtype=float)
        true_count = counts[int(rng.choice(len(counts), p=weights / weights.sum()))][0]
        chosen = [self.facts[int(i)] for i in rng.choice(len(self.facts), size=k, replace=False)]
        truths = np.zeros(k, dtype=bool)
        truths[rng.choice(k, size=true_count, replace=False)] = True
        drawn = []
        for fact, wanted in zip(chosen, truths):
            numbers = fact.draw(rng)
            values = tuple((name, exact.rational(numbers[name])) for name in fact.numbers)
            drawn.append(Drawn(fact.id, values, negated=bool(fact.holds(dict(values))) != bool(wanted)))
        return StatementParams(tuple(drawn))

    def branch_of(self, params: StatementParams) -> str:
        return self.branches[0]

    # --- answers ----------------------------------------------------------------
    def parts(self, params: StatementParams) -> tuple[Part, ...]:
        return tuple(
            Part(f"s{i}", Math(r"\text{statement %d}" % i), (TRUE, FALSE)) for i in range(1, len(params.statements) + 1)
        )

    def statements(self, params: StatementParams) -> tuple[Statement, ...]:
        return _printed(self, params)

    def solve(self, params: StatementParams) -> Solution:
        values, steps = {}, []
        for i, statement in enumerate(self.statements(params), start=1):
            values[f"s{i}"] = TRUE if statement.truth else FALSE
            why = statement.why if statement.why.rstrip().endswith((".", "!", "?")) else statement.why + "."
            steps.append(Markup("Statement %d is %s: %s" % (i, "true" if statement.truth else "false", why)))
        return Solution(values, tuple(steps))

    def verify(self, params: StatementParams) -> dict:
        """Each fact decided again by its independent route; the polarity applied after."""
        return {
            f"s{i}": TRUE if bool(self.fact(d.fact).check(d.numbers)) != d.negated else FALSE
            for i, d in enumerate(params.statements, start=1)
        }

    def mistakes(self, params: StatementParams) -> Mistakes:
        found = Mistakes()
        for i, (d, statement) in enumerate(zip(params.statements, self.statements(params)), start=1):
            wrong = FALSE if statement.truth else TRUE
            found.add(
                d.fact,
                "marked statement %d %s; it is %s: %s"
                % (i, wrong, "true" if statement.truth else "false", latex_to_text(statement.why)),
                **{f"s{i}": wrong},
            )
        return found

    def rubric(self, params: StatementParams) -> list[tuple[Markup, int]]:
        return [(Markup("statement %d" % i), 1) for i in range(1, len(params.statements) + 1)]

    def context(self, params: StatementParams) -> dict:
        return {"intro": Markup(self.intro)}


@lru_cache(maxsize=1 << 14)
def _printed(bank: StatementBank, params: StatementParams) -> tuple[Statement, ...]:
    """Each statement's text, exact truth and justification, once per params (solve, the
    mistakes and every output read them)."""
    printed = []
    for d in params.statements:
        fact, numbers = bank.fact(d.fact), d.numbers
        holds = bool(fact.holds(numbers))
        printed.append(
            Statement(
                Markup((fact.denies if d.negated else fact.says)(numbers)),
                holds != d.negated,
                Markup(fact.why(numbers)),
                d.fact,
            )
        )
    return tuple(printed)


@lru_cache(maxsize=1 << 14)
def answer_statements(family: Family, params: Any) -> tuple[Statement, ...]:
    """True/false statements about a family's own answers, one per part: "part = value", with
    the exact key (true) or the value a named mistake gives (false), or for a text part
    another of its text answers. Which statements are false, and which mistakes they show,
    follows from a hash of the params (as option orders do), so the manifest recomputes them
    without the random generator; the number of false ones is uniform over 1 .. k−1 (as far
    as the parts have wrong values to show)."""
    from variantex.answer_engine.checking import value_matches
    from variantex.generators.variant import _exact_solution, params_rng  # variant imports this package's base

    solution, rules = _exact_solution(family, params), family.rules_for(params)
    parts = [part for part in family.parts(params) if part.name in family.tf_parts(params)]
    rng = params_rng(family, params, "tf")
    mistakes = [m for m in family.mistakes(params) if not m.guess]
    candidates = []  # per part: the wrong values a false statement about it can show
    for part in parts:
        key = solution.values[part.name]
        wrong = [
            (m.name, m.description, m.values[part.name])
            for m in mistakes
            if part.name in m.values
            and isinstance(m.values[part.name], str) == isinstance(key, str)
            and not value_matches(m.values[part.name], key, rules)
        ]
        if not wrong and isinstance(key, str):
            wrong = [("", "", other) for other in part.text_answers if not value_matches(other, key, rules)]
        candidates.append(wrong)
    # The false ones come from the parts that have a wrong value to show: at least one, and at
    # least one statement stays true (a single statement is true or false with equal odds).
    falsifiable = [i for i, wrong in enumerate(candidates) if wrong]
    most = min(len(parts) - 1, len(falsifiable)) if len(parts) > 1 else len(falsifiable)
    count = int(rng.integers(1, most + 1)) if most and (len(parts) > 1 or rng.integers(2)) else 0
    false_at = (
        {falsifiable[int(i)] for i in rng.choice(len(falsifiable), size=count, replace=False)} if count else set()
    )
    printed = []
    for index, part in enumerate(parts):
        key = solution.values[part.name]
        if index in false_at:
            name, description, value = candidates[index][int(rng.integers(len(candidates[index])))]
        else:
            name, description, value = "", "", key
        truth = value_matches(value, key, rules)
        said = family.show_value(params, value)
        key_said = family.show_value(params, key)
        if isinstance(value, str):
            text = Markup(part.sentence.format(said) if part.sentence else "$%s$: %s." % (part.label, said))
        else:  # "ε ≈ 0.1314" for a value printed as a decimal, "a_1 = 2" otherwise
            shown = family.value_tex(params, value)
            text = Markup("$%s %s$." % (part.label, shown if shown.startswith(r"\approx") else "= " + shown))
        key_is = "the key is $%s$: %s" % (part.label, key_said)
        why = (
            Markup(key_is)
            if truth
            else Markup("%s is what you get if you %s; %s" % (said, description, key_is))
            if description
            else Markup("%s, not %s" % (key_is, said))
        )
        printed.append(Statement(text, truth, why, name))
    return tuple(printed)


def num(value: Any) -> str:
    """An exact number as TeX math (no dollars): grouped digits for whole numbers."""
    value = sp.Rational(value) if not isinstance(value, sp.Basic) else value
    if isinstance(value, sp.Integer):
        return str(grouped(int(value)))
    from variantex.answer_engine.formatting import tex

    return str(tex(value))


def claimed(draw: Callable[[np.random.Generator], dict], claims: Callable[[dict], Sequence[Any]]):
    """A draw for a fact about a claimed value: the numbers from `draw`, then `claimed`, the
    right value (the first of `claims(numbers)`) half the time, else one of the wrong ones (a
    slip a student makes; any equal to the right value are skipped)."""

    def drawn(rng: np.random.Generator) -> dict:
        v = draw(rng)
        right, *wrong = claims(v)
        wrong = [w for w in wrong if w != right] or [right + 1]
        return {**v, "claimed": right if rng.integers(2) else one_of(rng, *wrong)}

    return drawn


def one_of(rng: np.random.Generator, *items: Any) -> Any:
    return items[int(rng.integers(len(items)))]


_CHOICE = re.compile(r"\[\[(.*?)¦(.*?)\]\]", re.DOTALL)


def fact(id: str, numbers: str, draw, holds, check, text, why, valid=None) -> Fact:
    """A fact whose claim and negation share one text: `[[claim|negation]]` marks where they
    differ ("takes [[more¦no more]] multiplications"; ¦ rather than |, which TeX uses); `numbers` is space-separated."""

    def says(v: Numbers) -> str:
        return _CHOICE.sub(lambda m: m.group(1), text(v))

    def denies(v: Numbers) -> str:
        return _CHOICE.sub(lambda m: m.group(2), text(v))

    return Fact(id, tuple(numbers.split()), draw, holds, check, says, denies, why, valid or (lambda numbers: None))

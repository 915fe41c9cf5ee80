"""Scoring a QTI 2.1 item as a delivery system would: its responseProcessing run on chosen
responses, in exact arithmetic.

`export --check` uses this to read the *marks* an item gives (every option's credit, the
score for 0, 1, …, k right parts) instead of trusting the structure it expects, so a
doubled share or a wrong option given half credit shows as a different mark. It covers
the subset of QTI 2.1 expressions variantex writes; anything else is reported, not guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from lxml import etree

from variantex.exams.lms.qti21 import QTI

Value = Any  # Fraction, str, bool or None


class Unsupported(Exception):
    """An element of responseProcessing this reader does not know (the message names it)."""


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _number(text: str | None) -> Fraction:
    try:
        return Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise Unsupported(f"a number {text!r} that is not a decimal") from None


class Scorer:
    def __init__(self, item: etree._Element):
        self.item = item
        self.correct: dict[str, Value] = {}
        self.kinds: dict[str, str] = {}
        for declaration in item.iter(f"{{{QTI}}}responseDeclaration"):
            ident = declaration.get("identifier") or ""
            self.kinds[ident] = declaration.get("baseType") or ""
            values = [v.text for v in declaration.iter(f"{{{QTI}}}value")]
            if values:
                self.correct[ident] = self._typed(values[0], self.kinds[ident])
        self.defaults: dict[str, Value] = {}
        for outcome in item.iter(f"{{{QTI}}}outcomeDeclaration"):
            value = outcome.find(f"{{{QTI}}}defaultValue/{{{QTI}}}value")
            kind = outcome.get("baseType") or ""
            self.defaults[outcome.get("identifier") or ""] = (
                self._typed(value.text, kind) if value is not None else None
            )

    @staticmethod
    def _typed(text: str | None, kind: str) -> Value:
        if kind in ("float", "integer"):
            return _number(text)
        return text

    def score(self, responses: Mapping[str, Value]) -> Fraction:
        """SCORE after response processing, for responses given by identifier (None: no answer)."""
        outcomes = dict(self.defaults)
        processing = self.item.find(f"{{{QTI}}}responseProcessing")
        if processing is None:
            return Fraction(0)
        self._rules(list(processing), responses, outcomes)
        score = outcomes.get("SCORE")
        return score if isinstance(score, Fraction) else Fraction(0)

    def _rules(self, rules, responses, outcomes) -> None:
        for rule in rules:
            name = _local(rule)
            if name == "setOutcomeValue":
                outcomes[rule.get("identifier")] = self._value(rule[0], responses, outcomes)
            elif name == "responseCondition":
                for branch in rule:
                    kind = _local(branch)
                    if kind == "responseElse" or self._value(branch[0], responses, outcomes) is True:
                        self._rules(list(branch) if kind == "responseElse" else list(branch)[1:], responses, outcomes)
                        break
            else:
                raise Unsupported(f"<{name}> in responseProcessing")

    def _value(self, node, responses, outcomes) -> Value:
        name = _local(node)
        values = lambda: [self._value(child, responses, outcomes) for child in node]  # noqa: E731
        if name == "baseValue":
            return self._typed(node.text, node.get("baseType") or "")
        if name == "variable":
            ident = node.get("identifier")
            return responses.get(ident) if ident in self.kinds else outcomes.get(ident)
        if name == "correct":
            return self.correct.get(node.get("identifier"))
        if name == "match":
            a, b = values()
            return a is not None and a == b
        if name == "stringMatch":
            a, b = values()
            if a is None or b is None:
                return False
            return a == b if node.get("caseSensitive") == "true" else str(a).lower() == str(b).lower()
        if name == "equal":
            a, b = values()
            if a is None or b is None:
                return False
            if node.get("toleranceMode") != "absolute":
                raise Unsupported(f"equal toleranceMode={node.get('toleranceMode')!r}")
            low, high = (_number(t) for t in ((node.get("tolerance") or "0").split() * 2)[:2])
            return b - low <= a <= b + high
        if name == "and":
            return all(v is True for v in values())
        if name == "or":
            return any(v is True for v in values())
        if name in ("sum", "product"):
            found = values()
            if any(not isinstance(v, Fraction) for v in found):
                return None
            total = Fraction(0 if name == "sum" else 1)
            for v in found:
                total = total + v if name == "sum" else total * v
            return total
        if name == "divide":
            a, b = values()
            if not isinstance(a, Fraction) or not isinstance(b, Fraction) or b == 0:
                return None
            return a / b
        raise Unsupported(f"<{name}> in responseProcessing")

    def wrong(self, ident: str) -> Value:
        """A response to `ident` that is not its correct one."""
        kind, right = self.kinds.get(ident), self.correct.get(ident)
        if kind == "float":
            return (right if isinstance(right, Fraction) else Fraction(0)) + 10**9
        if kind == "identifier":
            return "F" if right == "T" else "T"
        return "\u2063not this"

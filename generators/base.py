"""The question-family model.

A family is one class with the same phases everywhere:

- `parse(data)`   explicit params (YAML/JSON values) -> immutable, validated params
- `dump(params)`  params -> plain data; `parse(dump(p)) == p` (the manifest relies on it)
- `draw(rng, branch, options)` a seeded random draw of params on one structural branch
- `solve(params)`  the exact answer (sympy) with worked steps (markup)
- `verify(params)` an independent second computation (floats, brute force, construction)
- `mistakes(params)` named misconceptions and the answers they lead to
- `context(params)` the values its stem template (`templates/<id>/stem.j2`) reads

With a params dataclass built from the kit's declared fields (`generators/kit.py`),
`parse` and `dump` come for free. Defining a subclass with an `id` registers it: a module
in this package is found by `discover()`, a third-party one through the
`variantex.families` entry point.

Nothing here is about one output: stems, steps and printed values are markup
(`generators/markup.py`) that every exporter reads.
"""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import metadata, resources
from typing import Any, ClassVar

import numpy as np
import sympy as sp

from variantex.answer_engine.checking import DEFAULT_TOLERANCE, UNDETERMINED, AnswerRules, Tolerance, rules_with
from variantex.answer_engine.distractors import Mistake
from variantex.answer_engine.errors import InvalidParams, VariantexError
from variantex.answer_engine.exact import Value
from variantex.answer_engine.formatting import Markup, Math, markup_text, tex
from variantex.generators.kit import EdgeCase, Kind, dump_fields, parse_fields
from variantex.generators.names import (  # noqa: F401 - FORMATS and NO_PLUGINS_VARIABLE re-exported
    ENTRY_POINT_GROUP,
    FORMATS,
    NO_PLUGINS_VARIABLE,
    off_by_environment,
)


@dataclass(frozen=True)
class Part:
    """A named answer part: its math label, and the text answers it may take (beside numbers)."""

    name: str
    label: Math
    text_answers: tuple[str, ...] = ()
    # How a true/false statement says a text answer: markup with {} for the answer as shown
    # ("The bound may be used on {}."); without it, "label: answer."
    sentence: str = ""


@dataclass(frozen=True)
class Solution:
    """Every named part's exact value, and the worked solution as markup paragraphs."""

    values: Mapping[str, Value]
    steps: tuple[Markup, ...]


@dataclass(frozen=True)
class TextAnswer:
    """A text answer: how it is printed (markup) and the other ways a student may write it."""

    shown: str
    synonyms: tuple[str, ...] = ()


# How the text answers every family shares are printed (their synonyms live in
# answer_engine.checking.COMMON_TEXT_ANSWERS, where claims are read).
COMMON_WORDING = {
    UNDETERMINED: TextAnswer("cannot be determined"),
}


@lru_cache(maxsize=1 << 15)
def named_mistakes(family: Family, params: Any) -> tuple[Mistake, ...]:
    """A variant's named mistakes, worked out once (options, tolerances and checks all read them)."""
    return tuple(family.mistakes(params))


# Decimal tolerances a variant may narrow to, widest first: "within 1 %", "0.1 %", …
NARROWER = tuple(sp.Rational(1, 10**k) for k in range(2, 7))


@lru_cache(maxsize=1 << 16)
def separating_tolerance(family: Family, params: Any) -> Tolerance:
    """The family's tolerance for these params, narrowed when a named mistake's value comes
    within its reach of the key: a decimal that passes for the key must never pass for a
    mistake too (updating a weight by a small gradient step puts "the gradient vanishes"
    within 1 % of the key). Only a plain relative tolerance narrows (the question then
    states the narrower one); a stated precision (significant figures, a calculator
    question's) stays, and a draw it cannot separate is redrawn (Variant.usable_as).
    Beyond 10⁻⁶ relative, decimals are not accepted at all: the answer is exact only."""
    tolerance = family.tolerance_for(params)
    if tolerance.label or tolerance.absolute or not tolerance.relative:
        return tolerance
    close = confusable_mistakes(family, params, tolerance)
    if not close:
        return tolerance
    for relative in NARROWER:
        if relative < tolerance.relative:
            narrower = Tolerance(relative=relative)
            if not confusable_mistakes(family, params, narrower, close):
                return narrower
    return Tolerance()


def confusable_mistakes(
    family: Family, params: Any, tolerance: Tolerance, among: Sequence[Mistake] | None = None
) -> list[Mistake]:
    """Named mistakes (not guesses) whose value for a numeric part differs from the key but
    lies within `tolerance`'s reach of it (some decimal would pass for both)."""
    from variantex.answer_engine.exact import exact_equal
    from variantex.generators.variant import _exact_solution  # variant imports this module

    key = _exact_solution(family, params).values
    targets = {}
    for name in family.numeric_parts(params):
        right = key.get(name)
        if right is not None and not isinstance(right, str):
            targets[name] = (right, _approximately(right))
    found = []
    for mistake in named_mistakes(family, params) if among is None else among:
        if mistake.guess:
            continue
        for name, (right, near) in targets.items():
            wrong = mistake.values.get(name)
            if wrong is None or isinstance(wrong, str):
                continue
            guess = _approximately(wrong)
            # Most values are far apart: floats say so at once; only a close call is decided exactly.
            if guess is not None and near is not None and abs(guess - near) > tolerance.reach(guess, near) * (1 + 1e-6):
                continue
            if not exact_equal(wrong, right) and tolerance.confuses(wrong, right):
                found.append(mistake)
                break
    return found


def _approximately(value: Any) -> float | None:
    """A float close to an exact value, or None when there is none (infinite, complex).
    A closed form is evaluated once, to the 30 digits `exact.numeric` keeps for every check
    of the same value (the tolerance's own comparisons and the options' read it again)."""
    from variantex.answer_engine.exact import numeric

    try:
        approximate = value.p / value.q if isinstance(value, sp.Rational) else float(numeric(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return approximate if math.isfinite(approximate) else None


class Family(ABC):
    id: ClassVar[str]
    title: ClassVar[str]
    formats: ClassVar[tuple[str, ...]] = ("mcq", "numeric", "open")
    # Structural branches a draw can take; variants of one exam slot share one branch.
    branches: ClassVar[tuple[str, ...]]
    # Draw options a spec may set (name -> help text); unknown options are refused.
    draw_options: ClassVar[Mapping[str, str]] = {}
    # What each draw option holds (kit kinds); values are checked when the spec is read.
    option_kinds: ClassVar[Mapping[str, Kind]] = {}
    # Option combinations the registry walk covers (each with every branch).
    option_sets: ClassVar[tuple[Mapping[str, Any], ...]] = ({},)
    # Hand-worked params and their expected answers; the registry walk checks them.
    edge_cases: ClassVar[tuple[EdgeCase, ...]] = ()
    # The params dataclass; with kit-declared fields, parse/dump need no code.
    params_type: ClassVar[type | None] = None
    tolerance: ClassVar[Tolerance] = DEFAULT_TOLERANCE
    # Text answers beyond the common ones (canonical text -> how shown, synonyms).
    text_answers: ClassVar[Mapping[str, TextAnswer]] = {}
    # How many options a multiple-choice variant offers.
    choices: ClassVar[int] = 5
    # Absolute/relative slack for comparing the exact key with the float check.
    verify_tolerance: ClassVar[float] = 1e-9
    # The stem template's source, for a family that keeps it inline rather than in
    # templates/<id>/stem.j2 (a third-party or test family).
    stem_template: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "id" in cls.__dict__:
            _PENDING.append(cls)

    # --- params -----------------------------------------------------------------
    def parse(self, data: Mapping[str, Any]) -> Any:
        if self.params_type is None:
            raise NotImplementedError(f"{self.id}: declare params_type or override parse")
        return parse_fields(self.params_type, data)

    def dump(self, params: Any) -> dict[str, Any]:
        return dump_fields(params)

    @abstractmethod
    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> Any: ...

    @abstractmethod
    def branch_of(self, params: Any) -> str: ...

    def default_branch(self, options: Mapping[str, Any]) -> str:
        """The branch a slot takes when the spec names none: the family's first."""
        return self.branches[0]

    # --- answers ----------------------------------------------------------------
    @abstractmethod
    def parts(self, params: Any) -> tuple[Part, ...]: ...

    @abstractmethod
    def solve(self, params: Any) -> Solution: ...

    @abstractmethod
    def verify(self, params: Any) -> Mapping[str, Value | float]: ...

    @abstractmethod
    def mistakes(self, params: Any) -> Sequence[Mistake]: ...

    def rubric(self, params: Any) -> list[tuple[Markup, int]]:
        """Grading criteria for the open format, with relative weights: by default each
        answer part once, and the discussion the stem asks for (if any) counted twice."""
        criteria = [(Markup("$%s$ correct, with its working" % part.label), 1) for part in self.parts(params)]
        return criteria + [(Markup("the explanation the question asks for"), 2)]

    def plausible(self, params: Any, values: tuple[Value, ...]) -> bool:
        """Whether an option's values survive the checks a student can make without solving
        (an axiom, a sign, a range). Plausible distractors are preferred, so that options are
        not ruled out for free. Default: every value is plausible."""
        return True

    def mcq_parts(self, params: Any) -> tuple[str, ...]:
        """The parts a multiple-choice variant asks for (one option = one value each)."""
        return (self.parts(params)[0].name,)

    def choices_for(self, params: Any) -> int:
        """How many options this variant offers (a family may offer fewer where only a few
        wrong answers are real mistakes)."""
        return self.choices

    def statements(self, params: Any) -> tuple[Any, ...]:
        """The printed statements of a true/false variant. A family that lists `tf` among its
        formats gets statements about its own answers (generators.statements.answer_statements);
        a statement bank has its own."""
        if "tf" not in self.formats:
            raise NotImplementedError(f"{self.id} offers no true/false statements")
        from variantex.generators.statements import answer_statements

        return answer_statements(self, params)

    def tf_parts(self, params: Any) -> tuple[str, ...]:
        """The parts a true/false variant makes statements about: by default every part."""
        return tuple(part.name for part in self.parts(params))

    def numeric_parts(self, params: Any) -> tuple[str, ...]:
        return tuple(part.name for part in self.parts(params))

    def asked_parts(self, params: Any, fmt: str) -> tuple[str, ...]:
        if fmt == "mcq":
            return self.mcq_parts(params)
        if fmt == "numeric":
            return self.numeric_parts(params)
        if fmt == "tf":
            return self.tf_parts(params)
        return tuple(part.name for part in self.parts(params))

    @cached_property
    def rules(self) -> AnswerRules:
        """Tolerance and text-answer synonyms: what `check`, `grade` and options all accept."""
        texts = {**COMMON_WORDING, **self.text_answers}
        return rules_with(self.tolerance, {name: (t.shown, *t.synonyms) for name, t in texts.items()})

    def rules_for(self, params: Any, separate: bool = True) -> AnswerRules:
        """The rules for one variant: the family's, unless its params call for another
        tolerance (a calculator question states its significant figures), or (with
        `separate`, wherever decimals are typed) its named mistakes come closer to the key
        than the family's plain relative tolerance can tell apart (`separating_tolerance`)."""
        tolerance = separating_tolerance(self, params) if separate else self.tolerance_for(params)
        if tolerance == self.tolerance:
            return self.rules
        return AnswerRules(tolerance, self.rules.text_answers)

    def tolerance_for(self, params: Any) -> Tolerance:
        return self.tolerance

    def text_shown(self, value: str) -> Markup:
        """How a text answer is printed: the family's wording, or the text itself."""
        found = self.text_answers.get(value) or COMMON_WORDING.get(value)
        return Markup(found.shown) if found else markup_text(value)

    def needs_calculator(self, params: Any) -> bool:
        """Whether answering takes a calculator (decimals to significant figures, logarithms
        of awkward numbers). Stems never say so: the cover does, from the spec's `calculator`
        (exams/spec.py), and a spec that rules calculators out refuses such a question."""
        return False

    # --- printing (markup, for every output) ------------------------------------
    def digits(self, params: Any) -> int | None:
        """Significant figures for printing non-rational answers, or None for exact forms."""
        return None

    def value_tex(self, params: Any, value: Value) -> Math:
        """Math-mode TeX for an exact value. A family whose answers share one form (a + b·log r,
        grouped digits) prints it here, for its options and answers alike."""
        return tex(value, self.digits(params))

    def show_value(self, params: Any, value: Value) -> Markup:
        if isinstance(value, str):
            return self.text_shown(value)
        return Markup("$%s$" % self.value_tex(params, value))

    def show_values(self, params: Any, values: tuple[Value, ...]) -> Markup:
        """How an option (a tuple of part values) is printed."""
        if len(values) == 1:
            return self.show_value(params, values[0])
        if all(not isinstance(v, str) for v in values):
            return Markup("$(%s)$" % ", ".join(self.value_tex(params, v) for v in values))
        return Markup("(" + ", ".join(self.show_value(params, v) for v in values) + ")")

    # --- presentation -----------------------------------------------------------
    @abstractmethod
    def context(self, params: Any) -> dict[str, Any]: ...

    def stem_source(self) -> str:
        if self.stem_template is not None:
            return self.stem_template
        path = resources.files("variantex.templates").joinpath(self.id, "stem.j2")
        if not path.is_file():
            raise FamilyError(f"{self.id}: no stem template (templates/{self.id}/stem.j2 or stem_template)")
        return path.read_text(encoding="utf-8")

    def check_options(self, options: Mapping[str, Any]) -> None:
        unknown = sorted(map(str, set(options) - set(self.draw_options)))
        if unknown:
            known = ", ".join(self.draw_options) or "none"
            raise InvalidParams(f"unknown option {unknown[0]!r} for {self.id} (options: {known})", "options")
        for name, value in options.items():
            if name in self.option_kinds:
                self.option_kinds[name].read(value, f"options.{name}")

    def option(self, options: Mapping[str, Any], name: str, default: Any) -> Any:
        """A draw option's value, read by its declared kind, or `default` when not given."""
        if name not in options or options[name] is None:
            return default
        return self.option_kinds[name].read(options[name], f"options.{name}")

    def check_branch(self, branch: str) -> None:
        if branch not in self.branches:
            raise InvalidParams(
                f"unknown branch {branch!r} for {self.id} (branches: {', '.join(self.branches)})", "branch"
            )


class FamilyError(VariantexError):
    """A family cannot be loaded or is malformed: a bug in that family, not bad input."""


# --- the registry ---------------------------------------------------------------------

_REGISTRY: dict[str, Family] = {}
_PENDING: list[type[Family]] = []
_DISCOVERED = False
BUILTIN_PACKAGE = __name__.rpartition(".")[0]  # variantex.generators
_plugins_enabled = True


class PluginSkipped(UserWarning):
    """A plug-in family was left out (it failed to load, or its id is taken); the rest work."""


def set_plugins_enabled(enabled: bool) -> None:
    """Turn plug-in discovery on or off (`--no-plugins`); call before the first lookup."""
    global _plugins_enabled
    _plugins_enabled = enabled


def plugins_enabled() -> bool:
    return _plugins_enabled and not off_by_environment()


def is_builtin(item: Family) -> bool:
    return type(item).__module__.startswith(BUILTIN_PACKAGE + ".")


def _settle() -> None:
    """Instantiate the family classes defined since the last look (abstract ones are skipped).
    Two built-in (or test-defined) families with one id are a bug of ours, so they raise."""
    while _PENDING:
        cls = _PENDING.pop(0)
        if inspect.isabstract(cls):
            continue
        if cls.id in _REGISTRY and type(_REGISTRY[cls.id]) is not cls:
            raise FamilyError(
                f"family {cls.id!r} is defined twice ({_REGISTRY[cls.id].__class__.__module__} and {cls.__module__})"
            )
        _REGISTRY[cls.id] = cls()


def _skip_plugin(entry: metadata.EntryPoint, why: str) -> None:
    distribution = entry.dist.name if entry.dist is not None else "an unknown distribution"
    warnings.warn(
        f"plug-in {entry.name!r} of {distribution} ({entry.value}) skipped: {why}", PluginSkipped, stacklevel=4
    )


def _load_plugin(entry: metadata.EntryPoint) -> None:
    """Register the families one entry point brings, or skip it with one warning: a broken or
    clashing plug-in must never stop the commands that do not use it."""
    del _PENDING[:]
    try:
        loaded = entry.load()
    except Exception as error:  # whatever a third party's import raises
        del _PENDING[:]
        _skip_plugin(entry, f"it failed to load ({type(error).__name__}: {error})")
        return
    if not (inspect.isclass(loaded) and issubclass(loaded, Family)):
        del _PENDING[:]
        _skip_plugin(entry, "it does not name a Family subclass")
        return
    classes = [cls for cls in (*_PENDING, loaded) if not inspect.isabstract(cls) and "id" in cls.__dict__]
    del _PENDING[:]
    for cls in dict.fromkeys(classes):
        taken = _REGISTRY.get(cls.id)
        if taken is not None and type(taken) is not cls:
            owner = "a built-in family" if is_builtin(taken) else f"{type(taken).__module__}"
            _skip_plugin(entry, f"its family id {cls.id!r} is taken by {owner}")
            continue
        try:
            _REGISTRY[cls.id] = cls()
        except Exception as error:  # a plug-in class that cannot even be instantiated
            _skip_plugin(entry, f"{cls.__name__}() failed ({type(error).__name__}: {error})")


def discover() -> None:
    """Import every module of this package, then (unless turned off) every plug-in registered
    under the `variantex.families` entry point, once."""
    global _DISCOVERED
    if _DISCOVERED:
        _settle()
        return
    _DISCOVERED = True
    package = importlib.import_module(BUILTIN_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{BUILTIN_PACKAGE}.{module.name}")
    _settle()
    if plugins_enabled():
        for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
            _load_plugin(entry)


def _import_alone(family_id: str) -> None:
    """Import just the module of one built-in family (generators/index.json names it), so a
    command about one family (`show`, `solve`) does not import all of them. With plug-ins
    installed every family is discovered as usual: a plug-in may clash with this id."""
    from variantex.generators.names import builtin_index, plugins_installed

    if plugins_installed() and plugins_enabled():
        return
    module = next((row.get("module") for row in builtin_index() if row["id"] == family_id), None)
    if module:
        importlib.import_module(f"{BUILTIN_PACKAGE}.{module}")
        _settle()


def unregister(family_id: str) -> None:
    """Forget a family (tests that define one of their own clean up with this)."""
    _REGISTRY.pop(family_id, None)


def family(family_id: str) -> Family:
    if not _DISCOVERED and family_id not in _REGISTRY:
        _import_alone(family_id)
    if family_id not in _REGISTRY:
        discover()
    try:
        return _REGISTRY[family_id]
    except KeyError:
        raise InvalidParams(f"unknown family {family_id!r} (known: {', '.join(sorted(_REGISTRY))})", "family") from None


def families() -> list[Family]:
    discover()
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


def builtin_families() -> list[Family]:
    """The families this package ships (what docs/families.md documents), without plug-ins."""
    return [item for item in families() if is_builtin(item)]

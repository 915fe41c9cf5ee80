"""Adding a family is one module: the README's promise, proved with families defined here.

A family defined in a test (registered nowhere else) is discovered, walked across seeds,
branches, formats and its own option sets, checked on its edge cases, and rendered to
LaTeX and JSON; a third-party family arrives through the `variantex.families` entry point.
"""

from __future__ import annotations

import itertools
import json
import sys
import warnings
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp

from tests.walk import assert_edge_case, assert_variant_sound, dead_mistakes, render_all
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, equals, tex
from variantex.generators import base, families, family
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, choice_of, number
from variantex.generators.variant import draw_variant, variant_from_data

TOY_STEM = """
<% block stem %>
Gradient descent with step size $\\gamma = << q.gamma >>$ minimises $f(w) = \\tfrac{<< q.c >>}{2} w^2$ from $w_0 = << q.w0 >>$.
<% endblock %>
<% block ask %>
<% if "w1" in asked and asked | length == 1 %>What is $w_1$?<% else %>Compute the gradient at $w_0$ and the next iterate.<% endif %>
<% endblock %>
"""


def make_toy_family():
    @dataclass(frozen=True)
    class StepParams:
        c: sp.Rational = number()
        w0: sp.Rational = number()
        gamma: sp.Rational = number(default=sp.Rational(1, 10))
        mode: str = choice_of(("plain", "scaled"), default="plain")

        def __post_init__(self):
            if self.c <= 0:
                raise InvalidParams("the curvature must be positive (strictly convex)", "c")

    class ToyStep(Family):
        id = "toy-gd-step"
        title = "One gradient step on a 1-D quadratic (test family)"
        branches = ("monotone", "overshoot")
        params_type = StepParams
        option_sets = ({}, {"big": True})
        draw_options = {"big": "true: larger curvature"}
        stem_template = TOY_STEM
        edge_cases = (
            EdgeCase(
                "c = 2, w0 = 3, gamma = 1/4: half-way to the minimum",
                {"c": 2, "w0": 3, "gamma": "1/4"},
                {"grad": 6, "w1": "3/2"},
            ),
            EdgeCase("gamma = 1/c jumps to the minimum", {"c": 4, "w0": -1, "gamma": "1/4"}, {"w1": 0}),
        )

        def draw(self, rng, branch, options):
            c = sp.Integer(int(rng.integers(2, 5)) * (3 if options.get("big") else 1))
            gamma = sp.Rational(1, 2 * c) if branch == "monotone" else sp.Rational(3, 2 * c)
            return StepParams(c=c, w0=sp.Integer(int(rng.choice([-3, -2, -1, 1, 2, 3]))), gamma=gamma)

        def branch_of(self, params):
            return "monotone" if params.gamma * params.c <= 1 else "overshoot"

        def parts(self, params):
            return (Part("w1", "w_1"), Part("grad", "f'(w_0)"))

        def solve(self, params):
            grad = params.c * params.w0
            w1 = params.w0 - params.gamma * grad
            return Solution(
                {"w1": w1, "grad": grad},
                (
                    Markup(r"$f'(w_0) = c\,w_0 %s$." % equals(grad)),
                    Markup(r"$w_1 = w_0 - \gamma f'(w_0) %s$." % equals(w1)),
                ),
            )

        def verify(self, params):
            c, w, g, h = float(params.c), float(params.w0), float(params.gamma), 1e-6
            grad = (c / 2 * (w + h) ** 2 - c / 2 * (w - h) ** 2) / (2 * h)
            return {"grad": grad, "w1": w - g * grad}

        def mistakes(self, params):
            grad = params.c * params.w0
            found = Mistakes()
            # Each slip also with the update's sign flipped (w0 + γ·g): both sides of the key.
            for name, description, g in (
                ("correct_gradient", "the gradient itself was right", grad),
                ("forgot_curvature", "took f'(w) = w", params.w0),
                ("halved_gradient", "differentiated c/2 w^2 as c/2 w", grad / 2),
                ("doubled_gradient", "differentiated c/2 w^2 as c w^2", 2 * grad),
            ):
                if name != "correct_gradient":
                    found.add(name, description, w1=params.w0 - params.gamma * g, grad=g)
                found.add(
                    f"added_gradient+{name}" if name != "correct_gradient" else "added_gradient",
                    "stepped along the gradient" + ("" if name == "correct_gradient" else f"; {description}"),
                    w1=params.w0 + params.gamma * g,
                    grad=g,
                    slips=1 if name == "correct_gradient" else 2,
                )
            for mistake in list(found):  # and with the answer's sign dropped at the end
                found.add(
                    "sign_slip+" + mistake.name,
                    mistake.description + "; then dropped a minus sign",
                    w1=-mistake.values["w1"],
                    grad=mistake.values["grad"],
                    slips=mistake.slips + 1,
                )
            found.add("sign_slip", "dropped a minus sign", w1=-(params.w0 - params.gamma * grad), grad=grad)
            found.add("forgot_step_size", "subtracted the gradient itself", w1=params.w0 - grad, grad=grad)
            found.add("zero_step", "left w unchanged", w1=params.w0)
            found.add("step_to_zero", "jumped straight to the minimum", w1=sp.Integer(0))
            return found

        def context(self, params):
            return {"c": params.c, "w0": params.w0, "gamma": params.gamma}

    return ToyStep


@pytest.fixture
def toy():
    cls = make_toy_family()
    try:
        yield family("toy-gd-step")
    finally:
        base.unregister(cls.id)


def test_a_family_defined_anywhere_is_discovered_walked_and_rendered(toy):
    assert toy in families()
    for fmt in toy.formats:
        for seed, (branch, options) in enumerate(itertools.product(toy.branches, toy.option_sets)):
            variant = draw_variant(toy, np.random.default_rng(seed), branch, options, fmt)
            assert_variant_sound(variant, branch, fmt)
    for case in toy.edge_cases:
        assert_edge_case(toy, case)
    variant = variant_from_data(toy, {"c": 2, "w0": 3, "gamma": "1/4"}, "numeric")
    data = render_all(variant, "numeric")
    assert [part["name"] for part in data["asked"]] == ["w1", "grad"]
    assert {p["name"]: p["value"] for p in data["answers"]} == {"w1": "3/2", "grad": 6}
    assert toy.dump(variant.params) == {"c": 2, "w0": 3, "gamma": "1/4"}  # defaults left out, names written once


def test_the_kit_reports_bad_params_by_field(toy):
    with pytest.raises(InvalidParams, match="c: missing"):
        toy.parse({"w0": 1})
    with pytest.raises(InvalidParams, match="mode: expected one of plain, scaled"):
        toy.parse({"c": 1, "w0": 1, "mode": "fast"})
    with pytest.raises(InvalidParams, match="curvature must be positive"):
        toy.parse({"c": -1, "w0": 1})
    with pytest.raises(InvalidParams, match="typo: unknown field"):
        toy.parse({"c": 1, "w0": 1, "typo": 2})


def install_plugin(folder, distribution: str, entry: str, monkeypatch) -> None:
    """A plug-in distribution as pip leaves it: a dist-info folder naming the entry point."""
    info = folder / f"{distribution}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[variantex.families]\n{entry}\n")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setattr(base, "_DISCOVERED", False)
    monkeypatch.delenv(base.NO_PLUGINS_VARIABLE, raising=False)
    # Only this plug-in: whatever else the environment has installed stays out of the test.
    everything = base.metadata.entry_points

    def this_one(**kwargs):
        return [e for e in everything(**kwargs) if str(folder) in str(getattr(e.dist, "_path", ""))]

    monkeypatch.setattr(base.metadata, "entry_points", this_one)


def test_a_third_party_family_arrives_through_the_entry_point(tmp_path, monkeypatch):
    (tmp_path / "variantex_toy_plugin.py").write_text(
        "from tests.test_family_kit import make_toy_family\n\n"
        "class PluginStep(make_toy_family()):\n"
        "    id = 'toy-plugin-step'\n"
    )
    install_plugin(tmp_path, "variantex_toy_plugin", "toy = variantex_toy_plugin:PluginStep", monkeypatch)
    try:
        found = family("toy-plugin-step")
        variant = draw_variant(found, np.random.default_rng(3), "overshoot", {}, "mcq")
        assert_variant_sound(variant, "overshoot", "mcq")
    finally:
        for family_id in ("toy-plugin-step", "toy-gd-step"):
            base.unregister(family_id)
        sys.modules.pop("variantex_toy_plugin", None)


def test_a_broken_plugin_is_skipped_with_one_warning_naming_it(tmp_path, monkeypatch):
    install_plugin(tmp_path, "broken_plugin", "broken = no_such_module_here:Family", monkeypatch)
    with pytest.warns(base.PluginSkipped) as caught:
        found = families()
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "plug-in 'broken' of broken_plugin (no_such_module_here:Family) skipped" in message
    assert "ModuleNotFoundError" in message
    assert family("gd-step") in found  # everything else still works


def test_a_plugin_whose_id_is_taken_is_skipped_and_the_built_in_kept(tmp_path, monkeypatch):
    (tmp_path / "variantex_clash_plugin.py").write_text(
        "from tests.test_family_kit import make_toy_family\n\nclass Clash(make_toy_family()):\n    id = 'gd-step'\n"
    )
    builtin = family("gd-step")
    install_plugin(tmp_path, "variantex_clash_plugin", "clash = variantex_clash_plugin:Clash", monkeypatch)
    try:
        with pytest.warns(base.PluginSkipped, match="its family id 'gd-step' is taken by a built-in family"):
            families()
        assert family("gd-step") is builtin and base.is_builtin(builtin)
        assert family("toy-gd-step")  # the plug-in module's own base class is not a clash
    finally:
        base.unregister("toy-gd-step")
        sys.modules.pop("variantex_clash_plugin", None)


@pytest.mark.parametrize("switch", ["environment", "function"])
def test_plugins_can_be_turned_off(tmp_path, monkeypatch, switch):
    install_plugin(tmp_path, "broken_plugin", "broken = no_such_module_here:Family", monkeypatch)
    if switch == "environment":
        monkeypatch.setenv(base.NO_PLUGINS_VARIABLE, "1")
    else:
        monkeypatch.setattr(base, "_plugins_enabled", True)
        base.set_plugins_enabled(False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a warning: the entry point is never read
        assert family("gd-step")


def test_show_value_and_steps_are_markup_not_latex(toy):
    variant = variant_from_data(toy, {"c": 2, "w0": 3, "gamma": "1/4"})
    assert toy.show_value(variant.params, sp.Rational(3, 2)) == "$%s$" % tex(sp.Rational(3, 2))
    view = json.loads(json.dumps(render_all(variant, "open")))
    assert view["steps"][0][0] == {"type": "math", "tex": "f'(w_0) = c\\,w_0 = 6"}


def test_the_walk_refuses_a_verify_that_calls_solve(toy, monkeypatch):
    variant = draw_variant(toy, np.random.default_rng(1), "overshoot", {}, "numeric")
    assert_variant_sound(variant, "overshoot", "numeric")  # the honest toy passes
    lazy = type(toy)()  # the same family, with a verify that only repeats the solver
    monkeypatch.setattr(lazy, "verify", lambda params: dict(lazy.solve(params).values))
    with pytest.raises(AssertionError, match="toy-gd-step.verify calls the exact solver"):
        assert_variant_sound(variant_from_data(lazy, toy.dump(variant.params)), "overshoot", "numeric")


def test_the_walk_names_a_dead_mistake(toy, monkeypatch):
    variants = [draw_variant(toy, np.random.default_rng(seed), "overshoot", {}, "numeric") for seed in range(20)]
    assert dead_mistakes(variants) == {}
    honest = toy.mistakes

    def with_dead_ones(params):
        found = honest(params)
        key = toy.solve(params).values
        found.add("gradient_right_after_all", "the key itself", grad=key["grad"], w1=key["w1"])
        found.add(
            "sign_slip_again", "the same as sign_slip", **found[[m.name for m in found].index("sign_slip")].values
        )
        return found

    monkeypatch.setattr(toy, "mistakes", with_dead_ones)
    assert dead_mistakes(variants) == {"toy-gd-step": {"gradient_right_after_all", "sign_slip_again"}}

"""Rendering a family's stem template into format-neutral blocks.

One template per family (`templates/<id>/stem.j2`, or the family's inline
`stem_template`), whatever the output, with up to three blocks:

    <% block stem %>    the situation: data, network, game, figure, table   <% endblock %>
    <% block ask %>     the question itself ("What is $\\det(A)$?")            <% endblock %>
    <% block discuss %> what an open question asks beyond the values (optional) <% endblock %>

The template sees `q` (the family's `context(params)`), `asked` (the part names this
format asks for) and `marks` (true when the format collects only true/false marks, so the
ask must request no value, digits or reason). It never sees the format itself: "Which of
the following…", answer boxes and "Justify each step" belong to each output. Templates are strict about undefined names, and
every interpolated value arrives as a markup token (see generators/markup.py), so neither
user text nor a value can break the markup or reach any output unescaped.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
import sympy as sp

from variantex.answer_engine.formatting import Markup, Math, tex
from variantex.generators.base import Family, FamilyError
from variantex.generators.markup import (
    Block,
    Bullets,
    DisplayMath,
    Figure,
    MarkupError,
    Paragraph,
    Table,
    block_token,
    math_token,
    parse_blocks,
    user_token,
)

_BLOCK_TYPES = (Paragraph, DisplayMath, Bullets, Table, Figure)
_collected: contextvars.ContextVar[list[Block]] = contextvars.ContextVar("variantex_stem_blocks")


@dataclass(frozen=True)
class Stem:
    stem: tuple[Block, ...]
    ask: tuple[Block, ...]
    discuss: tuple[Block, ...] = ()


def _finalize(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, Math):
        return math_token(value)
    if isinstance(value, _BLOCK_TYPES):
        blocks = _collected.get()
        blocks.append(value)
        return block_token(len(blocks) - 1)
    if isinstance(value, bool):
        return user_token(str(value).lower())
    if isinstance(value, int):
        return str(value)
    if isinstance(value, sp.Basic):
        return math_token(tex(value))
    return user_token(value)


def template_environment(loader: jinja2.BaseLoader, finalize, **settings: Any) -> jinja2.Environment:
    """variantex's template dialect, for stems and for output templates alike.

    `<< var >>`, `<% block %>` and `<# comment #>` so that LaTeX braces need no escaping;
    strict about undefined names; `finalize` decides how each interpolated value is quoted.
    """
    return jinja2.Environment(
        loader=loader,
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        **settings,
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    from variantex.generators import family as family_by_id

    def load(name: str) -> str:
        return family_by_id(name).stem_source()

    env = template_environment(jinja2.FunctionLoader(load), _finalize)
    # A macro's output is markup the template wrote itself (its values already tokens):
    # `<< gate(g) | markup >>` keeps it as markup instead of quoting it as user text.
    env.filters["markup"] = Markup
    return env


def render_stem(family: Family, params: Any, asked: tuple[str, ...], marks: bool = False) -> Stem:
    template = environment().get_template(family.id)
    missing = {"stem", "ask"} - set(template.blocks)
    if missing:
        raise FamilyError(f"{family.id}: the stem template has no block {sorted(missing)[0]!r}")
    context = template.new_context({"q": family.context(params), "asked": asked, "marks": marks})
    rendered = {}
    for name in ("stem", "ask", "discuss"):
        if name not in template.blocks:
            rendered[name] = ()
            continue
        collected: list[Block] = []
        token = _collected.set(collected)
        try:
            source = "".join(template.blocks[name](context))
        finally:
            _collected.reset(token)
        try:
            rendered[name] = parse_blocks(source, collected)
        except MarkupError as error:
            raise MarkupError(f"{family.id} stem, block {name}: {error}") from None
    return Stem(rendered["stem"], rendered["ask"], rendered["discuss"])

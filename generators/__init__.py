"""Question families. Each module here that defines a `Family` subclass adds it: no list to edit.

`family(id)` and `families()` discover them (and third-party ones registered under the
`variantex.families` entry point) on first use. They are loaded from generators/base.py
when first asked for (PEP 562), so importing a light module of this package
(generators/names.py) does not import NumPy and SymPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from variantex.generators.base import builtin_families, discover, families, family  # noqa: F401

_FROM_BASE = ("builtin_families", "discover", "families", "family")


def __getattr__(name: str) -> Any:
    if name in _FROM_BASE:
        from variantex.generators import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

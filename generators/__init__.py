"""Question families. Each module here that defines a `Family` subclass adds it: no list to edit.

`family(id)` and `families()` discover them (and third-party ones registered under the
`variantex.families` entry point) on first use.
"""

from variantex.generators.base import builtin_families, discover, families, family  # noqa: F401

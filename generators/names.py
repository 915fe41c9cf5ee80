"""Names the command line needs before any family is loaded: the answer formats and the
switch that turns plug-ins off. Kept apart from generators/base.py (which imports NumPy and
SymPy) so that `variantex --help` starts without them."""

from __future__ import annotations

import functools

# tf: true/false statements, offered by statement banks (generators/statements.py).
FORMATS = ("mcq", "numeric", "open", "tf")
NO_PLUGINS_VARIABLE = "VARIANTEX_NO_PLUGINS"
ENTRY_POINT_GROUP = "variantex.families"


def off_by_environment() -> bool:
    """Whether the environment turns plug-ins off (VARIANTEX_NO_PLUGINS set, and not 0)."""
    import os

    return os.environ.get(NO_PLUGINS_VARIABLE, "") not in ("", "0")


@functools.lru_cache(maxsize=1)
def builtin_index() -> list[dict]:
    """The built-in families as `variantex families` lists them (id, title, formats, branches,
    draw options, module), from generators/index.json, read once; no family module is
    imported. Callers read it, never change it. A test keeps the file equal to the registry
    (`python -m variantex.generators.docs --index` writes it)."""
    import json
    from pathlib import Path

    return json.loads((Path(__file__).resolve().parent / "index.json").read_text(encoding="utf-8"))


def plugins_installed() -> bool:
    """Whether any package registers families under the entry point (cheap: metadata only)."""
    from importlib import metadata

    if off_by_environment():
        return False
    return any(True for _ in metadata.entry_points(group=ENTRY_POINT_GROUP))

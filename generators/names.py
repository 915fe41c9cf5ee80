"""Names the command line needs before any family is loaded: the answer formats and the
switch that turns plug-ins off. Kept apart from generators/base.py (which imports NumPy and
SymPy) so that `variantex --help` starts without them."""

from __future__ import annotations

# tf: true/false statements, offered by statement banks (generators/statements.py).
FORMATS = ("mcq", "numeric", "open", "tf")
NO_PLUGINS_VARIABLE = "VARIANTEX_NO_PLUGINS"

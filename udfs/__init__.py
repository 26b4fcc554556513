"""logidesk rules engine: the Python API of every Excel function (issue 2).

For every Excel function ``NAME`` there is ``udfs.name`` with the same arguments in the same
order. Python values in (Decimal, int, float, str, date, datetime, bool, None for an empty
cell); Decimal money (half-up to 0.01 yuan, MONEY-1), int days, date/datetime deadlines,
str texts out; bad input raises :class:`RuleError` with a Chinese message naming the rule.
Column forms of each function are in :mod:`udfs.columns`. No Excel import here: the
xlwings adapter is :mod:`udfs.xl`, generated from :mod:`udfs.registry`.

The exported functions are the declarations of :mod:`udfs.registry` (one per function,
issue 8); :func:`install` re-derives them after a declaration is added.
"""
from __future__ import annotations

from . import registry
from .complaints import rules_in_force
from .deadlines import is_timed, status_text
from .errors import RuleError
from .rulebook import rules_for, today

HELPERS = ["RuleError", "rules_for", "today", "rules_in_force", "is_timed", "status_text"]
__all__: list[str] = []


def install() -> None:
    """Export every declared engine function as ``udfs.<python_name>``."""
    for name in __all__:
        if name not in HELPERS:
            globals().pop(name, None)
    engine = registry.engine_functions()
    globals().update({name: f.func for name, f in engine.items()})
    __all__[:] = [*HELPERS, *engine]


install()

"""logidesk rules engine: the Python API of every Excel function.

For every Excel function ``NAME`` there is ``udfs.name`` with the same arguments in the same
order. Python values in (Decimal, int, float, str, date, datetime, bool, None for an empty
cell); Decimal money (half-up to 0.01 yuan, MONEY-1), int days, date/datetime deadlines,
str texts out; bad input raises :class:`RuleError` with a Chinese message naming the rule.
Column forms of each function are in :mod:`udfs.columns`. No Excel import here: the
xlwings adapter is :mod:`udfs.xl`, generated from :mod:`udfs.registry`.

The exported functions are the declarations of :mod:`udfs.registry` (one per function);
:func:`install` re-derives them after a declaration is added.

Importing ``udfs`` (or one of its modules, e.g. ``udfs.freight`` for the counter quote) is
light: the registry, and with it every rule module and pandas (0.29 s of a 0.9 s cold start,
measured with ``python -X importtime``), is imported the first time an exported function,
``udfs.registry`` or ``udfs.__all__`` is asked for.
"""
from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from .errors import RuleError
from .rulebook import rules_for, today

HELPERS = ["RuleError", "rules_for", "today", "rules_in_force", "is_timed", "status_text"]
_HELPER_HOMES = {"rules_in_force": "complaints", "is_timed": "deadlines", "status_text": "deadlines"}


def install() -> None:
    """Export every declared engine function as ``udfs.<python_name>``."""
    from . import registry
    names = globals().get("__all__", [])
    for name in names:
        if name not in HELPERS:
            globals().pop(name, None)
    engine = registry.engine_functions()
    globals().update({name: f.func for name, f in engine.items()})
    globals()["__all__"] = [*HELPERS, *engine]


def __getattr__(name: str) -> Any:
    """The exports, the helpers and the submodules, imported when first used."""
    if name in _HELPER_HOMES:
        return getattr(importlib.import_module(f".{_HELPER_HOMES[name]}", __name__), name)
    if name.startswith("__") and name != "__all__":
        raise AttributeError(name)
    if name.isidentifier() and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f".{name}", __name__)      # a submodule: no install
    if "__all__" not in globals():
        install()
        if name in globals():
            return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    if "__all__" not in globals():
        install()
    return sorted(set(globals()) | set(globals()["__all__"]))
